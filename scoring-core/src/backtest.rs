//! A backtest of one published version (`backtest.json`): the decisions the
//! service logged for it joined with the outcomes observed later. The
//! trainer computes it (`trainer backtest`) and publishes it beside the
//! version, outside the version's hashed artifact (it comes later, and may
//! be redone as outcomes mature); the service and the dashboard only read
//! it, through [`BacktestCache`].

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use crate::Strategy;
use crate::error::{Error, Result};
use crate::registry::{Registry, VersionId};

/// File name of the backtest beside a version (the latest one).
pub const BACKTEST_FILE: &str = "backtest.json";
/// File name of its Markdown rendering.
pub const BACKTEST_MARKDOWN_FILE: &str = "backtest.md";

/// The backtest of one model version.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Backtest {
    pub model_version: String,
    /// When the backtest was computed, RFC 3339 UTC.
    pub created_at: String,
    /// Which audit lines count as decisions and which one is kept per
    /// client, in words.
    pub decision_rule: String,
    /// Where the strategies' thresholds come from: `registry` (the
    /// version's published thresholds) or `audit log` (each line's own).
    pub thresholds_source: String,
    /// Earliest and latest time of the decisions kept, RFC 3339.
    pub first_decision: String,
    pub last_decision: String,
    /// Clients joined (one decision each) and how many of them defaulted.
    pub clients: u64,
    pub defaulters: u64,
    /// Realized ROC AUC of the probabilities (a backtest needs both
    /// defaulters and good payers).
    pub roc_auc: Estimate,
    /// Predicted vs observed default rate on equal-count bins (deciles).
    pub calibration: Vec<CalibrationBin>,
    /// The business cost the per-client costs are counted with.
    pub cost: CostBasis,
    /// One entry per strategy whose threshold is known.
    pub strategies: Vec<StrategyOutcome>,
}

/// A measure with its 95% interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Estimate {
    pub estimate: f64,
    pub low: f64,
    pub high: f64,
}

/// One equal-count bin of the realized calibration.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct CalibrationBin {
    pub mean_predicted: f64,
    pub observed_rate: f64,
    /// Wilson 95% interval of `observed_rate`.
    pub observed_low: f64,
    pub observed_high: f64,
    pub count: u64,
}

/// Accepting a good payer gains `interest_rate × credit`, accepting a
/// defaulter loses `loss_given_default × credit`, refusing costs nothing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CostBasis {
    pub interest_rate: f64,
    pub loss_given_default: f64,
    /// The outcomes' column the credit amount was read from, or `1 per
    /// client` when the outcomes give none.
    pub credit: String,
}

/// What one strategy's decisions turned into.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StrategyOutcome {
    pub strategy: Strategy,
    /// REFUSE when probability_of_default >= threshold.
    pub threshold: f64,
    pub accepted: u64,
    pub acceptance_rate: Estimate,
    /// Share of the accepted clients who defaulted; absent when none was
    /// accepted.
    pub default_rate_among_accepted: Option<Estimate>,
    /// Realized business cost per joined client (negative: a profit).
    pub cost_per_client: Estimate,
}

impl Backtest {
    /// Parses `backtest.json`; `location` names it in the error.
    pub fn from_bytes(bytes: &[u8], location: &str) -> Result<Self> {
        serde_json::from_slice(bytes).map_err(|source| Error::RegistryFile {
            location: location.to_owned(),
            source,
        })
    }
}

/// The latest backtest of each version, read from the registry at most once
/// per `max_age` per version (a backtest published later shows after at
/// most that long), so that describing a model does not read the registry
/// on every call.
#[derive(Debug)]
pub struct BacktestCache {
    max_age: Duration,
    entries: Mutex<HashMap<VersionId, CachedRead>>,
}

/// When a version's backtest was read, and what was found.
type CachedRead = (Instant, Option<Arc<Backtest>>);

impl BacktestCache {
    pub fn new(max_age: Duration) -> Self {
        Self {
            max_age,
            entries: Mutex::new(HashMap::new()),
        }
    }

    /// The latest backtest of `version`, `None` when none was published.
    /// Blocks on the registry when the cached answer is older than
    /// `max_age`; a read that fails is not cached.
    pub fn get(&self, registry: &Registry, version: &VersionId) -> Result<Option<Arc<Backtest>>> {
        let fresh = |at: &Instant| at.elapsed() < self.max_age;
        if let Some((at, cached)) = self.lock().get(version)
            && fresh(at)
        {
            return Ok(cached.clone());
        }
        let read = registry.read_backtest(version)?.map(Arc::new);
        self.lock()
            .insert(version.clone(), (Instant::now(), read.clone()));
        Ok(read)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<VersionId, CachedRead>> {
        // A panic while holding the lock leaves only a cache behind.
        self.entries
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}
