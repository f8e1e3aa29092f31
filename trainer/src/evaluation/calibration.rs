//! Calibration: do clients given a PD of p default at rate p?
//!
//! Probabilities are put into `bins` equal-width bins over [0, 1]; bin `b`
//! holds `b/bins <= p < (b+1)/bins`, and p = 1 falls in the last bin.

use serde::Serialize;

use super::{DefaultLabel, validate};
use crate::{Error, Result};

/// One non-empty bin of the calibration curve.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct CalibrationBin {
    /// Lower edge of the bin (inclusive).
    pub lower: f64,
    /// Upper edge of the bin (exclusive, except 1 for the last bin).
    pub upper: f64,
    /// Mean predicted probability of the clients in the bin.
    pub mean_predicted: f64,
    /// Share of the clients in the bin who defaulted.
    pub observed_rate: f64,
    /// Number of clients in the bin.
    pub count: u64,
}

/// The calibration curve: one entry per non-empty bin, in increasing order
/// (empty bins are left out, as scikit-learn's `calibration_curve`).
pub fn calibration_curve<L: DefaultLabel>(
    probabilities: &[f64],
    labels: &[L],
    bins: usize,
) -> Result<Vec<CalibrationBin>> {
    let defaulted = validate("calibration curve", probabilities, labels)?;
    if bins == 0 {
        return Err(Error::InvalidBinCount { bins });
    }
    // Per bin: (sum of probabilities, defaulters, count).
    let mut sums = vec![(0.0_f64, 0u64, 0u64); bins];
    for (&p, &d) in probabilities.iter().zip(&defaulted) {
        // p is in [0, 1], so the product is in [0, bins]; truncation is the floor.
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let index = ((p * bins as f64) as usize).min(bins - 1);
        let bin = &mut sums[index];
        bin.0 += p;
        bin.1 += u64::from(d);
        bin.2 += 1;
    }
    Ok(sums
        .iter()
        .enumerate()
        .filter(|(_, (_, _, count))| *count > 0)
        .map(|(b, &(sum, defaulters, count))| CalibrationBin {
            lower: b as f64 / bins as f64,
            upper: (b + 1) as f64 / bins as f64,
            mean_predicted: sum / count as f64,
            observed_rate: defaulters as f64 / count as f64,
            count,
        })
        .collect())
}

/// Expected calibration error: `Σ_b (n_b / n) · |mean predicted_b −
/// observed rate_b|` over the equal-width bins.
pub fn expected_calibration_error<L: DefaultLabel>(
    probabilities: &[f64],
    labels: &[L],
    bins: usize,
) -> Result<f64> {
    let curve = calibration_curve(probabilities, labels, bins)?;
    let total = probabilities.len() as f64;
    Ok(curve
        .iter()
        .map(|bin| bin.count as f64 / total * (bin.mean_predicted - bin.observed_rate).abs())
        .sum())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edges_fall_in_the_upper_bin_and_one_in_the_last() {
        let curve = calibration_curve(&[0.0, 0.5, 1.0], &[0u8, 0, 1], 2).expect("valid");
        let counts: Vec<u64> = curve.iter().map(|b| b.count).collect();
        assert_eq!(counts, vec![1, 2]);
    }

    #[test]
    fn perfectly_calibrated_has_zero_error() {
        let ece = expected_calibration_error(&[0.5, 0.5], &[0u8, 1], 10).expect("valid");
        assert_eq!(ece, 0.0);
    }
}
