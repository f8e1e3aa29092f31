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

pub mod auth;
pub mod client;
pub mod config;
pub mod error;
pub mod i18n;
pub mod layers;
pub mod markdown;
pub mod numbers;
pub mod routes;
pub mod svg;
pub mod templates;
pub mod throttle;
pub mod tls;

use std::sync::Arc;

use axum::extract::FromRef;
use axum_extra::extract::cookie::Key;

pub use routes::app;

/// Feature-name prefixes of factors a client cannot act on (external scores,
/// age, sex...), hidden by the "actionable only" toggle unless configured.
pub const DEFAULT_FIXED_FACTORS: &[&str] = &[
    "EXT_SOURCE_",
    "DAYS_BIRTH",
    "CODE_GENDER",
    "REGION_",
    "REG_",
    "LIVE_",
    "FLAG_DOCUMENT_",
    "DAYS_ID_PUBLISH",
    "DAYS_REGISTRATION",
    "CNT_CHILDREN",
    "CNT_FAM_MEMBERS",
    "NAME_FAMILY_STATUS",
    "NAME_EDUCATION_TYPE",
    "BUREAU_",
    "PREV_",
];

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
    /// Prefixes of feature names the client cannot act on.
    pub fixed_factors: Vec<String>,
}

impl AppState {
    /// State over `inner`.
    pub fn new(inner: Inner) -> Self {
        Self(Arc::new(inner))
    }

    /// Whether `feature` is one the client cannot act on.
    pub fn is_fixed(&self, feature: &str) -> bool {
        self.0
            .fixed_factors
            .iter()
            .any(|p| feature.starts_with(p.as_str()))
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
