//! The service's errors and their one mapping to gRPC statuses.
//!
//! [`ServiceError`] is what a handler fails with; `From<ServiceError> for
//! Status` is the only place a status is built from it, exhaustively, so
//! bad input always answers INVALID_ARGUMENT or NOT_FOUND with the request
//! field named in a `google.rpc.BadRequest` (or `ResourceInfo`) detail.
//!
//! The process's own failures are three types, one per stage: the flags
//! ([`ConfigError`]), starting with them ([`StartError`]) and serving
//! ([`ServeError`]).

use std::path::PathBuf;

use tonic::{Code, Status};
use tonic_types::{ErrorDetails, StatusExt};

/// Why a request could not be answered.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// The request is malformed; `field` is its path in the request.
    #[error("{field}: {reason}")]
    InvalidArgument { field: String, reason: String },
    /// Something the request names does not exist.
    #[error("{field}: {what} not found")]
    NotFound { field: String, what: String },
    /// The live model cannot answer this kind of request.
    #[error("{0}")]
    FailedPrecondition(String),
    /// No model is loaded yet.
    #[error("no model is being served yet")]
    NoModel,
    /// The model failed on input the service had validated.
    #[error("model error")]
    Model(#[source] scoring_core::Error),
    /// Reading the registry failed.
    #[error("registry error")]
    Registry(#[source] scoring_core::Error),
    /// A blocking task died.
    #[error("worker task failed")]
    Worker(#[source] tokio::task::JoinError),
    /// The decision could not be recorded in the audit log (required mode):
    /// it is not given.
    #[error("the decision could not be recorded in the audit log ({0}); retry later")]
    AuditUnavailable(#[source] crate::audit::AuditError),
}

impl ServiceError {
    pub(crate) fn invalid(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Self::InvalidArgument {
            field: field.into(),
            reason: reason.into(),
        }
    }

    pub(crate) fn not_found(field: impl Into<String>, what: impl Into<String>) -> Self {
        Self::NotFound {
            field: field.into(),
            what: what.into(),
        }
    }

    /// The request field an error is about, when there is one.
    pub fn field(&self) -> &str {
        match self {
            Self::InvalidArgument { field, .. } | Self::NotFound { field, .. } => field,
            _ => "",
        }
    }
}

/// The most characters of a caller's text an error repeats: a name or a
/// value echoed back is cut there and ends with `…`, so a 4 MB feature
/// name costs a short status, not a 4 MB one.
pub const MAX_ECHOED_CHARS: usize = 200;

/// `text` cut to [`MAX_ECHOED_CHARS`] characters, `…` marking a cut.
pub fn bounded(text: String) -> String {
    match text.char_indices().nth(MAX_ECHOED_CHARS) {
        Some((at, _)) => {
            let mut cut = text;
            cut.truncate(at);
            cut.push('…');
            cut
        }
        None => text,
    }
}

impl From<ServiceError> for Status {
    fn from(error: ServiceError) -> Self {
        // Every text an error carries may repeat the caller's input.
        let error = match error {
            ServiceError::InvalidArgument { field, reason } => ServiceError::InvalidArgument {
                field: bounded(field),
                reason: bounded(reason),
            },
            ServiceError::NotFound { field, what } => ServiceError::NotFound {
                field: bounded(field),
                what: bounded(what),
            },
            ServiceError::FailedPrecondition(reason) => {
                ServiceError::FailedPrecondition(bounded(reason))
            }
            other => other,
        };
        let message = error.to_string();
        match error {
            ServiceError::InvalidArgument { field, reason } => Status::with_error_details(
                Code::InvalidArgument,
                message,
                ErrorDetails::with_bad_request_violation(field, reason),
            ),
            ServiceError::NotFound { field, what } => Status::with_error_details(
                Code::NotFound,
                message,
                ErrorDetails::with_resource_info(field, what, "", "not found"),
            ),
            ServiceError::FailedPrecondition(_) => Status::failed_precondition(message),
            ServiceError::NoModel | ServiceError::AuditUnavailable(_) => {
                Status::unavailable(message)
            }
            ServiceError::Model(source) | ServiceError::Registry(source) => {
                tracing::error!(error = %source, "internal error");
                Status::internal(message)
            }
            ServiceError::Worker(source) => {
                tracing::error!(error = %source, "worker task failed");
                Status::internal(message)
            }
        }
    }
}

/// Why the flags do not describe a configuration the service can run with.
/// Each names the flags at fault; fix them and start again.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{flag}: {reason}")]
    Invalid { flag: &'static str, reason: String },
    #[error("{flag} needs {needs}")]
    Needs {
        flag: &'static str,
        needs: &'static str,
    },
    #[error("{flag} and {other} contradict each other; give one of them")]
    Conflict {
        flag: &'static str,
        other: &'static str,
    },
    #[error(
        "no API key is configured: give --api-key caller:sha256 (SCORING_API_KEYS), \
         or --no-auth to serve without keys"
    )]
    NoApiKeys,
}

/// Why the service could not start with valid settings: a file, a port or
/// the registry it needs.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("cannot read TLS file {path}")]
    TlsFile {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("the TLS configuration is refused")]
    Tls(#[source] tonic::transport::Error),
    #[error("cannot open the registry {location}")]
    Registry {
        location: String,
        #[source]
        source: scoring_core::Error,
    },
    #[error("cannot open the audit log {path}")]
    Audit {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot bind {addr}")]
    Bind {
        addr: std::net::SocketAddr,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot build the reflection service")]
    Reflection(#[source] tonic_reflection::server::Error),
    #[error("cannot start the shadow challenger's thread")]
    Shadow(#[source] std::io::Error),
}

/// Why a started server stopped other than by being asked to.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("the gRPC server failed")]
    Transport(#[source] tonic::transport::Error),
    /// The server task panicked (or was cancelled with its runtime).
    #[error("the server task did not finish")]
    Task(#[source] tokio::task::JoinError),
}
