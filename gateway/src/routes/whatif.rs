//! "What if" on a snapshot client: the officer edits the application's own
//! fields (prefilled with the client's application, read back from its
//! features: `crate::application::ClientApplication`) and every feature
//! derived from them is recomputed by the service's online engine.
//!
//! The snapshot keeps feature rows, not raw records, so the page composes
//! two calls of the contract: the edited application row alone, as a
//! `LoanApplication`, gives the application table's features (Explain with
//! its feature values); those replace the client's application features
//! in a `ModifiedClient`, whose history features stay the snapshot's.
//! Sound because the feature definition computes the application table's
//! features from the application row alone. The form is POSTed with the
//! session's CSRF token.

use std::collections::HashMap;

use crate::labels::Labelled;
use axum::{
    Form as Posted,
    extract::{Path, Query, State},
    response::Response,
};
use minijinja::{Value, context};
use scoring_proto::scoring::v1::{
    ExplainResponse, GetModelRequest, LoanApplication, ModelInfo, ModifiedClient,
    applicant::Applicant as Who,
};

use super::{Ctx, Params, param, parse_client_id, parse_strategy};
use crate::{
    AppState,
    application::{ClientApplication, Form, Typed, field_of_refusal},
    error::{AppError, Failure},
    routes::client::{explain_request, factors_chart, pct, score_context, strategies},
    svg,
};

const APPLICATION: &str = "application";

/// The client explained with its feature values, the live model and the
/// form of its application.
async fn client_and_form(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
    strategy: i32,
) -> Result<(ExplainResponse, ModelInfo, Form, ClientApplication), Failure> {
    let mut request = explain_request(Who::ClientId(id), strategy);
    request.include_feature_values = true;
    let (explained, model) = tokio::join!(
        state.scoring.explain(request),
        state.scoring.get_model(GetModelRequest { model: None }),
    );
    let explained = explained.map_err(|e| ctx.fail(e))?;
    let model = model.map_err(|e| ctx.fail(e))?.model.unwrap_or_default();
    let form = Form::of_model(&model).application_only();
    let values = explained
        .feature_values
        .as_ref()
        .map(|v| v.values.clone())
        .unwrap_or_default();
    let client = form.client_application(&model, &values);
    Ok((explained, model, form, client))
}

/// GET /clients/{id}/whatif: the client's application, to edit.
pub async fn form(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(params): Query<Params>,
) -> Result<Response, Failure> {
    let id = parse_client_id(&id, "client_id").map_err(|e| ctx.fail(e))?;
    let strategy = parse_strategy(&params).map_err(|e| ctx.fail(e))? as i32;
    let (_, _, form, client) = client_and_form(&state, &ctx, id, strategy).await?;
    let selected = param(&params, "strategy").unwrap_or("default");
    render(&ctx, id, &form, &client.shown, None, selected)
}

/// POST /clients/{id}/whatif: the client before and after the change.
pub async fn rescore(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Posted(posted): Posted<Vec<(String, String)>>,
) -> Result<Response, Failure> {
    let typed: Typed = posted.into_iter().collect();
    ctx.officer
        .check_csrf(typed.get("csrf").map(String::as_str))
        .map_err(|e| ctx.fail(e))?;
    let id = parse_client_id(&id, "client_id").map_err(|e| ctx.fail(e))?;
    let selected = param(&typed, "strategy").unwrap_or("default").to_owned();
    let strategy = parse_strategy(&typed).map_err(|e| ctx.fail(e))? as i32;
    let (before, model, form, client) = client_and_form(&state, &ctx, id, strategy).await?;
    let record = form
        .modified_application(&client, &typed)
        .map_err(|e| ctx.fail(e))?;
    let mut request = explain_request(
        Who::LoanApplication(LoanApplication {
            application: Some(record),
            ..Default::default()
        }),
        strategy,
    );
    request.include_feature_values = true;
    let recomputed =
        state.scoring.explain(request).await.map_err(|status| {
            match field_of_refusal(&status, &[], &[]) {
                Some(field) => ctx.fail(AppError::bad(field)),
                None => ctx.fail(status),
            }
        })?;
    let recomputed = recomputed.feature_values.unwrap_or_default().values;
    let mut modified = ModifiedClient {
        client_id: id,
        values: HashMap::new(),
        cleared: vec![],
    };
    for feature in model
        .features
        .iter()
        .filter(|f| f.source_table == APPLICATION)
    {
        match recomputed.get(&feature.name) {
            Some(&value) => {
                modified.values.insert(feature.name.clone(), value);
            }
            None => modified.cleared.push(feature.name.clone()),
        }
    }
    let mut request = explain_request(Who::ModifiedClient(modified), strategy);
    request.include_feature_values = true;
    let after = state
        .scoring
        .explain(request)
        .await
        .map_err(|e| ctx.fail(e))?;
    crate::layers::note_model_version(&after.model_version);
    let mut result = outcome(&ctx, &after, Some(&before), Some(&model));
    result = context! { changed => changed_features(ctx.lang, &model, &before, &after), ..result };
    render(&ctx, id, &form, &typed, Some(result), &selected)
}

/// The features whose value the change moved, in model order: name,
/// description, before and after (shown, and exact in `data-` attributes).
fn changed_features(
    lang: crate::i18n::Lang,
    model: &ModelInfo,
    before: &ExplainResponse,
    after: &ExplainResponse,
) -> Vec<Value> {
    let values = |e: &ExplainResponse| e.feature_values.clone().unwrap_or_default().values;
    let (before, after) = (values(before), values(after));
    let exact = |v: Option<&f64>| v.map(|v| format!("{v}"));
    model
        .features
        .iter()
        .filter(|f| {
            before.get(&f.name).map(|v| v.to_bits()) != after.get(&f.name).map(|v| v.to_bits())
        })
        .map(|f| {
            let (b, a) = (before.get(&f.name), after.get(&f.name));
            context! {
                feature => &f.name, description => f.label(lang),
                before => b.map(|v| svg::fmt_num(*v)), after => a.map(|v| svg::fmt_num(*v)),
                exact_after => exact(a),
            }
        })
        .collect()
}

/// The result block: the score, before and after when `before` is given,
/// the factors and the reasons.
pub fn outcome(
    ctx: &Ctx,
    after: &ExplainResponse,
    before: Option<&ExplainResponse>,
    model: Option<&ModelInfo>,
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
    id: i64,
    form: &Form,
    typed: &Typed,
    result: Option<Value>,
    selected: &str,
) -> Result<Response, Failure> {
    let t = |k: &str| ctx.lang.tr(k);
    let selected = if selected.is_empty() {
        "default"
    } else {
        selected
    };
    ctx.render(
        "whatif.html",
        context! {
            title => format!("{} — {} {id}", t("whatif_title"), t("client")),
            client_id => id, form => form.render(ctx.lang, typed), result,
            strategies => strategies(ctx.lang, selected),
        },
    )
}
