//! Probability calibration: maps a model's scores to probabilities of
//! default that match observed default rates.
//!
//! - [`IsotonicCalibrator`]: a non-decreasing step-and-ramp map fitted by
//!   pool-adjacent-violators; flexible, needs a few thousand clients.
//! - [`PlattCalibrator`]: a logistic map `sigmoid(a · score + b)`; two
//!   parameters, robust on small calibration sets. It is fitted with the
//!   served [`sigmoid`], so the fit is of the function the service applies.
//!
//! Both are fitted on held-out scores (never the training rows) with `&[u8]`
//! labels (1 = defaulted) and serialise with serde so they are stored beside
//! the model they calibrate.

use scoring_core::sigmoid;
use serde::{Deserialize, Serialize};

use super::sampling::check_labels;
use crate::{Error, Result};

/// Isotonic regression of the default label on the score, with prediction
/// as scikit-learn's `IsotonicRegression(out_of_bounds="clip")`: linear
/// interpolation between the fitted breakpoints, and the end values outside
/// the fitted score range.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IsotonicCalibrator {
    /// Breakpoint scores, strictly increasing.
    scores: Vec<f64>,
    /// Fitted probability at each breakpoint, non-decreasing.
    probabilities: Vec<f64>,
}

impl IsotonicCalibrator {
    /// Fits by pool-adjacent-violators. Clients with equal scores are pooled
    /// first (their mean label is one point of weight = their count), then
    /// adjacent blocks whose means are not increasing are merged into their
    /// weighted mean until the means increase strictly. Each block gives a
    /// breakpoint at its lowest and at its highest score, both at the
    /// block's mean.
    pub fn fit(scores: &[f64], labels: &[u8]) -> Result<Self> {
        let order = checked_order(scores, labels)?;

        // One point per distinct score: its mean label, weighted by count.
        let mut points: Vec<Block> = Vec::new();
        for row in order {
            let (score, label) = (scores[row], f64::from(labels[row]));
            match points.last_mut() {
                Some(last) if last.high == score => {
                    last.sum += label;
                    last.count += 1.0;
                }
                _ => points.push(Block {
                    low: score,
                    high: score,
                    sum: label,
                    count: 1.0,
                }),
            }
        }

        // Pool adjacent violators: merge while the means do not increase.
        let mut blocks: Vec<Block> = Vec::with_capacity(points.len());
        for point in points {
            let mut current = point;
            while let Some(previous) = blocks.last() {
                if previous.mean() < current.mean() {
                    break;
                }
                current = Block {
                    low: previous.low,
                    high: current.high,
                    sum: previous.sum + current.sum,
                    count: previous.count + current.count,
                };
                blocks.pop();
            }
            blocks.push(current);
        }

        let mut calibrator = Self {
            scores: Vec::with_capacity(2 * blocks.len()),
            probabilities: Vec::with_capacity(2 * blocks.len()),
        };
        for block in blocks {
            let mean = block.mean();
            calibrator.scores.push(block.low);
            calibrator.probabilities.push(mean);
            if block.high > block.low {
                calibrator.scores.push(block.high);
                calibrator.probabilities.push(mean);
            }
        }
        Ok(calibrator)
    }

    /// The calibrated probability of default for `score`. A NaN score gives
    /// NaN.
    pub fn predict(&self, score: f64) -> f64 {
        // The served model's own interpolation, so trainer and service agree.
        // Empty only for a hand-edited stored calibrator.
        scoring_core::model::interpolate_clipped(&self.scores, &self.probabilities, score)
            .unwrap_or(f64::NAN)
    }

    /// [`Self::predict`] for every score.
    pub fn predict_all(&self, scores: &[f64]) -> Vec<f64> {
        scores.iter().map(|&score| self.predict(score)).collect()
    }

    /// The fitted breakpoints as (score, probability), scores increasing.
    pub fn breakpoints(&self) -> impl Iterator<Item = (f64, f64)> + '_ {
        self.scores
            .iter()
            .copied()
            .zip(self.probabilities.iter().copied())
    }
}

#[derive(Debug, Clone, Copy)]
struct Block {
    low: f64,
    high: f64,
    sum: f64,
    count: f64,
}

impl Block {
    fn mean(&self) -> f64 {
        self.sum / self.count
    }
}

/// Platt scaling: `P(default | score) = sigmoid(a · score + b)`.
///
/// Fitted as in Platt (1999) with the Newton method and backtracking line
/// search of Lin, Lin & Weng (2007), "A note on Platt's probabilistic
/// outputs for support vector machines". To avoid overfitting, the 0/1
/// labels are replaced by Platt's smoothed targets: `(N₊ + 1) / (N₊ + 2)`
/// for defaulters and `1 / (N₋ + 2)` for good payers, where `N₊` and `N₋`
/// count them; the log loss against those targets is minimised. (Platt
/// writes `1 / (1 + exp(A·f + B))`, so `a = −A`, `b = −B`.)
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PlattCalibrator {
    /// Slope on the score.
    pub a: f64,
    /// Intercept.
    pub b: f64,
}

impl PlattCalibrator {
    /// Newton iterations at most; convergence usually takes fewer than ten.
    const MAX_ITERATIONS: usize = 100;
    /// Stop when both gradient components are below this.
    const GRADIENT_TOLERANCE: f64 = 1e-5;
    /// Smallest line-search step before giving up on improving further.
    const MIN_STEP: f64 = 1e-10;
    /// Ridge added to the Hessian's diagonal, keeping it invertible.
    const RIDGE: f64 = 1e-12;

    /// Fits `a` and `b` on held-out scores and labels. A single class is
    /// allowed (the smoothed targets keep the fit finite).
    pub fn fit(scores: &[f64], labels: &[u8]) -> Result<Self> {
        checked_order(scores, labels)?;
        let positives = labels.iter().filter(|&&label| label == 1).count() as f64;
        let negatives = labels.len() as f64 - positives;
        let high = (positives + 1.0) / (positives + 2.0);
        let low = 1.0 / (negatives + 2.0);
        let targets: Vec<f64> = labels
            .iter()
            .map(|&label| if label == 1 { high } else { low })
            .collect();

        let loss = |a: f64, b: f64| -> f64 {
            scores
                .iter()
                .zip(&targets)
                .map(|(&s, &t)| {
                    let f = a * s + b;
                    softplus(f) - t * f
                })
                .sum()
        };

        let mut a = 0.0;
        let mut b = ((positives + 1.0) / (negatives + 1.0)).ln();
        let mut current = loss(a, b);
        for _ in 0..Self::MAX_ITERATIONS {
            // Gradient and Hessian of the loss in (a, b).
            let (mut g_a, mut g_b) = (0.0, 0.0);
            let (mut h_aa, mut h_ab, mut h_bb) = (Self::RIDGE, 0.0, Self::RIDGE);
            for (&s, &t) in scores.iter().zip(&targets) {
                let p = sigmoid(a * s + b);
                let w = p * (1.0 - p);
                g_a += (p - t) * s;
                g_b += p - t;
                h_aa += w * s * s;
                h_ab += w * s;
                h_bb += w;
            }
            if g_a.abs() < Self::GRADIENT_TOLERANCE && g_b.abs() < Self::GRADIENT_TOLERANCE {
                break;
            }
            // Newton direction: −H⁻¹ g.
            let det = h_aa * h_bb - h_ab * h_ab;
            let d_a = -(h_bb * g_a - h_ab * g_b) / det;
            let d_b = -(-h_ab * g_a + h_aa * g_b) / det;
            let slope = g_a * d_a + g_b * d_b;

            let mut step = 1.0;
            let mut improved = false;
            while step >= Self::MIN_STEP {
                let (new_a, new_b) = (a + step * d_a, b + step * d_b);
                let candidate = loss(new_a, new_b);
                if candidate < current + 1e-4 * step * slope {
                    (a, b, current) = (new_a, new_b, candidate);
                    improved = true;
                    break;
                }
                step /= 2.0;
            }
            if !improved {
                // Within rounding of the optimum: no step lowers the loss.
                break;
            }
        }
        Ok(Self { a, b })
    }

    /// The calibrated probability of default for `score`.
    pub fn predict(&self, score: f64) -> f64 {
        sigmoid(self.a * score + self.b)
    }

    /// [`Self::predict`] for every score.
    pub fn predict_all(&self, scores: &[f64]) -> Vec<f64> {
        scores.iter().map(|&score| self.predict(score)).collect()
    }
}

/// Checks scores and labels (lengths, emptiness, finite scores, 0/1 labels)
/// and returns the row order by increasing score.
fn checked_order(scores: &[f64], labels: &[u8]) -> Result<Vec<usize>> {
    if scores.len() != labels.len() {
        return Err(Error::TrainingLengthMismatch {
            expected: "scores",
            expected_len: scores.len(),
            found: "labels",
            found_len: labels.len(),
        });
    }
    if scores.is_empty() {
        return Err(Error::TrainingEmpty {
            parameter: "scores",
        });
    }
    if let Some((index, &value)) = scores.iter().enumerate().find(|(_, s)| !s.is_finite()) {
        return Err(Error::CalibrationNonFiniteScore { index, value });
    }
    check_labels("labels", labels)?;
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_by(|&i, &j| scores[i].total_cmp(&scores[j]));
    Ok(order)
}

/// `ln(1 + e^x)` without overflow.
fn softplus(x: f64) -> f64 {
    x.max(0.0) + (-x.abs()).exp().ln_1p()
}
