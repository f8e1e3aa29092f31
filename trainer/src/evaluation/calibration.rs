//! Calibration: do clients given a PD of p default at rate p?
//!
//! Two binnings. Equal-width ([`calibration_curve`]): bin `b` holds
//! `b/bins <= p < (b+1)/bins`, and p = 1 falls in the last bin. Equal-count
//! ([`calibration_by_quantile`], what the trainer publishes): the clients
//! sorted by p are cut into `bins` groups whose sizes differ by at most one
//! (PD deciles for 10 bins), so that with most PDs under 0.1 every bin
//! still holds a tenth of the clients; each bin's observed rate comes with
//! its Wilson 95% interval.

use serde::Serialize;

use super::bootstrap::wilson_interval;
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

/// One equal-count bin with the interval of its observed default rate.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct QuantileBin {
    /// Smallest and largest probability in the bin.
    pub lowest: f64,
    pub highest: f64,
    pub mean_predicted: f64,
    pub observed_rate: f64,
    /// Wilson 95% interval of `observed_rate`.
    pub observed_low: f64,
    pub observed_high: f64,
    pub defaulters: u64,
    pub count: u64,
}

/// The reliability curve on `bins` equal-count bins (fewer when there are
/// fewer clients), by increasing probability; clients of equal probability
/// are ordered by position, so the binning is deterministic.
pub fn calibration_by_quantile<L: DefaultLabel>(
    probabilities: &[f64],
    labels: &[L],
    bins: usize,
) -> Result<Vec<QuantileBin>> {
    let defaulted = validate("calibration by quantile", probabilities, labels)?;
    if bins == 0 {
        return Err(Error::InvalidBinCount { bins });
    }
    let n = probabilities.len();
    let bins = bins.min(n);
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| probabilities[a].total_cmp(&probabilities[b]));
    Ok((0..bins)
        .map(|b| {
            let members = &order[b * n / bins..(b + 1) * n / bins];
            let count = members.len() as u64;
            let defaulters = members.iter().filter(|&&i| defaulted[i]).count() as u64;
            let sum: f64 = members.iter().map(|&i| probabilities[i]).sum();
            let (observed_low, observed_high) = wilson_interval(defaulters, count);
            QuantileBin {
                lowest: probabilities[members[0]],
                highest: probabilities[members[members.len() - 1]],
                mean_predicted: sum / count as f64,
                observed_rate: defaulters as f64 / count as f64,
                observed_low,
                observed_high,
                defaulters,
                count,
            }
        })
        .collect())
}

/// Expected calibration error on equal-count bins: `Σ_b (n_b / n) · |mean
/// predicted_b − observed rate_b|`.
pub fn expected_calibration_error_by_quantile<L: DefaultLabel>(
    probabilities: &[f64],
    labels: &[L],
    bins: usize,
) -> Result<f64> {
    let curve = calibration_by_quantile(probabilities, labels, bins)?;
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
