//! The periodic task that publishes the monitoring gauges (never on the
//! request path):
//!
//! - `scoring_drift_psi{feature}`: PSI of each of the live version's
//!   `--drift-top-features` most important features; a feature that leaves
//!   that set (a reload to another version) is set to NaN, which no alert
//!   comparison matches, so the series stay bounded by the features of the
//!   versions served;
//! - `scoring_score_psi`: PSI of the probability of default;
//! - `scoring_drift_window_applicants`: applicants in the window;
//! - `scoring_challenger_agreement{strategy}`: the share of applicants the
//!   challenger decides as the live version (prudent, normal, aggressive);
//! - `scoring_challenger_score_psi`: PSI of the challenger's scores against
//!   the live version's, on the same applicants;
//! - `scoring_challenger_compared`: applicants both scored.
//!
//! A gauge with nothing to measure (no applicant yet, no challenger) is NaN.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use scoring_core::Strategy;
use tokio::sync::watch;

use crate::service::Shared;

/// Updates the gauges every `interval` until `stop` turns true.
pub async fn run(shared: Arc<Shared>, interval: Duration, mut stop: watch::Receiver<bool>) {
    let mut ticker = tokio::time::interval(interval);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut gauged = BTreeSet::new();
    loop {
        tokio::select! {
            _ = ticker.tick() => update(&shared, &mut gauged),
            _ = stop.changed() => return,
        }
    }
}

/// Sets every gauge once; `gauged` holds the features given a PSI gauge
/// last time.
pub fn update(shared: &Shared, gauged: &mut BTreeSet<String>) {
    let monitor = &shared.monitor;
    let mut now_gauged = BTreeSet::new();
    match monitor.drift() {
        Some(drift) => {
            let snapshot = drift.tracker.snapshot();
            for &j in &drift.gauged {
                let feature = &snapshot.features[j];
                metrics::gauge!("scoring_drift_psi", "feature" => feature.name.clone())
                    .set(feature.psi.unwrap_or(f64::NAN));
                now_gauged.insert(feature.name.clone());
            }
            metrics::gauge!("scoring_score_psi").set(snapshot.score.psi.unwrap_or(f64::NAN));
            metrics::gauge!("scoring_drift_window_applicants").set(snapshot.applicants as f64);
        }
        None => {
            metrics::gauge!("scoring_score_psi").set(f64::NAN);
            metrics::gauge!("scoring_drift_window_applicants").set(0.0);
        }
    }
    for left in gauged.difference(&now_gauged) {
        metrics::gauge!("scoring_drift_psi", "feature" => left.clone()).set(f64::NAN);
    }
    *gauged = now_gauged;

    let comparison = monitor
        .challenger()
        .and(monitor.comparison.lock().ok().and_then(|c| c.clone()));
    for strategy in Strategy::ALL {
        let rate = comparison.as_ref().and_then(|c| c.agreement(strategy));
        metrics::gauge!("scoring_challenger_agreement", "strategy" => strategy.name())
            .set(rate.unwrap_or(f64::NAN));
    }
    let psi = comparison.as_ref().and_then(|c| c.score_psi());
    metrics::gauge!("scoring_challenger_score_psi").set(psi.unwrap_or(f64::NAN));
    let compared = comparison.as_ref().map_or(0, |c| c.compared);
    metrics::gauge!("scoring_challenger_compared").set(compared as f64);
}
