//! What the shadow worker accumulates for one pair of live and challenger
//! versions: decision agreement per strategy (each version with its own
//! thresholds), the distribution of probability differences, and both
//! versions' score distributions on the live reference's score bins.

use std::time::SystemTime;

use scoring_core::drift::{TrackedBins, psi};
use scoring_core::{Strategy, Thresholds};

/// Edges of the probability difference (challenger minus live) histogram.
pub const DIFFERENCE_EDGES: [f64; 13] = [
    -1.0, -0.2, -0.1, -0.05, -0.02, -0.01, 0.0, 0.01, 0.02, 0.05, 0.1, 0.2, 1.0,
];

/// One live and challenger pair's comparison since they were paired.
#[derive(Debug, Clone)]
pub struct Comparison {
    pub live_version: String,
    pub challenger_version: String,
    pub since: SystemTime,
    /// Whether both versions take the same features in the same order
    /// (otherwise nothing is compared).
    pub compatible: bool,
    /// The bins both score distributions are counted on.
    pub score_bins: TrackedBins,
    pub live_scores: Vec<u64>,
    pub challenger_scores: Vec<u64>,
    pub compared: u64,
    /// Per strategy, in [`Strategy::ALL`] order.
    pub agreed: [u64; 3],
    /// Per bin of [`DIFFERENCE_EDGES`].
    pub differences: Vec<u64>,
    /// Applicants the challenger failed to score.
    pub failures: u64,
}

impl Comparison {
    pub fn new(
        live_version: &str,
        challenger_version: &str,
        compatible: bool,
        score_bins: TrackedBins,
    ) -> Self {
        let bins = score_bins.reference.len();
        Self {
            live_version: live_version.to_owned(),
            challenger_version: challenger_version.to_owned(),
            since: SystemTime::now(),
            compatible,
            score_bins,
            live_scores: vec![0; bins],
            challenger_scores: vec![0; bins],
            compared: 0,
            agreed: [0; 3],
            differences: vec![0; DIFFERENCE_EDGES.len() - 1],
            failures: 0,
        }
    }

    /// Whether this comparison is of these two versions.
    pub fn pairs(&self, live_version: &str, challenger_version: &str) -> bool {
        self.live_version == live_version && self.challenger_version == challenger_version
    }

    /// Adds one applicant both versions scored.
    pub fn add(&mut self, live: (&Thresholds, f64), challenger: (&Thresholds, f64)) {
        let (live_thresholds, p_live) = live;
        let (challenger_thresholds, p_challenger) = challenger;
        self.compared += 1;
        for (agreed, strategy) in self.agreed.iter_mut().zip(Strategy::ALL) {
            let same = live_thresholds.outcome(strategy, p_live)
                == challenger_thresholds.outcome(strategy, p_challenger);
            *agreed += u64::from(same);
        }
        let difference = p_challenger - p_live;
        let bin = DIFFERENCE_EDGES
            .partition_point(|&e| e <= difference)
            .saturating_sub(1)
            .min(self.differences.len() - 1);
        self.differences[bin] += 1;
        self.live_scores[self.score_bins.bin_of(p_live)] += 1;
        self.challenger_scores[self.score_bins.bin_of(p_challenger)] += 1;
    }

    /// Agreement rate per strategy; `None` before any comparison.
    pub fn agreement(&self, strategy: Strategy) -> Option<f64> {
        let k = Strategy::ALL.iter().position(|s| *s == strategy)?;
        (self.compared > 0).then(|| self.agreed[k] as f64 / self.compared as f64)
    }

    /// PSI of the challenger's scores against the live version's.
    pub fn score_psi(&self) -> Option<f64> {
        psi(&self.live_scores, &self.challenger_scores)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use scoring_core::reference::FeatureReference;

    const LIVE: Thresholds = Thresholds {
        prudent: 0.3,
        normal: 0.5,
        aggressive: 0.7,
    };
    const REFUSE_ALL: Thresholds = Thresholds {
        prudent: 0.0,
        normal: 0.0,
        aggressive: 0.0,
    };

    fn bins() -> TrackedBins {
        let scores: Vec<f64> = (0..100).map(|i| f64::from(i) / 100.0).collect();
        TrackedBins::of(&FeatureReference::of("probability_of_default", &scores, 10))
    }

    #[test]
    fn a_challenger_that_refuses_all_agrees_on_the_live_refusals_only() {
        let mut comparison = Comparison::new("v1", "v2", true, bins());
        for p in [0.1, 0.4, 0.6, 0.8] {
            comparison.add((&LIVE, p), (&REFUSE_ALL, p));
        }
        // The live version refuses 3 of 4 prudently, 2 normally, 1 aggressively.
        assert_eq!(comparison.agreement(Strategy::Prudent), Some(0.75));
        assert_eq!(comparison.agreement(Strategy::Normal), Some(0.5));
        assert_eq!(comparison.agreement(Strategy::Aggressive), Some(0.25));
        assert_eq!(comparison.differences[6], 4, "every difference is 0");
        assert_eq!(comparison.score_psi(), Some(0.0), "same probabilities");
    }

    #[test]
    fn differences_and_score_distributions_are_binned() {
        let mut comparison = Comparison::new("v1", "v2", true, bins());
        comparison.add((&LIVE, 0.05), (&LIVE, 0.95));
        comparison.add((&LIVE, 0.5), (&LIVE, 0.485));
        assert_eq!(comparison.differences[11], 1, "+0.9 in [0.2, 1]");
        assert_eq!(comparison.differences[4], 1, "-0.015 in [-0.02, -0.01)");
        assert_eq!(
            comparison.live_scores[0] + comparison.challenger_scores[9],
            2
        );
        assert!(comparison.score_psi().expect("compared") > 0.25);
        let empty = Comparison::new("v1", "v2", true, bins());
        assert_eq!(
            (empty.agreement(Strategy::Normal), empty.score_psi()),
            (None, None)
        );
        assert!(empty.pairs("v1", "v2") && !empty.pairs("v1", "v3"));
    }
}
