//! Hyperparameter search: stratified k-fold cross-validation of LightGBM
//! over a grid, or a random draw from it, read from a TOML file:
//!
//! ```toml
//! folds = 5                  # stratified folds (default 5)
//! strategy = "random"        # "grid" (every combination) or "random"
//! trials = 12                # random: combinations drawn without replacement
//! num_iterations = 2000      # boosting rounds at most; early stopping on each fold
//! early_stopping_rounds = 50
//!
//! [space]                    # every key is a LightGbmParams field, with its values
//! num_leaves = [16, 34, 64]
//! learning_rate = [0.02, 0.05]
//! min_data_in_leaf = [20, 80]
//! feature_fraction = [0.5, 0.9]
//! lambda_l2 = [0.0, 5.0]
//! ```
//!
//! Each trial fits every fold on the other folds (rebalanced as the final
//! model will be) and predicts the held-out fold; the selection metric is
//! computed on those out-of-fold probabilities: ROC AUC (default); F1 of
//! class 1 or MCC at their best threshold of the grid 0.005..1; or the
//! business cost per client at its cost-optimal threshold (lower is better).

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use synth::Rng;

use super::fit::{Imbalance, Labelled, fit_lightgbm, probabilities};
use crate::evaluation::{CostParameters, confusion_matrix, default_grid, roc_auc, sweep};
use crate::learners::lightgbm::{LightGbmParams, ValidLightGbmParams};
use crate::learners::sampling::stratified_k_fold;
use crate::{Error, Result};

/// What a search selects on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SelectionMetric {
    Auc,
    F1,
    Mcc,
    Cost,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct SearchFile {
    #[serde(default = "default_folds")]
    folds: usize,
    #[serde(default)]
    strategy: SearchStrategy,
    trials: Option<usize>,
    num_iterations: Option<u32>,
    early_stopping_rounds: Option<u32>,
    space: BTreeMap<String, Vec<toml::Value>>,
}

fn default_folds() -> usize {
    5
}

#[derive(Debug, Clone, Copy, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
enum SearchStrategy {
    #[default]
    Grid,
    Random,
}

/// A parsed search: the folds and the parameter sets to try.
#[derive(Debug, Clone)]
pub struct SearchPlan {
    pub folds: usize,
    pub candidates: Vec<ValidLightGbmParams>,
}

/// One trial's outcome, as logged.
#[derive(Debug, Clone, Serialize)]
pub struct Trial {
    pub trial: usize,
    pub params: ValidLightGbmParams,
    pub metric: SelectionMetric,
    /// The selection score (higher is better; the cost is negated).
    pub score: f64,
    pub fold_best_iterations: Vec<usize>,
}

fn invalid(path: &Path, reason: impl Into<String>) -> Error {
    Error::TrainInvalidSearchSpace {
        path: path.to_owned(),
        reason: reason.into(),
    }
}

impl SearchPlan {
    /// Reads the TOML search file; `base` gives the parameters not searched.
    pub fn load(path: &Path, base: &ValidLightGbmParams, seed: u64) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
            path: path.to_owned(),
            action: "reading the search space",
            source,
        })?;
        let file: SearchFile = toml::from_str(&text).map_err(|source| Error::TrainSearchSpace {
            path: path.to_owned(),
            source,
        })?;
        if file.folds < 2 {
            return Err(invalid(
                path,
                format!("folds = {}, at least 2 are needed", file.folds),
            ));
        }
        let mut base = base.get().clone();
        if let Some(n) = file.num_iterations {
            base.num_iterations = n;
        }
        if let Some(n) = file.early_stopping_rounds {
            base.early_stopping_rounds = Some(n);
        }
        let base_value =
            serde_json::to_value(&base).map_err(|source| Error::TrainSearchParameters {
                path: path.to_owned(),
                what: "the parameters not searched",
                source,
            })?;
        let mut grid = vec![base_value];
        for (key, values) in &file.space {
            if values.is_empty() {
                return Err(invalid(path, format!("`{key}` lists no value")));
            }
            grid = grid
                .iter()
                .flat_map(|params| {
                    values.iter().map(move |v| {
                        let mut p = params.clone();
                        p[key.as_str()] = serde_json::to_value(v).unwrap_or_default();
                        p
                    })
                })
                .collect();
        }
        let mut candidates = grid
            .into_iter()
            .map(|value| {
                let params: LightGbmParams = serde_json::from_value(value).map_err(|source| {
                    Error::TrainSearchParameters {
                        path: path.to_owned(),
                        what: "a value of the search space",
                        source,
                    }
                })?;
                params.check()
            })
            .collect::<Result<Vec<_>>>()?;
        if let Some(unknown) = file.space.keys().find(|k| !base_has_field(&base, k)) {
            return Err(invalid(
                path,
                format!("`{unknown}` is not a LightGBM parameter we set"),
            ));
        }
        if let SearchStrategy::Random = file.strategy {
            let trials = file
                .trials
                .ok_or_else(|| invalid(path, "strategy = \"random\" needs `trials`"))?;
            // Not `seed` itself: the folds are drawn from that stream.
            Rng::seeded(seed ^ 0x7e1a_15ed).shuffle(&mut candidates);
            candidates.truncate(trials.max(1));
        }
        Ok(Self {
            folds: file.folds,
            candidates,
        })
    }
}

fn base_has_field(base: &LightGbmParams, key: &str) -> bool {
    serde_json::to_value(base).is_ok_and(|v| v.get(key).is_some())
}

/// Cross-validates every candidate on `rows` and returns the trials, best
/// first. `credit` is each labelled client's credit amount (for the cost).
#[allow(clippy::too_many_arguments)]
pub fn run_search(
    plan: &SearchPlan,
    data: Labelled<'_>,
    feature_names: &[String],
    rows: &[usize],
    credit: &[f64],
    metric: SelectionMetric,
    imbalance: Imbalance,
    seed: u64,
    log_path: &Path,
) -> Result<Vec<Trial>> {
    let labels = data.labels_at(rows);
    let folds = stratified_k_fold(&labels, plan.folds, seed)?;
    let mut log = TrialLog::create(log_path)?;
    let bar = indicatif::ProgressBar::new((plan.candidates.len() * folds.len()) as u64);
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "search {bar:30} {pos}/{len} fits, {elapsed} (eta {eta}) {msg}",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let mut trials = Vec::with_capacity(plan.candidates.len());
    for (t, params) in plan.candidates.iter().enumerate() {
        let mut oof = vec![f64::NAN; rows.len()];
        let mut iterations = Vec::with_capacity(folds.len());
        for fold in &folds {
            let fit: Vec<usize> = fold.train.iter().map(|&k| rows[k]).collect();
            let valid: Vec<usize> = fold.valid.iter().map(|&k| rows[k]).collect();
            let fitted = fit_lightgbm(data, feature_names, &fit, &valid, params, imbalance, seed)?;
            for (&k, p) in fold
                .valid
                .iter()
                .zip(probabilities(&fitted.model, data, &valid)?)
            {
                oof[k] = p;
            }
            iterations.push(fitted.best_iteration);
            bar.inc(1);
        }
        let fold_credit: Vec<f64> = rows.iter().map(|&i| credit[i]).collect();
        let score = selection_score(metric, &oof, &labels, &fold_credit)?;
        let trial = Trial {
            trial: t,
            params: params.clone(),
            metric,
            score,
            fold_best_iterations: iterations,
        };
        log.write(&trial)?;
        tracing::info!(trial = t, score, "cross-validated a parameter set");
        bar.set_message(format!(
            "best {:.4}",
            trials
                .iter()
                .chain([&trial])
                .map(|t: &Trial| t.score)
                .fold(f64::NEG_INFINITY, f64::max)
        ));
        trials.push(trial);
    }
    bar.finish_and_clear();
    trials.sort_by(|a, b| b.score.total_cmp(&a.score));
    Ok(trials)
}

/// The selection score of out-of-fold probabilities; higher is better.
pub fn selection_score(
    metric: SelectionMetric,
    probabilities: &[f64],
    labels: &[u8],
    credit: &[f64],
) -> Result<f64> {
    let best_over_grid = |score: &dyn Fn(f64) -> Result<f64>| -> Result<f64> {
        default_grid()
            .into_iter()
            .skip(1)
            .map(score)
            .try_fold(f64::NEG_INFINITY, |best, s| s.map(|s| best.max(s)))
    };
    match metric {
        SelectionMetric::Auc => roc_auc(probabilities, labels),
        SelectionMetric::F1 => {
            best_over_grid(&|t| Ok(confusion_matrix(probabilities, labels, t)?.f1()))
        }
        SelectionMetric::Mcc => {
            best_over_grid(&|t| Ok(confusion_matrix(probabilities, labels, t)?.mcc()))
        }
        SelectionMetric::Cost => {
            let params = CostParameters::default().check()?;
            let curve = sweep(probabilities, labels, credit, &params, &default_grid())?;
            Ok(-curve.cost_optimal().cost_per_client)
        }
    }
}

/// Per-trial JSON lines, flushed after each trial so a long search that is
/// interrupted keeps what it measured.
struct TrialLog {
    path: PathBuf,
    file: std::fs::File,
}

impl TrialLog {
    fn create(path: &Path) -> Result<Self> {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|source| Error::Io {
                path: parent.to_owned(),
                action: "creating the trial log's folder",
                source,
            })?;
        }
        let file = std::fs::File::create(path).map_err(|source| Error::Io {
            path: path.to_owned(),
            action: "creating the trial log",
            source,
        })?;
        Ok(Self {
            path: path.to_owned(),
            file,
        })
    }

    fn write(&mut self, trial: &Trial) -> Result<()> {
        let mut line = serde_json::to_vec(trial).unwrap_or_default();
        line.push(b'\n');
        self.file
            .write_all(&line)
            .and_then(|()| self.file.flush())
            .map_err(|source| Error::Io {
                path: self.path.clone(),
                action: "writing the trial log",
                source,
            })
    }
}
