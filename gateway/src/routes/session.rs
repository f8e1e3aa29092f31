//! Sign-in and sign-out. The sign-in form carries a CSRF token bound to a
//! short pre-session cookie; signing in opens a session
//! ([`crate::sessions`]) and replaces it with the session cookie and a
//! fresh token; signing out ends the session. Repeated failures for one
//! name or from one address are throttled ([`crate::throttle`]): 429 with
//! `Retry-After`; too many password checks at once: 503 with `Retry-After`.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

use axum::{
    Form,
    extract::{ConnectInfo, FromRequestParts, Query, State},
    http::{HeaderValue, StatusCode, header::RETRY_AFTER, request::Parts},
    response::{Html, IntoResponse, Redirect, Response},
};
use axum_extra::extract::cookie::{Cookie, PrivateCookieJar};
use minijinja::context;

use crate::{
    AppState,
    auth::{
        self, MAX_USER_NAME_LEN, Officer, SESSION_COOKIE, SIGNIN_COOKIE, SessionCookie, SignIn,
    },
    error::{AppError, Failure},
    i18n::Lang,
    templates,
};

use super::switch_url;

/// Why the sign-in form is shown.
#[derive(Debug, Clone, Copy, PartialEq)]
enum FormShown {
    Fresh,
    Refused,
    Throttled(Duration),
    Busy,
}

/// The address a sign-in comes from: the last address in the configured
/// proxy header, else the TCP peer's (absent in in-process tests).
pub struct ClientAddress(pub Option<IpAddr>);

impl FromRequestParts<AppState> for ClientAddress {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let from_proxy = state.client_address_header.as_ref().and_then(|name| {
            let header = parts.headers.get_all(name).iter().next_back()?;
            let last = header.to_str().ok()?.rsplit(',').next()?;
            last.trim().parse().ok()
        });
        let peer = || {
            parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|c| c.0.ip())
        };
        Ok(Self(from_proxy.or_else(peer)))
    }
}

fn render_form(
    lang: Lang,
    jar: PrivateCookieJar,
    state: &AppState,
    next: &str,
    shown: FormShown,
) -> Result<Response, Failure> {
    let (jar, token) = match jar.get(SIGNIN_COOKIE) {
        Some(c) => {
            let token = c.value().to_owned();
            (jar, token)
        }
        None => {
            let token = auth::new_token();
            (
                jar.add(auth::cookie(
                    SIGNIN_COOKIE,
                    token.clone(),
                    state.secure_cookies,
                )),
                token,
            )
        }
    };
    let query = serde_urlencoded::to_string([("next", next)]).unwrap_or_default();
    let (status, error, retry_minutes) = match shown {
        FormShown::Fresh => (StatusCode::OK, None, 0),
        FormShown::Refused => (StatusCode::UNAUTHORIZED, Some("signin_failed"), 0),
        FormShown::Throttled(wait) => (
            StatusCode::TOO_MANY_REQUESTS,
            Some("signin_throttled"),
            wait.as_secs().div_ceil(60),
        ),
        FormShown::Busy => (StatusCode::SERVICE_UNAVAILABLE, Some("signin_busy"), 0),
    };
    let ctx = context! {
        t => lang.table(), lang => lang.code(), other_lang => lang.other().code(),
        switch_url => switch_url("/signin", Some(&query), lang.other()),
        csrf => token, next, error, retry_minutes, signed_in => false,
    };
    let html = templates::render("signin.html", ctx).map_err(|source| {
        AppError::Render {
            template: "signin.html".to_owned(),
            source,
        }
        .in_lang(lang)
    })?;
    let mut response = (status, jar, Html(html)).into_response();
    let retry_after = match shown {
        FormShown::Throttled(wait) => Some(wait.as_secs().max(1)),
        FormShown::Busy => Some(1),
        FormShown::Fresh | FormShown::Refused => None,
    };
    if let Some(seconds) = retry_after {
        response
            .headers_mut()
            .insert(RETRY_AFTER, HeaderValue::from(seconds));
    }
    Ok(response)
}

/// GET /signin: the form.
pub async fn form(
    State(state): State<AppState>,
    lang: Lang,
    jar: PrivateCookieJar,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Response, Failure> {
    let next = auth::safe_next(params.get("next").map(String::as_str));
    render_form(lang, jar, &state, &next, FormShown::Fresh)
}

/// POST /signin: checks the token and the password, then opens a session.
pub async fn sign_in(
    State(state): State<AppState>,
    lang: Lang,
    ClientAddress(address): ClientAddress,
    jar: PrivateCookieJar,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, Failure> {
    let expected = jar.get(SIGNIN_COOKIE).map(|c| c.value().to_owned());
    let given = form.get("csrf").map(String::as_str);
    match (expected, given) {
        (Some(e), Some(g)) if auth::tokens_match(&e, g) => {}
        _ => return Err(AppError::Forbidden.in_lang(lang)),
    }
    let name = form
        .get("username")
        .map(|s| s.trim())
        .filter(|s| !s.is_empty() && s.len() <= MAX_USER_NAME_LEN)
        .ok_or_else(|| AppError::bad("username").in_lang(lang))?;
    let password = form.get("password").cloned().unwrap_or_default();
    let next = auth::safe_next(form.get("next").map(String::as_str));
    match state.users.sign_in(name, password, address).await {
        SignIn::Accepted => {}
        SignIn::Refused => {
            tracing::info!("sign-in refused");
            return render_form(lang, jar, &state, &next, FormShown::Refused);
        }
        SignIn::Throttled(wait) => {
            tracing::warn!("sign-in throttled after repeated failures");
            return render_form(lang, jar, &state, &next, FormShown::Throttled(wait));
        }
        SignIn::Busy => {
            tracing::warn!("sign-in turned away: too many password checks under way");
            return render_form(lang, jar, &state, &next, FormShown::Busy);
        }
    }
    let session = SessionCookie::fresh();
    state
        .sessions
        .open(session.id.clone(), name, Instant::now());
    let jar = jar
        .remove(Cookie::build(SIGNIN_COOKIE).path("/"))
        .add(auth::cookie(
            SESSION_COOKIE,
            session.value(),
            state.secure_cookies,
        ));
    Ok((jar, Redirect::to(&next)).into_response())
}

/// POST /signout: ends the session (token checked like any form), so the
/// cookie no longer opens anything, wherever a copy of it is.
pub async fn sign_out(
    State(state): State<AppState>,
    lang: Lang,
    jar: PrivateCookieJar,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, Failure> {
    let officer =
        Officer::from_jar(&jar, &state).ok_or_else(|| AppError::Forbidden.in_lang(lang))?;
    officer
        .check_csrf(form.get("csrf").map(String::as_str))
        .map_err(|e| e.in_lang(lang))?;
    state.sessions.close(&officer.session);
    let jar = jar.remove(Cookie::build(SESSION_COOKIE).path("/"));
    Ok((jar, Redirect::to("/signin")).into_response())
}
