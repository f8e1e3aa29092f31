//! The comparison models of the model card, fitted with linfa: a logistic
//! regression (linfa-logistic) and a single decision tree (linfa-trees),
//! both converted to scoring-core models so either can be published and
//! served. linfa 0.8 works on ndarray 0.16: the row-major buffer is copied
//! into an `Array2` here, the only place the trainer touches ndarray.
//!
//! linfa takes no missing values: both are fitted on rows whose missing
//! values are imputed with the fitted rows' medians (infinities: the
//! logistic model imputes them too; the tree sees ±f64::MAX). The served
//! logistic model stores the same imputation and scaling; the served tree
//! sends a missing value the way its median went. linfa's leaves hold a
//! class, not a probability: each leaf's default rate is counted by routing
//! the fitted rows through the converted tree, and corrected, like every
//! model here, for the rebalanced default rate.

mod logistic;
mod tree;

pub use self::logistic::fit_logistic;
pub use self::tree::fit_tree;

use ndarray::Array2;

use crate::{Error, Result};

/// Rows to fit on: row-major values, labels and the real default rate the
/// model must predict on.
#[derive(Debug, Clone, Copy)]
pub struct FitRows<'a> {
    pub values: &'a [f64],
    pub labels: &'a [u8],
    pub n_features: usize,
    /// The population's default rate (before rebalancing).
    pub base_rate: f64,
}

impl FitRows<'_> {
    fn n_rows(&self) -> usize {
        self.labels.len()
    }

    fn fitted_rate(&self) -> f64 {
        self.labels.iter().filter(|&&l| l == 1).count() as f64 / self.n_rows().max(1) as f64
    }

    fn medians(&self) -> Vec<f64> {
        (0..self.n_features)
            .map(|j| {
                let mut v: Vec<f64> = (0..self.n_rows())
                    .map(|i| self.values[i * self.n_features + j])
                    .filter(|x| x.is_finite())
                    .collect();
                v.sort_by(f64::total_cmp);
                if v.is_empty() {
                    0.0
                } else {
                    scoring_core::reference::quantile_sorted(&v, 0.5)
                }
            })
            .collect()
    }

    /// The one copy into ndarray 0.16, with `fill` applied per value.
    fn matrix(&self, fill: impl Fn(usize, f64) -> f64) -> Result<Array2<f64>> {
        let values: Vec<f64> = self
            .values
            .iter()
            .enumerate()
            .map(|(k, &x)| fill(k % self.n_features, x))
            .collect();
        let (rows, columns) = (self.n_rows(), self.n_features);
        Array2::from_shape_vec((rows, columns), values).map_err(|source| Error::LinfaMatrix {
            rows,
            columns,
            source,
        })
    }
}

fn model_error(stage: &'static str) -> impl FnOnce(scoring_core::Error) -> Error {
    move |source| Error::TrainModel { stage, source }
}

#[cfg(test)]
mod tests {
    use std::error::Error as _;

    use super::*;

    #[test]
    fn a_bad_shape_keeps_the_ndarray_error() {
        let rows = FitRows {
            values: &[1.0, 2.0, 3.0],
            labels: &[0, 1],
            n_features: 2,
            base_rate: 0.1,
        };
        let err = rows
            .matrix(|_, x| x)
            .expect_err("3 values are not 2 rows of 2");
        assert!(
            matches!(
                err,
                Error::LinfaMatrix {
                    rows: 2,
                    columns: 2,
                    ..
                }
            ),
            "{err}"
        );
        assert!(err.source().is_some());
    }
}
