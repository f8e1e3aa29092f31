//! Drift: how far the applicants a model scores have moved from the
//! population it was trained on, measured by the population stability
//! index (PSI) on bins fixed by the published reference.
//!
//! - [`DriftBins`]: per feature and for the probability of default, the
//!   bin edges and counts of the reference's quantile histogram
//!   ([`FeatureReference::quantile_histogram`]: deciles, missing values in
//!   a bin of their own), and the bin a value falls in (binary search on
//!   the edges, no allocation);
//! - [`psi`]: the index of two histograms on the same bins;
//! - [`window`]: the live histograms over a sliding window of the last N
//!   applicants and/or the last T, recorded with relaxed atomic increments.
//!
//! PSI = Σ (live_i − ref_i) · ln(live_i / ref_i) over the bins (missing
//! included), with each side's counts turned into shares of its total. An
//! empty bin's share is raised to [`PSI_EPSILON`] so the logarithm stays
//! finite: a bin empty on one side and holding a share s on the other adds
//! about s · ln(s / ε). Conventional reading: below 0.1 stable, 0.1 to
//! 0.25 worth watching, above 0.25 a shift to act on.

pub mod window;

use crate::reference::{FeatureReference, Histogram, ReferenceStats};

pub use window::{DriftSnapshot, DriftTracker, FeatureDrift, WindowSettings};

/// The share an empty bin is given in [`psi`] (1 in 10,000), so that a
/// bin empty on one side counts as a large but finite shift.
pub const PSI_EPSILON: f64 = 1e-4;

/// Population stability index of `live` against `reference`: counts per
/// bin on the same bins (the missing bin included), in the same order.
/// `None` when either side holds no value or the bins differ in number.
pub fn psi(reference: &[u64], live: &[u64]) -> Option<f64> {
    let total = |counts: &[u64]| counts.iter().sum::<u64>() as f64;
    let (ref_total, live_total) = (total(reference), total(live));
    if reference.len() != live.len() || ref_total == 0.0 || live_total == 0.0 {
        return None;
    }
    let share = |count: u64, total: f64| (count as f64 / total).max(PSI_EPSILON);
    Some(
        reference
            .iter()
            .zip(live)
            .map(|(&r, &l)| {
                let (r, l) = (share(r, ref_total), share(l, live_total));
                (l - r) * (l / r).ln()
            })
            .sum(),
    )
}

/// One tracked quantity's bins: its reference histogram's edges and counts.
#[derive(Debug, Clone, PartialEq)]
pub struct TrackedBins {
    /// The feature's name (`probability_of_default` for the score).
    pub name: String,
    /// Ascending edges; bin i holds `[edges[i], edges[i + 1])`, values below
    /// the first edge fall in the first bin, above the last in the last.
    pub edges: Vec<f64>,
    /// Reference counts per bin, then the missing count last (`bins() + 1`
    /// entries).
    pub reference: Vec<u64>,
}

impl TrackedBins {
    /// The bins of a published feature: its quantile histogram, or for
    /// statistics published before quantile histograms existed, its
    /// equal-width histogram.
    pub fn of(feature: &FeatureReference) -> Self {
        let histogram = feature
            .quantile_histogram
            .as_ref()
            .unwrap_or(&feature.histogram);
        Self::of_histogram(&feature.name, histogram)
    }

    fn of_histogram(name: &str, histogram: &Histogram) -> Self {
        // A reference with no present value has no edges: one bin then.
        let bins = histogram.edges.len().saturating_sub(1).max(1);
        let mut reference = vec![0; bins + 1];
        for (slot, count) in reference.iter_mut().zip(&histogram.counts) {
            *slot = *count;
        }
        reference[bins] = histogram.missing;
        Self {
            name: name.to_owned(),
            edges: histogram.edges.clone(),
            reference,
        }
    }

    /// Bins for present values (the missing bin is one more).
    pub fn bins(&self) -> usize {
        self.reference.len() - 1
    }

    /// The bin `value` falls in: `bins()` for a missing (NaN) value.
    pub fn bin_of(&self, value: f64) -> usize {
        let bins = self.bins();
        if value.is_nan() {
            return bins;
        }
        // First edge greater than the value, minus one, kept in the bins.
        self.edges
            .partition_point(|&e| e <= value)
            .saturating_sub(1)
            .min(bins - 1)
    }
}

/// Every quantity tracked for one model: its features in model order, and
/// the probability of default.
#[derive(Debug, Clone, PartialEq)]
pub struct DriftBins {
    pub features: Vec<TrackedBins>,
    pub score: TrackedBins,
}

impl DriftBins {
    /// The bins of a published reference.
    pub fn of(reference: &ReferenceStats) -> Self {
        Self {
            features: reference.features.iter().map(TrackedBins::of).collect(),
            score: TrackedBins::of(&reference.probability_of_default),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn psi_of_a_hand_worked_example_equals_the_formula() {
        // Reference shares 0.25 0.25 0.5 (missing 0), live 0.5 0.25 0.25.
        let reference = [25, 25, 50, 0];
        let live = [50, 25, 25, 0];
        let by_hand =
            (0.5 - 0.25) * (0.5f64 / 0.25).ln() + 0.0 + (0.25 - 0.5) * (0.25f64 / 0.5).ln() + 0.0;
        let got = psi(&reference, &live).expect("both sides have values");
        assert!((got - by_hand).abs() < 1e-12, "{got} vs {by_hand}");
        assert!((got - 0.5 * 2f64.ln()).abs() < 1e-12);
        assert_eq!(psi(&reference, &reference), Some(0.0));
    }

    #[test]
    fn an_empty_bin_counts_with_the_epsilon_share() {
        let got = psi(&[1, 1], &[2, 0]).expect("values");
        let by_hand =
            (1.0 - 0.5) * (1.0f64 / 0.5).ln() + (PSI_EPSILON - 0.5) * (PSI_EPSILON / 0.5).ln();
        assert!((got - by_hand).abs() < 1e-12, "{got} vs {by_hand}");
        assert_eq!(psi(&[0, 0], &[1, 1]), None, "no reference value");
        assert_eq!(psi(&[1, 1], &[0, 0]), None, "no live value");
        assert_eq!(psi(&[1, 1], &[1, 1, 1]), None, "different bins");
    }

    #[test]
    fn values_fall_in_the_reference_bins_and_missing_apart() {
        let values: Vec<f64> = (1..=10).map(f64::from).chain([f64::NAN]).collect();
        let feature = FeatureReference::of("x", &values, 4);
        let bins = TrackedBins::of(&feature);
        assert_eq!(bins.bins(), 10);
        assert_eq!(bins.reference, [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]);
        assert_eq!(bins.bin_of(f64::NAN), 10);
        assert_eq!(bins.bin_of(-100.0), 0);
        assert_eq!(bins.bin_of(1.0), 0);
        assert_eq!(bins.bin_of(1.95), 1);
        assert_eq!(bins.bin_of(10.0), 9);
        assert_eq!(bins.bin_of(f64::INFINITY), 9);
        // Each reference value lands in the bin the reference counted it in.
        let mut counts = vec![0; 11];
        for v in &values {
            counts[bins.bin_of(*v)] += 1;
        }
        assert_eq!(counts, bins.reference);
    }

    #[test]
    fn a_reference_without_present_values_has_one_bin() {
        let feature = FeatureReference::of("x", &[f64::NAN, f64::NAN], 4);
        let bins = TrackedBins::of(&feature);
        assert_eq!((bins.bins(), bins.reference.clone()), (1, vec![0, 2]));
        assert_eq!(bins.bin_of(3.0), 0);
        assert_eq!(bins.bin_of(f64::NAN), 1);
    }
}
