//! One LightGBM fit with the class-imbalance treatment, converted to the
//! served model: the prior shift that undersampling or class weights cause
//! is folded into the base score, so the model's probabilities are on the
//! real default rate (before calibration).

use scoring_core::model::BoostedTrees;
use scoring_core::{Estimator, Model, logit};
use serde::Serialize;

use super::assess::probabilities_of;
use super::table::{Rows, TrainingTable};
use crate::learners::lightgbm::{LightGbmParams, ValidLightGbmParams, train};
use crate::learners::sampling::undersample;
use crate::{Error, Result};

/// How the 8%-positive target is rebalanced for fitting.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Imbalance {
    /// Keep this many good payers per defaulter, drawn at random.
    Undersample { majority_per_minority: f64 },
    /// Keep every row; weight defaulters by good payers / defaulters.
    ClassWeights,
    /// Fit on the rows as they are.
    None,
}

impl Imbalance {
    /// How the model card names the treatment.
    pub fn describe(self) -> String {
        match self {
            Self::Undersample {
                majority_per_minority,
            } => format!("undersampling, {majority_per_minority} good payers per defaulter"),
            Self::ClassWeights => "class weights (good payers / defaulters)".to_owned(),
            Self::None => "none (every row, unweighted)".to_owned(),
        }
    }
}

/// The labelled rows and their labels.
#[derive(Debug, Clone, Copy)]
pub struct Labelled<'a> {
    pub rows: &'a Rows,
    pub labels: &'a [u8],
    pub n_features: usize,
}

impl<'a> Labelled<'a> {
    /// The labelled rows of `table`.
    pub fn of(table: &'a TrainingTable) -> Self {
        Self {
            rows: &table.labelled,
            labels: &table.labels,
            n_features: table.schema.features.len(),
        }
    }

    pub fn default_rate(&self, indices: &[usize]) -> f64 {
        let defaults = indices.iter().filter(|&&i| self.labels[i] == 1).count();
        defaults as f64 / indices.len().max(1) as f64
    }

    pub fn labels_f64(&self, indices: &[usize]) -> Vec<f64> {
        indices.iter().map(|&i| f64::from(self.labels[i])).collect()
    }

    pub fn labels_at(&self, indices: &[usize]) -> Vec<u8> {
        indices.iter().map(|&i| self.labels[i]).collect()
    }
}

/// What a fit produced.
#[derive(Debug, Clone)]
pub struct Fitted {
    /// Probabilities on the real default rate, not yet calibrated.
    pub model: Model,
    /// LightGBM's own text model (uncorrected), for reference checks.
    pub lightgbm_text: String,
    pub best_iteration: usize,
    pub rows_fitted: usize,
}

/// Fits on `fit` (rebalanced by `imbalance`); stops early on `valid` when
/// given (the parameters must then ask for early stopping, and must not
/// otherwise).
pub fn fit_lightgbm(
    data: Labelled<'_>,
    feature_names: &[String],
    fit: &[usize],
    valid: Option<&[usize]>,
    params: &ValidLightGbmParams,
    imbalance: Imbalance,
    seed: u64,
) -> Result<Fitted> {
    let base_rate = data.default_rate(fit);
    let mut params = params.clone();
    let (rows, fitted_rate) = match imbalance {
        Imbalance::Undersample {
            majority_per_minority,
        } => {
            let sampled = undersample(fit, data.labels, majority_per_minority, seed)?;
            let rate = data.default_rate(&sampled);
            (sampled, rate)
        }
        Imbalance::ClassWeights => {
            params = params.is_unbalance();
            (fit.to_vec(), 0.5)
        }
        Imbalance::None => (fit.to_vec(), base_rate),
    };
    if !(base_rate > 0.0 && base_rate < 1.0) {
        return Err(Error::TrainCandidate {
            model: "lightgbm",
            reason: format!("the fitted rows need both classes, their default rate is {base_rate}"),
        });
    }
    let watched = valid.map(|v| (data.rows.gather(v, data.n_features), data.labels_f64(v)));
    let booster = train(
        &data.rows.gather(&rows, data.n_features),
        data.n_features,
        &data.labels_f64(&rows),
        &params,
        watched.as_ref().map(|(x, y)| (x.as_slice(), y.as_slice())),
    )?;
    let text = booster.model_string()?;
    let parsed = scoring_core::parse_lightgbm(&text).map_err(model_error)?;
    let Estimator::BoostedTrees(trees) = parsed.estimator().clone() else {
        return Err(Error::TrainUnexpectedModel);
    };
    let shift = logit(base_rate) - logit(fitted_rate);
    let model = Model::new(
        feature_names.to_vec(),
        Estimator::BoostedTrees(BoostedTrees {
            base_score: trees.base_score + shift,
            trees: trees.trees,
        }),
    )
    .map_err(model_error)?;
    Ok(Fitted {
        model,
        lightgbm_text: text,
        best_iteration: booster.best_iteration(),
        rows_fitted: rows.len(),
    })
}

/// `base` with the `--monotone` directions placed on the features of
/// `names`; a feature the table does not have is refused.
pub fn monotone_params(
    base: &ValidLightGbmParams,
    monotone: &[(String, i8)],
    names: &[String],
) -> Result<ValidLightGbmParams> {
    if monotone.is_empty() {
        return Ok(base.clone());
    }
    let mut directions = vec![0; names.len()];
    for (feature, direction) in monotone {
        let j = names
            .iter()
            .position(|n| n == feature)
            .ok_or_else(|| Error::InvalidArgument {
                flag: "--monotone",
                message: format!(
                    "`{feature}` is not a feature of the table (it has {} features)",
                    names.len()
                ),
            })?;
        directions[j] = *direction;
    }
    LightGbmParams {
        monotone_constraints: directions,
        ..base.get().clone()
    }
    .check()
}

fn model_error(source: scoring_core::Error) -> Error {
    Error::TrainModel {
        stage: "converting the LightGBM model",
        source,
    }
}

/// Probabilities of `model` for the rows at `indices`.
pub fn probabilities(model: &Model, data: Labelled<'_>, indices: &[usize]) -> Result<Vec<f64>> {
    probabilities_of(model, &data.rows.gather(indices, data.n_features))
}
