//! The logistic regression (linfa-logistic), as a served [`LogisticModel`].

use linfa::prelude::*;
use linfa_logistic::LogisticRegression;
use ndarray::Array1;
use scoring_core::model::LogisticModel;
use scoring_core::{Estimator, Model, logit};

use super::{FitRows, model_error};
use crate::{Error, Result};

/// L2-regularised logistic regression on standardised, imputed features.
pub fn fit_logistic(rows: FitRows<'_>, feature_names: &[String]) -> Result<Model> {
    let fill_value = rows.medians();
    let n = rows.n_features;
    let imputed = rows.matrix(|j, x| if x.is_finite() { x } else { fill_value[j] })?;
    let mean: Vec<f64> = (0..n)
        .map(|j| imputed.column(j).mean().unwrap_or(0.0))
        .collect();
    let std: Vec<f64> = (0..n)
        .map(|j| {
            let s = imputed.column(j).std(0.0);
            if s.is_finite() && s > 1e-12 { s } else { 1.0 }
        })
        .collect();
    let mut scaled = imputed;
    for (j, mut column) in scaled.columns_mut().into_iter().enumerate() {
        column.mapv_inplace(|x| (x - mean[j]) / std[j]);
    }
    let targets = Array1::from_iter(rows.labels.iter().map(|&l| usize::from(l)));
    let dataset = Dataset::new(scaled, targets);
    let fitted = LogisticRegression::default()
        .alpha(1.0)
        .max_iterations(200)
        .fit(&dataset)
        .map_err(|source| Error::LinfaLogistic { source })?;
    // linfa-logistic models the probability of whichever class is the
    // larger in the fitted rows (the first seen on a tie): turned around
    // when that is the good clients', so the model always gives the
    // probability of default.
    let orientation = if fitted.labels().pos.class == 1 {
        1.0
    } else {
        -1.0
    };
    let shift = logit(rows.base_rate) - logit(rows.fitted_rate());
    let logistic = LogisticModel {
        intercept: orientation * fitted.intercept() + shift,
        weights: fitted.params().iter().map(|w| orientation * w).collect(),
        fill_value,
        mean,
        std,
        scaled_mean: vec![0.0; n],
    };
    Model::new(feature_names.to_vec(), Estimator::Logistic(logistic))
        .map_err(model_error("converting the logistic regression"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Rows of one feature that raises the risk: defaulters near +1,
    /// good clients near -1 (with overlap), `defaulters` of `n`.
    fn risky_rows(n: usize, defaulters: usize) -> (Vec<f64>, Vec<u8>) {
        let labels: Vec<u8> = (0..n).map(|i| u8::from(i < defaulters)).collect();
        let values = labels
            .iter()
            .enumerate()
            .map(|(i, &l)| {
                let noise = ((i * 7919) % 100) as f64 / 50.0 - 1.0;
                if l == 1 { 1.0 + noise } else { -1.0 + noise }
            })
            .collect();
        (values, labels)
    }

    #[test]
    fn the_logistic_gives_the_probability_of_default_whichever_class_is_larger() {
        let names = vec!["risk".to_owned()];
        // Defaulters the minority (as after a partial undersampling), the
        // majority, and first on a tie.
        for defaulters in [100, 300, 200] {
            let (values, labels) = risky_rows(400, defaulters);
            let rows = FitRows {
                values: &values,
                labels: &labels,
                n_features: 1,
                base_rate: 0.08,
            };
            let model = fit_logistic(rows, &names).expect("fit");
            let high = model.predict_probability(&[1.5]).expect("score");
            let low = model.predict_probability(&[-1.5]).expect("score");
            assert!(
                high > low,
                "{defaulters} defaulters of 400: p(+1.5) = {high} <= p(-1.5) = {low}"
            );
        }
    }

    #[test]
    fn a_fit_linfa_refuses_keeps_its_error() {
        let (values, labels) = risky_rows(50, 0);
        let rows = FitRows {
            values: &values,
            labels: &labels,
            n_features: 1,
            base_rate: 0.08,
        };
        let err = fit_logistic(rows, &["risk".to_owned()]).expect_err("one class");
        assert!(matches!(err, Error::LinfaLogistic { .. }), "{err}");
        assert!(std::error::Error::source(&err).is_some());
    }
}
