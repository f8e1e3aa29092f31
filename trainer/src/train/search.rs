//! What the cross-validation on the training part chooses between: the
//! built-in search (the imbalance treatment × two regularisations: the
//! defaults' large minimum leaf hessian, or small leaves with a strong L2),
//! or a grid or a random draw read from a TOML file:
//!
//! ```toml
//! folds = 5                  # stratified folds (default `--folds`)
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
//! imbalance = ["none", "weights", "undersample"]   # else as `--imbalance` says
//! ```
//!
//! Each trial is scored on its out-of-fold probabilities ([`super::crossval`]):
//! ROC AUC (default); F1 of class 1 or MCC at their best threshold of the
//! grid 0.005..1; or the business cost per client, with the user's
//! interest rate and loss given default, at its cost-optimal threshold
//! (lower is better).

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use synth::Rng;

use super::fit::Imbalance;
use crate::evaluation::{ValidCostParameters, confusion_matrix, default_grid, roc_auc, sweep};
use crate::learners::lightgbm::{LightGbmParams, ValidLightGbmParams};
use crate::{Error, Result};

/// The built-in search's second regularisation: small leaves allowed
/// (minimum hessian 1 instead of the defaults' 39, which forbids almost
/// every split below a few thousand clients) but their values shrunk by a
/// strong L2.
const SHRINK_MIN_SUM_HESSIAN: f64 = 1.0;
const SHRINK_LAMBDA_L2: f64 = 10.0;

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
    folds: Option<usize>,
    #[serde(default)]
    strategy: SearchStrategy,
    trials: Option<usize>,
    num_iterations: Option<u32>,
    early_stopping_rounds: Option<u32>,
    space: BTreeMap<String, Vec<toml::Value>>,
}

#[derive(Debug, Clone, Copy, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
enum SearchStrategy {
    #[default]
    Grid,
    Random,
}

/// One candidate setting: LightGBM parameters and the imbalance treatment.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Setting {
    pub params: ValidLightGbmParams,
    pub imbalance: Imbalance,
}

/// A parsed search: the folds and the settings to try.
#[derive(Debug, Clone)]
pub struct SearchPlan {
    pub folds: usize,
    pub candidates: Vec<Setting>,
}

/// One trial's outcome, as logged.
#[derive(Debug, Clone, Serialize)]
pub struct Trial {
    pub trial: usize,
    pub params: ValidLightGbmParams,
    pub imbalance: Imbalance,
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
    /// The built-in search: every treatment of `imbalances` with the
    /// defaults' regularisation and with small, strongly shrunk leaves.
    pub fn built_in(base: &ValidLightGbmParams, imbalances: &[Imbalance], folds: usize) -> Self {
        let strong = LightGbmParams {
            min_sum_hessian_in_leaf: SHRINK_MIN_SUM_HESSIAN,
            lambda_l2: SHRINK_LAMBDA_L2,
            ..base.get().clone()
        };
        let strong = strong.check().unwrap_or_else(|_| base.clone());
        let candidates = imbalances
            .iter()
            .flat_map(|&imbalance| {
                [base.clone(), strong.clone()]
                    .into_iter()
                    .map(move |params| Setting { params, imbalance })
            })
            .collect();
        Self { folds, candidates }
    }

    /// Reads the TOML search file; `base` gives the parameters not
    /// searched, `imbalances` the treatments when the file lists none,
    /// `folds` the folds when it does not say, `undersample_ratio` the
    /// ratio of `undersample`.
    pub fn load(
        path: &Path,
        base: &ValidLightGbmParams,
        imbalances: &[Imbalance],
        folds: usize,
        undersample_ratio: f64,
        seed: u64,
    ) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
            path: path.to_owned(),
            action: "reading the search space",
            source,
        })?;
        let mut file: SearchFile =
            toml::from_str(&text).map_err(|source| Error::TrainSearchSpace {
                path: path.to_owned(),
                source,
            })?;
        let folds = file.folds.unwrap_or(folds);
        if folds < 2 {
            return Err(invalid(
                path,
                format!("folds = {folds}, at least 2 are needed"),
            ));
        }
        let imbalances = match file.space.remove("imbalance") {
            None => imbalances.to_vec(),
            Some(values) if values.is_empty() => {
                return Err(invalid(path, "`imbalance` lists no value"));
            }
            Some(values) => values
                .iter()
                .map(|v| match v.as_str() {
                    Some("none") => Ok(Imbalance::None),
                    Some("weights") => Ok(Imbalance::ClassWeights),
                    Some("undersample") => Ok(Imbalance::Undersample {
                        majority_per_minority: undersample_ratio,
                    }),
                    _ => Err(invalid(
                        path,
                        format!(
                            "`imbalance` values are \"none\", \"weights\" or \"undersample\", got {v}"
                        ),
                    )),
                })
                .collect::<Result<Vec<_>>>()?,
        };
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
        let params = grid
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
        let mut candidates: Vec<Setting> = imbalances
            .iter()
            .flat_map(|&imbalance| {
                params.iter().map(move |params| Setting {
                    params: params.clone(),
                    imbalance,
                })
            })
            .collect();
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
        Ok(Self { folds, candidates })
    }
}

fn base_has_field(base: &LightGbmParams, key: &str) -> bool {
    serde_json::to_value(base).is_ok_and(|v| v.get(key).is_some())
}

/// The selection score of out-of-fold probabilities; higher is better.
/// `cost` is the user's business cost (for [`SelectionMetric::Cost`]).
pub fn selection_score(
    metric: SelectionMetric,
    probabilities: &[f64],
    labels: &[u8],
    credit: &[f64],
    cost: &ValidCostParameters,
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
            let curve = sweep(probabilities, labels, credit, cost, &default_grid())?;
            Ok(-curve.cost_optimal().cost_per_client)
        }
    }
}

/// Per-trial JSON lines, flushed after each trial so a long search that is
/// interrupted keeps what it measured.
pub struct TrialLog {
    path: PathBuf,
    file: std::fs::File,
}

impl TrialLog {
    pub fn create(path: &Path) -> Result<Self> {
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

    pub(super) fn path(&self) -> &Path {
        &self.path
    }

    pub(super) fn write(&mut self, trial: &Trial) -> Result<()> {
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
