//! DescribeFeature, ListClients, FindSimilarClients and ScatterFeatures:
//! questions about the client snapshot, answered from the rows and the
//! probabilities precomputed when the model was loaded.

use scoring_core::reference::Histogram;
use scoring_core::snapshot::ClientSnapshot;

use crate::convert::ToWire;
use crate::error::ServiceError;
use crate::state::ServedModel;
use crate::validate::{Filter, feature_position, limit, resolve_applicant, resolve_filter};
use scoring_proto::scoring::v1 as pb;

const DEFAULT_BINS: usize = scoring_core::reference::DEFAULT_BINS;
const MAX_BINS: usize = 200;
const DEFAULT_PAGE: usize = 50;
const MAX_PAGE: usize = 1000;
const DEFAULT_NEIGHBOURS: usize = 10;
const MAX_NEIGHBOURS: usize = 100;
const MAX_SIMILAR_FEATURES: usize = 10;
const DEFAULT_POINTS: usize = 1000;
const MAX_POINTS: usize = 10_000;

fn snapshot(model: &ServedModel) -> Result<&ClientSnapshot, ServiceError> {
    model.snapshot.as_ref().ok_or_else(|| {
        ServiceError::FailedPrecondition(format!(
            "model {} has no client snapshot to describe",
            model.version
        ))
    })
}

/// Positions (id order) of the snapshot rows the filter keeps.
fn kept<'a>(
    snapshot: &'a ClientSnapshot,
    filter: Option<Filter>,
) -> impl Iterator<Item = usize> + 'a {
    (0..snapshot.len()).filter(move |&i| filter.is_none_or(|f| f.keeps_row(snapshot.row_at(i))))
}

pub(super) fn describe_feature(
    model: &ServedModel,
    request: &pb::DescribeFeatureRequest,
) -> Result<pb::DescribeFeatureResponse, ServiceError> {
    let j = feature_position(model, &request.feature, "feature")?;
    let bins = limit(request.bins, DEFAULT_BINS, MAX_BINS, "bins")?;
    let filter = resolve_filter(model, request.filter.as_ref(), "filter")?;
    let applicant_value = match &request.applicant {
        None => None,
        Some(a) => {
            // Dashboard calls: a copy of the applicant costs nothing that matters.
            Some(resolve_applicant(model, Some(a.clone()), "applicant")?.values[j])
                .filter(|v| !v.is_nan())
        }
    };
    let snapshot = snapshot(model)?;
    let values: Vec<f64> = kept(snapshot, filter)
        .map(|i| snapshot.row_at(i)[j])
        .collect();
    let histogram = Histogram::of(values.iter().copied(), bins);
    let applicant_percentile = applicant_value.and_then(|v| {
        let present = values.iter().filter(|x| !x.is_nan()).count();
        let at_or_below = values.iter().filter(|&&x| x <= v).count();
        (present > 0).then(|| 100.0 * at_or_below as f64 / present as f64)
    });
    Ok(pb::DescribeFeatureResponse {
        model_version: model.version.clone(),
        feature: super::models::feature_spec(&model.published, j),
        population_size: values.len() as u64,
        histogram: Some(pb::Histogram {
            bin_edges: histogram.edges,
            counts: histogram.counts,
            missing_count: histogram.missing,
        }),
        applicant_value,
        applicant_percentile,
    })
}

/// ListClients tokens: `c<last client id>.<filter fingerprint>`, so a page
/// survives a reload and a token is refused with another filter.
fn parse_client_token(token: &str, fingerprint: u64) -> Result<Option<i64>, ServiceError> {
    if token.is_empty() {
        return Ok(None);
    }
    let bad = || {
        ServiceError::invalid(
            "page_token",
            "not a token this server issued for this filter",
        )
    };
    let (id, print) = token
        .strip_prefix('c')
        .and_then(|t| t.split_once('.'))
        .ok_or_else(bad)?;
    let id: i64 = id.parse().map_err(|_| bad())?;
    let print = u64::from_str_radix(print, 16).map_err(|_| bad())?;
    if print != fingerprint {
        return Err(bad());
    }
    Ok(Some(id))
}

fn summary(model: &ServedModel, snapshot: &ClientSnapshot, i: usize) -> pb::ClientSummary {
    pb::ClientSummary {
        client_id: snapshot.ids()[i],
        probability_of_default: model.probabilities[i],
        decision: model.outcomes[i].to_wire().into(),
    }
}

pub(super) fn list_clients(
    model: &ServedModel,
    request: &pb::ListClientsRequest,
) -> Result<pb::ListClientsResponse, ServiceError> {
    let page = limit(request.page_size, DEFAULT_PAGE, MAX_PAGE, "page_size")?;
    let filter = resolve_filter(model, request.filter.as_ref(), "filter")?;
    let fingerprint = Filter::fingerprint(filter.as_ref());
    let after = parse_client_token(&request.page_token, fingerprint)?;
    let snapshot = snapshot(model)?;
    let start = after.map_or(0, |id| snapshot.ids().partition_point(|&x| x <= id));
    let mut total = 0u64;
    let mut clients = Vec::with_capacity(page);
    let mut more = false;
    for i in kept(snapshot, filter) {
        total += 1;
        if i < start {
            continue;
        }
        if clients.len() < page {
            clients.push(summary(model, snapshot, i));
        } else {
            more = true;
        }
    }
    let next_page_token = match clients.last() {
        Some(last) if more => format!("c{}.{fingerprint:x}", last.client_id),
        _ => String::new(),
    };
    Ok(pb::ListClientsResponse {
        model_version: model.version.clone(),
        clients,
        next_page_token,
        total_count: total,
    })
}

fn present_values(names: &[String], positions: &[usize], row: &[f64]) -> pb::FeatureValues {
    pb::FeatureValues {
        values: names
            .iter()
            .zip(positions)
            .filter(|(_, j)| !row[**j].is_nan())
            .map(|(name, &j)| (name.clone(), row[j]))
            .collect(),
    }
}

pub(super) fn find_similar(
    model: &ServedModel,
    request: &pb::FindSimilarClientsRequest,
) -> Result<pb::FindSimilarClientsResponse, ServiceError> {
    let k = limit(request.k, DEFAULT_NEIGHBOURS, MAX_NEIGHBOURS, "k")?;
    if request.features.len() > MAX_SIMILAR_FEATURES {
        return Err(ServiceError::invalid(
            "features",
            format!(
                "{} features is above the limit of {MAX_SIMILAR_FEATURES}",
                request.features.len()
            ),
        ));
    }
    let names = if request.features.is_empty() {
        model.similar_defaults.clone()
    } else {
        request.features.clone()
    };
    let positions = names
        .iter()
        .enumerate()
        .map(|(i, name)| feature_position(model, name, &format!("features[{i}]")))
        .collect::<Result<Vec<_>, _>>()?;
    let applicant = resolve_applicant(model, request.applicant.clone(), "applicant")?;
    let snapshot = snapshot(model)?;
    let n = snapshot.len();
    // Scaled per-feature distances, NaN where either side is missing.
    let mut parts = vec![0.0; n * positions.len()];
    for (f, &j) in positions.iter().enumerate() {
        let a = applicant.values[j];
        let mut largest: f64 = 0.0;
        for i in 0..n {
            let d = ((snapshot.row_at(i)[j] - a) / model.scales[j]).abs();
            parts[i * positions.len() + f] = d;
            if d.is_finite() {
                largest = largest.max(d);
            }
        }
        for i in 0..n {
            let d = &mut parts[i * positions.len() + f];
            if !d.is_finite() {
                *d = largest;
            }
        }
    }
    let mut candidates: Vec<(f64, usize)> = (0..n)
        .filter(|&i| Some(snapshot.ids()[i]) != applicant.client_id)
        .map(|i| {
            let row = &parts[i * positions.len()..(i + 1) * positions.len()];
            (row.iter().map(|d| d * d).sum::<f64>().sqrt(), i)
        })
        .collect();
    let nearest = |a: &(f64, usize), b: &(f64, usize)| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1));
    if candidates.len() > k {
        candidates.select_nth_unstable_by(k, nearest);
        candidates.truncate(k);
    }
    candidates.sort_by(nearest);
    let neighbours = candidates
        .into_iter()
        .map(|(distance, i)| pb::SimilarClient {
            client_id: snapshot.ids()[i],
            distance,
            values: Some(present_values(&names, &positions, snapshot.row_at(i))),
            probability_of_default: model.probabilities[i],
            decision: model.outcomes[i].to_wire().into(),
        })
        .collect();
    Ok(pb::FindSimilarClientsResponse {
        model_version: model.version.clone(),
        applicant_values: Some(present_values(&names, &positions, &applicant.values)),
        features: names,
        neighbours,
    })
}

pub(super) fn scatter(
    model: &ServedModel,
    request: &pb::ScatterFeaturesRequest,
) -> Result<pb::ScatterFeaturesResponse, ServiceError> {
    let x = feature_position(model, &request.x_feature, "x_feature")?;
    let y = feature_position(model, &request.y_feature, "y_feature")?;
    let max_points = limit(request.max_points, DEFAULT_POINTS, MAX_POINTS, "max_points")?;
    let filter = resolve_filter(model, request.filter.as_ref(), "filter")?;
    let snapshot = snapshot(model)?;
    let both: Vec<usize> = kept(snapshot, filter)
        .filter(|&i| {
            let row = snapshot.row_at(i);
            !row[x].is_nan() && !row[y].is_nan()
        })
        .collect();
    let total = both.len();
    let sampled: Vec<usize> = if total > max_points {
        (0..max_points)
            .map(|s| both[s * total / max_points])
            .collect()
    } else {
        both
    };
    Ok(pb::ScatterFeaturesResponse {
        model_version: model.version.clone(),
        points: sampled
            .into_iter()
            .map(|i| {
                let row = snapshot.row_at(i);
                pb::ScatterPoint {
                    client_id: snapshot.ids()[i],
                    x: row[x],
                    y: row[y],
                    probability_of_default: model.probabilities[i],
                }
            })
            .collect(),
        population_size: total as u64,
    })
}
