//! The wire form of drift and of the shadow challenger's comparison.

use scoring_core::Strategy;
use scoring_core::drift::{DriftSnapshot, FeatureDrift, WindowSettings};
use scoring_proto::scoring::v1 as pb;

use super::ToWire;
use crate::monitor::comparison::{Comparison, DIFFERENCE_EDGES};

/// One quantity's drift, with the feature's description.
pub fn feature_drift_to_wire(drift: &FeatureDrift, description: &str) -> pb::FeatureDrift {
    let FeatureDrift {
        name,
        edges,
        reference,
        live,
        psi,
    } = drift;
    let (reference_counts, reference_missing) = split_missing(reference);
    let (live_counts, live_missing) = split_missing(live);
    pb::FeatureDrift {
        feature: name.clone(),
        description: description.to_owned(),
        psi: *psi,
        histogram: Some(pb::DriftHistogram {
            bin_edges: edges.clone(),
            reference_counts,
            reference_missing,
            live_counts,
            live_missing,
        }),
    }
}

/// Counts per bin with the missing count last, split.
fn split_missing(counts: &[u64]) -> (Vec<u64>, u64) {
    match counts.split_last() {
        Some((missing, bins)) => (bins.to_vec(), *missing),
        None => (Vec::new(), 0),
    }
}

/// What the window keeps, and where it starts.
pub fn window_to_wire(snapshot: &DriftSnapshot) -> pb::DriftWindow {
    let WindowSettings {
        max_applicants,
        duration,
        sub_windows: _,
    } = snapshot.settings;
    pb::DriftWindow {
        max_applicants: max_applicants.unwrap_or(0),
        duration_seconds: duration.map_or(0, |d| d.as_secs()),
        start: snapshot.window_start.map(prost_types::Timestamp::from),
    }
}

/// The challenger's comparison; `dropped` is the server's count of
/// applicants the full queue left out.
pub fn comparison_to_wire(comparison: &Comparison, dropped: u64) -> pb::ChallengerComparison {
    let Comparison {
        live_version: _,
        challenger_version,
        since,
        compatible: _,
        score_bins: _,
        live_scores: _,
        challenger_scores: _,
        compared,
        agreed,
        differences,
        failures,
    } = comparison;
    pb::ChallengerComparison {
        challenger_version: challenger_version.clone(),
        compared: *compared,
        since: Some(prost_types::Timestamp::from(*since)),
        agreement: Strategy::ALL
            .iter()
            .zip(agreed)
            .map(|(strategy, agreed)| pb::StrategyAgreement {
                strategy: strategy.to_wire().into(),
                agreed: *agreed,
                compared: *compared,
                agreement_rate: comparison.agreement(*strategy),
            })
            .collect(),
        score_psi: comparison.score_psi(),
        difference_edges: DIFFERENCE_EDGES.to_vec(),
        difference_counts: differences.clone(),
        dropped,
        failures: *failures,
    }
}
