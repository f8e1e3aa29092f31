//! The service's configuration: command-line flags (each also an
//! environment variable), optionally layered over a TOML file given with
//! `--config`. A flag or variable that is set wins over the file; the file
//! wins over the defaults. [`Config::merge`] turns the result into the
//! validated [`Settings`] the server runs with.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::Parser;
use serde::Deserialize;

use crate::error::ConfigError;

/// The scoring service: serves the model a registry alias names over gRPC.
#[derive(Debug, Clone, Default, Parser)]
#[command(name = "scoring-grpc", version)]
pub struct Cli {
    /// TOML configuration file; flags and environment variables override it.
    #[arg(long, env = "SCORING_CONFIG")]
    pub config: Option<PathBuf>,
    /// Model registry directory.
    #[arg(long, env = "SCORING_REGISTRY")]
    pub registry: Option<PathBuf>,
    /// Registry alias (or version) to serve [default: production].
    #[arg(long, env = "SCORING_ALIAS")]
    pub alias: Option<String>,
    /// gRPC listen address [default: 127.0.0.1:50051].
    #[arg(long, env = "SCORING_LISTEN")]
    pub listen: Option<SocketAddr>,
    /// Prometheus metrics listen address (HTTP, path /metrics); none to disable.
    #[arg(long, env = "SCORING_METRICS_LISTEN")]
    pub metrics_listen: Option<SocketAddr>,
    /// Client snapshot file (clients.bin) used instead of the model's own.
    #[arg(long, env = "SCORING_SNAPSHOT")]
    pub snapshot: Option<PathBuf>,
    /// Seconds between two looks at the registry alias [default: 2].
    #[arg(long, env = "SCORING_RELOAD_INTERVAL_SECS")]
    pub reload_interval_secs: Option<f64>,
    /// Deadline of a request without a shorter grpc-timeout, seconds [default: 10].
    #[arg(long, env = "SCORING_REQUEST_TIMEOUT_SECS")]
    pub request_timeout_secs: Option<f64>,
    /// Requests handled at once; more are refused with RESOURCE_EXHAUSTED [default: 256].
    #[arg(long, env = "SCORING_CONCURRENCY_LIMIT")]
    pub concurrency_limit: Option<usize>,
    /// Largest encoded request or response, bytes [default: 4 MiB].
    #[arg(long, env = "SCORING_MAX_MESSAGE_BYTES")]
    pub max_message_bytes: Option<usize>,
    /// Most applicants in one ScoreBatch call [default: 10000].
    #[arg(long, env = "SCORING_MAX_BATCH")]
    pub max_batch: Option<usize>,
    /// Snapshot clients whose Score explanations are cached, 0 for none
    /// [default: 100000].
    #[arg(long, env = "SCORING_SCORE_CACHE_CLIENTS")]
    pub score_cache_clients: Option<usize>,
    /// API key as `caller:sha256-hex-of-the-token` (repeatable, or
    /// comma-separated in the variable); added to the file's keys.
    #[arg(long = "api-key", env = "SCORING_API_KEYS", value_delimiter = ',')]
    pub api_keys: Vec<String>,
    /// Serve without API keys (local demos only).
    #[arg(long, env = "SCORING_NO_AUTH")]
    pub no_auth: bool,
    /// Audit log file (one JSON line per decision); none to disable.
    #[arg(long, env = "SCORING_AUDIT_LOG")]
    pub audit_log: Option<PathBuf>,
    /// TLS certificate chain (PEM); TLS is on when this and --tls-key are set.
    #[arg(long, env = "SCORING_TLS_CERT")]
    pub tls_cert: Option<PathBuf>,
    /// TLS private key (PEM).
    #[arg(long, env = "SCORING_TLS_KEY")]
    pub tls_key: Option<PathBuf>,
    /// CA (PEM) whose client certificates are required (mutual TLS).
    #[arg(long, env = "SCORING_TLS_CLIENT_CA")]
    pub tls_client_ca: Option<PathBuf>,
}

/// The TOML file: every field optional, same meaning as the flags.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub registry: Option<PathBuf>,
    pub alias: Option<String>,
    pub listen: Option<SocketAddr>,
    pub metrics_listen: Option<SocketAddr>,
    pub snapshot: Option<PathBuf>,
    pub reload_interval_secs: Option<f64>,
    pub request_timeout_secs: Option<f64>,
    pub concurrency_limit: Option<usize>,
    pub max_message_bytes: Option<usize>,
    pub max_batch: Option<usize>,
    pub score_cache_clients: Option<usize>,
    /// Explicitly serve without API keys.
    #[serde(default)]
    pub no_auth: bool,
    #[serde(default)]
    pub api_keys: Vec<ApiKey>,
    pub audit: Option<AuditConfig>,
    pub tls: Option<TlsConfig>,
}

/// One caller's API key, stored as the hex sha256 of the bearer token.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApiKey {
    /// Who calls with it (written to the audit log).
    pub caller: String,
    pub sha256: String,
}

/// Where and how the audit log is written.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditConfig {
    pub path: PathBuf,
    /// Rotate when the file would grow past this many bytes [default: 64 MiB].
    pub max_bytes: Option<u64>,
    /// fsync after this many lines [default: 64]; also on rotation and shutdown.
    pub fsync_every: Option<usize>,
}

/// TLS files (PEM).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TlsConfig {
    pub cert: PathBuf,
    pub key: PathBuf,
    pub client_ca: Option<PathBuf>,
}

/// Validated settings the server runs with.
#[derive(Debug, Clone)]
pub struct Settings {
    pub registry: PathBuf,
    pub alias: String,
    pub listen: SocketAddr,
    pub metrics_listen: Option<SocketAddr>,
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
}

/// Validated audit settings.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditSettings {
    pub path: PathBuf,
    pub max_bytes: u64,
    pub fsync_every: usize,
}

/// The contract's upper bound on ScoreBatch.
pub const MAX_BATCH_LIMIT: usize = 10_000;
/// Score's explanation cache, clients (about 200 bytes each).
pub const DEFAULT_CACHE_CLIENTS: usize = 100_000;

impl Config {
    /// Reads a TOML configuration file.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_owned(),
            source,
        })?;
        toml::from_str(&text).map_err(|source| ConfigError::Parse {
            path: path.to_owned(),
            source: Box::new(source),
        })
    }

    /// Settings for the flags in `cli` over this file.
    pub fn merge(self, cli: Cli) -> Result<Settings, ConfigError> {
        let registry = cli
            .registry
            .or(self.registry)
            .ok_or(ConfigError::Missing { name: "registry" })?;
        let secs = |name: &'static str, value: Option<f64>, default: f64| match value {
            None => Ok(Duration::from_secs_f64(default)),
            Some(v) if v.is_finite() && v > 0.0 && v < 1e6 => Ok(Duration::from_secs_f64(v)),
            Some(v) => Err(ConfigError::Invalid {
                name,
                reason: format!("{v} is not a positive number of seconds"),
            }),
        };
        let positive = |name: &'static str, value: Option<usize>, default: usize| match value {
            None => Ok(default),
            Some(0) => Err(ConfigError::Invalid {
                name,
                reason: "must be at least 1".to_owned(),
            }),
            Some(v) => Ok(v),
        };
        let max_batch = positive(
            "max_batch",
            cli.max_batch.or(self.max_batch),
            MAX_BATCH_LIMIT,
        )?;
        if max_batch > MAX_BATCH_LIMIT {
            return Err(ConfigError::Invalid {
                name: "max_batch",
                reason: format!("the contract allows at most {MAX_BATCH_LIMIT}"),
            });
        }
        let no_auth = cli.no_auth || self.no_auth;
        let mut keys = self.api_keys;
        for flag in &cli.api_keys {
            let (caller, sha256) = flag.split_once(':').ok_or_else(|| ConfigError::Invalid {
                name: "api_key",
                reason: "expected caller:sha256".to_owned(),
            })?;
            keys.push(ApiKey {
                caller: caller.to_owned(),
                sha256: sha256.to_ascii_lowercase(),
            });
        }
        for key in &keys {
            let valid = key.sha256.len() == 64 && key.sha256.bytes().all(|b| b.is_ascii_hexdigit());
            if !valid || key.caller.is_empty() {
                return Err(ConfigError::Invalid {
                    name: "api_keys",
                    reason: format!(
                        "key of caller `{}` needs a caller name and a 64-digit hex sha256",
                        key.caller
                    ),
                });
            }
        }
        let api_keys = match (no_auth, keys.is_empty()) {
            (true, _) => None,
            (false, false) => Some(keys),
            (false, true) => return Err(ConfigError::NoApiKeys),
        };
        let audit = match (cli.audit_log, self.audit) {
            (Some(path), file) => Some(AuditSettings {
                path,
                max_bytes: file.as_ref().and_then(|a| a.max_bytes).unwrap_or(64 << 20),
                fsync_every: file.as_ref().and_then(|a| a.fsync_every).unwrap_or(64),
            }),
            (None, Some(a)) => Some(AuditSettings {
                path: a.path,
                max_bytes: a.max_bytes.unwrap_or(64 << 20),
                fsync_every: a.fsync_every.unwrap_or(64),
            }),
            (None, None) => None,
        };
        if audit
            .as_ref()
            .is_some_and(|a| a.max_bytes == 0 || a.fsync_every == 0)
        {
            return Err(ConfigError::Invalid {
                name: "audit",
                reason: "max_bytes and fsync_every must be at least 1".to_owned(),
            });
        }
        let tls = match (cli.tls_cert, cli.tls_key) {
            (Some(cert), Some(key)) => Some(TlsConfig {
                cert,
                key,
                client_ca: cli.tls_client_ca.or(self.tls.and_then(|t| t.client_ca)),
            }),
            (None, None) => self.tls,
            _ => {
                return Err(ConfigError::Invalid {
                    name: "tls",
                    reason: "--tls-cert and --tls-key go together".to_owned(),
                });
            }
        };
        Ok(Settings {
            registry,
            alias: cli
                .alias
                .or(self.alias)
                .unwrap_or_else(|| "production".to_owned()),
            listen: cli
                .listen
                .or(self.listen)
                .unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 50051))),
            metrics_listen: cli.metrics_listen.or(self.metrics_listen),
            snapshot: cli.snapshot.or(self.snapshot),
            reload_interval: secs(
                "reload_interval_secs",
                cli.reload_interval_secs.or(self.reload_interval_secs),
                2.0,
            )?,
            request_timeout: secs(
                "request_timeout_secs",
                cli.request_timeout_secs.or(self.request_timeout_secs),
                10.0,
            )?,
            concurrency_limit: positive(
                "concurrency_limit",
                cli.concurrency_limit.or(self.concurrency_limit),
                256,
            )?,
            max_message_bytes: positive(
                "max_message_bytes",
                cli.max_message_bytes.or(self.max_message_bytes),
                4 << 20,
            )?,
            max_batch,
            score_cache_clients: cli
                .score_cache_clients
                .or(self.score_cache_clients)
                .unwrap_or(DEFAULT_CACHE_CLIENTS),
            api_keys,
            audit,
            tls,
        })
    }
}

impl Settings {
    /// Settings for tests and embedding: the registry, `production`, an
    /// ephemeral local port, no metrics, no audit, authentication off.
    pub fn local(registry: impl Into<PathBuf>) -> Self {
        Self {
            registry: registry.into(),
            alias: "production".to_owned(),
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            metrics_listen: None,
            snapshot: None,
            reload_interval: Duration::from_secs(2),
            request_timeout: Duration::from_secs(10),
            concurrency_limit: 256,
            max_message_bytes: 4 << 20,
            max_batch: MAX_BATCH_LIMIT,
            score_cache_clients: DEFAULT_CACHE_CLIENTS,
            api_keys: None,
            audit: None,
            tls: None,
        }
    }

    /// A one-line description for the start-up log, API keys redacted.
    pub fn redacted(&self) -> String {
        let auth = match &self.api_keys {
            None => "disabled".to_owned(),
            Some(keys) => format!("{} API key(s), hashes redacted", keys.len()),
        };
        format!(
            "registry={} alias={} listen={} metrics={:?} reload={:?} timeout={:?} \
             concurrency={} max_message_bytes={} max_batch={} score_cache_clients={} auth={auth} \
             audit={:?} tls={}",
            self.registry.display(),
            self.alias,
            self.listen,
            self.metrics_listen,
            self.reload_interval,
            self.request_timeout,
            self.concurrency_limit,
            self.max_message_bytes,
            self.max_batch,
            self.score_cache_clients,
            self.audit.as_ref().map(|a| a.path.display().to_string()),
            self.tls.is_some(),
        )
    }
}
