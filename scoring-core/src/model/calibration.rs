//! The map from a model's raw score to the probability of default it
//! publishes, when that probability was calibrated on held-out data.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// A fitted calibration, applied after the model's link.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "method", rename_all = "snake_case")]
pub enum Calibration {
    /// Isotonic regression on the uncalibrated probability: linear
    /// interpolation between breakpoints, the end values outside them (as
    /// scikit-learn's `IsotonicRegression(out_of_bounds="clip")`).
    Isotonic {
        /// Uncalibrated probabilities, strictly increasing.
        scores: Vec<f64>,
        /// Calibrated probability at each breakpoint, non-decreasing.
        probabilities: Vec<f64>,
    },
    /// Platt scaling on the raw score: `sigmoid(a · raw + b)`.
    Platt { a: f64, b: f64 },
}

impl Calibration {
    pub fn validate(&self) -> Result<()> {
        let invalid = |reason: &str| Err(Error::invalid_model(format!("calibration: {reason}")));
        match self {
            Self::Isotonic {
                scores,
                probabilities,
            } => {
                if scores.is_empty() || scores.len() != probabilities.len() {
                    return invalid("isotonic breakpoints are empty or of unequal lengths");
                }
                if scores.windows(2).any(|w| w[0] >= w[1]) || !scores.iter().all(|s| s.is_finite())
                {
                    return invalid("isotonic scores are not finite and strictly increasing");
                }
                let in_unit = probabilities.iter().all(|p| (0.0..=1.0).contains(p));
                if !in_unit || probabilities.windows(2).any(|w| w[0] > w[1]) {
                    return invalid("isotonic probabilities are not non-decreasing in [0, 1]");
                }
            }
            Self::Platt { a, b } => {
                if !a.is_finite() || !b.is_finite() {
                    return invalid("Platt parameters are not finite");
                }
            }
        }
        Ok(())
    }

    /// The calibrated probability of an applicant whose raw score is `raw`
    /// and uncalibrated probability `uncalibrated`. NaN stays NaN.
    pub fn apply(&self, raw: f64, uncalibrated: f64) -> f64 {
        match self {
            Self::Platt { a, b } => super::sigmoid(a * raw + b),
            Self::Isotonic {
                scores,
                probabilities,
            } => interpolate_clipped(scores, probabilities, uncalibrated).unwrap_or(f64::NAN),
        }
    }
}

/// Isotonic prediction: linear interpolation between the breakpoints
/// `(xs, ys)` (xs strictly increasing), the end values outside them; NaN
/// for NaN. `None` when there is no breakpoint.
pub fn interpolate_clipped(xs: &[f64], ys: &[f64], x: f64) -> Option<f64> {
    let last = xs.len().checked_sub(1)?;
    if x.is_nan() {
        return Some(f64::NAN);
    }
    if x <= xs[0] {
        return Some(ys[0]);
    }
    if x >= xs[last] {
        return Some(ys[last]);
    }
    // xs[i - 1] < x <= xs[i], with 1 <= i <= last.
    let i = xs.partition_point(|&v| v < x);
    let t = (x - xs[i - 1]) / (xs[i] - xs[i - 1]);
    Some(ys[i - 1] + t * (ys[i] - ys[i - 1]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn isotonic_interpolates_and_clips() {
        let c = Calibration::Isotonic {
            scores: vec![0.1, 0.3],
            probabilities: vec![0.0, 0.5],
        };
        c.validate().unwrap();
        assert_eq!(c.apply(0.0, 0.05), 0.0);
        assert!((c.apply(0.0, 0.2) - 0.25).abs() < 1e-15);
        assert_eq!(c.apply(0.0, 0.9), 0.5);
        assert!(c.apply(0.0, f64::NAN).is_nan());
    }

    #[test]
    fn platt_is_a_sigmoid_of_the_raw_score() {
        let c = Calibration::Platt { a: 2.0, b: -1.0 };
        assert_eq!(c.apply(0.5, 0.9), 0.5);
    }

    #[test]
    fn invalid_calibrations_are_refused() {
        for bad in [
            Calibration::Isotonic {
                scores: vec![],
                probabilities: vec![],
            },
            Calibration::Isotonic {
                scores: vec![0.2, 0.1],
                probabilities: vec![0.1, 0.2],
            },
            Calibration::Isotonic {
                scores: vec![0.1, 0.2],
                probabilities: vec![0.3, 0.2],
            },
            Calibration::Platt {
                a: f64::NAN,
                b: 0.0,
            },
        ] {
            assert!(bad.validate().is_err(), "{bad:?}");
        }
    }
}
