//! The LightGBM learner: a small typed wrapper over `lightgbm3`.
//!
//! [`train`] fits a binary gradient-boosted model on a row-major `f64`
//! matrix (NaN = missing value) and returns a [`TrainedBooster`], whose
//! [`model_string`](TrainedBooster::model_string) is the LightGBM text model
//! that `scoring_core::parse_lightgbm` reads for serving. Raw scores and
//! SHAP contributions from LightGBM itself are exposed so that scoring-core
//! can be checked against the reference implementation.
//!
//! Limitation: `lightgbm3` builds the `Dataset` with LightGBM's default
//! dataset parameters (`max_bin = 255`, `min_data_in_bin = 3`,
//! `feature_pre_filter = true` with the default `min_data_in_leaf = 20`),
//! so these are not configurable here.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::error::{Error, Result};

/// How the minority (defaulted) class is re-weighted.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClassWeighting {
    /// Every row weighs the same.
    #[default]
    None,
    /// LightGBM's `is_unbalance`: positives weighted by negatives / positives.
    IsUnbalance,
    /// LightGBM's `scale_pos_weight`: positives weighted by this factor (> 0).
    ScalePosWeight(f64),
}

/// Validation metric watched by early stopping.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EarlyStoppingMetric {
    /// Binary log-loss (lower is better).
    #[default]
    BinaryLogloss,
    /// Area under the ROC curve (higher is better).
    Auc,
}

impl EarlyStoppingMetric {
    fn lightgbm_name(self) -> &'static str {
        match self {
            Self::BinaryLogloss => "binary_logloss",
            Self::Auc => "auc",
        }
    }
}

/// Hyper-parameters of a binary LightGBM model (objective `binary`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LightGbmParams {
    /// Maximum leaves per tree (`num_leaves`, >= 2).
    pub num_leaves: u32,
    /// Maximum tree depth (`max_depth`); `None` = unlimited.
    pub max_depth: Option<u32>,
    /// Shrinkage (`learning_rate`, > 0).
    pub learning_rate: f64,
    /// Number of boosting rounds (`num_iterations`, a.k.a. `n_estimators`, >= 1).
    pub num_iterations: u32,
    /// Minimum rows per leaf (`min_data_in_leaf`).
    pub min_data_in_leaf: u32,
    /// Fraction of features sampled per tree (`feature_fraction`, in (0, 1]).
    pub feature_fraction: f64,
    /// Fraction of rows bagged (`bagging_fraction`, in (0, 1]).
    pub bagging_fraction: f64,
    /// Re-bag every this many rounds (`bagging_freq`); 0 disables bagging.
    pub bagging_freq: u32,
    /// L1 regularisation on leaf values (`lambda_l1`, >= 0).
    pub lambda_l1: f64,
    /// L2 regularisation on leaf values (`lambda_l2`, >= 0).
    pub lambda_l2: f64,
    /// Class re-weighting (`is_unbalance` / `scale_pos_weight`).
    pub class_weighting: ClassWeighting,
    /// Master seed (`seed`; derives the bagging and feature-fraction seeds).
    pub seed: u64,
    /// Worker threads (`num_threads`); 0 = OpenMP's default.
    pub num_threads: u32,
    /// Stop when the validation metric has not improved for this many
    /// rounds and keep the best iteration; needs a validation set.
    pub early_stopping_rounds: Option<u32>,
    /// Metric watched by early stopping.
    pub metric: EarlyStoppingMetric,
}

impl Default for LightGbmParams {
    fn default() -> Self {
        Self {
            num_leaves: 31,
            max_depth: None,
            learning_rate: 0.05,
            num_iterations: 100,
            min_data_in_leaf: 20,
            feature_fraction: 1.0,
            bagging_fraction: 1.0,
            bagging_freq: 0,
            lambda_l1: 0.0,
            lambda_l2: 0.0,
            class_weighting: ClassWeighting::None,
            seed: 0,
            num_threads: 0,
            early_stopping_rounds: None,
            metric: EarlyStoppingMetric::BinaryLogloss,
        }
    }
}

fn invalid(parameter: &'static str, value: impl ToString, expected: &'static str) -> Error {
    Error::LightGbmInvalidParameter {
        parameter,
        value: value.to_string(),
        expected,
    }
}

impl LightGbmParams {
    /// Checks every value before it reaches LightGBM.
    pub fn validate(&self) -> Result<()> {
        if self.num_leaves < 2 || self.num_leaves > 131_072 {
            return Err(invalid("num_leaves", self.num_leaves, "2..=131072"));
        }
        if self.max_depth == Some(0) {
            return Err(invalid("max_depth", 0, ">= 1 (or None for unlimited)"));
        }
        if !(self.learning_rate.is_finite() && self.learning_rate > 0.0) {
            return Err(invalid(
                "learning_rate",
                self.learning_rate,
                "a finite number > 0",
            ));
        }
        if self.num_iterations == 0 || self.num_iterations > i32::MAX as u32 {
            return Err(invalid("num_iterations", self.num_iterations, ">= 1"));
        }
        if self.min_data_in_leaf > i32::MAX as u32 {
            return Err(invalid(
                "min_data_in_leaf",
                self.min_data_in_leaf,
                "<= i32::MAX",
            ));
        }
        for (name, value) in [
            ("feature_fraction", self.feature_fraction),
            ("bagging_fraction", self.bagging_fraction),
        ] {
            if !(value > 0.0 && value <= 1.0) {
                return Err(invalid(name, value, "a number in (0, 1]"));
            }
        }
        for (name, value) in [("lambda_l1", self.lambda_l1), ("lambda_l2", self.lambda_l2)] {
            if !(value.is_finite() && value >= 0.0) {
                return Err(invalid(name, value, "a finite number >= 0"));
            }
        }
        if let ClassWeighting::ScalePosWeight(w) = self.class_weighting
            && !(w.is_finite() && w > 0.0)
        {
            return Err(invalid("scale_pos_weight", w, "a finite number > 0"));
        }
        if self.early_stopping_rounds == Some(0) {
            return Err(invalid("early_stopping_rounds", 0, ">= 1 (or None)"));
        }
        Ok(())
    }

    /// The LightGBM parameter map (`lightgbm3` passes it as `key=value`).
    fn to_json(&self) -> Value {
        let mut m = Map::new();
        let mut set = |k: &str, v: Value| {
            m.insert(k.to_owned(), v);
        };
        set("objective", "binary".into());
        set("metric", self.metric.lightgbm_name().into());
        set("num_leaves", self.num_leaves.into());
        set("max_depth", self.max_depth.map_or(-1, i64::from).into());
        set("learning_rate", self.learning_rate.into());
        set("num_iterations", self.num_iterations.into());
        set("min_data_in_leaf", self.min_data_in_leaf.into());
        set("feature_fraction", self.feature_fraction.into());
        set("bagging_fraction", self.bagging_fraction.into());
        set("bagging_freq", self.bagging_freq.into());
        set("lambda_l1", self.lambda_l1.into());
        set("lambda_l2", self.lambda_l2.into());
        match self.class_weighting {
            ClassWeighting::None => {}
            ClassWeighting::IsUnbalance => set("is_unbalance", true.into()),
            ClassWeighting::ScalePosWeight(w) => set("scale_pos_weight", w.into()),
        }
        set("seed", self.seed.into());
        set("deterministic", true.into());
        set("force_row_wise", true.into());
        set("num_threads", self.num_threads.into());
        set("verbosity", (-1).into());
        // NaN is the missing value; 0 is an ordinary value.
        set("use_missing", true.into());
        set("zero_as_missing", false.into());
        if let Some(rounds) = self.early_stopping_rounds {
            set("early_stopping_rounds", rounds.into());
        }
        Value::Object(m)
    }
}

/// A trained LightGBM booster.
pub struct TrainedBooster {
    booster: lightgbm3::Booster,
    n_features: usize,
    best_iteration: usize,
}

impl std::fmt::Debug for TrainedBooster {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TrainedBooster")
            .field("n_features", &self.n_features)
            .field("best_iteration", &self.best_iteration)
            .finish_non_exhaustive()
    }
}

/// Number of rows of a row-major matrix, checking its shape.
fn rows_of(what: &'static str, features: &[f64], n_features: usize) -> Result<usize> {
    if n_features == 0 || n_features >= i32::MAX as usize {
        return Err(invalid("n_features", n_features, "1..i32::MAX"));
    }
    if !features.len().is_multiple_of(n_features) {
        return Err(Error::LightGbmShape {
            what,
            expected: features.len().div_ceil(n_features) * n_features,
            found: features.len(),
        });
    }
    Ok(features.len() / n_features)
}

/// Labels as LightGBM's `f32`, checking the count and that each is 0 or 1.
fn labels_f32(what: &'static str, labels: &[f64], n_rows: usize) -> Result<Vec<f32>> {
    if labels.len() != n_rows {
        return Err(Error::LightGbmShape {
            what,
            expected: n_rows,
            found: labels.len(),
        });
    }
    labels
        .iter()
        .enumerate()
        .map(|(index, &y)| {
            if y == 0.0 {
                Ok(0.0)
            } else if y == 1.0 {
                Ok(1.0)
            } else {
                Err(Error::LightGbmInvalidLabel { index, value: y })
            }
        })
        .collect()
}

fn lgbm(stage: &'static str) -> impl FnOnce(lightgbm3::Error) -> Error {
    move |source| Error::LightGbm { stage, source }
}

/// Trains a binary model on `features` (row-major, `n_features` columns,
/// NaN = missing) and `labels` (0 or 1). `valid` is an optional validation
/// set `(features, labels)` with the same columns; it is required when
/// `params.early_stopping_rounds` is set, and the booster then keeps only
/// the best iteration.
pub fn train(
    features: &[f64],
    n_features: usize,
    labels: &[f64],
    params: &LightGbmParams,
    valid: Option<(&[f64], &[f64])>,
) -> Result<TrainedBooster> {
    params.validate()?;
    let n_rows = rows_of("features", features, n_features)?;
    if n_rows == 0 {
        return Err(Error::LightGbmShape {
            what: "features",
            expected: n_features,
            found: 0,
        });
    }
    if n_rows > i32::MAX as usize {
        return Err(invalid("features", n_rows, "at most i32::MAX rows"));
    }
    let labels = labels_f32("labels", labels, n_rows)?;
    // Checked above: 1 <= n_features < i32::MAX.
    let n_cols = n_features as i32;
    let train_set = lightgbm3::Dataset::from_slice(features, &labels, n_cols, true)
        .map_err(lgbm("building the training data set"))?;

    let valid_set = match valid {
        None => {
            if params.early_stopping_rounds.is_some() {
                return Err(invalid(
                    "early_stopping_rounds",
                    "set without a validation set",
                    "a validation set (`valid`) to watch",
                ));
            }
            None
        }
        Some((x, y)) => {
            let n_valid = rows_of("valid features", x, n_features)?;
            if n_valid == 0 || n_valid > i32::MAX as usize {
                return Err(invalid("valid features", n_valid, "1..=i32::MAX rows"));
            }
            let y = labels_f32("valid labels", y, n_valid)?;
            let set = lightgbm3::Dataset::from_slice_with_reference(
                x,
                &y,
                n_cols,
                true,
                Some(&train_set),
            )
            .map_err(lgbm("building the validation data set"))?;
            Some(set)
        }
    };

    let booster = lightgbm3::Booster::train_with_valid(train_set, valid_set, &params.to_json())
        .map_err(lgbm("training"))?;
    let best_iteration = usize::try_from(booster.num_iterations()).unwrap_or(0);
    Ok(TrainedBooster {
        booster,
        n_features,
        best_iteration,
    })
}

impl TrainedBooster {
    /// Loads a LightGBM text model (as [`Self::model_string`] wrote it).
    pub fn from_model_string(text: &str, n_features: usize) -> Result<Self> {
        let booster = lightgbm3::Booster::from_string(text).map_err(lgbm("loading a model"))?;
        let best_iteration = usize::try_from(booster.num_iterations()).unwrap_or(0);
        Ok(Self {
            booster,
            n_features,
            best_iteration,
        })
    }

    /// Number of features the model was trained on.
    pub fn n_features(&self) -> usize {
        self.n_features
    }

    /// Number of boosting rounds kept: the best iteration when early
    /// stopping triggered, else every round trained.
    pub fn best_iteration(&self) -> usize {
        self.best_iteration
    }

    /// The LightGBM text model (what `scoring_core::parse_lightgbm` reads).
    pub fn model_string(&self) -> Result<String> {
        self.booster.save_string().map_err(lgbm("saving the model"))
    }

    /// Raw scores (log-odds), one per row of `rows` (row-major, NaN missing).
    pub fn predict_raw(&self, rows: &[f64]) -> Result<Vec<f64>> {
        let n_rows = rows_of("rows", rows, self.n_features)?;
        if n_rows == 0 {
            return Ok(Vec::new());
        }
        self.booster
            .raw_scores(rows, self.n_features as i32, true)
            .map_err(lgbm("predicting raw scores"))
    }

    /// SHAP contributions, `n_features + 1` per row: one per feature, then
    /// the expected value (base value); they sum to the raw score.
    pub fn predict_contrib(&self, rows: &[f64]) -> Result<Vec<f64>> {
        let n_rows = rows_of("rows", rows, self.n_features)?;
        if n_rows == 0 {
            return Ok(Vec::new());
        }
        self.booster
            .predict_contrib(rows, self.n_features as i32, true)
            .map_err(lgbm("computing SHAP contributions"))
    }
}
