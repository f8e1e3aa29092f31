//! "What if": re-scoring a client with a few application fields changed
//! (`Applicant.modified_client`). The form is POSTed with the session's
//! CSRF token.

use std::collections::HashMap;

use axum::{
    Form,
    extract::{Path, Query, State},
    response::Response,
};
use minijinja::{Value, context};
use scoring_proto::scoring::v1::{GetModelRequest, ModifiedClient, applicant::Applicant as Who};

use super::{Ctx, Params, param, parse_client_id, parse_feature, parse_number, parse_strategy};
use crate::{
    AppState,
    error::{AppError, Failure},
    routes::client::{explain_request, factors_chart, pct, score_context, strategies},
    svg,
};

/// Most rows a what-if form may carry.
const MAX_ROWS: usize = 20;

/// One row of the form as typed: (feature, value), value empty = missing.
type Row = (String, String);

fn parse_rows(form: &[(String, String)]) -> Result<Vec<(String, Option<f64>)>, AppError> {
    let get = |name: String| {
        form.iter()
            .rev()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.trim().to_owned())
    };
    let mut rows = Vec::new();
    for i in 0..MAX_ROWS {
        let Some(feature) = get(format!("feature_{i}")).filter(|f| !f.is_empty()) else {
            continue;
        };
        let feature = parse_feature(&feature, &format!("feature_{i}"))?;
        let value = match get(format!("value_{i}")).filter(|v| !v.is_empty()) {
            None => None,
            Some(v) => Some(parse_number(&v, &format!("value_{i}"))?),
        };
        rows.push((feature, value));
    }
    Ok(rows)
}

fn typed_rows(form: &[(String, String)]) -> Vec<Row> {
    let get = |name: String| {
        form.iter()
            .rev()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let mut rows: Vec<Row> = (0..MAX_ROWS)
        .map(|i| (get(format!("feature_{i}")), get(format!("value_{i}"))))
        .collect();
    while rows.len() > 7
        && rows
            .last()
            .is_some_and(|r| r.0.trim().is_empty() && r.1.trim().is_empty())
    {
        rows.pop();
    }
    rows
}

fn padded(mut rows: Vec<Row>) -> Vec<Row> {
    rows.push((String::new(), String::new()));
    rows.push((String::new(), String::new()));
    rows.truncate(MAX_ROWS);
    rows
}

fn rows_value(rows: &[Row]) -> Vec<Value> {
    rows.iter()
        .enumerate()
        .map(|(i, (f, v))| context! { i, feature => f, value => v })
        .collect()
}

fn csrf_of(form: &[(String, String)]) -> Option<&str> {
    form.iter()
        .find(|(k, _)| k == "csrf")
        .map(|(_, v)| v.as_str())
}

fn strategy_of(form: &[(String, String)]) -> Result<i32, AppError> {
    let params: Params = form
        .iter()
        .filter(|(k, _)| k == "strategy")
        .cloned()
        .collect();
    Ok(parse_strategy(&params)? as i32)
}

/// GET /clients/{id}/whatif: the form, prefilled with the top factors.
pub async fn form(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(params): Query<Params>,
) -> Result<Response, Failure> {
    let id = parse_client_id(&id, "client_id").map_err(|e| ctx.fail(e))?;
    let strategy = parse_strategy(&params).map_err(|e| ctx.fail(e))? as i32;
    let e = state
        .scoring
        .explain(explain_request(Who::ClientId(id), strategy))
        .await
        .map_err(|e| ctx.fail(e))?;
    let rows: Vec<Row> = e
        .contributions
        .iter()
        .filter(|c| c.actionable)
        .take(5)
        .map(|c| {
            (
                c.feature.clone(),
                c.value.map(svg::fmt_num).unwrap_or_default(),
            )
        })
        .collect();
    render(
        &ctx,
        Some(id),
        padded(rows),
        None,
        param(&params, "strategy"),
    )
}

/// POST /clients/{id}/whatif: scores the client before and after the change.
pub async fn rescore(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, Failure> {
    ctx.officer
        .check_csrf(csrf_of(&form))
        .map_err(|e| ctx.fail(e))?;
    let id = parse_client_id(&id, "client_id").map_err(|e| ctx.fail(e))?;
    let strategy = strategy_of(&form).map_err(|e| ctx.fail(e))?;
    let rows = parse_rows(&form).map_err(|e| ctx.fail(e))?;
    let mut modified = ModifiedClient {
        client_id: id,
        values: HashMap::new(),
        cleared: vec![],
    };
    for (feature, value) in rows {
        match value {
            Some(v) => {
                modified.cleared.retain(|c| *c != feature);
                modified.values.insert(feature, v);
            }
            None => {
                modified.values.remove(&feature);
                modified.cleared.push(feature);
            }
        }
    }
    let (before, after, model) = tokio::join!(
        state
            .scoring
            .explain(explain_request(Who::ClientId(id), strategy)),
        state
            .scoring
            .explain(explain_request(Who::ModifiedClient(modified), strategy)),
        state.scoring.get_model(GetModelRequest { model: None }),
    );
    let before = before.map_err(|e| ctx.fail(e))?;
    let after = after.map_err(|e| ctx.fail(e))?;
    let model = model.map_err(|e| ctx.fail(e))?;
    crate::layers::note_model_version(&after.model_version);
    let result = outcome(&ctx, &after, Some(&before), model.model.as_ref());
    let chosen = form
        .iter()
        .find(|(k, _)| k == "strategy")
        .map(|(_, v)| v.as_str());
    render(&ctx, Some(id), typed_rows(&form), Some(result), chosen)
}

/// The result block: the score, before and after when `before` is given,
/// the factors and the reasons.
pub fn outcome(
    ctx: &Ctx,
    after: &scoring_proto::scoring::v1::ExplainResponse,
    before: Option<&scoring_proto::scoring::v1::ExplainResponse>,
    model: Option<&scoring_proto::scoring::v1::ModelInfo>,
) -> Value {
    let (bars, factors) = factors_chart(ctx.lang, "factors", after, |_| true, 10);
    context! {
        before => before.map(|b| context! { probability => pct(b.probability_of_default),
            decision => super::decision_name(b.decision) }),
        bars => Value::from_safe_string(bars), factors,
        ..score_context(ctx.lang, "gauge", after, model)
    }
}

fn render(
    ctx: &Ctx,
    client_id: Option<i64>,
    rows: Vec<Row>,
    result: Option<Value>,
    chosen: Option<&str>,
) -> Result<Response, Failure> {
    let t = |k: &str| ctx.lang.tr(k);
    let title = match client_id {
        Some(id) => format!("{} — {} {id}", t("whatif_title"), t("client")),
        None => t("new_title").to_owned(),
    };
    let action = match client_id {
        Some(id) => format!("/clients/{id}/whatif"),
        None => "/applicants/new".to_owned(),
    };
    let selected = chosen.filter(|s| !s.is_empty()).unwrap_or("default");
    ctx.render(
        "whatif.html",
        context! {
            title, client_id, action, rows => rows_value(&rows), result,
            strategies => strategies(ctx.lang, selected),
        },
    )
}
