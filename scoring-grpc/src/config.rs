//! The service's configuration: one clap struct, [`Cli`], where each setting
//! is declared once, as a flag, its environment variable and its default;
//! [`Cli::check`] turns it into the validated [`Settings`] the server runs
//! with, or a [`ConfigError`] that names the flags at fault.
//!
//! Variables are the flag's name in capitals after `SCORING_`
//! (`--reload-interval-secs` is `SCORING_RELOAD_INTERVAL_SECS`; the
//! repeatable `--api-key` is `SCORING_API_KEYS`, comma-separated), except the
//! registry, which every binary of the platform finds in `CREDIT_REGISTRY`.

use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

use clap::Parser;
use clap::builder::BoolishValueParser;
use scoring_core::registry::RegistryLocation;

use crate::error::ConfigError;
pub use crate::monitor::config::{MonitoringFlags, MonitoringSettings};

/// The contract's upper bound on ScoreBatch.
pub const MAX_BATCH_LIMIT: usize = 10_000;
/// Score's explanation cache, clients (about 200 bytes each).
pub const DEFAULT_CACHE_CLIENTS: usize = 100_000;

// The defaults the flags and `Settings::local` share.
const DEFAULT_ALIAS: &str = "production";
const DEFAULT_RELOAD_INTERVAL_SECS: f64 = 2.0;
const DEFAULT_REQUEST_TIMEOUT_SECS: f64 = 10.0;
const DEFAULT_CONCURRENCY_LIMIT: usize = 256;
const DEFAULT_MAX_MESSAGE_BYTES: usize = 4 << 20;
const DEFAULT_AUDIT_MAX_BYTES: u64 = 64 << 20;
const DEFAULT_AUDIT_FSYNC_EVERY: usize = 64;

/// The scoring service: serves the model a registry alias names over gRPC.
///
/// Every flag is also an environment variable (shown below); a flag given on
/// the command line wins over its variable.
#[derive(Debug, Clone, Parser)]
#[command(name = "scoring-grpc", version)]
pub struct Cli {
    /// Model registry (shared by the trainer and the service): a directory,
    /// or an object store URL such as s3://bucket/prefix (credentials and
    /// endpoint from the AWS_* / GOOGLE_* / AZURE_* variables; the service
    /// only reads).
    #[arg(long, env = "CREDIT_REGISTRY")]
    pub registry: RegistryLocation,
    /// Registry alias (or version) to serve.
    #[arg(long, env = "SCORING_ALIAS", default_value = DEFAULT_ALIAS)]
    pub alias: String,
    /// gRPC listen address.
    #[arg(long, env = "SCORING_LISTEN", default_value = "127.0.0.1:50051")]
    pub listen: SocketAddr,
    /// Prometheus metrics listen address (HTTP, path /metrics); off when unset.
    #[arg(long, env = "SCORING_METRICS_LISTEN")]
    pub metrics_listen: Option<SocketAddr>,
    /// Plain-text gRPC address serving only grpc.health.v1, for probes that
    /// cannot speak TLS (Kubernetes' gRPC probes); off when unset.
    #[arg(long, env = "SCORING_HEALTH_LISTEN")]
    pub health_listen: Option<SocketAddr>,
    /// Client snapshot file (clients.bin) used instead of the model's own.
    #[arg(long, env = "SCORING_SNAPSHOT")]
    pub snapshot: Option<PathBuf>,
    /// Seconds between two looks at the registry alias.
    #[arg(long, env = "SCORING_RELOAD_INTERVAL_SECS", default_value_t = DEFAULT_RELOAD_INTERVAL_SECS)]
    pub reload_interval_secs: f64,
    /// Deadline of a request without a shorter grpc-timeout, seconds.
    #[arg(long, env = "SCORING_REQUEST_TIMEOUT_SECS", default_value_t = DEFAULT_REQUEST_TIMEOUT_SECS)]
    pub request_timeout_secs: f64,
    /// Requests handled at once; more are refused with RESOURCE_EXHAUSTED.
    #[arg(long, env = "SCORING_CONCURRENCY_LIMIT", default_value_t = DEFAULT_CONCURRENCY_LIMIT)]
    pub concurrency_limit: usize,
    /// Largest encoded request or response, bytes.
    #[arg(long, env = "SCORING_MAX_MESSAGE_BYTES", default_value_t = DEFAULT_MAX_MESSAGE_BYTES)]
    pub max_message_bytes: usize,
    /// Most applicants in one ScoreBatch call (at most 10000).
    #[arg(long, env = "SCORING_MAX_BATCH", default_value_t = MAX_BATCH_LIMIT)]
    pub max_batch: usize,
    /// Snapshot clients whose Score explanations are cached, 0 for none.
    #[arg(long, env = "SCORING_SCORE_CACHE_CLIENTS", default_value_t = DEFAULT_CACHE_CLIENTS)]
    pub score_cache_clients: usize,
    /// API key as `caller:sha256-hex-of-the-token` (repeatable; comma-separated
    /// in the variable). Required unless --no-auth.
    #[arg(
        long = "api-key",
        env = "SCORING_API_KEYS",
        value_name = "CALLER:SHA256",
        value_delimiter = ','
    )]
    pub api_keys: Vec<ApiKey>,
    /// Serve without API keys (local demos only); refused together with --api-key.
    #[arg(long, env = "SCORING_NO_AUTH", value_parser = BoolishValueParser::new())]
    pub no_auth: bool,
    /// Audit log file (one JSON line per decision); off when unset.
    #[arg(long, env = "SCORING_AUDIT_LOG")]
    pub audit_log: Option<PathBuf>,
    /// Rotate the audit log when it would grow past this many bytes.
    #[arg(long, env = "SCORING_AUDIT_MAX_BYTES", default_value_t = DEFAULT_AUDIT_MAX_BYTES)]
    pub audit_max_bytes: u64,
    /// fsync the audit log after this many lines (also on rotation and shutdown).
    #[arg(long, env = "SCORING_AUDIT_FSYNC_EVERY", default_value_t = DEFAULT_AUDIT_FSYNC_EVERY)]
    pub audit_fsync_every: usize,
    /// fsync the audit log at least this often (milliseconds) while lines
    /// are unsynced.
    #[arg(long, env = "SCORING_AUDIT_FSYNC_INTERVAL_MS", default_value_t = 1000,
          value_parser = clap::value_parser!(u64).range(1..=3_600_000))]
    pub audit_fsync_interval_ms: u64,
    /// `required`: a decision is answered only once its audit line is
    /// written, UNAVAILABLE otherwise; `best-effort`: queued, never waited
    /// for (failures counted and logged).
    #[arg(long, env = "SCORING_AUDIT_MODE", value_enum, default_value_t = AuditMode::Required)]
    pub audit_mode: AuditMode,
    /// Audit lines queued for the writer at most (beyond: UNAVAILABLE in
    /// required mode, counted in best-effort mode).
    #[arg(long, env = "SCORING_AUDIT_QUEUE", default_value_t = 10_000,
          value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    pub audit_queue: u64,
    /// Rotated audit files kept (the oldest beyond are deleted).
    #[arg(long, env = "SCORING_AUDIT_KEEP_ROTATED", default_value_t = 30)]
    pub audit_keep_rotated: usize,
    /// TLS certificate chain (PEM); TLS is on when this and --tls-key are set.
    #[arg(long, env = "SCORING_TLS_CERT")]
    pub tls_cert: Option<PathBuf>,
    /// TLS private key (PEM); needs --tls-cert.
    #[arg(long, env = "SCORING_TLS_KEY")]
    pub tls_key: Option<PathBuf>,
    /// CA (PEM) whose client certificates are required (mutual TLS); needs
    /// --tls-cert and --tls-key.
    #[arg(long, env = "SCORING_TLS_CLIENT_CA")]
    pub tls_client_ca: Option<PathBuf>,
    /// Logs as JSON lines instead of text (`RUST_LOG` filters them).
    #[arg(long, env = "SCORING_LOG_JSON", value_parser = BoolishValueParser::new())]
    pub log_json: bool,
    #[command(flatten)]
    pub monitoring: MonitoringFlags,
}

/// One caller's API key, stored as the hex sha256 of the bearer token.
///
/// `Debug` leaves the hash out (an offline guess at a weak token could be
/// checked against it), so the logged configuration never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKey {
    /// Who calls with it (written to the audit log).
    pub caller: String,
    pub sha256: String,
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiKey")
            .field("caller", &self.caller)
            .finish_non_exhaustive()
    }
}

/// `caller:sha256`, as `--api-key` takes it.
impl FromStr for ApiKey {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let (caller, sha256) = text
            .split_once(':')
            .ok_or("expected caller:sha256 (a name, a colon, 64 hex digits)")?;
        if caller.is_empty() {
            return Err("the caller's name is empty".to_owned());
        }
        if sha256.len() != 64 || !sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(format!(
                "the key of caller `{caller}` is not a 64-digit hex sha256"
            ));
        }
        Ok(Self {
            caller: caller.to_owned(),
            sha256: sha256.to_ascii_lowercase(),
        })
    }
}

/// TLS files (PEM).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsConfig {
    pub cert: PathBuf,
    pub key: PathBuf,
    /// Set: client certificates signed by this CA are required.
    pub client_ca: Option<PathBuf>,
}

/// Validated settings the server runs with ([`Cli::check`], or
/// [`Settings::local`] for tests and embedding).
#[derive(Debug, Clone)]
pub struct Settings {
    pub registry: RegistryLocation,
    pub alias: String,
    pub listen: SocketAddr,
    pub metrics_listen: Option<SocketAddr>,
    pub health_listen: Option<SocketAddr>,
    pub snapshot: Option<PathBuf>,
    pub reload_interval: Duration,
    pub request_timeout: Duration,
    pub concurrency_limit: usize,
    pub max_message_bytes: usize,
    pub max_batch: usize,
    pub score_cache_clients: usize,
    /// `None`: authentication disabled.
    pub api_keys: Option<Vec<ApiKey>>,
    pub audit: Option<AuditSettings>,
    pub tls: Option<TlsConfig>,
    pub monitoring: MonitoringSettings,
}

/// Validated audit settings.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditSettings {
    pub path: PathBuf,
    pub max_bytes: u64,
    pub fsync_every: usize,
    pub fsync_interval: Duration,
    pub mode: AuditMode,
    pub queue_capacity: usize,
    pub keep_rotated: usize,
}

impl AuditSettings {
    /// The defaults for a log at `path`: required mode, 64 MiB files, fsync
    /// every 64 lines or second, 10,000 queued lines, 30 rotated files.
    pub fn at(path: PathBuf) -> Self {
        Self {
            path,
            max_bytes: DEFAULT_AUDIT_MAX_BYTES,
            fsync_every: DEFAULT_AUDIT_FSYNC_EVERY,
            fsync_interval: Duration::from_secs(1),
            mode: AuditMode::Required,
            queue_capacity: 10_000,
            keep_rotated: 30,
        }
    }
}

/// What a decision does when its audit line cannot be written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum AuditMode {
    /// The decision is refused with UNAVAILABLE.
    Required,
    /// The decision is given; the failure is counted and logged.
    BestEffort,
}

impl Cli {
    /// The settings these flags describe, or an error naming the flags that
    /// cannot go together or the value that is out of range.
    pub fn check(self) -> Result<Settings, ConfigError> {
        let seconds = |flag: &'static str, value: f64| {
            if value.is_finite() && value > 0.0 && value < 1e6 {
                Ok(Duration::from_secs_f64(value))
            } else {
                Err(ConfigError::Invalid {
                    flag,
                    reason: format!("{value} is not a positive number of seconds"),
                })
            }
        };
        let at_least_one = |flag: &'static str, value: u64| {
            if value == 0 {
                Err(ConfigError::Invalid {
                    flag,
                    reason: "must be at least 1".to_owned(),
                })
            } else {
                Ok(())
            }
        };
        at_least_one("--concurrency-limit", self.concurrency_limit as u64)?;
        at_least_one("--max-message-bytes", self.max_message_bytes as u64)?;
        at_least_one("--max-batch", self.max_batch as u64)?;
        at_least_one("--audit-max-bytes", self.audit_max_bytes)?;
        at_least_one("--audit-fsync-every", self.audit_fsync_every as u64)?;
        if self.max_batch > MAX_BATCH_LIMIT {
            return Err(ConfigError::Invalid {
                flag: "--max-batch",
                reason: format!("the contract allows at most {MAX_BATCH_LIMIT}"),
            });
        }
        let api_keys = match (self.no_auth, self.api_keys.is_empty()) {
            (true, true) => None,
            (false, false) => Some(self.api_keys),
            (false, true) => return Err(ConfigError::NoApiKeys),
            (true, false) => {
                return Err(ConfigError::Conflict {
                    flag: "--no-auth",
                    other: "--api-key",
                });
            }
        };
        let tls = match (self.tls_cert, self.tls_key, self.tls_client_ca) {
            (Some(cert), Some(key), client_ca) => Some(TlsConfig {
                cert,
                key,
                client_ca,
            }),
            (None, None, None) => None,
            (Some(_), None, _) => {
                return Err(ConfigError::Needs {
                    flag: "--tls-cert",
                    needs: "--tls-key",
                });
            }
            (None, Some(_), _) => {
                return Err(ConfigError::Needs {
                    flag: "--tls-key",
                    needs: "--tls-cert",
                });
            }
            (None, None, Some(_)) => {
                return Err(ConfigError::Needs {
                    flag: "--tls-client-ca",
                    needs: "--tls-cert and --tls-key",
                });
            }
        };
        Ok(Settings {
            registry: self.registry,
            alias: self.alias,
            listen: self.listen,
            metrics_listen: self.metrics_listen,
            health_listen: self.health_listen,
            snapshot: self.snapshot,
            reload_interval: seconds("--reload-interval-secs", self.reload_interval_secs)?,
            request_timeout: seconds("--request-timeout-secs", self.request_timeout_secs)?,
            concurrency_limit: self.concurrency_limit,
            max_message_bytes: self.max_message_bytes,
            max_batch: self.max_batch,
            score_cache_clients: self.score_cache_clients,
            api_keys,
            audit: self.audit_log.map(|path| AuditSettings {
                path,
                max_bytes: self.audit_max_bytes,
                fsync_every: self.audit_fsync_every,
                fsync_interval: Duration::from_millis(self.audit_fsync_interval_ms),
                mode: self.audit_mode,
                queue_capacity: self.audit_queue as usize,
                keep_rotated: self.audit_keep_rotated,
            }),
            tls,
            monitoring: self.monitoring.check()?,
        })
    }
}

impl Settings {
    /// Settings for tests and embedding: the registry, `production`, an
    /// ephemeral local port, no metrics, no audit, authentication off; the
    /// rest as the flags' defaults.
    pub fn local(registry: RegistryLocation) -> Self {
        Self {
            registry,
            alias: DEFAULT_ALIAS.to_owned(),
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            metrics_listen: None,
            health_listen: None,
            snapshot: None,
            reload_interval: Duration::from_secs_f64(DEFAULT_RELOAD_INTERVAL_SECS),
            request_timeout: Duration::from_secs_f64(DEFAULT_REQUEST_TIMEOUT_SECS),
            concurrency_limit: DEFAULT_CONCURRENCY_LIMIT,
            max_message_bytes: DEFAULT_MAX_MESSAGE_BYTES,
            max_batch: MAX_BATCH_LIMIT,
            score_cache_clients: DEFAULT_CACHE_CLIENTS,
            api_keys: None,
            audit: None,
            tls: None,
            monitoring: MonitoringSettings::default(),
        }
    }
}
