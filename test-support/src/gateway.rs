//! The gateway's router driven in-process (`tower::ServiceExt::oneshot`)
//! as a loan officer would: the sign-in form, a session, pages fetched and
//! forms posted. The gateway's own tests use it with a scoring service that
//! is down; with feature `service`, [`Dashboard`] puts the router over the
//! real scoring service serving the [`crate::dashboard`] model.

use argon2::{Algorithm, Argon2, Params, PasswordHasher, Version, password_hash::SaltString};
use axum::{
    Router,
    body::{Body, to_bytes},
    http::{HeaderMap, Request, Response, StatusCode, header},
};
use axum_extra::extract::cookie::{Key, PrivateCookieJar};
use gateway::{
    AppState, Inner,
    auth::{SessionCookie, Users},
    client::ScoringClient,
    sessions::Sessions,
};
use tower::ServiceExt;

/// The one officer of the test apps, and their password.
pub const USER: &str = "ann";
pub const PASSWORD: &str = "correct horse";

/// A cheap argon2id hash (tests only; the PHC string carries its parameters).
pub fn cheap_hash(password: &str) -> String {
    let params = Params::new(8, 1, 1, None).expect("argon2 parameters");
    let salt = SaltString::encode_b64(b"fixed-test-salt!").expect("salt");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
        .hash_password(password.as_bytes(), &salt)
        .expect("hash")
        .to_string()
}

/// The cookie key of the test apps, so tests can read their sessions.
pub fn test_key() -> Key {
    Key::from(&[7u8; 64])
}

/// The gateway's state over `scoring`, with [`USER`] and the default
/// session lifetimes.
pub fn state(scoring: ScoringClient, secure_cookies: bool, key: Key) -> AppState {
    state_with(scoring, secure_cookies, key, users(), Sessions::default())
}

/// The users of the test apps: [`USER`] alone.
pub fn users() -> Users {
    Users::parse(
        &format!(
            "[[users]]\nname = \"{USER}\"\npassword_hash = \"{}\"\n",
            cheap_hash(PASSWORD)
        ),
        std::path::Path::new("test-users.toml"),
    )
    .expect("users")
}

/// The gateway's state over `scoring` with these users and sessions.
pub fn state_with(
    scoring: ScoringClient,
    secure_cookies: bool,
    key: Key,
    users: Users,
    sessions: Sessions,
) -> AppState {
    AppState::new(Inner {
        scoring,
        users,
        key,
        secure_cookies,
        sessions,
        client_address_header: None,
    })
}

/// A client of the scoring service at `endpoint` (connected lazily).
pub fn client(endpoint: &str, api_key: Option<&str>) -> ScoringClient {
    ScoringClient::connect_lazy(endpoint, api_key).expect("a valid endpoint and key")
}

/// The dashboard over the service at `endpoint`: plain cookies, [`test_key`].
pub fn app(endpoint: &str, api_key: Option<&str>) -> Router {
    gateway::app(state(client(endpoint, api_key), false, test_key()))
}

/// The dashboard with nobody behind its scoring endpoint: for what works
/// without the service (sign-in, sessions, the checks of form fields) and
/// the outage page.
pub fn app_service_down() -> Router {
    app(&nothing_listening(), None)
}

/// A loopback endpoint with nobody listening (a port bound, then freed).
pub fn nothing_listening() -> String {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    format!("http://127.0.0.1:{port}")
}

/// A response, read whole.
pub struct Page {
    pub status: StatusCode,
    pub headers: HeaderMap,
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
            .map(|v| v.to_str().expect("ASCII cookie").to_owned())
            .collect()
    }

    /// `name=value` of a cookie set by this response.
    pub fn cookie(&self, name: &str) -> Option<String> {
        self.set_cookies()
            .into_iter()
            .find(|c| c.starts_with(&format!("{name}=")))
            .and_then(|c| c.split(';').next().map(str::to_owned))
    }

    /// The form's CSRF token.
    pub fn csrf(&self) -> String {
        between(&self.body, "name=\"csrf\" value=\"", "\"").to_owned()
    }

    pub fn count(&self, needle: &str) -> usize {
        self.body.matches(needle).count()
    }
}

/// The text of `body` between the first `start` and the next `end`.
#[track_caller]
pub fn between<'a>(body: &'a str, start: &str, end: &str) -> &'a str {
    let at = body
        .find(start)
        .unwrap_or_else(|| panic!("no {start:?} in {body}"))
        + start.len();
    let len = body[at..]
        .find(end)
        .unwrap_or_else(|| panic!("no {end:?} after {start:?}"));
    &body[at..at + len]
}

pub async fn send(app: &Router, request: Request<Body>) -> Page {
    let response: Response<Body> = app.clone().oneshot(request).await.expect("infallible");
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = to_bytes(response.into_body(), 4 << 20).await.expect("body");
    Page {
        status,
        headers,
        body: String::from_utf8(bytes.to_vec()).expect("UTF-8 page"),
    }
}

pub fn get(uri: &str, cookie: &str) -> Request<Body> {
    let mut request = Request::get(uri);
    if !cookie.is_empty() {
        request = request.header(header::COOKIE, cookie);
    }
    request.body(Body::empty()).expect("request")
}

pub fn post(uri: &str, cookie: &str, form: &[(&str, &str)]) -> Request<Body> {
    let mut request =
        Request::post(uri).header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    if !cookie.is_empty() {
        request = request.header(header::COOKIE, cookie);
    }
    let body = serde_urlencoded::to_string(form).expect("form");
    request.body(Body::from(body)).expect("request")
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

/// Signs [`USER`] in on an app with [`test_key`].
pub async fn sign_in(app: &Router) -> Session {
    let done = submit_sign_in(app, USER, PASSWORD, Some("/clients")).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let cookie = done.cookie("gw_session").expect("session cookie");
    // Read the token from the encrypted cookie, as the gateway does, so that
    // signing in works while the service is down.
    let mut headers = HeaderMap::new();
    headers.insert(header::COOKIE, cookie.parse().expect("cookie header"));
    let jar = PrivateCookieJar::from_headers(&headers, test_key());
    let csrf = SessionCookie::from_jar(&jar).expect("a session").csrf;
    Session { cookie, csrf }
}

#[cfg(feature = "service")]
pub use over_service::*;

#[cfg(feature = "service")]
mod over_service {
    use axum::Router;
    use scoring_grpc::server::{RunningServer, start};

    use scoring_core::registry::Registry;
    use scoring_proto::scoring::v1::scoring_service_client::ScoringServiceClient;
    use tonic::transport::Channel;

    use crate::application_model::{ApplicationModel, application_model};
    use crate::applications::HistoryShape;
    use crate::{dashboard, service::settings_with_api_key};

    /// The API key the dashboard presents to the service.
    pub const API_KEY: &str = "dashboard-key";
    /// Applicants [`Dashboard::start_monitored`] scores.
    pub const MONITORED_APPLICANTS: usize = 2_000;

    /// The dashboard over the real scoring service (API key required)
    /// serving the [`dashboard`] model from a temporary registry.
    pub struct Dashboard {
        /// The gateway's router, signed-in officers welcome.
        pub app: Router,
        /// The scoring service.
        pub server: RunningServer,
        /// Its gRPC URL.
        pub endpoint: String,
        /// Holds the registry until the end of the test.
        _registry: tempfile::TempDir,
    }

    impl Dashboard {
        /// Publishes the dashboard model, starts the service and builds the
        /// router over it.
        pub async fn start() -> Self {
            let (dir, registry) = dashboard::registry();
            let settings = settings_with_api_key(&registry, "dashboard", API_KEY);
            let server = start(settings).await.expect("the scoring service starts");
            let endpoint = format!("http://{}", server.addr);
            Self {
                app: super::app(&endpoint, Some(API_KEY)),
                server,
                endpoint,
                _registry: dir,
            }
        }

        /// The dashboard over a model of the kernel's features
        /// ([`crate::application_model`]: 20 random trees, `clients`
        /// random applicants of every history shape, ids from 1), live as
        /// `apps`: the model a loan application can be scored with.
        pub async fn start_with_applications(clients: usize) -> (Self, ApplicationModel) {
            let fixture = application_model(20, clients, &HistoryShape::ALL);
            let dir = tempfile::tempdir().expect("temporary directory");
            let registry = Registry::open(dir.path().join("registry")).expect("registry");
            fixture.publish(&registry, "apps");
            let settings = settings_with_api_key(&registry, "dashboard", API_KEY);
            let server = start(settings).await.expect("the scoring service starts");
            let endpoint = format!("http://{}", server.addr);
            let dashboard = Self {
                app: super::app(&endpoint, Some(API_KEY)),
                server,
                endpoint,
                _registry: dir,
            };
            (dashboard, fixture)
        }

        /// The dashboard (without API keys) over the [`crate::monitoring`]
        /// model live as `v1`, shadowed by `v2` which refuses everyone,
        /// after [`MONITORED_APPLICANTS`] shifted applicants were scored and
        /// all compared: the income and contract type drift, the others do
        /// not, the challenger agrees on the live refusals only.
        pub async fn start_monitored() -> Self {
            use crate::monitoring::{self, FEATURES, REFUSE_ALL};
            use scoring_proto::scoring::v1 as pb;
            let (dir, registry) = monitoring::registry_with_v1();
            monitoring::publish(&registry, "v2", REFUSE_ALL);
            registry.promote("v2", "challenger").expect("promote");
            let mut settings = crate::service::settings(&registry);
            settings.monitoring.window = Some(scoring_core::drift::WindowSettings {
                max_applicants: Some(MONITORED_APPLICANTS as u64),
                duration: None,
                sub_windows: 10,
            });
            settings.monitoring.challenger_queue = 10_000;
            let server = start(settings).await.expect("the scoring service starts");
            let endpoint = format!("http://{}", server.addr);
            let mut client = crate::service::connect(&server).await;
            let challenger = |client: &mut _| {
                let mut client: ScoringServiceClient<Channel> = Clone::clone(client);
                async move {
                    let drift = client.get_drift(pb::GetDriftRequest::default()).await;
                    drift.expect("drift").into_inner().challenger
                }
            };
            crate::service::eventually("the challenger to load", || {
                let compared = challenger(&mut client);
                async move { compared.await.is_some() }
            })
            .await;
            let rows: Vec<[f64; 6]> = monitoring::population(31, MONITORED_APPLICANTS)
                .into_iter()
                .map(monitoring::shifted)
                .collect();
            crate::service::score_rows(&mut client, &FEATURES, &rows, pb::Strategy::Normal).await;
            crate::service::eventually("every applicant to be compared", || {
                let compared = challenger(&mut client);
                async move {
                    compared
                        .await
                        .is_some_and(|c| c.compared == MONITORED_APPLICANTS as u64)
                }
            })
            .await;
            Self {
                app: super::app(&endpoint, None),
                server,
                endpoint,
                _registry: dir,
            }
        }

        /// Stops the service (the router then gets UNAVAILABLE).
        pub async fn stop(self) {
            self.server.shutdown().await.expect("the service stops");
        }
    }
}
