//! The live model and everything precomputed for it at load time, held
//! behind an atomic pointer so a reload swaps it in one step while
//! requests in flight finish on the version they started with.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use arc_swap::ArcSwapOption;

use crate::applications::ApplicationFeatures;
use crate::cache::ExplanationCache;
use scoring_core::snapshot::ClientSnapshot;
use scoring_core::{Outcome, PublishedModel, Strategy};

/// A loaded model with its population precomputed.
#[derive(Debug)]
pub struct ServedModel {
    pub version: String,
    pub published: PublishedModel,
    /// Feature position by name.
    pub positions: HashMap<String, usize>,
    /// The client snapshot: the model's own, or the configured file.
    pub snapshot: Option<ClientSnapshot>,
    /// Per snapshot client (id order): probability of default.
    pub probabilities: Vec<f64>,
    /// Per snapshot client: decision under the default strategy.
    pub outcomes: Vec<Outcome>,
    /// Per feature: standard deviation over the snapshot's present values
    /// (1 when there are fewer than two or they are all equal).
    pub scales: Vec<f64>,
    /// FindSimilarClients's default features.
    pub similar_defaults: Vec<String>,
    /// Score's explanations of snapshot clients.
    pub cache: ExplanationCache,
    /// The features of loan applications given by their raw records.
    pub applications: ApplicationFeatures,
}

/// The strategy a request's UNSPECIFIED means.
pub const DEFAULT_STRATEGY: Strategy = Strategy::Normal;

impl ServedModel {
    /// Serves `published` (loaded and verified), its snapshot replaced by
    /// `snapshot_file` when given, and precomputes the population's scores;
    /// Score caches the explanations of up to `cache_clients` snapshot
    /// clients.
    pub fn with_snapshot_file(
        published: PublishedModel,
        snapshot_file: Option<&Path>,
        cache_clients: usize,
    ) -> Result<Self, scoring_core::Error> {
        let snapshot = match snapshot_file {
            Some(path) => {
                let bytes = std::fs::read(path).map_err(|source| scoring_core::Error::Io {
                    path: path.to_owned(),
                    action: "reading the client snapshot",
                    source,
                })?;
                let snapshot = ClientSnapshot::from_bytes(&bytes)?;
                if snapshot.feature_names() != published.model().feature_names() {
                    return Err(scoring_core::Error::InvalidSnapshot {
                        reason: format!(
                            "{} does not hold the model's features in order",
                            path.display()
                        ),
                    });
                }
                Some(snapshot)
            }
            None => published.snapshot().cloned(),
        };
        Self::new(published, snapshot, cache_clients)
    }

    /// Precomputes what the service needs for `published`.
    pub fn new(
        published: PublishedModel,
        snapshot: Option<ClientSnapshot>,
        cache_clients: usize,
    ) -> Result<Self, scoring_core::Error> {
        let model = published.model();
        let n = model.n_features();
        let positions = model
            .feature_names()
            .iter()
            .enumerate()
            .map(|(j, name)| (name.clone(), j))
            .collect();
        let (probabilities, scales) = match &snapshot {
            Some(s) => {
                let mut probabilities = vec![0.0; s.len()];
                model.predict_probability_batch(s.values(), &mut probabilities)?;
                (probabilities, (0..n).map(|j| scale(s.column(j))).collect())
            }
            None => (Vec::new(), vec![1.0; n]),
        };
        let thresholds = published.thresholds();
        let outcomes = probabilities
            .iter()
            .map(|&p| thresholds.outcome(DEFAULT_STRATEGY, p))
            .collect();
        let mut similar_defaults: Vec<String> = published
            .report()
            .map(|r| r.importance.iter().map(|i| i.feature.clone()).collect())
            .unwrap_or_default();
        similar_defaults.retain(|f| model.feature_names().contains(f));
        if similar_defaults.is_empty() {
            similar_defaults = model.feature_names().to_vec();
        }
        similar_defaults.truncate(5);
        let version = published.manifest().model_version.clone();
        let applications = ApplicationFeatures::new(published.schema());
        if let Some(reason) = applications.unavailable() {
            tracing::info!(
                version,
                reason,
                "this model cannot score loan applications given by their records"
            );
        }
        Ok(Self {
            version,
            published,
            positions,
            snapshot,
            probabilities,
            outcomes,
            scales,
            similar_defaults,
            cache: ExplanationCache::new(cache_clients),
            applications,
        })
    }

    pub fn position(&self, feature: &str) -> Option<usize> {
        self.positions.get(feature).copied()
    }

    pub fn n_features(&self) -> usize {
        self.published.model().n_features()
    }
}

fn scale(values: impl Iterator<Item = f64>) -> f64 {
    let (mut count, mut mean, mut m2) = (0.0, 0.0, 0.0);
    for v in values.filter(|v| v.is_finite()) {
        count += 1.0;
        let delta = v - mean;
        mean += delta / count;
        m2 += delta * (v - mean);
    }
    let sd = if count > 1.0 {
        (m2 / (count - 1.0)).sqrt()
    } else {
        0.0
    };
    if sd > 0.0 && sd.is_finite() { sd } else { 1.0 }
}

/// The model being served, swapped whole by reloads.
#[derive(Debug, Default)]
pub struct ModelHolder {
    live: ArcSwapOption<ServedModel>,
}

impl ModelHolder {
    /// The live model; requests keep this `Arc` for their whole duration.
    pub fn current(&self) -> Option<Arc<ServedModel>> {
        self.live.load_full()
    }

    pub fn set(&self, model: Arc<ServedModel>) {
        self.live.store(Some(model));
    }

    pub fn version(&self) -> Option<String> {
        self.live.load().as_ref().map(|m| m.version.clone())
    }
}
