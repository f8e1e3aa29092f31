//! Model evaluation and the business-cost decision threshold.
//!
//! Everything here works on plain slices: `&[f64]` probabilities of default
//! (PD) and `&[u8]` or `&[bool]` default labels (1 / `true` = the client
//! defaulted), so it serves any model and any data split.
//!
//! - [`metrics`]: ranking and probability metrics (ROC AUC, average
//!   precision, KS, Brier score, log loss).
//! - [`confusion`]: the decision at a threshold (confusion matrix, F1, MCC).
//!   A client is refused, i.e. predicted to default, when `p >= threshold`.
//! - [`calibration`]: expected calibration error and the calibration curve,
//!   on equal-width or equal-count bins.
//! - [`mod@bootstrap`]: stratified bootstrap percentile intervals and Wilson
//!   intervals of a proportion.
//! - [`cost`]: the lender's cost of the decisions, the cost curve over
//!   thresholds, the cost-optimal threshold and the prudent / normal /
//!   aggressive strategy thresholds.
//!
//! Bad input is a typed [`crate::Error`] naming what was wrong, never a
//! panic: empty input, length mismatch, a probability that is not finite or
//! not in [0, 1], a label other than 0/1, and a single class where a metric
//! is undefined.

pub mod bootstrap;
pub mod calibration;
pub mod confusion;
pub mod cost;
pub mod metrics;

pub use bootstrap::{BootstrapPlan, Interval, bootstrap, bootstrap_where_defined, wilson_interval};
pub use calibration::{
    CalibrationBin, QuantileBin, calibration_by_quantile, calibration_curve,
    expected_calibration_error, expected_calibration_error_by_quantile,
};
pub use confusion::{ConfusionMatrix, confusion_matrix, f1_score, matthews_correlation};
pub use cost::{
    ACCEPT_EVERYONE, CostCurve, CostParameters, CostPoint, StrategyThresholds, ValidCostParameters,
    break_even, break_even_strategies, default_grid, portfolio_cost, sweep,
};
pub use metrics::{average_precision, brier_score, ks_statistic, log_loss, roc_auc};

use crate::{Error, Result};

/// A default label: whether the client defaulted (class 1) or repaid
/// (class 0). Implemented for `u8` (only 0 and 1 are valid) and `bool`.
pub trait DefaultLabel: Copy {
    /// `Some(true)` for a defaulter, `Some(false)` for a good payer, `None`
    /// when the value is not a valid label.
    fn defaulted(self) -> Option<bool>;
    /// The raw value, for error messages.
    fn raw(self) -> u8;
}

impl DefaultLabel for u8 {
    fn defaulted(self) -> Option<bool> {
        match self {
            0 => Some(false),
            1 => Some(true),
            _ => None,
        }
    }
    fn raw(self) -> u8 {
        self
    }
}

impl DefaultLabel for bool {
    fn defaulted(self) -> Option<bool> {
        Some(self)
    }
    fn raw(self) -> u8 {
        u8::from(self)
    }
}

/// Checks probabilities and labels for `metric` and returns the labels as
/// booleans. Order of checks: lengths, emptiness, probabilities, labels.
pub(crate) fn validate<L: DefaultLabel>(
    metric: &'static str,
    probabilities: &[f64],
    labels: &[L],
) -> Result<Vec<bool>> {
    if probabilities.len() != labels.len() {
        return Err(Error::EvaluationLengthMismatch {
            metric,
            expected: "probabilities",
            expected_len: probabilities.len(),
            found: "labels",
            found_len: labels.len(),
        });
    }
    if probabilities.is_empty() {
        return Err(Error::EvaluationEmpty { metric });
    }
    if let Some((index, &value)) = probabilities
        .iter()
        .enumerate()
        .find(|(_, p)| !(p.is_finite() && (0.0..=1.0).contains(*p)))
    {
        return Err(Error::InvalidProbability { index, value });
    }
    labels
        .iter()
        .enumerate()
        .map(|(index, label)| {
            label.defaulted().ok_or(Error::InvalidLabel {
                index,
                value: label.raw(),
            })
        })
        .collect()
}

/// Fails with [`Error::SingleClass`] unless both classes are present.
pub(crate) fn require_both_classes(metric: &'static str, defaulted: &[bool]) -> Result<()> {
    let positives = defaulted.iter().filter(|&&d| d).count();
    if positives == 0 {
        Err(Error::SingleClass { metric, class: 0 })
    } else if positives == defaulted.len() {
        Err(Error::SingleClass { metric, class: 1 })
    } else {
        Ok(())
    }
}

/// Fails with [`Error::InvalidThreshold`] unless `threshold` is finite and
/// in `[0, ACCEPT_EVERYONE]`.
pub(crate) fn check_threshold(threshold: f64) -> Result<f64> {
    if threshold.is_finite() && (0.0..=ACCEPT_EVERYONE).contains(&threshold) {
        Ok(threshold)
    } else {
        Err(Error::InvalidThreshold { value: threshold })
    }
}
