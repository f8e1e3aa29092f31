//! Score, ScoreBatch and Explain: an applicant resolved into a row, scored,
//! decided and explained by scoring-core on a blocking thread (Score reuses
//! a snapshot client's cached explanation, see [`crate::cache`]), every
//! decision written to the audit log.

use std::sync::Arc;

use scoring_core::policy::top_reason_codes;
use scoring_core::{Decision, Strategy};
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;
use tonic::Status;

use super::{BatchStream, Context, Shared, blocking};
use crate::audit::AuditEvent;
use crate::cache::{CACHED_REASONS, CachedExplanation};
use crate::convert::{decision_to_wire, reason_to_wire, strategy_from_wire, strategy_to_wire};
use crate::error::ServiceError;
use crate::state::ServedModel;
use crate::validate::{Row, resolve_applicant};
use scoring_proto::scoring::v1 as pb;
use scoring_proto::scoring::v1::score_batch_response::Outcome as BatchOutcome;

/// Reason codes when a request asks for 0.
const DEFAULT_REASONS: usize = 4;
/// Applicants scored per blocking task in a batch.
const BATCH_CHUNK: usize = 64;

fn reasons_wanted(max: u32) -> usize {
    match max {
        0 => DEFAULT_REASONS,
        n => n as usize,
    }
}

/// Scores and decides one resolved row with `max_reasons` reason codes;
/// an unmodified snapshot client's explanation comes from the cache.
fn decide(
    model: &ServedModel,
    row: &Row,
    strategy: Strategy,
    max_reasons: usize,
) -> Result<Decision, ServiceError> {
    match cached_decision(model, row, strategy, max_reasons) {
        Some(decision) => Ok(decision),
        None => computed_decision(model, row, strategy, max_reasons),
    }
}

fn cache_key(row: &Row, max_reasons: usize) -> Option<i64> {
    row.client_id
        .filter(|_| row.unmodified && max_reasons <= CACHED_REASONS)
}

/// The decision from a cached explanation: microseconds, no TreeSHAP.
fn cached_decision(
    model: &ServedModel,
    row: &Row,
    strategy: Strategy,
    max_reasons: usize,
) -> Option<Decision> {
    let cached = model.cache.get(cache_key(row, max_reasons)?)?;
    // The same arithmetic as PublishedModel::decide, on the cached parts.
    let published = &model.published;
    let probability_of_default = published.model().probability(cached.raw_score);
    let thresholds = published.thresholds();
    Some(Decision {
        outcome: thresholds.outcome(strategy, probability_of_default),
        strategy,
        probability_of_default,
        threshold: thresholds.get(strategy),
        raw_score: cached.raw_score,
        base_value: cached.base_value,
        reasons: top_reason_codes(
            published.schema(),
            published.model().feature_names(),
            &row.values,
            &cached.sparse_contributions(model.n_features()),
            max_reasons,
        ),
    })
}

/// The decision with a fresh TreeSHAP explanation (milliseconds), kept in
/// the cache when the row is a snapshot client's.
fn computed_decision(
    model: &ServedModel,
    row: &Row,
    strategy: Strategy,
    max_reasons: usize,
) -> Result<Decision, ServiceError> {
    let (decision, contributions) = model
        .published
        .decide_explained(&row.values, strategy, max_reasons)
        .map_err(ServiceError::Model)?;
    if let Some(id) = cache_key(row, max_reasons) {
        let kept = CachedExplanation::of(decision.raw_score, decision.base_value, &contributions);
        model.cache.put(id, kept);
    }
    Ok(decision)
}

/// The Score response of a decision.
fn to_wire(model: &ServedModel, row: &Row, decision: &Decision) -> pb::ScoreResponse {
    let specs = &model.published.schema().features;
    let describe = |feature: &str| {
        model
            .position(feature)
            .and_then(|j| specs.get(j))
            .map(|s| s.description.as_str())
            .unwrap_or_default()
    };
    pb::ScoreResponse {
        model_version: model.version.clone(),
        client_id: row.client_id,
        probability_of_default: decision.probability_of_default,
        raw_score: decision.raw_score,
        decision: decision_to_wire(decision.outcome).into(),
        strategy: strategy_to_wire(decision.strategy).into(),
        threshold: decision.threshold,
        distance_to_threshold: decision.probability_of_default - decision.threshold,
        reason_codes: decision
            .reasons
            .iter()
            .map(|r| reason_to_wire(r, describe(&r.feature)))
            .collect(),
    }
}

fn audit(shared: &Shared, context: &Context, model: &ServedModel, row: &Row, decision: &Decision) {
    if let Some(log) = &shared.audit {
        log.record(AuditEvent::new(context, model, row.client_id, decision));
    }
}

pub(super) async fn score(
    shared: &Shared,
    model: Arc<ServedModel>,
    context: Context,
    request: pb::ScoreRequest,
) -> Result<pb::ScoreResponse, ServiceError> {
    let strategy = strategy_from_wire(request.strategy, "strategy")?;
    let max_reasons = reasons_wanted(request.max_reason_codes);
    let row = resolve_applicant(&model, request.applicant.as_ref(), "applicant")?;
    // A cache hit costs microseconds: answered here rather than handed to a
    // blocking thread.
    let (response, decision, row, model) =
        match cached_decision(&model, &row, strategy, max_reasons) {
            Some(decision) => (to_wire(&model, &row, &decision), decision, row, model),
            None => {
                blocking(move || {
                    let decision = computed_decision(&model, &row, strategy, max_reasons)?;
                    Ok((to_wire(&model, &row, &decision), decision, row, model))
                })
                .await?
            }
        };
    audit(shared, &context, &model, &row, &decision);
    Ok(response)
}

pub(super) fn score_batch(
    shared: Arc<Shared>,
    model: Arc<ServedModel>,
    context: Context,
    request: pb::ScoreBatchRequest,
) -> Result<BatchStream, ServiceError> {
    let strategy = strategy_from_wire(request.strategy, "strategy")?;
    let max_reasons = reasons_wanted(request.max_reason_codes);
    let count = request.applicants.len();
    if count == 0 {
        return Err(ServiceError::invalid("applicants", "the batch is empty"));
    }
    if count > shared.max_batch {
        return Err(ServiceError::invalid(
            "applicants",
            format!(
                "{count} applicants is above this server's limit of {} per call; split the batch",
                shared.max_batch
            ),
        ));
    }
    let (tx, rx) = mpsc::channel(BATCH_CHUNK * 2);
    tokio::task::spawn_blocking(move || {
        for (index, applicant) in request.applicants.iter().enumerate() {
            let field = format!("applicants[{index}]");
            let outcome = resolve_applicant(&model, Some(applicant), &field)
                .and_then(|row| decide(&model, &row, strategy, max_reasons).map(|d| (row, d)));
            let client_id = match &applicant.applicant {
                Some(pb::applicant::Applicant::ClientId(id)) => Some(*id),
                Some(pb::applicant::Applicant::ModifiedClient(m)) => Some(m.client_id),
                _ => None,
            };
            let outcome = match outcome {
                Ok((row, decision)) => {
                    audit(&shared, &context, &model, &row, &decision);
                    BatchOutcome::Result(to_wire(&model, &row, &decision))
                }
                Err(error) => {
                    let field = error.field().to_owned();
                    let status = Status::from(error);
                    BatchOutcome::Error(pb::ItemError {
                        code: status.code() as i32,
                        message: status.message().to_owned(),
                        field,
                    })
                }
            };
            let item = pb::ScoreBatchResponse {
                model_version: model.version.clone(),
                index: index as u32,
                client_id,
                outcome: Some(outcome),
            };
            if tx.blocking_send(Ok(item)).is_err() {
                // The caller went away; stop scoring.
                break;
            }
        }
    });
    Ok(Box::pin(ReceiverStream::new(rx)))
}

pub(super) async fn explain(
    shared: &Shared,
    model: Arc<ServedModel>,
    context: Context,
    request: pb::ExplainRequest,
) -> Result<pb::ExplainResponse, ServiceError> {
    let strategy = strategy_from_wire(request.strategy, "strategy")?;
    let order = pb::ContributionOrder::try_from(request.order).map_err(|_| {
        ServiceError::invalid(
            "order",
            format!("{} is not a ContributionOrder value", request.order),
        )
    })?;
    let max_reasons = reasons_wanted(request.max_reason_codes);
    let row = resolve_applicant(&model, request.applicant.as_ref(), "applicant")?;
    let top_k = request.top_k as usize;
    let (response, decision, row, model) = blocking(move || {
        let (decision, contributions) = model
            .published
            .decide_explained(&row.values, strategy, max_reasons)
            .map_err(ServiceError::Model)?;
        let score = to_wire(&model, &row, &decision);
        let response = explanation(&model, &row, score, &decision, &contributions, order, top_k);
        Ok((response, decision, row, model))
    })
    .await?;
    audit(shared, &context, &model, &row, &decision);
    Ok(response)
}

fn explanation(
    model: &ServedModel,
    row: &Row,
    score: pb::ScoreResponse,
    decision: &Decision,
    contributions: &[f64],
    order: pb::ContributionOrder,
    top_k: usize,
) -> pb::ExplainResponse {
    use pb::ContributionOrder as Order;
    let mut positions: Vec<usize> = (0..contributions.len()).collect();
    let by = |key: fn(f64) -> f64| {
        move |a: &usize, b: &usize| {
            key(contributions[*b])
                .total_cmp(&key(contributions[*a]))
                .then(a.cmp(b))
        }
    };
    match order {
        Order::Unspecified | Order::AbsoluteDescending => positions.sort_by(by(f64::abs)),
        Order::Descending => positions.sort_by(by(|c| c)),
        Order::Ascending => positions.sort_by(by(|c| -c)),
        Order::Schema => {}
    }
    let kept = if top_k == 0 {
        positions.len()
    } else {
        top_k.min(positions.len())
    };
    let other_contributions = positions[kept..].iter().map(|&j| contributions[j]).sum();
    let specs = &model.published.schema().features;
    let names = model.published.model().feature_names();
    pb::ExplainResponse {
        model_version: score.model_version,
        client_id: score.client_id,
        base_value: decision.base_value,
        raw_score: decision.raw_score,
        probability_of_default: decision.probability_of_default,
        contributions: positions[..kept]
            .iter()
            .map(|&j| pb::FeatureContribution {
                feature: names[j].clone(),
                description: specs
                    .get(j)
                    .map(|s| s.description.clone())
                    .unwrap_or_default(),
                value: Some(row.values[j]).filter(|v| !v.is_nan()),
                contribution: contributions[j],
            })
            .collect(),
        other_contributions,
        feature_count: contributions.len() as u32,
        decision: score.decision,
        strategy: score.strategy,
        threshold: score.threshold,
        reason_codes: score.reason_codes,
    }
}
