//! Hot reload: the registry alias is looked at every few seconds (a read of
//! `aliases.json`, in a directory or an object store); when it names another
//! version, that version is loaded and verified on a blocking thread and
//! swapped in whole. A version that fails to load never goes
//! live: it is logged, counted, and not retried until the alias moves again.
//! Each new live version starts a new drift window; the challenger alias
//! is followed the same way ([`crate::monitor::challenger`]).

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

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

/// Watches the alias and keeps the live model current.
#[derive(Debug)]
pub struct Reloader {
    shared: Arc<Shared>,
    snapshot: Option<PathBuf>,
    health: HealthReporter,
    loaded: Option<VersionId>,
    refused: Option<VersionId>,
    challenger: ChallengerFollower,
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
        if self.loaded.as_ref() == Some(&version) || self.refused.as_ref() == Some(&version) {
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
                metrics::record_reload(false);
                self.refused = Some(version);
            }
            Err(error) => {
                tracing::error!(%version, %error, "model loading task failed");
                metrics::record_reload(false);
                self.refused = Some(version);
            }
        }
    }

    /// Checks every `interval` until `stop` turns true.
    pub async fn run(mut self, interval: Duration, mut stop: watch::Receiver<bool>) {
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
