//! Uncertainty of a measure taken on one sample of clients: stratified
//! bootstrap percentile intervals, and Wilson intervals of a proportion.
//!
//! A stratified resample draws, with replacement, as many defaulters from
//! the defaulters and as many good payers from the good payers as the
//! sample holds, so every resample has the sample's default rate (a
//! measure such as the ROC AUC is defined on every resample, and the
//! interval does not mix in the noise of the class shares, which the
//! population fixes). Resample `b` is drawn from its own generator seeded
//! from `(seed, b)`, so the intervals do not depend on the number of
//! threads. The interval is the percentile interval: the `(1 − level)/2`
//! and `(1 + level)/2` quantiles of the resampled values, interpolated
//! linearly (numpy's default).

use rayon::prelude::*;
use serde::Serialize;
use synth::Rng;

use super::{DefaultLabel, validate};
use crate::{Error, Result};

/// Fewest resamples accepted: below this the 2.5% tail is a handful of values.
pub const MIN_RESAMPLES: usize = 100;
/// Normal quantile of a two-sided 95% interval.
const Z_95: f64 = 1.959_963_984_540_054;

/// How many resamples, from which seed, at which confidence level.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BootstrapPlan {
    pub resamples: usize,
    pub seed: u64,
    /// Confidence level in (0, 1), e.g. 0.95.
    pub level: f64,
}

/// A measure and its interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Interval {
    /// The measure on the sample itself.
    pub estimate: f64,
    pub low: f64,
    pub high: f64,
}

/// The same figures as the published form of an estimate.
impl From<Interval> for scoring_core::backtest::Estimate {
    fn from(interval: Interval) -> Self {
        Self {
            estimate: interval.estimate,
            low: interval.low,
            high: interval.high,
        }
    }
}

/// The `q`-quantile of `values` (sorted here), linear interpolation between
/// order statistics; NaN values are an error of the caller's measure.
pub fn quantile(values: &mut [f64], q: f64) -> Result<f64> {
    if values.is_empty() {
        return Err(Error::EvaluationEmpty {
            metric: "bootstrap quantile",
        });
    }
    if let Some(index) = values.iter().position(|v| v.is_nan()) {
        return Err(Error::InvalidProbability {
            index,
            value: f64::NAN,
        });
    }
    values.sort_by(f64::total_cmp);
    Ok(scoring_core::reference::quantile_sorted(
        values,
        q.clamp(0.0, 1.0),
    ))
}

/// The stratified resamples' row indices into the sample, resample `b` of
/// `plan` (see the module doc).
pub fn stratified_resample(classes: &[Vec<usize>; 2], seed: u64, b: usize) -> Vec<usize> {
    let mut rng = Rng::seeded(seed ^ (b as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15));
    let mut out = Vec::with_capacity(classes[0].len() + classes[1].len());
    for rows in classes {
        out.extend((0..rows.len()).map(|_| rows[rng.below(rows.len())]));
    }
    out
}

/// Percentile intervals of several measures at once. `measures(rows)`
/// returns every measure on the clients at `rows` (indices into `labels`,
/// with repetitions); it is called once on the sample (the estimates) and
/// once per resample. Both classes must be present.
pub fn bootstrap<L, F>(labels: &[L], plan: BootstrapPlan, measures: F) -> Result<Vec<Interval>>
where
    L: DefaultLabel + Sync,
    F: Fn(&[usize]) -> Result<Vec<f64>> + Sync,
{
    let (estimates, resampled) = resample(labels, plan, measures)?;
    estimates
        .iter()
        .enumerate()
        .map(|(m, &estimate)| {
            let values = resampled.iter().map(|r| r[m]).collect();
            percentile_interval(estimate, values, plan.level)
        })
        .collect()
}

/// [`bootstrap`] for measures that some samples leave undefined (NaN),
/// such as a default rate among accepted clients of a group none of whose
/// clients a resample accepts: each interval is taken over the resamples
/// where its measure is defined, and is `None` when the measure is
/// undefined on the sample itself or on every resample.
pub fn bootstrap_where_defined<L, F>(
    labels: &[L],
    plan: BootstrapPlan,
    measures: F,
) -> Result<Vec<Option<Interval>>>
where
    L: DefaultLabel + Sync,
    F: Fn(&[usize]) -> Result<Vec<f64>> + Sync,
{
    let (estimates, resampled) = resample(labels, plan, measures)?;
    estimates
        .iter()
        .enumerate()
        .map(|(m, &estimate)| {
            let values: Vec<f64> = resampled
                .iter()
                .map(|r| r[m])
                .filter(|v| !v.is_nan())
                .collect();
            if estimate.is_nan() || values.is_empty() {
                return Ok(None);
            }
            percentile_interval(estimate, values, plan.level).map(Some)
        })
        .collect()
}

/// The percentile interval at `level` of the resampled `values` of a
/// measure whose value on the sample is `estimate`.
fn percentile_interval(estimate: f64, mut values: Vec<f64>, level: f64) -> Result<Interval> {
    let tail = (1.0 - level) / 2.0;
    Ok(Interval {
        estimate,
        low: quantile(&mut values, tail)?,
        high: quantile(&mut values, 1.0 - tail)?,
    })
}

/// The measures on the sample and on every stratified resample of `plan`.
fn resample<L, F>(
    labels: &[L],
    plan: BootstrapPlan,
    measures: F,
) -> Result<(Vec<f64>, Vec<Vec<f64>>)>
where
    L: DefaultLabel + Sync,
    F: Fn(&[usize]) -> Result<Vec<f64>> + Sync,
{
    if plan.resamples < MIN_RESAMPLES {
        return Err(Error::TrainingInvalidParameter {
            parameter: "bootstrap resamples",
            value: plan.resamples as f64,
            expected: "at least 100",
        });
    }
    if !(plan.level > 0.0 && plan.level < 1.0) {
        return Err(Error::TrainingInvalidParameter {
            parameter: "bootstrap level",
            value: plan.level,
            expected: "a number in (0, 1)",
        });
    }
    let defaulted = validate("bootstrap", &vec![0.0; labels.len()], labels)?;
    let mut classes = [Vec::new(), Vec::new()];
    for (i, &d) in defaulted.iter().enumerate() {
        classes[usize::from(d)].push(i);
    }
    super::require_both_classes("bootstrap", &defaulted)?;
    let all: Vec<usize> = (0..labels.len()).collect();
    let estimates = measures(&all)?;
    let resampled = (0..plan.resamples)
        .into_par_iter()
        .map(|b| measures(&stratified_resample(&classes, plan.seed, b)))
        .collect::<Result<Vec<Vec<f64>>>>()?;
    Ok((estimates, resampled))
}

/// The Wilson score 95% interval of a proportion of `successes` out of
/// `trials` (better than the normal approximation near 0, where most
/// default rates are); `(0, 1)` when there is no trial.
pub fn wilson_interval(successes: u64, trials: u64) -> (f64, f64) {
    if trials == 0 {
        return (0.0, 1.0);
    }
    let n = trials as f64;
    let p = successes as f64 / n;
    let z2 = Z_95 * Z_95;
    let denominator = 1.0 + z2 / n;
    let centre = (p + z2 / (2.0 * n)) / denominator;
    let half = Z_95 * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt() / denominator;
    ((centre - half).max(0.0), (centre + half).min(1.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantile_interpolates_between_order_statistics() {
        let mut v: Vec<f64> = (1..=5).rev().map(f64::from).collect();
        assert_eq!(quantile(&mut v, 0.5).expect("quantile"), 3.0);
        assert_eq!(quantile(&mut v, 0.125).expect("quantile"), 1.5);
    }
}
