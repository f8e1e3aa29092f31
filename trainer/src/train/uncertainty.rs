//! The uncertainty of the test-split measures: stratified bootstrap 95%
//! intervals of the published setting's measures, and the paired bootstrap
//! of its difference with each compared model (the same resampled clients
//! score both, so the interval is that of the difference, much narrower
//! than the two intervals side by side).
//!
//! The ECE is a sum of absolute gaps, so resampling noise inflates it: its
//! percentile interval describes the ECE a sample of this size shows and
//! can lie above the estimate of a well-calibrated model. The reliability
//! table's per-decile Wilson intervals are the test of calibration.
//!
//! Every interval lands in the metrics map as `<name>_low` / `<name>_high`
//! beside `<name>`; the differences as `roc_auc_gain` (published minus the
//! candidate) and `brier_gain` (candidate minus published: positive when
//! the published model is better on both).

use std::collections::BTreeMap;

use scoring_core::{Strategy, Thresholds};

use super::assess::{CALIBRATION_BINS, TestSet};
use crate::Result;
use crate::evaluation::{
    BootstrapPlan, Interval, ValidCostParameters, average_precision, bootstrap, brier_score,
    expected_calibration_error_by_quantile, portfolio_cost, roc_auc,
};

/// Confidence level of every interval.
pub const LEVEL: f64 = 0.95;

/// The names of the measures [`intervals`] bootstraps, in order.
pub fn measure_names() -> Vec<String> {
    let mut names: Vec<String> = ["roc_auc", "pr_auc", "brier", "ece"]
        .map(str::to_owned)
        .to_vec();
    for s in Strategy::ALL {
        names.push(format!("acceptance_rate_{s}"));
        names.push(format!("cost_per_client_{s}"));
    }
    names
}

fn gather<T: Copy>(values: &[T], rows: &[usize]) -> Vec<T> {
    rows.iter().map(|&i| values[i]).collect()
}

/// Every measure of `p` on the clients at `rows` of `test`.
fn measures(
    p: &[f64],
    test: TestSet<'_>,
    rows: &[usize],
    cost: &ValidCostParameters,
    thresholds: Thresholds,
) -> Result<Vec<f64>> {
    let (p, labels, credit) = (
        gather(p, rows),
        gather(test.labels, rows),
        gather(test.credit, rows),
    );
    let mut out = vec![
        roc_auc(&p, &labels)?,
        average_precision(&p, &labels)?,
        brier_score(&p, &labels)?,
        expected_calibration_error_by_quantile(&p, &labels, CALIBRATION_BINS)?,
    ];
    for s in Strategy::ALL {
        let point = portfolio_cost(&p, &labels, &credit, cost, thresholds.get(s))?;
        out.push(point.acceptance_rate);
        out.push(point.cost_per_client);
    }
    Ok(out)
}

/// Bootstrap intervals of the measures of probabilities `p` on `test`.
pub fn intervals(
    p: &[f64],
    test: TestSet<'_>,
    cost: &ValidCostParameters,
    thresholds: Thresholds,
    plan: BootstrapPlan,
) -> Result<BTreeMap<String, f64>> {
    let found = bootstrap(test.labels, plan, |rows| {
        measures(p, test, rows, cost, thresholds)
    })?;
    Ok(flatten(&measure_names(), &found))
}

/// The paired bootstrap of the published probabilities against a
/// candidate's on the same clients: `roc_auc_gain` and `brier_gain`.
pub fn paired_gains(
    published: &[f64],
    candidate: &[f64],
    labels: &[u8],
    plan: BootstrapPlan,
) -> Result<BTreeMap<String, f64>> {
    let found = bootstrap(labels, plan, |rows| {
        let y = gather(labels, rows);
        let (a, b) = (gather(published, rows), gather(candidate, rows));
        Ok(vec![
            roc_auc(&a, &y)? - roc_auc(&b, &y)?,
            brier_score(&b, &y)? - brier_score(&a, &y)?,
        ])
    })?;
    Ok(flatten(
        &["roc_auc_gain".to_owned(), "brier_gain".to_owned()],
        &found,
    ))
}

/// The paired bootstrap of the published probabilities against those of
/// a model fitted without some features, on the same clients: the ROC AUC
/// published minus without, and the cost per client at `threshold`
/// without minus published.
pub fn paired_exclusion(
    published: &[f64],
    without: &[f64],
    test: TestSet<'_>,
    cost: &ValidCostParameters,
    threshold: f64,
    plan: BootstrapPlan,
) -> Result<[Interval; 2]> {
    let found = bootstrap(test.labels, plan, |rows| {
        let (y, credit) = (gather(test.labels, rows), gather(test.credit, rows));
        let (a, b) = (gather(published, rows), gather(without, rows));
        let cost_of =
            |p: &[f64]| portfolio_cost(p, &y, &credit, cost, threshold).map(|c| c.cost_per_client);
        Ok(vec![
            roc_auc(&a, &y)? - roc_auc(&b, &y)?,
            cost_of(&b)? - cost_of(&a)?,
        ])
    })?;
    Ok([found[0], found[1]])
}

fn flatten(names: &[String], found: &[Interval]) -> BTreeMap<String, f64> {
    names
        .iter()
        .zip(found)
        .flat_map(|(name, i)| {
            [
                (name.clone(), i.estimate),
                (format!("{name}_low"), i.low),
                (format!("{name}_high"), i.high),
            ]
        })
        .collect()
}
