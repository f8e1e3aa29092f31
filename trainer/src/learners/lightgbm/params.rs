//! The hyper-parameters of a binary LightGBM model, checked once into
//! [`ValidLightGbmParams`] (linfa's pattern), and the parameter map handed
//! to LightGBM.

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
    /// Minimum sum of hessians per leaf (`min_sum_hessian_in_leaf`, a.k.a.
    /// `min_child_weight`, >= 0).
    pub min_sum_hessian_in_leaf: f64,
    /// Minimum loss reduction to split a leaf (`min_gain_to_split`, >= 0).
    pub min_gain_to_split: f64,
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
    /// One direction per feature (`monotone_constraints`): +1 the score may
    /// only rise with the feature, -1 only fall, 0 free; empty = none.
    pub monotone_constraints: Vec<i8>,
}

impl Default for LightGbmParams {
    fn default() -> Self {
        Self {
            num_leaves: 31,
            max_depth: None,
            learning_rate: 0.05,
            num_iterations: 100,
            min_data_in_leaf: 20,
            min_sum_hessian_in_leaf: 1e-3,
            min_gain_to_split: 0.0,
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
            monotone_constraints: Vec::new(),
        }
    }
}

pub(super) fn invalid(
    parameter: &'static str,
    value: impl ToString,
    expected: &'static str,
) -> Error {
    Error::LightGbmInvalidParameter {
        parameter,
        value: value.to_string(),
        expected,
    }
}

impl LightGbmParams {
    /// Checks every value; the error names the first parameter out of range.
    /// The checked form is the only one [`train`](super::train) accepts.
    pub fn check(self) -> Result<ValidLightGbmParams> {
        if self.num_leaves < 2 || self.num_leaves > 131_072 {
            return Err(invalid(
                "num_leaves",
                self.num_leaves,
                "between 2 and 131072",
            ));
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
        for (name, value) in [
            ("lambda_l1", self.lambda_l1),
            ("lambda_l2", self.lambda_l2),
            ("min_sum_hessian_in_leaf", self.min_sum_hessian_in_leaf),
            ("min_gain_to_split", self.min_gain_to_split),
        ] {
            if !(value.is_finite() && value >= 0.0) {
                return Err(invalid(name, value, "a finite number >= 0"));
            }
        }
        if let ClassWeighting::ScalePosWeight(w) = self.class_weighting
            && !(w.is_finite() && w > 0.0)
        {
            return Err(invalid("scale_pos_weight", w, "a finite number > 0"));
        }
        if let Some(&c) = self
            .monotone_constraints
            .iter()
            .find(|c| !(-1..=1).contains(*c))
        {
            return Err(invalid(
                "monotone_constraints",
                c,
                "-1, 0 or +1 per feature",
            ));
        }
        if self.early_stopping_rounds == Some(0) {
            return Err(invalid("early_stopping_rounds", 0, ">= 1 (or None)"));
        }
        Ok(ValidLightGbmParams(self))
    }
}

/// LightGBM parameters that passed [`LightGbmParams::check`]; serialised as
/// the plain parameters.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(transparent)]
pub struct ValidLightGbmParams(LightGbmParams);

impl ValidLightGbmParams {
    /// The checked parameters.
    pub fn get(&self) -> &LightGbmParams {
        &self.0
    }

    /// The same parameters with `num_iterations` rounds and no early
    /// stopping (a refit whose rounds were chosen by cross-validation).
    pub fn with_rounds(&self, rounds: u32) -> Self {
        Self(LightGbmParams {
            num_iterations: rounds.max(1),
            early_stopping_rounds: None,
            ..self.0.clone()
        })
    }

    /// The same parameters for the features at `kept` (positions in the
    /// features these parameters were made for): their monotone
    /// directions only.
    pub fn for_features(&self, kept: &[usize]) -> Self {
        let directions = &self.0.monotone_constraints;
        Self(LightGbmParams {
            monotone_constraints: if directions.is_empty() {
                Vec::new()
            } else {
                kept.iter().map(|&j| directions[j]).collect()
            },
            ..self.0.clone()
        })
    }

    /// The same parameters with LightGBM's `is_unbalance` class weighting
    /// (which has no value to check).
    pub fn is_unbalance(&self) -> Self {
        Self(LightGbmParams {
            class_weighting: ClassWeighting::IsUnbalance,
            ..self.0.clone()
        })
    }

    /// The LightGBM parameter map (`lightgbm3` passes it as `key=value`).
    pub(super) fn to_json(&self) -> Value {
        let params = &self.0;
        let mut m = Map::new();
        let mut set = |k: &str, v: Value| {
            m.insert(k.to_owned(), v);
        };
        set("objective", "binary".into());
        set("metric", params.metric.lightgbm_name().into());
        set("num_leaves", params.num_leaves.into());
        set("max_depth", params.max_depth.map_or(-1, i64::from).into());
        set("learning_rate", params.learning_rate.into());
        set("num_iterations", params.num_iterations.into());
        set("min_data_in_leaf", params.min_data_in_leaf.into());
        set("feature_fraction", params.feature_fraction.into());
        set("bagging_fraction", params.bagging_fraction.into());
        set("bagging_freq", params.bagging_freq.into());
        set("lambda_l1", params.lambda_l1.into());
        set("lambda_l2", params.lambda_l2.into());
        set(
            "min_sum_hessian_in_leaf",
            params.min_sum_hessian_in_leaf.into(),
        );
        set("min_gain_to_split", params.min_gain_to_split.into());
        if params.monotone_constraints.iter().any(|&c| c != 0) {
            let directions: Vec<String> = params
                .monotone_constraints
                .iter()
                .map(i8::to_string)
                .collect();
            set("monotone_constraints", directions.join(",").into());
        }
        match params.class_weighting {
            ClassWeighting::None => {}
            ClassWeighting::IsUnbalance => set("is_unbalance", true.into()),
            ClassWeighting::ScalePosWeight(w) => set("scale_pos_weight", w.into()),
        }
        set("seed", params.seed.into());
        set("deterministic", true.into());
        set("force_row_wise", true.into());
        set("num_threads", params.num_threads.into());
        set("verbosity", (-1).into());
        // NaN is the missing value; 0 is an ordinary value.
        set("use_missing", true.into());
        set("zero_as_missing", false.into());
        if let Some(rounds) = params.early_stopping_rounds {
            set("early_stopping_rounds", rounds.into());
        }
        Value::Object(m)
    }
}
