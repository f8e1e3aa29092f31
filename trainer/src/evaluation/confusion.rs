//! The lending decision at one threshold, judged against what happened.
//!
//! A client is refused (predicted to default, class 1) when
//! `p >= threshold` and accepted otherwise, so threshold 0 refuses everyone
//! and [`super::ACCEPT_EVERYONE`] (just above 1) accepts everyone.

use serde::Serialize;

use super::{DefaultLabel, check_threshold, validate};
use crate::Result;

/// Counts of the four outcomes, with class 1 (default) as the positive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ConfusionMatrix {
    /// Defaulters refused.
    pub true_positives: u64,
    /// Good payers refused.
    pub false_positives: u64,
    /// Good payers accepted.
    pub true_negatives: u64,
    /// Defaulters accepted.
    pub false_negatives: u64,
}

impl ConfusionMatrix {
    /// F1 score of class 1: `2·TP / (2·TP + FP + FN)`, and 0 when that is
    /// 0/0 (no defaulter and none refused), as scikit-learn's default.
    pub fn f1(&self) -> f64 {
        let denominator = 2 * self.true_positives + self.false_positives + self.false_negatives;
        if denominator == 0 {
            0.0
        } else {
            (2 * self.true_positives) as f64 / denominator as f64
        }
    }

    /// Matthews correlation coefficient, and 0 when a row or column of the
    /// matrix is empty (the denominator is 0), as scikit-learn.
    pub fn mcc(&self) -> f64 {
        let (tp, fp, tn, fn_) = (
            self.true_positives as f64,
            self.false_positives as f64,
            self.true_negatives as f64,
            self.false_negatives as f64,
        );
        let denominator = ((tp + fp) * (tp + fn_) * (tn + fp) * (tn + fn_)).sqrt();
        if denominator == 0.0 {
            0.0
        } else {
            (tp * tn - fp * fn_) / denominator
        }
    }
}

/// The confusion matrix when refusing every client with `p >= threshold`.
pub fn confusion_matrix<L: DefaultLabel>(
    probabilities: &[f64],
    labels: &[L],
    threshold: f64,
) -> Result<ConfusionMatrix> {
    let defaulted = validate("confusion matrix", probabilities, labels)?;
    let threshold = check_threshold(threshold)?;
    let mut matrix = ConfusionMatrix {
        true_positives: 0,
        false_positives: 0,
        true_negatives: 0,
        false_negatives: 0,
    };
    for (&p, &d) in probabilities.iter().zip(&defaulted) {
        match (p >= threshold, d) {
            (true, true) => matrix.true_positives += 1,
            (true, false) => matrix.false_positives += 1,
            (false, false) => matrix.true_negatives += 1,
            (false, true) => matrix.false_negatives += 1,
        }
    }
    Ok(matrix)
}

/// F1 score of class 1 at `threshold`; see [`ConfusionMatrix::f1`].
pub fn f1_score<L: DefaultLabel>(
    probabilities: &[f64],
    labels: &[L],
    threshold: f64,
) -> Result<f64> {
    Ok(confusion_matrix(probabilities, labels, threshold)?.f1())
}

/// Matthews correlation coefficient at `threshold`; see
/// [`ConfusionMatrix::mcc`].
pub fn matthews_correlation<L: DefaultLabel>(
    probabilities: &[f64],
    labels: &[L],
    threshold: f64,
) -> Result<f64> {
    Ok(confusion_matrix(probabilities, labels, threshold)?.mcc())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn threshold_is_inclusive() {
        let m = confusion_matrix(&[0.5, 0.5], &[1u8, 0], 0.5).expect("valid");
        assert_eq!((m.true_positives, m.false_positives), (1, 1));
    }

    #[test]
    fn degenerate_matrices_score_zero() {
        let m = confusion_matrix(&[0.1, 0.2], &[0u8, 0], 0.5).expect("valid");
        assert_eq!((m.f1(), m.mcc()), (0.0, 0.0));
    }
}
