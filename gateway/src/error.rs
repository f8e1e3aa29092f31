//! The gateway's errors: [`StartError`] for configuration and start-up, and
//! [`AppError`], the one place where a failed request becomes an HTTP status
//! and a friendly page. The internal detail is logged, never shown.

use axum::{
    http::StatusCode,
    response::{Html, IntoResponse, Response},
};
use minijinja::context;
use tonic::Code;

use crate::{i18n::Lang, templates};

/// Why the gateway could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The scoring endpoint is not a valid URI.
    #[error("invalid --scoring-endpoint {endpoint:?}")]
    Endpoint {
        /// The value given.
        endpoint: String,
        /// Why tonic refused it.
        #[source]
        source: tonic::transport::Error,
    },
    /// A TLS option was given for a plain-text endpoint.
    #[error(
        "the --scoring-ca / --scoring-client-cert / --scoring-client-key / --scoring-tls-domain \
         options need an https:// --scoring-endpoint, not {endpoint:?}"
    )]
    TlsNeedsHttps {
        /// The endpoint given.
        endpoint: String,
    },
    /// Half of the client identity was given.
    #[error("{flag} needs {needs}")]
    TlsNeeds {
        /// The flag given.
        flag: &'static str,
        /// The flag missing.
        needs: &'static str,
    },
    /// A TLS file cannot be read.
    #[error("cannot read TLS file {path}")]
    TlsFile {
        /// Its path.
        path: std::path::PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// tonic refused the TLS configuration.
    #[error("the TLS configuration of --scoring-endpoint is refused")]
    Tls(#[source] tonic::transport::Error),
    /// The API key cannot be sent as gRPC metadata.
    #[error("--api-key holds characters that cannot be sent as a header")]
    ApiKey(#[source] tonic::metadata::errors::InvalidMetadataValue),
    /// The users file cannot be read.
    #[error("cannot read the users file {path}")]
    UsersRead {
        /// Its path.
        path: std::path::PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The users file is not valid TOML of the expected shape.
    #[error("invalid users file {path}")]
    UsersParse {
        /// Its path.
        path: std::path::PathBuf,
        /// The parse error.
        #[source]
        source: toml::de::Error,
    },
    /// A user's password hash is not a PHC string.
    #[error("user {user:?} has an invalid password hash")]
    UserHash {
        /// The user name.
        user: String,
    },
    /// The cookie key is not 64+ bytes of hex.
    #[error("--cookie-key must be at least 128 hex digits (64 bytes)")]
    CookieKey,
    /// Hashing a password failed.
    #[error("cannot hash the password")]
    Hash(#[source] argon2::password_hash::Error),
    /// Binding or serving failed.
    #[error("I/O error")]
    Io(#[from] std::io::Error),
}

/// The longest part of a service's message that goes to the log.
pub const LOGGED_MESSAGE_CHARS: usize = 200;

/// Why a page could not be shown.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The scoring service cannot be reached (or timed out).
    #[error("scoring service unavailable")]
    Unavailable(#[source] tonic::Status),
    /// The client, model or feature does not exist.
    #[error("not found")]
    NotFound(#[source] tonic::Status),
    /// A form or query field is invalid; names the field.
    #[error("invalid field {field}")]
    BadInput {
        /// The field's name as in the form.
        field: String,
    },
    /// The service refused the input we sent it.
    #[error("the service refused the request")]
    Refused(#[source] tonic::Status),
    /// The CSRF token is missing or wrong.
    #[error("missing or wrong CSRF token")]
    Forbidden,
    /// An answer of the service the pages do not expect (a wrong API key's
    /// UNAUTHENTICATED, INTERNAL...).
    #[error("unexpected answer from the scoring service")]
    Internal(#[source] tonic::Status),
    /// A template failed to render: a bug.
    #[error("cannot render {template}")]
    Render {
        /// The template's name.
        template: String,
        /// Why minijinja failed.
        #[source]
        source: minijinja::Error,
    },
}

impl AppError {
    /// A bad-input error naming `field`.
    pub fn bad(field: impl Into<String>) -> Self {
        Self::BadInput {
            field: field.into(),
        }
    }

    /// The HTTP status of this error.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::BadInput { .. } | Self::Refused(_) => StatusCode::BAD_REQUEST,
            Self::Forbidden => StatusCode::FORBIDDEN,
            Self::Internal(_) | Self::Render { .. } => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// What the log says about this error: the kind and, for the service's
    /// answers, the gRPC code, plus the service's message only when the
    /// service is at fault (unavailable, unexpected answer), cut to
    /// [`LOGGED_MESSAGE_CHARS`]. Refusals and unknown clients are the
    /// caller's input: their messages name clients, so they stay out of the
    /// log (the request id joins it to the service's own log).
    pub fn log_summary(&self) -> String {
        let cut = |status: &tonic::Status| {
            let message: String = status
                .message()
                .chars()
                .take(LOGGED_MESSAGE_CHARS)
                .collect();
            format!("{self} ({:?}): {message}", status.code())
        };
        match self {
            Self::Unavailable(status) | Self::Internal(status) => cut(status),
            Self::NotFound(status) | Self::Refused(status) => {
                format!("{self} ({:?})", status.code())
            }
            Self::Render { template, source } => format!("cannot render {template}: {source:#}"),
            Self::BadInput { .. } | Self::Forbidden => self.to_string(),
        }
    }

    /// Attaches the page language so the error renders as a page.
    pub fn in_lang(self, lang: Lang) -> Failure {
        Failure { lang, error: self }
    }
}

impl From<tonic::Status> for AppError {
    fn from(status: tonic::Status) -> Self {
        match status.code() {
            Code::Unavailable
            | Code::DeadlineExceeded
            | Code::Cancelled
            | Code::ResourceExhausted => Self::Unavailable(status),
            Code::NotFound => Self::NotFound(status),
            Code::InvalidArgument | Code::OutOfRange | Code::FailedPrecondition => {
                Self::Refused(status)
            }
            _ => Self::Internal(status),
        }
    }
}

/// An [`AppError`] on its way to becoming a page in the officer's language.
#[derive(Debug)]
pub struct Failure {
    /// Language of the page.
    pub lang: Lang,
    /// What went wrong.
    pub error: AppError,
}

impl IntoResponse for Failure {
    fn into_response(self) -> Response {
        let status = self.error.status();
        match &self.error {
            AppError::Internal(_) | AppError::Render { .. } | AppError::Unavailable(_) => {
                tracing::error!(error = %self.error.log_summary(), "request failed");
            }
            _ => tracing::info!(error = %self.error.log_summary(), "request refused"),
        }
        let lang = self.lang;
        let (title, message) = match &self.error {
            AppError::Unavailable(_) => {
                (lang.tr("err_unavailable_title"), lang.tr("err_unavailable"))
            }
            AppError::NotFound(_) => (lang.tr("err_not_found_title"), lang.tr("err_not_found")),
            AppError::BadInput { .. } => (lang.tr("err_bad_input_title"), lang.tr("err_bad_input")),
            AppError::Refused(_) => (lang.tr("err_bad_input_title"), lang.tr("err_refused")),
            AppError::Forbidden => (lang.tr("err_forbidden_title"), lang.tr("err_forbidden")),
            AppError::Internal(_) | AppError::Render { .. } => {
                (lang.tr("err_internal_title"), lang.tr("err_internal"))
            }
        };
        let field = match &self.error {
            AppError::BadInput { field } => Some(field.as_str()),
            _ => None,
        };
        let ctx = context! {
            t => lang.table(), lang => lang.code(), title, message, field,
            status => status.as_u16(), signed_in => false,
        };
        match templates::render("error.html", ctx) {
            Ok(html) => (status, Html(html)).into_response(),
            Err(e) => {
                tracing::error!(error = ?e, "error page failed to render");
                (status, title.to_owned()).into_response()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_log_names_no_client_and_holds_no_unbounded_message() {
        let not_found = AppError::from(tonic::Status::not_found("client 100002 is not known"));
        let refused = AppError::from(tonic::Status::invalid_argument(format!(
            "feature {} is not in the model",
            "X".repeat(1 << 20)
        )));
        for error in [&not_found, &refused] {
            let logged = error.log_summary();
            assert!(
                !logged.contains("100002") && !logged.contains("XXX"),
                "{logged}"
            );
        }
        assert!(not_found.log_summary().contains("NotFound"));
        let down = AppError::from(tonic::Status::unavailable("Z".repeat(1 << 20)));
        let logged = down.log_summary();
        assert!(logged.contains("Unavailable"), "{logged}");
        assert!(
            logged.len() < LOGGED_MESSAGE_CHARS + 100,
            "{}",
            logged.len()
        );
    }

    #[test]
    fn grpc_codes_map_to_http_statuses() {
        let status = |code| AppError::from(tonic::Status::new(code, "detail")).status();
        assert_eq!(status(Code::Unavailable), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(
            status(Code::DeadlineExceeded),
            StatusCode::SERVICE_UNAVAILABLE
        );
        assert_eq!(
            status(Code::ResourceExhausted),
            StatusCode::SERVICE_UNAVAILABLE
        );
        assert_eq!(status(Code::NotFound), StatusCode::NOT_FOUND);
        assert_eq!(status(Code::InvalidArgument), StatusCode::BAD_REQUEST);
        assert_eq!(status(Code::FailedPrecondition), StatusCode::BAD_REQUEST);
        assert_eq!(
            status(Code::Unauthenticated),
            StatusCode::INTERNAL_SERVER_ERROR
        );
        assert_eq!(status(Code::Internal), StatusCode::INTERNAL_SERVER_ERROR);
    }

    #[test]
    fn an_unexpected_answer_keeps_the_status_as_its_source() {
        use std::error::Error as _;
        let error = AppError::from(tonic::Status::unauthenticated("wrong key"));
        let source = error.source().expect("a source");
        let status = source.downcast_ref::<tonic::Status>().expect("the status");
        assert_eq!(status.code(), Code::Unauthenticated);
        assert_eq!(status.message(), "wrong key");
    }
}
