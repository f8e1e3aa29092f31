//! The shadow challenger: the version a registry alias (`challenger` by
//! default) names, followed like the live one by the reloader. A version
//! that does not load is logged, counted and not retried until the alias
//! moves; while the alias is missing or its version broken, no challenger
//! is loaded and nothing is shadowed. Requests never wait for any of it.

use std::sync::Arc;

use scoring_core::PublishedModel;
use scoring_core::registry::VersionId;

use crate::metrics;
use crate::service::Shared;

/// A loaded challenger version.
#[derive(Debug)]
pub struct Challenger {
    pub version: String,
    pub published: PublishedModel,
}

/// Follows the challenger alias (part of the reloader).
#[derive(Debug, Default)]
pub struct ChallengerFollower {
    loaded: Option<VersionId>,
    refused: Option<VersionId>,
}

impl ChallengerFollower {
    /// Looks at the alias once; loads a new target, or unloads the
    /// challenger when the alias is gone.
    pub async fn check(&mut self, shared: &Arc<Shared>) {
        let Some(alias) = shared.monitor.settings.challenger_alias.clone() else {
            return;
        };
        let registry = Arc::clone(shared);
        let target = tokio::task::spawn_blocking(move || registry.registry.resolve(&alias)).await;
        let version = match target {
            Ok(Ok(version)) => version,
            Ok(Err(_)) => {
                if self.loaded.take().is_some() {
                    tracing::info!("the challenger alias is gone: nothing is shadowed any more");
                    shared.monitor.set_challenger(None);
                }
                return;
            }
            Err(error) => {
                tracing::error!(%error, "challenger look-up task failed");
                return;
            }
        };
        if self.loaded.as_ref() == Some(&version) || self.refused.as_ref() == Some(&version) {
            return;
        }
        let registry = Arc::clone(shared);
        let target = version.clone();
        let loaded = tokio::task::spawn_blocking(move || registry.registry.load(&target)).await;
        match loaded {
            Ok(Ok(published)) => {
                let challenger = Challenger {
                    version: published.manifest().model_version.clone(),
                    published,
                };
                tracing::info!(%version, model_version = %challenger.version, "shadowing with a new challenger version");
                metrics::record_challenger_load(true);
                shared.monitor.set_challenger(Some(Arc::new(challenger)));
                self.loaded = Some(version);
                self.refused = None;
            }
            Ok(Err(error)) => {
                tracing::error!(%version, %error, source = ?std::error::Error::source(&error), "the challenger version does not load: nothing is shadowed");
                metrics::record_challenger_load(false);
                shared.monitor.set_challenger(None);
                self.loaded = None;
                self.refused = Some(version);
            }
            Err(error) => {
                tracing::error!(%version, %error, "challenger loading task failed");
                metrics::record_challenger_load(false);
                self.refused = Some(version);
            }
        }
    }
}
