//! Everything measured on the test split, with the model exactly as it is
//! served: the probabilities come from a scoring-core `Model`, so the
//! report describes what the service answers. The thresholds are given,
//! fixed before the test split is looked at; the test split only measures.

use std::collections::BTreeMap;

use rayon::prelude::*;
use scoring_core::report::{CalibrationBin, CostPoint, FeatureImportance, StrategyConfusion};
use scoring_core::{Model, ShapScratch, Strategy, Thresholds};

use crate::evaluation::{
    CostCurve, QuantileBin, ValidCostParameters, average_precision, brier_score,
    calibration_by_quantile, confusion_matrix, default_grid,
    expected_calibration_error_by_quantile, ks_statistic, log_loss, portfolio_cost, roc_auc, sweep,
};
use crate::{Error, Result};

/// Equal-count bins (PD deciles) of the calibration curve and of the
/// expected calibration error.
pub const CALIBRATION_BINS: usize = 10;
/// Lowest threshold published: 0 would refuse everyone.
pub const MIN_THRESHOLD: f64 = 0.005;

/// The thresholds as published: clamped to at least [`MIN_THRESHOLD`].
pub fn published_thresholds(t: crate::evaluation::StrategyThresholds) -> Thresholds {
    let clamp = |t: f64| t.clamp(MIN_THRESHOLD, 1.0);
    Thresholds {
        prudent: clamp(t.prudent),
        normal: clamp(t.normal),
        aggressive: clamp(t.aggressive),
    }
}

/// The test split as the evaluation needs it.
#[derive(Debug, Clone, Copy)]
pub struct TestSet<'a> {
    pub rows: &'a [f64],
    pub labels: &'a [u8],
    pub credit: &'a [f64],
}

/// A model's evaluation on the test split.
#[derive(Debug, Clone)]
pub struct Assessment {
    pub probabilities: Vec<f64>,
    pub metrics: BTreeMap<String, f64>,
    pub curve: CostCurve,
    pub thresholds: Thresholds,
    pub confusion: Vec<StrategyConfusion>,
    /// The reliability curve on PD deciles, with the Wilson intervals.
    pub deciles: Vec<QuantileBin>,
    pub calibration_bins: Vec<CalibrationBin>,
}

/// Probabilities of `model` for row-major `rows`.
pub fn probabilities_of(model: &Model, rows: &[f64]) -> Result<Vec<f64>> {
    let mut out = vec![0.0; rows.len() / model.n_features().max(1)];
    model
        .predict_probability_batch(rows, &mut out)
        .map_err(|source| Error::TrainModel {
            stage: "scoring",
            source,
        })?;
    Ok(out)
}

/// Scores the test split with `model` and measures everything at the given
/// `thresholds`.
pub fn assess(
    model: &Model,
    test: TestSet<'_>,
    cost: &ValidCostParameters,
    thresholds: Thresholds,
) -> Result<Assessment> {
    let p = probabilities_of(model, test.rows)?;
    assess_probabilities(p, test, cost, thresholds)
}

/// [`assess`] for probabilities already computed.
pub fn assess_probabilities(
    p: Vec<f64>,
    test: TestSet<'_>,
    cost: &ValidCostParameters,
    thresholds: Thresholds,
) -> Result<Assessment> {
    let labels = test.labels;
    let curve = sweep(&p, labels, test.credit, cost, &default_grid())?;
    let at_normal = confusion_matrix(&p, labels, thresholds.normal)?;
    let metrics = BTreeMap::from([
        ("roc_auc".to_owned(), roc_auc(&p, labels)?),
        ("pr_auc".to_owned(), average_precision(&p, labels)?),
        ("ks".to_owned(), ks_statistic(&p, labels)?),
        ("brier".to_owned(), brier_score(&p, labels)?),
        ("log_loss".to_owned(), log_loss(&p, labels)?),
        ("f1".to_owned(), at_normal.f1()),
        ("mcc".to_owned(), at_normal.mcc()),
        (
            "ece".to_owned(),
            expected_calibration_error_by_quantile(&p, labels, CALIBRATION_BINS)?,
        ),
        (
            "cost_per_client".to_owned(),
            portfolio_cost(&p, labels, test.credit, cost, thresholds.normal)?.cost_per_client,
        ),
    ]);
    let confusion = Strategy::ALL
        .into_iter()
        .map(|strategy| {
            let threshold = thresholds.get(strategy);
            let m = confusion_matrix(&p, labels, threshold)?;
            Ok(StrategyConfusion {
                strategy,
                threshold,
                true_positive: m.true_positives,
                false_positive: m.false_positives,
                true_negative: m.true_negatives,
                false_negative: m.false_negatives,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let deciles = calibration_by_quantile(&p, labels, CALIBRATION_BINS)?;
    let calibration_bins = deciles
        .iter()
        .map(|b| CalibrationBin {
            mean_predicted: b.mean_predicted,
            observed_default_rate: b.observed_rate,
            count: b.count,
        })
        .collect();
    Ok(Assessment {
        probabilities: p,
        metrics,
        curve,
        thresholds,
        confusion,
        deciles,
        calibration_bins,
    })
}

/// The cost curve as published.
pub fn cost_points(curve: &CostCurve) -> Vec<CostPoint> {
    curve
        .points()
        .iter()
        .filter(|p| p.threshold <= 1.0)
        .map(|p| CostPoint {
            threshold: p.threshold,
            cost_per_client: p.cost_per_client,
            acceptance_rate: p.acceptance_rate,
        })
        .collect()
}

/// Mean |SHAP contribution| of each feature over (at most `max_rows` evenly
/// spaced) rows, largest first.
pub fn importance(model: &Model, rows: &[f64], max_rows: usize) -> Result<Vec<FeatureImportance>> {
    let n = model.n_features();
    let n_rows = rows.len() / n.max(1);
    let step = n_rows.div_ceil(max_rows.max(1)).max(1);
    let picked: Vec<usize> = (0..n_rows).step_by(step).collect();
    let totals = picked
        .par_chunks(64)
        .map(|chunk| {
            let mut scratch = ShapScratch::for_model(model);
            let mut phi = vec![0.0; n];
            let mut sum = vec![0.0; n];
            for &i in chunk {
                model
                    .explain_into(&rows[i * n..(i + 1) * n], &mut phi, &mut scratch)
                    .map_err(|source| Error::TrainModel {
                        stage: "explaining the test split",
                        source,
                    })?;
                for (s, v) in sum.iter_mut().zip(&phi) {
                    *s += v.abs();
                }
            }
            Ok(sum)
        })
        .collect::<Result<Vec<_>>>()?;
    let mut mean = vec![0.0; n];
    for part in totals {
        for (m, v) in mean.iter_mut().zip(part) {
            *m += v;
        }
    }
    let count = picked.len().max(1) as f64;
    let mut out: Vec<FeatureImportance> = model
        .feature_names()
        .iter()
        .zip(mean)
        .map(|(feature, total)| FeatureImportance {
            feature: feature.clone(),
            mean_abs_contribution: total / count,
        })
        .collect();
    out.sort_by(|a, b| b.mean_abs_contribution.total_cmp(&a.mean_abs_contribution));
    Ok(out)
}
