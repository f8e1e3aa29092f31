//! The new applicant: an application form built from the live model
//! (`crate::application`), sent to the service as a `LoanApplication` of
//! raw records and explained like a client (decision, gauge, factors,
//! reasons). POSTed with the session's CSRF token.

use axum::{Form as Posted, extract::State, response::Response};
use minijinja::{Value, context};
use scoring_proto::scoring::v1::{GetModelRequest, GetModelResponse, applicant::Applicant as Who};

use super::{Ctx, Params, param, parse_strategy};
use crate::{
    AppState,
    application::{Form, Typed, field_of_refusal},
    error::{AppError, Failure},
    routes::client::{explain_request, strategies},
    routes::whatif::outcome,
};

async fn live_model(state: &AppState, ctx: &Ctx) -> Result<GetModelResponse, Failure> {
    state
        .scoring
        .get_model(GetModelRequest { model: None })
        .await
        .map_err(|e| ctx.fail(e))
}

/// GET /applicants/new: the empty form.
pub async fn form(State(state): State<AppState>, ctx: Ctx) -> Result<Response, Failure> {
    let model = live_model(&state, &ctx).await?;
    let form = Form::of_model(&model.model.unwrap_or_default());
    render(&ctx, &form, &Typed::new(), None)
}

/// POST /applicants/new: scores the application as typed.
pub async fn score(
    State(state): State<AppState>,
    ctx: Ctx,
    Posted(posted): Posted<Vec<(String, String)>>,
) -> Result<Response, Failure> {
    let typed: Typed = posted.into_iter().collect();
    ctx.officer
        .check_csrf(typed.get("csrf").map(String::as_str))
        .map_err(|e| ctx.fail(e))?;
    let strategy: Params = typed
        .get("strategy")
        .map(|s| ("strategy".to_owned(), s.clone()))
        .into_iter()
        .collect();
    let strategy = parse_strategy(&strategy).map_err(|e| ctx.fail(e))? as i32;
    let model = live_model(&state, &ctx).await?;
    let info = model.model.unwrap_or_default();
    let form = Form::of_model(&info);
    let (application, bureau_rows, previous_rows) =
        form.application_of(&typed).map_err(|e| ctx.fail(e))?;
    let explained = state
        .scoring
        .explain(explain_request(Who::LoanApplication(application), strategy))
        .await
        .map_err(
            |status| match field_of_refusal(&status, &bureau_rows, &previous_rows) {
                Some(field) => ctx.fail(AppError::bad(field)),
                None => ctx.fail(status),
            },
        )?;
    crate::layers::note_model_version(&explained.model_version);
    let result = outcome(&ctx, &explained, None, Some(&info));
    render(&ctx, &form, &typed, Some(result))
}

fn render(
    ctx: &Ctx,
    form: &Form,
    typed: &Typed,
    result: Option<Value>,
) -> Result<Response, Failure> {
    let params: Params = typed.clone();
    let selected = param(&params, "strategy").unwrap_or("default");
    ctx.render(
        "applicant.html",
        context! {
            title => ctx.lang.tr("new_title"),
            form => form.render(ctx.lang, typed),
            strategies => strategies(ctx.lang, selected),
            result,
        },
    )
}
