//! Hot reload: the registry alias is looked at every few seconds (a read of
//! `aliases.json`, in a directory or an object store); when it names another
//! version, that version is loaded and verified on a blocking thread and
//! swapped in whole. A version that fails to load never goes
//! live: it is logged, counted, and tried again after a backoff (the reload
//! interval, doubled at each refusal, at most [`MAX_RETRY_BACKOFF`]), so a
//! version whose files are repaired goes live without moving the alias,
//! and a broken one is not re-read on every look.
//! Each new live version starts a new drift window; the challenger alias
//! is followed the same way ([`crate::monitor::challenger`]).

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use scoring_core::registry::VersionId;
use tokio::sync::watch;
use tonic_health::ServingStatus;
use tonic_health::server::HealthReporter;

use crate::metrics;
use crate::monitor::challenger::ChallengerFollower;
use crate::service::Shared;
use crate::state::ServedModel;

/// The gRPC service name whose health follows the live model.
pub const SERVICE_NAME: &str = "scoring.v1.ScoringService";

/// The longest wait before a refused version is tried again.
pub const MAX_RETRY_BACKOFF: Duration = Duration::from_secs(300);

/// Watches the alias and keeps the live model current.
#[derive(Debug)]
pub struct Reloader {
    shared: Arc<Shared>,
    snapshot: Option<PathBuf>,
    health: HealthReporter,
    loaded: Option<VersionId>,
    refused: Option<Refusal>,
    challenger: ChallengerFollower,
    /// The first retry's wait: the reload interval.
    retry_after: Duration,
}

/// The version the alias names that did not load: when, and how many
/// times in a row.
#[derive(Debug)]
struct Refusal {
    version: VersionId,
    at: Instant,
    times: u32,
}

impl Refusal {
    /// Whether `version` is this refused version, not yet due for a retry.
    fn holds(&self, version: &VersionId, first_wait: Duration) -> bool {
        let wait = first_wait
            .saturating_mul(1 << self.times.saturating_sub(1).min(16))
            .min(MAX_RETRY_BACKOFF);
        self.version == *version && self.at.elapsed() < wait
    }
}

impl Reloader {
    pub fn new(shared: Arc<Shared>, snapshot: Option<PathBuf>, health: HealthReporter) -> Self {
        Self {
            shared,
            snapshot,
            health,
            loaded: None,
            refused: None,
            challenger: ChallengerFollower::default(),
            retry_after: Duration::from_secs(2),
        }
    }

    /// Looks at the aliases once (the live one, then the challenger's);
    /// loads and swaps in a new target.
    pub async fn check(&mut self) {
        self.check_live().await;
        self.challenger.check(&self.shared).await;
    }

    async fn check_live(&mut self) {
        let shared = self.shared.clone();
        let target =
            tokio::task::spawn_blocking(move || shared.registry.resolve(&shared.alias)).await;
        let version = match target {
            Ok(Ok(version)) => version,
            Ok(Err(error)) => {
                if self.loaded.is_none() {
                    tracing::warn!(alias = %self.shared.alias, %error, "no model to serve yet");
                }
                return;
            }
            Err(error) => {
                tracing::error!(%error, "registry look-up task failed");
                return;
            }
        };
        if self.loaded.as_ref() == Some(&version)
            || self
                .refused
                .as_ref()
                .is_some_and(|r| r.holds(&version, self.retry_after))
        {
            return;
        }
        let shared = self.shared.clone();
        let snapshot = self.snapshot.clone();
        let target = version.clone();
        let loaded = tokio::task::spawn_blocking(move || {
            let published = shared.registry.load(&target)?;
            ServedModel::with_snapshot_file(published, snapshot.as_deref(), shared.cache_clients)
        })
        .await;
        match loaded {
            Ok(Ok(model)) => {
                tracing::info!(%version, model_version = %model.version, clients = model.probabilities.len(), "serving a new model version");
                metrics::set_live_version(&model.version);
                self.shared.monitor.track(&model);
                self.shared.holder.set(Arc::new(model));
                metrics::record_reload(true);
                self.loaded = Some(version);
                self.refused = None;
                self.health
                    .set_service_status(SERVICE_NAME, ServingStatus::Serving)
                    .await;
                self.health
                    .set_service_status("", ServingStatus::Serving)
                    .await;
            }
            Ok(Err(error)) => {
                tracing::error!(%version, error = %error, source = ?std::error::Error::source(&error), "refused a model version that does not load; still serving the previous one");
                self.refuse(version);
            }
            Err(error) => {
                tracing::error!(%version, %error, "model loading task failed");
                self.refuse(version);
            }
        }
    }

    fn refuse(&mut self, version: VersionId) {
        metrics::record_reload(false);
        let times = match &self.refused {
            Some(r) if r.version == version => r.times.saturating_add(1),
            _ => 1,
        };
        self.refused = Some(Refusal {
            version,
            at: Instant::now(),
            times,
        });
    }

    /// Checks every `interval` until `stop` turns true.
    pub async fn run(mut self, interval: Duration, mut stop: watch::Receiver<bool>) {
        self.retry_after = interval;
        let mut ticker = tokio::time::interval(interval);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = ticker.tick() => self.check().await,
                _ = stop.changed() => return,
            }
        }
    }
}
