//! GetDrift: the live version's drift window read once, its features
//! ranked by PSI, and the shadow challenger's comparison.

use scoring_proto::scoring::v1 as pb;

use super::Shared;
use crate::convert::drift::{comparison_to_wire, feature_drift_to_wire, window_to_wire};
use crate::error::ServiceError;
use crate::state::ServedModel;

/// The most features one answer holds.
pub(super) const MAX_DRIFT_FEATURES: u32 = 1_000;

pub(super) fn get_drift(
    shared: &Shared,
    model: &ServedModel,
    request: pb::GetDriftRequest,
) -> Result<pb::GetDriftResponse, ServiceError> {
    if request.limit > MAX_DRIFT_FEATURES {
        return Err(ServiceError::invalid(
            "limit",
            format!(
                "{} is above the limit of {MAX_DRIFT_FEATURES} features",
                request.limit
            ),
        ));
    }
    let mut wanted = Vec::with_capacity(request.features.len());
    for (i, name) in request.features.iter().enumerate() {
        let j = model.position(name).ok_or_else(|| {
            ServiceError::not_found(format!("features[{i}]"), format!("feature `{name}`"))
        })?;
        wanted.push(j);
    }
    let monitor = &shared.monitor;
    let drift = match monitor.drift() {
        Some(drift) if drift.version == model.version => drift,
        _ if monitor.settings.window.is_none() => {
            return Err(ServiceError::FailedPrecondition(
                "drift is not tracked on this server (--no-drift)".to_owned(),
            ));
        }
        _ => {
            return Err(ServiceError::FailedPrecondition(format!(
                "model {} was published without reference statistics: its drift is not tracked",
                model.version
            )));
        }
    };
    let snapshot = drift.tracker.snapshot();
    let specs = &model.published.schema().features;
    let describe = |j: usize| {
        specs
            .get(j)
            .map(|s| s.description.as_str())
            .unwrap_or_default()
    };
    let mut positions: Vec<usize> = if wanted.is_empty() {
        (0..snapshot.features.len()).collect()
    } else {
        wanted
    };
    let psi = |j: usize| snapshot.features[j].psi;
    positions.sort_by(|&a, &b| match (psi(a), psi(b)) {
        (Some(x), Some(y)) => y.total_cmp(&x),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => snapshot.features[a].name.cmp(&snapshot.features[b].name),
    });
    positions.dedup();
    if request.limit > 0 {
        positions.truncate(request.limit as usize);
    }
    let challenger = monitor.challenger().and_then(|challenger| {
        let comparison = monitor.comparison.lock().ok()?.clone();
        let dropped = monitor.dropped();
        match comparison.filter(|c| c.pairs(&model.version, &challenger.version)) {
            Some(c) => Some(comparison_to_wire(&c, dropped)),
            None => Some(pb::ChallengerComparison {
                challenger_version: challenger.version.clone(),
                dropped,
                ..Default::default()
            }),
        }
    });
    Ok(pb::GetDriftResponse {
        model_version: model.version.clone(),
        window: Some(window_to_wire(&snapshot)),
        applicants: snapshot.applicants,
        score: Some(feature_drift_to_wire(&snapshot.score, "")),
        features: positions
            .iter()
            .map(|&j| feature_drift_to_wire(&snapshot.features[j], describe(j)))
            .collect(),
        feature_count: snapshot.features.len() as u32,
        challenger,
    })
}
