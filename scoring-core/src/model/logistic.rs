//! Logistic regression with the imputation and scaling it was trained with.
//!
//! A missing value (or an infinite one, which a linear model cannot weigh)
//! is replaced by its feature's `fill_value`, then scaled to
//! `z = (x - mean) / std`; the raw score is `intercept + Σ weight·z` on the
//! log-odds scale. `scaled_mean` is the mean of `z` over the training data
//! (zero when the scaler was fitted there): exact linear SHAP values are
//! `weight·(z - scaled_mean)` around the base `intercept + Σ weight·scaled_mean`.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// A fitted logistic regression over the model's features.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LogisticModel {
    pub intercept: f64,
    pub weights: Vec<f64>,
    /// Value used for a missing input, in the input's own units.
    pub fill_value: Vec<f64>,
    pub mean: Vec<f64>,
    /// Scale of each input (> 0).
    pub std: Vec<f64>,
    /// Mean of the scaled input over the training data.
    pub scaled_mean: Vec<f64>,
}

impl LogisticModel {
    pub(crate) fn check(&self, n: usize) -> Result<()> {
        let columns = [
            ("weights", &self.weights),
            ("fill_value", &self.fill_value),
            ("mean", &self.mean),
            ("std", &self.std),
            ("scaled_mean", &self.scaled_mean),
        ];
        for (name, values) in columns {
            if values.len() != n {
                return Err(Error::invalid_model(format!(
                    "logistic model has {} values of `{name}` for {n} features",
                    values.len()
                )));
            }
            if values.iter().any(|v| !v.is_finite()) {
                return Err(Error::invalid_model(format!(
                    "logistic model has a non-finite value in `{name}`"
                )));
            }
        }
        if !self.intercept.is_finite() || self.std.iter().any(|s| *s <= 0.0) {
            return Err(Error::invalid_model(
                "logistic model needs a finite intercept and every std > 0",
            ));
        }
        Ok(())
    }

    /// The imputed, scaled value of feature `j`.
    #[inline]
    pub(crate) fn scaled(&self, j: usize, x: f64) -> f64 {
        let x = if x.is_finite() { x } else { self.fill_value[j] };
        (x - self.mean[j]) / self.std[j]
    }

    pub(crate) fn raw(&self, row: &[f64]) -> f64 {
        let mut sum = self.intercept;
        for (j, (&x, &w)) in row.iter().zip(&self.weights).enumerate() {
            sum += w * self.scaled(j, x);
        }
        sum
    }

    /// Exact SHAP values into `phi` (length n); returns the base value.
    pub(crate) fn explain(&self, row: &[f64], phi: &mut [f64]) -> f64 {
        let mut base = self.intercept;
        for (j, (&x, &w)) in row.iter().zip(&self.weights).enumerate() {
            base += w * self.scaled_mean[j];
            phi[j] = w * (self.scaled(j, x) - self.scaled_mean[j]);
        }
        base
    }
}
