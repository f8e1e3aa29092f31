//! Population statistics published with a model: each feature's histogram
//! and percentiles over the training population, the baseline the service
//! places applicants against and later populations are compared with
//! (drift). [`Histogram::of`] is also how the service bins a filtered
//! population, so published and live histograms are built the same way.
//! Each feature also carries a histogram on the reference's own deciles
//! ([`Histogram::of_quantiles`], missing values in a bin of their own): a
//! later population binned on the same edges ([`Histogram::on_edges`])
//! should put about a tenth of its values in each bin, the drift baseline's
//! population stability comparison.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// File name of the reference statistics in a model artifact.
pub const REFERENCE_FILE: &str = "reference.json";
/// Bins of the published histograms.
pub const DEFAULT_BINS: usize = 20;
/// Bins of the quantile histograms (deciles of the reference).
pub const QUANTILE_BINS: usize = 10;
/// Percentiles stored per feature: 0, 1, ..., 100.
pub const PERCENTILES: usize = 101;

/// Counts of values in consecutive equal-width bins.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Histogram {
    /// Ascending edges, one more than `counts` (empty when no value is
    /// present). Bin i holds `[edges[i], edges[i + 1])`; the last bin also
    /// holds its upper edge. -inf falls in the first bin, +inf in the last.
    pub edges: Vec<f64>,
    pub counts: Vec<u64>,
    /// Values that are missing (NaN).
    pub missing: u64,
}

impl Histogram {
    /// Bins `values` (NaN = missing) into `bins` equal-width bins between
    /// the smallest and largest finite values (one bin when they are equal).
    pub fn of(values: impl IntoIterator<Item = f64>, bins: usize) -> Self {
        let bins = bins.max(1);
        let mut present = Vec::new();
        let mut missing = 0;
        for v in values {
            if v.is_nan() {
                missing += 1;
            } else {
                present.push(v);
            }
        }
        let finite = present.iter().copied().filter(|v| v.is_finite());
        let (lo, hi) = finite.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
            (lo.min(v), hi.max(v))
        });
        if present.is_empty() || lo > hi {
            // No value, or only infinities: one bin holding them all.
            let edges = if present.is_empty() {
                vec![]
            } else {
                vec![0.0, 0.0]
            };
            let counts = if present.is_empty() {
                vec![]
            } else {
                vec![present.len() as u64]
            };
            return Self {
                edges,
                counts,
                missing,
            };
        }
        let bins = if lo == hi { 1 } else { bins };
        let width = (hi - lo) / bins as f64;
        let mut edges: Vec<f64> = (0..bins).map(|i| lo + width * i as f64).collect();
        edges.push(hi);
        let mut counts = vec![0; bins];
        for v in present {
            counts[bin_of(&edges, v)] += 1;
        }
        Self {
            edges,
            counts,
            missing,
        }
    }

    /// Bins `values` on the `bins`-quantiles of their own finite values
    /// (linear interpolation; repeated quantiles merged, so a feature with
    /// few distinct values gets fewer bins); NaN counted as missing.
    pub fn of_quantiles(values: &[f64], bins: usize) -> Self {
        let mut finite: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
        finite.sort_by(f64::total_cmp);
        if finite.is_empty() {
            return Self::of(values.iter().copied(), 1);
        }
        let bins = bins.max(1);
        let mut edges: Vec<f64> = (0..=bins)
            .map(|i| quantile_sorted(&finite, i as f64 / bins as f64))
            .collect();
        edges.dedup();
        if edges.len() == 1 {
            edges.push(edges[0]);
        }
        Self::on_edges(values.iter().copied(), edges)
    }

    /// Bins `values` on given ascending `edges` (at least two), as
    /// [`Histogram::of`] does: values below the first edge fall in the
    /// first bin, above the last in the last; NaN counted as missing.
    pub fn on_edges(values: impl IntoIterator<Item = f64>, edges: Vec<f64>) -> Self {
        let bins = edges.len().saturating_sub(1).max(1);
        let mut counts = vec![0; bins];
        let mut missing = 0;
        for v in values {
            if v.is_nan() {
                missing += 1;
            } else if edges.len() < 2 {
                counts[0] += 1;
            } else {
                counts[bin_of(&edges, v)] += 1;
            }
        }
        Self {
            edges,
            counts,
            missing,
        }
    }

    /// Number of non-missing values.
    pub fn present(&self) -> u64 {
        self.counts.iter().sum()
    }
}

fn bin_of(edges: &[f64], v: f64) -> usize {
    let bins = edges.len() - 1;
    // First edge greater than v, minus one; clamped into the bins.
    edges
        .partition_point(|&e| e <= v)
        .saturating_sub(1)
        .min(bins - 1)
}

/// One feature over the reference population.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeatureReference {
    pub name: String,
    pub histogram: Histogram,
    /// The same values on the reference's own deciles, missing apart (the
    /// drift baseline); absent from statistics published before it existed.
    #[serde(default)]
    pub quantile_histogram: Option<Histogram>,
    /// The 0th..100th percentiles of the non-missing values (linear
    /// interpolation, as numpy's default); empty when none is present.
    pub percentiles: Vec<f64>,
}

impl FeatureReference {
    pub fn of(name: impl Into<String>, values: &[f64], bins: usize) -> Self {
        let mut present: Vec<f64> = values.iter().copied().filter(|v| !v.is_nan()).collect();
        present.sort_by(f64::total_cmp);
        let percentiles = if present.is_empty() {
            Vec::new()
        } else {
            (0..PERCENTILES)
                .map(|p| quantile_sorted(&present, p as f64 / 100.0))
                .collect()
        };
        Self {
            name: name.into(),
            histogram: Histogram::of(values.iter().copied(), bins),
            quantile_histogram: Some(Histogram::of_quantiles(values, QUANTILE_BINS)),
            percentiles,
        }
    }

    /// Percent (0-100) of the reference's non-missing values at or below
    /// `value`, read off the stored percentiles; `None` for a missing value
    /// or a feature with no value in the reference.
    pub fn percentile_of(&self, value: f64) -> Option<f64> {
        let q = &self.percentiles;
        if value.is_nan() || q.is_empty() {
            return None;
        }
        if value < q[0] {
            return Some(0.0);
        }
        // Last stored percentile <= value.
        let at_or_below = q.partition_point(|&p| p <= value);
        Some((at_or_below - 1) as f64 * 100.0 / (q.len() - 1) as f64)
    }
}

/// The `q`-quantile (0..=1) of sorted, non-empty values, interpolated.
pub fn quantile_sorted(sorted: &[f64], q: f64) -> f64 {
    let position = q * (sorted.len() - 1) as f64;
    let below = position.floor() as usize;
    let above = position.ceil() as usize;
    let t = position - below as f64;
    if below == above || sorted[below] == sorted[above] {
        sorted[below]
    } else {
        sorted[below] + t * (sorted[above] - sorted[below])
    }
}

/// Everything in `reference.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReferenceStats {
    /// What population the statistics describe (e.g. "training split").
    pub population: String,
    pub rows: u64,
    /// One per model feature, in model order.
    pub features: Vec<FeatureReference>,
    /// The published probability of default over the same population.
    pub probability_of_default: FeatureReference,
}

impl ReferenceStats {
    /// Builds the statistics of a row-major matrix (`feature_names.len()`
    /// columns, NaN missing) and the probabilities of its rows.
    pub fn of_rows(
        population: impl Into<String>,
        feature_names: &[String],
        rows: &[f64],
        probabilities: &[f64],
        bins: usize,
    ) -> Result<Self> {
        let n = feature_names.len();
        if n == 0 || rows.len() != n * probabilities.len() {
            return Err(Error::RaggedBatch {
                len: rows.len(),
                n_features: n,
            });
        }
        let mut column = Vec::with_capacity(probabilities.len());
        let features = feature_names
            .iter()
            .enumerate()
            .map(|(j, name)| {
                column.clear();
                column.extend(rows.iter().skip(j).step_by(n).copied());
                FeatureReference::of(name.clone(), &column, bins)
            })
            .collect();
        Ok(Self {
            population: population.into(),
            rows: probabilities.len() as u64,
            features,
            probability_of_default: FeatureReference::of(
                "probability_of_default",
                probabilities,
                bins,
            ),
        })
    }

    pub fn feature(&self, name: &str) -> Option<&FeatureReference> {
        self.features.iter().find(|f| f.name == name)
    }

    /// Checks the statistics describe exactly the model's features.
    pub fn check_features(&self, feature_names: &[String]) -> Result<()> {
        let same = self.features.len() == feature_names.len()
            && self
                .features
                .iter()
                .zip(feature_names)
                .all(|(f, n)| &f.name == n);
        if same {
            Ok(())
        } else {
            Err(Error::InvalidManifest {
                reason: format!(
                    "{REFERENCE_FILE} does not describe the model's {} features in order",
                    feature_names.len()
                ),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histogram_counts_every_value_once() {
        let h = Histogram::of([0.0, 1.0, 2.0, 3.0, 4.0, f64::NAN, f64::INFINITY], 4);
        assert_eq!(h.edges, vec![0.0, 1.0, 2.0, 3.0, 4.0]);
        assert_eq!(h.counts, vec![1, 1, 1, 3]);
        assert_eq!(h.missing, 1);
        assert_eq!(h.present(), 6);
    }

    #[test]
    fn quantile_histogram_has_equal_counts_and_missing_apart() {
        let mut values: Vec<f64> = (1..=10).map(f64::from).collect();
        values.push(f64::NAN);
        let h = Histogram::of_quantiles(&values, 10);
        assert_eq!(h.edges.len(), 11);
        assert_eq!((h.edges[0], h.edges[10]), (1.0, 10.0));
        assert!((h.edges[1] - 1.9).abs() < 1e-12);
        assert_eq!(h.counts, vec![1; 10]);
        assert_eq!(h.missing, 1);
        // A later population binned on the same edges.
        let later = Histogram::on_edges([0.0, 5.5, 11.0, f64::NAN], h.edges.clone());
        assert_eq!((later.counts[0], later.counts[9], later.missing), (1, 1, 1));
        // Few distinct values: repeated deciles merge.
        let h = Histogram::of_quantiles(&[0.0, 0.0, 0.0, 1.0], 10);
        assert_eq!(h.counts.iter().sum::<u64>(), 4);
        assert!(h.edges.windows(2).all(|w| w[0] < w[1]), "{:?}", h.edges);
        let h = Histogram::of_quantiles(&[3.0, 3.0], 10);
        assert_eq!((h.edges, h.counts), (vec![3.0, 3.0], vec![2]));
    }

    #[test]
    fn constant_and_empty_columns() {
        let h = Histogram::of([2.0, 2.0], 10);
        assert_eq!((h.edges, h.counts), (vec![2.0, 2.0], vec![2]));
        let h = Histogram::of([f64::NAN], 10);
        assert!(h.edges.is_empty() && h.counts.is_empty());
        assert_eq!(h.missing, 1);
    }

    #[test]
    fn percentiles_match_numpy_linear_interpolation() {
        let values: Vec<f64> = (1..=5).map(f64::from).collect();
        let r = FeatureReference::of("x", &values, 4);
        // numpy.percentile([1,2,3,4,5], 25) == 2.0; 10 -> 1.4
        assert_eq!(r.percentiles[25], 2.0);
        assert!((r.percentiles[10] - 1.4).abs() < 1e-12);
        assert_eq!(r.percentile_of(0.0), Some(0.0));
        assert_eq!(r.percentile_of(5.0), Some(100.0));
        assert_eq!(r.percentile_of(3.0), Some(50.0));
        assert_eq!(r.percentile_of(f64::NAN), None);
    }
}
