//! Score and Explain, and the decision ScoreBatch makes per applicant: an
//! applicant resolved into a row, scored, decided and explained by
//! scoring-core, every decision written to the audit log. A decision pays for a TreeSHAP (on a blocking thread) only
//! when its reason policy asks for reasons and no cached explanation of the
//! snapshot client exists (see [`crate::cache`]). Each decision of Score
//! and ScoreBatch is then handed to the monitor (drift, shadow challenger).

use std::sync::Arc;

use scoring_core::wording::feature_value;
use scoring_core::{Decision, ReasonPolicy, Strategy};
use scoring_proto::scoring::v1 as pb;

use super::{Context, Shared, blocking};
use crate::audit::AuditEvent;
use crate::cache::{CACHED_REASONS, CachedExplanation};
use crate::convert::{ToWire, reason_policy_from_wire, reason_to_wire, strategy_from_wire};
use crate::error::ServiceError;
use crate::metrics;
use crate::state::ServedModel;
use crate::validate::{Row, resolve_applicant};

/// Reason codes when a request asks for 0.
const DEFAULT_REASONS: usize = 4;

fn reasons_wanted(max: u32) -> usize {
    match max {
        0 => DEFAULT_REASONS,
        n => n as usize,
    }
}

/// What a request asks of each decision: the strategy, how many reason
/// codes at most, and for which decisions.
#[derive(Clone, Copy)]
pub(super) struct Ask {
    strategy: Strategy,
    max_reasons: usize,
    reasons: ReasonPolicy,
}

impl Ask {
    pub(super) fn of(
        strategy: i32,
        max_reason_codes: u32,
        reasons: i32,
    ) -> Result<Self, ServiceError> {
        Ok(Self {
            strategy: strategy_from_wire(strategy, "strategy")?,
            max_reasons: reasons_wanted(max_reason_codes),
            reasons: reason_policy_from_wire(reasons, "reasons")?,
        })
    }
}

fn cache_key(row: &Row, max_reasons: usize) -> Option<i64> {
    row.client_id
        .filter(|_| row.unmodified && max_reasons <= CACHED_REASONS)
}

/// The decision when it costs microseconds: from the cache, or from one
/// prediction when the reason policy wants no reasons for its outcome.
/// `None` when it needs a fresh TreeSHAP.
pub(super) fn quick_decision(
    model: &ServedModel,
    row: &Row,
    ask: Ask,
) -> Result<Option<Decision>, ServiceError> {
    if let Some(mut decision) = cached_decision(model, row, ask.strategy, ask.max_reasons) {
        if !ask.reasons.wants_reasons(decision.outcome) {
            decision.reasons.clear();
        }
        return Ok(Some(decision));
    }
    if ask.reasons == ReasonPolicy::Always {
        return Ok(None);
    }
    // A refusal under FOR_REFUSALS is predicted again with its explanation:
    // ~15 us beside the TreeSHAP's few hundred.
    let decision = model
        .published
        .decide_unexplained(&row.values, ask.strategy)
        .map_err(ServiceError::Model)?;
    Ok((!ask.reasons.wants_reasons(decision.outcome)).then_some(decision))
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
        reasons: published.reason_codes_from(&row.values, &cached.reasons, max_reasons),
    })
}

/// The decision with a fresh TreeSHAP explanation (milliseconds), kept in
/// the cache when the row is a snapshot client's.
pub(super) fn computed_decision(
    model: &ServedModel,
    row: &Row,
    ask: Ask,
) -> Result<Decision, ServiceError> {
    metrics::record_explanation();
    let (decision, contributions) = model
        .published
        .decide_explained(&row.values, ask.strategy, ask.max_reasons)
        .map_err(ServiceError::Model)?;
    remember(model, row, &decision, &contributions, ask);
    Ok(decision)
}

/// [`computed_decision`] of several rows, explained together with the
/// batch form of TreeSHAP (each tree's tables reused across the rows) in
/// this thread's scratch: the same decisions, bit for bit.
pub(super) fn computed_decisions(
    model: &ServedModel,
    rows: &[&Row],
    ask: Ask,
) -> Result<Vec<Decision>, ServiceError> {
    let values: Vec<f64> = rows
        .iter()
        .flat_map(|row| row.values.iter().copied())
        .collect();
    let (decisions, contributions) = scoring_core::shap::with_thread_scratch(|scratch| {
        model
            .published
            .decide_batch_explained(&values, ask.strategy, ask.max_reasons, scratch)
    })
    .map_err(ServiceError::Model)?;
    let n = model.n_features();
    for ((row, decision), phi) in rows.iter().zip(&decisions).zip(contributions.chunks(n)) {
        metrics::record_explanation();
        remember(model, row, decision, phi, ask);
    }
    Ok(decisions)
}

/// Keeps a snapshot client's explanation in the cache (its reasons, up to
/// every reason a later request may ask for).
fn remember(model: &ServedModel, row: &Row, decision: &Decision, contributions: &[f64], ask: Ask) {
    if let Some(id) = cache_key(row, ask.max_reasons) {
        let kept = CachedExplanation {
            raw_score: decision.raw_score,
            base_value: decision.base_value,
            reasons: model
                .published
                .ranked_reasons(&row.values, contributions, CACHED_REASONS),
        };
        model.cache.put(id, kept);
    }
}

/// The Score response of a decision.
pub(super) fn to_wire(model: &ServedModel, row: &Row, decision: &Decision) -> pb::ScoreResponse {
    let describe = |feature: &str| {
        model
            .position(feature)
            .and_then(|j| model.published.feature_label(j))
            .map(|l| l.en.as_str())
            .unwrap_or_default()
    };
    pb::ScoreResponse {
        model_version: model.version.clone(),
        client_id: row.client_id,
        probability_of_default: decision.probability_of_default,
        raw_score: decision.raw_score,
        decision: decision.outcome.to_wire().into(),
        strategy: decision.strategy.to_wire().into(),
        threshold: decision.threshold,
        distance_to_threshold: decision.probability_of_default - decision.threshold,
        reason_codes: decision
            .reasons
            .iter()
            .map(|r| reason_to_wire(r, describe(&r.feature)))
            .collect(),
        points: model
            .published
            .manifest()
            .points_scale
            .points(decision.probability_of_default),
    }
}

/// Records the decision; in the audit log's required mode, an error when it
/// could not be (the decision must then not be given).
pub(super) async fn audit(
    shared: &Shared,
    context: &Context,
    model: &ServedModel,
    row: &Row,
    decision: &Decision,
) -> Result<(), ServiceError> {
    let Some(log) = &shared.audit else {
        return Ok(());
    };
    let event = AuditEvent::new(context, model, row, decision);
    log.record(event)
        .await
        .map_err(ServiceError::AuditUnavailable)
}

/// As [`audit`], from a blocking thread.
pub(super) fn audit_blocking(
    shared: &Shared,
    context: &Context,
    model: &ServedModel,
    row: &Row,
    decision: &Decision,
) -> Result<(), ServiceError> {
    let Some(log) = &shared.audit else {
        return Ok(());
    };
    let event = AuditEvent::new(context, model, row, decision);
    log.record_blocking(event)
        .map_err(ServiceError::AuditUnavailable)
}

pub(super) async fn score(
    shared: &Shared,
    model: Arc<ServedModel>,
    context: Context,
    request: pb::ScoreRequest,
) -> Result<pb::ScoreResponse, ServiceError> {
    let ask = Ask::of(request.strategy, request.max_reason_codes, request.reasons)?;
    let row = resolve_applicant(&model, request.applicant, "applicant")?;
    // A decision without a fresh TreeSHAP costs microseconds: answered here
    // rather than handed to a blocking thread.
    let (response, decision, row, model) = match quick_decision(&model, &row, ask)? {
        Some(decision) => (to_wire(&model, &row, &decision), decision, row, model),
        None => {
            blocking(move || {
                let decision = computed_decision(&model, &row, ask)?;
                Ok((to_wire(&model, &row, &decision), decision, row, model))
            })
            .await?
        }
    };
    audit(shared, &context, &model, &row, &decision).await?;
    shared
        .monitor
        .observe(&context, &model, row, decision.probability_of_default);
    Ok(response)
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
    let row = resolve_applicant(&model, request.applicant, "applicant")?;
    let top_k = request.top_k as usize;
    let with_values = request.include_feature_values;
    let (response, decision, row, model) = blocking(move || {
        metrics::record_explanation();
        let (decision, contributions) = model
            .published
            .decide_explained(&row.values, strategy, max_reasons)
            .map_err(ServiceError::Model)?;
        let score = to_wire(&model, &row, &decision);
        let mut response =
            explanation(&model, &row, score, &decision, &contributions, order, top_k);
        if with_values {
            response.feature_values = Some(feature_values(&model, &row));
        }
        Ok((response, decision, row, model))
    })
    .await?;
    audit(shared, &context, &model, &row, &decision).await?;
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
    let published = &model.published;
    let names = model.published.model().feature_names();
    pb::ExplainResponse {
        model_version: score.model_version,
        client_id: score.client_id,
        base_value: decision.base_value,
        raw_score: decision.raw_score,
        probability_of_default: decision.probability_of_default,
        contributions: positions[..kept]
            .iter()
            .map(|&j| {
                let label = published.feature_label(j).cloned().unwrap_or_default();
                let shown = feature_value(published.schema(), j, row.values[j]);
                pb::FeatureContribution {
                    feature: names[j].clone(),
                    description: label.en,
                    value: Some(row.values[j]).filter(|v| !v.is_nan()),
                    contribution: contributions[j],
                    actionable: published.is_actionable(j),
                    protected_attribute: published.is_protected(j),
                    description_fr: label.fr,
                    value_shown: shown.en,
                    value_shown_fr: shown.fr,
                }
            })
            .collect(),
        other_contributions,
        feature_count: contributions.len() as u32,
        decision: score.decision,
        strategy: score.strategy,
        threshold: score.threshold,
        reason_codes: score.reason_codes,
        feature_values: None,
        points: score.points,
    }
}

/// The applicant's model input row by feature name, missing values left out.
fn feature_values(model: &ServedModel, row: &Row) -> pb::FeatureValues {
    let names = model.published.model().feature_names();
    pb::FeatureValues {
        values: names
            .iter()
            .zip(&row.values)
            .filter(|(_, value)| !value.is_nan())
            .map(|(name, value)| (name.clone(), *value))
            .collect(),
    }
}
