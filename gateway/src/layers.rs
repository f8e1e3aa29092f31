//! What every response goes through: a request id (taken from a well-formed
//! `x-request-id` or generated), passed on to the scoring service as gRPC
//! metadata and echoed back; one log line per request in a span carrying
//! it; the security headers of pages holding personal data; and, when the
//! dashboard is served over HTTPS, `Strict-Transport-Security`.

use std::time::Instant;

use axum::{
    extract::Request,
    http::{HeaderName, HeaderValue, header},
    middleware::Next,
    response::Response,
};
use tracing::Instrument;

/// The header (and gRPC metadata key) carrying the request id.
pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

tokio::task_local! {
    /// The id of the request being served on this task.
    static CURRENT: String;
    /// The officer signed in for the request being served, once known.
    static OFFICER: std::cell::RefCell<Option<String>>;
}

/// Notes the signed-in officer of the request being served, so that the
/// scoring client names them to the service (`x-on-behalf-of`, written in
/// its audit log).
pub fn note_officer(name: &str) {
    let _ = OFFICER.try_with(|o| *o.borrow_mut() = Some(name.to_owned()));
    tracing::Span::current().record("officer", name);
}

/// The officer noted for the request being served.
pub fn current_officer() -> Option<String> {
    OFFICER.try_with(|o| o.borrow().clone()).ok().flatten()
}

/// The current request's id, when called while serving one.
pub fn current_request_id() -> Option<String> {
    CURRENT.try_with(Clone::clone).ok()
}

/// Records on the request's span the model version that answered.
pub fn note_model_version(version: &str) {
    tracing::Span::current().record("model_version", version);
}

/// Runs `f` as if serving request `id` (for tests of the gRPC client).
pub async fn with_request_id<F: Future>(id: String, f: F) -> F::Output {
    CURRENT
        .scope(id, OFFICER.scope(std::cell::RefCell::new(None), f))
        .await
}

fn well_formed(id: &str) -> bool {
    (1..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

const SECURITY_HEADERS: &[(HeaderName, &str)] = &[
    (
        header::CONTENT_SECURITY_POLICY,
        "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    ),
    (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
    (header::REFERRER_POLICY, "same-origin"),
    (header::X_FRAME_OPTIONS, "DENY"),
    // Pages show personal data: keep them out of shared and browser caches.
    (header::CACHE_CONTROL, "no-store"),
];

/// The request-id, access-log and security-header middleware.
pub async fn around(request: Request, next: Next) -> Response {
    let id = request
        .headers()
        .get(&REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|v| well_formed(v))
        .map_or_else(crate::auth::new_token, str::to_owned);
    let span = tracing::info_span!(
        "request",
        request_id = %id,
        method = %request.method(),
        path = %request.uri().path(),
        model_version = tracing::field::Empty,
        officer = tracing::field::Empty,
    );
    let start = Instant::now();
    let mut response = CURRENT
        .scope(
            id.clone(),
            OFFICER.scope(std::cell::RefCell::new(None), next.run(request)),
        )
        .instrument(span.clone())
        .await;
    span.in_scope(|| {
        tracing::info!(
            status = response.status().as_u16(),
            micros = start.elapsed().as_micros() as u64,
            "served"
        );
    });
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(&id) {
        headers.insert(REQUEST_ID, value);
    }
    for (name, value) in SECURITY_HEADERS {
        headers.insert(name.clone(), HeaderValue::from_static(value));
    }
    response
}

/// Tells browsers to use HTTPS only (a year), when `secure` (the cookies
/// are `Secure`, so the dashboard is served over HTTPS).
pub async fn strict_transport(secure: bool, request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    if secure {
        response.headers_mut().insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        );
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_well_formed_ids_are_kept() {
        assert!(well_formed("abc-123_X"));
        assert!(!well_formed(""));
        assert!(!well_formed("a b"));
        assert!(!well_formed(&"a".repeat(65)));
    }
}
