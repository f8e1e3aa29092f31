//! Helpers shared by the route tests: the app over the fake service, a
//! signed-in session, and request/response shortcuts.
#![allow(dead_code, unreachable_pub, clippy::unwrap_used)]

use std::sync::Arc;

use argon2::{Algorithm, Argon2, Params, PasswordHasher, Version, password_hash::SaltString};
use axum::{
    Router,
    body::{Body, to_bytes},
    http::{Request, Response, StatusCode, header},
};
use axum_extra::extract::cookie::{Key, PrivateCookieJar};
use gateway::{
    AppState, DEFAULT_FIXED_FACTORS, Inner,
    auth::{Officer, Users},
    client::ScoringClient,
    fake::FakeScoringClient,
};
use tower::ServiceExt;

pub const USER: &str = "ann";
pub const PASSWORD: &str = "correct horse";

/// A cheap argon2id hash (tests only; the PHC string carries its parameters).
pub fn cheap_hash(password: &str) -> String {
    let params = Params::new(8, 1, 1, None).unwrap();
    let salt = SaltString::encode_b64(b"fixed-test-salt!").unwrap();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
        .hash_password(password.as_bytes(), &salt)
        .unwrap()
        .to_string()
}

/// The cookie key of the test apps, so tests can read their sessions.
pub fn test_key() -> Key {
    Key::from(&[7u8; 64])
}

pub fn state_with(scoring: Arc<dyn ScoringClient>, secure: bool) -> AppState {
    state_with_key(scoring, secure, test_key())
}

pub fn state_with_key(scoring: Arc<dyn ScoringClient>, secure: bool, key: Key) -> AppState {
    let users = Users::parse(
        &format!(
            "[[users]]\nname = \"{USER}\"\npassword_hash = \"{}\"\n",
            cheap_hash(PASSWORD)
        ),
        std::path::Path::new("test-users.toml"),
    )
    .unwrap();
    AppState::new(Inner {
        scoring,
        users,
        key,
        secure_cookies: secure,
        fixed_factors: DEFAULT_FIXED_FACTORS
            .iter()
            .map(|s| s.to_string())
            .collect(),
    })
}

pub fn app() -> Router {
    gateway::app(state_with(Arc::new(FakeScoringClient::new()), false))
}

pub fn app_unavailable() -> Router {
    gateway::app(state_with(
        Arc::new(FakeScoringClient::unavailable()),
        false,
    ))
}

pub struct Page {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: String,
}

impl Page {
    pub fn location(&self) -> &str {
        self.headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }
    pub fn set_cookies(&self) -> Vec<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .map(|v| v.to_str().unwrap().to_owned())
            .collect()
    }
    /// `name=value` of a cookie set by this response.
    pub fn cookie(&self, name: &str) -> Option<String> {
        self.set_cookies()
            .into_iter()
            .find(|c| c.starts_with(&format!("{name}=")))
            .map(|c| c.split(';').next().unwrap().to_owned())
    }
    pub fn csrf(&self) -> String {
        let at = self
            .body
            .find("name=\"csrf\" value=\"")
            .expect("a csrf field")
            + 19;
        self.body[at..].split('"').next().unwrap().to_owned()
    }
    pub fn count(&self, needle: &str) -> usize {
        self.body.matches(needle).count()
    }
}

pub async fn send(app: &Router, request: Request<Body>) -> Page {
    let response: Response<Body> = app.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = to_bytes(response.into_body(), 4 << 20).await.unwrap();
    Page {
        status,
        headers,
        body: String::from_utf8(bytes.to_vec()).unwrap(),
    }
}

pub fn get(uri: &str, cookie: &str) -> Request<Body> {
    let mut b = Request::get(uri);
    if !cookie.is_empty() {
        b = b.header(header::COOKIE, cookie);
    }
    b.body(Body::empty()).unwrap()
}

pub fn post(uri: &str, cookie: &str, form: &[(&str, &str)]) -> Request<Body> {
    let mut b =
        Request::post(uri).header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    if !cookie.is_empty() {
        b = b.header(header::COOKIE, cookie);
    }
    b.body(Body::from(serde_urlencoded::to_string(form).unwrap()))
        .unwrap()
}

/// A signed-in officer: the session cookie and its CSRF token.
pub struct Session {
    pub cookie: String,
    pub csrf: String,
}

/// Fetches the sign-in form and submits it with `user`, `password` and, if
/// given, `next`.
pub async fn submit_sign_in(app: &Router, user: &str, password: &str, next: Option<&str>) -> Page {
    let form = send(app, get("/signin", "")).await;
    let pre = form.cookie("gw_signin").expect("pre-session cookie");
    let csrf = form.csrf();
    let mut fields = vec![
        ("csrf", csrf.as_str()),
        ("username", user),
        ("password", password),
    ];
    fields.extend(next.map(|next| ("next", next)));
    send(app, post("/signin", &pre, &fields)).await
}

pub async fn sign_in(app: &Router) -> Session {
    let done = submit_sign_in(app, USER, PASSWORD, Some("/clients")).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let cookie = done.cookie("gw_session").expect("session cookie");
    // Read the token from the encrypted cookie, as the gateway does, so that
    // signing in works while the service is down.
    let mut headers = axum::http::HeaderMap::new();
    headers.insert(header::COOKIE, cookie.parse().unwrap());
    let jar = PrivateCookieJar::from_headers(&headers, test_key());
    let csrf = Officer::from_jar(&jar).expect("a session").csrf;
    Session { cookie, csrf }
}
