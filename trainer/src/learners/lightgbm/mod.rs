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

mod params;

pub use self::params::{ClassWeighting, EarlyStoppingMetric, LightGbmParams, ValidLightGbmParams};

use self::params::invalid;
use crate::error::{Error, Result};

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
    params: &ValidLightGbmParams,
    valid: Option<(&[f64], &[f64])>,
) -> Result<TrainedBooster> {
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
    let constraints = params.get().monotone_constraints.len();
    if constraints != 0 && constraints != n_features {
        return Err(invalid(
            "monotone_constraints",
            format!("{constraints} directions for {n_features} features"),
            "one direction per feature, or none",
        ));
    }
    // Checked above: 1 <= n_features < i32::MAX.
    let n_cols = n_features as i32;
    let train_set = lightgbm3::Dataset::from_slice(features, &labels, n_cols, true)
        .map_err(lgbm("building the training data set"))?;

    let valid_set = match valid {
        None => {
            if params.get().early_stopping_rounds.is_some() {
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
