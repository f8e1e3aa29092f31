//! The loan officers' dashboard.
//!
//! Server-rendered pages (axum + minijinja) that show a client's score
//! against the decision thresholds, the factors behind it, how the client
//! compares with others, "what if" simulations and the live model's report.
//! It holds no data of its own and reaches the model only through the
//! scoring service's gRPC contract (the `scoring-proto` crate), with
//! [`client::ScoringClient`]. [`app`] builds the router apart from `main`,
//! so tests drive it in-process (`tower::ServiceExt::oneshot`); the tests
//! that need the scoring service run it for real, in the test-support
//! crate.

pub mod application;
pub mod auth;
pub mod client;
pub mod config;
pub mod error;
pub mod i18n;
pub mod labels;
pub mod layers;
pub mod markdown;
pub mod numbers;
pub mod routes;
pub mod sessions;
pub mod svg;
pub mod templates;
pub mod throttle;
pub mod tls;

use std::sync::Arc;

use axum::extract::FromRef;
use axum_extra::extract::cookie::Key;

pub use routes::app;

/// What the pages share: the scoring client, the users, the cookie key.
#[derive(Clone)]
pub struct AppState(Arc<Inner>);

/// The fields of [`AppState`].
pub struct Inner {
    /// The scoring service.
    pub scoring: client::ScoringClient,
    /// Who may sign in.
    pub users: auth::Users,
    /// Encrypts and authenticates the cookies.
    pub key: Key,
    /// Marks cookies `Secure` (when served over HTTPS).
    pub secure_cookies: bool,
    /// The open sessions.
    pub sessions: sessions::Sessions,
    /// The header a trusted reverse proxy puts the client's address in
    /// (its last address is used); the TCP peer's address when unset.
    pub client_address_header: Option<axum::http::HeaderName>,
}

impl AppState {
    /// State over `inner`.
    pub fn new(inner: Inner) -> Self {
        Self(Arc::new(inner))
    }
}

impl std::ops::Deref for AppState {
    type Target = Inner;

    fn deref(&self) -> &Inner {
        &self.0
    }
}

impl FromRef<AppState> for Key {
    fn from_ref(state: &AppState) -> Self {
        state.0.key.clone()
    }
}
