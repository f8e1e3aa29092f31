//! The client pages: the paginated list, "find by id", and a client's score
//! (gauge against the three thresholds) with the factors behind it.

use crate::labels::{Labelled, shown_value};
use axum::{
    extract::{Path, Query, State},
    response::{IntoResponse, Redirect, Response},
};
use minijinja::{Value, context};
use scoring_proto::scoring::v1::{
    Applicant, ContributionOrder, ExplainRequest, ExplainResponse, FeatureContribution,
    GetModelRequest, ListClientsRequest, ModelInfo, applicant::Applicant as Who,
};
use serde::Serialize;

use super::{
    Ctx, OPERATORS, Params, decision_name, param, parse_client_id, parse_filter, parse_strategy,
    strategy_name,
};
use crate::{
    AppState,
    error::{AppError, Failure},
    i18n::Lang,
    numbers,
    svg::{self, Bar, Labels, Mark},
};

/// GET /clients: a page of clients.
pub async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(params): Query<Params>,
) -> Result<Response, Failure> {
    let page_token = param(&params, "page").unwrap_or("").to_owned();
    if page_token.len() > 256 {
        return Err(ctx.fail(AppError::bad("page")));
    }
    let filter = parse_filter(&params).map_err(|e| ctx.fail(e))?;
    let (page, model) = tokio::join!(
        state.scoring.list_clients(ListClientsRequest {
            page_size: 25,
            page_token: page_token.clone(),
            filter: filter.clone(),
        }),
        state.scoring.get_model(GetModelRequest { model: None }),
    );
    let page = page.map_err(|e| ctx.fail(e))?;
    let model = model.map_err(|e| ctx.fail(e))?;
    let clients: Vec<Value> = page
        .clients
        .iter()
        .map(|c| {
            context! { id => c.client_id, probability => pct(c.probability_of_default),
            decision => decision_name(c.decision) }
        })
        .collect();
    // Paging keeps the filter: a page token is only valid with it.
    let kept: Vec<(&str, &str)> = ["filter_feature", "filter_op", "filter_value"]
        .into_iter()
        .filter_map(|k| param(&params, k).map(|v| (k, v)))
        .collect();
    let link = |token: Option<&str>| {
        let mut pairs = kept.clone();
        if let Some(t) = token {
            pairs.push(("page", t));
        }
        format!(
            "/clients?{}",
            serde_urlencoded::to_string(&pairs).unwrap_or_default()
        )
    };
    let features: Vec<Value> = model
        .model
        .iter()
        .flat_map(|m| &m.features)
        .map(|f| context! { name => &f.name, description => f.label(ctx.lang) })
        .collect();
    ctx.render(
        "clients.html",
        context! {
            title => ctx.lang.tr("clients_title"), clients, total => page.total_count,
            next_page => (!page.next_page_token.is_empty()).then(|| link(Some(&page.next_page_token))),
            first_page => (!page_token.is_empty()).then(|| link(None)),
            model_version => page.model_version, features,
            operators => OPERATORS.iter().map(|o| context! { value => o.0, symbol => o.1 }).collect::<Vec<_>>(),
            filter_feature => param(&params, "filter_feature"), filter_op => param(&params, "filter_op"),
            filter_value => param(&params, "filter_value"),
        },
    )
}

/// GET /find?client_id=: the find form's target.
pub async fn find(ctx: Ctx, Query(params): Query<Params>) -> Result<Response, Failure> {
    let id = parse_client_id(param(&params, "client_id").unwrap_or(""), "client_id")
        .map_err(|e| ctx.fail(e))?;
    Ok(Redirect::to(&format!("/clients/{id}")).into_response())
}

/// A percentage with one decimal.
pub fn pct(p: f64) -> String {
    format!("{:.1}", p * 100.0)
}

/// One row of the factors chart and table.
#[derive(Serialize)]
pub struct Factor {
    feature: String,
    description: String,
    value: Option<String>,
    /// The value in the applicant's terms, when the service gives it.
    shown: Option<String>,
    contribution: String,
    up: bool,
}

/// The factors chart (SVG) and its rows for the data table.
pub fn factors_chart(
    lang: Lang,
    id: &str,
    e: &ExplainResponse,
    keep: impl Fn(&FeatureContribution) -> bool,
    n: usize,
) -> (String, Vec<Factor>) {
    let missing = lang.tr("missing");
    let shown: Vec<_> = e.contributions.iter().filter(|c| keep(c)).take(n).collect();
    let bars: Vec<Bar> = shown
        .iter()
        .map(|c| {
            let value = match shown_value(c, lang) {
                Some(shown) => shown.to_owned(),
                None => c
                    .value
                    .map_or_else(|| missing.to_owned(), |v| svg::num(v, lang)),
            };
            Bar {
                label: format!("{} = {value}", c.label(lang)),
                value: c.contribution,
            }
        })
        .collect();
    let rows = shown
        .iter()
        .map(|c| Factor {
            feature: c.feature.clone(),
            description: c.label(lang).to_owned(),
            value: c.value.map(svg::fmt_num),
            shown: shown_value(c, lang).map(str::to_owned),
            contribution: format!("{:+.3}", c.contribution),
            up: c.contribution >= 0.0,
        })
        .collect();
    let labels = Labels {
        id,
        title: lang.tr("bars_title"),
        desc: lang.tr("bars_title"),
        lang,
    };
    (svg::bars(&labels, &bars, true), rows)
}

/// The score block: probability, decision, gauge, margin and reasons.
pub fn score_context(
    lang: Lang,
    id: &str,
    e: &ExplainResponse,
    model: Option<&ModelInfo>,
) -> Value {
    let marks: Vec<(String, f64, bool)> = model
        .map(|m| {
            m.thresholds
                .iter()
                .map(|t| {
                    let name = strategy_name(t.strategy);
                    (
                        lang.tr(&format!("strategy_{name}")).to_owned(),
                        t.threshold,
                        t.strategy == e.strategy,
                    )
                })
                .collect()
        })
        .unwrap_or_else(|| vec![(lang.tr("threshold").to_owned(), e.threshold, true)]);
    let gauge = svg::gauge(
        &Labels {
            id,
            title: lang.tr("gauge_title"),
            desc: &format!(
                "{} {} %",
                lang.tr("probability"),
                numbers::localize(&pct(e.probability_of_default), lang)
            ),
            lang,
        },
        e.probability_of_default,
        &marks
            .iter()
            .map(|(l, v, a)| Mark {
                label: l,
                value: *v,
                active: *a,
            })
            .collect::<Vec<_>>(),
    );
    let distance = e.probability_of_default - e.threshold;
    let reasons: Vec<Value> = e
        .reason_codes
        .iter()
        .map(|r| {
            context! { text => r.label(lang), description => &r.description, value => r.value.map(svg::fmt_num) }
        })
        .collect();
    let thresholds: Vec<Value> = marks
        .iter()
        .map(|(l, v, a)| context! { label => l, value => pct(*v), active => a })
        .collect();
    let points_scale = model.and_then(|m| m.points_scale).map(|s| {
        lang.tr("points_scale")
            .replace(
                "{base}",
                &numbers::localize(&format!("{:.0}", s.base_points), lang),
            )
            .replace(
                "{odds}",
                &numbers::localize(&format!("{}", s.base_odds), lang),
            )
            .replace("{pdo}", &numbers::localize(&format!("{}", s.pdo), lang))
    });
    context! {
        points => points_scale.is_some().then(|| format!("{:.0}", e.points)),
        points_scale,
        probability => pct(e.probability_of_default),
        decision => decision_name(e.decision),
        applied_strategy => strategy_name(e.strategy),
        threshold => pct(e.threshold),
        margin => format!("{:.1}", distance.abs() * 100.0),
        below => distance < 0.0,
        gauge => Value::from_safe_string(gauge),
        thresholds, reasons,
        model_version => &e.model_version,
    }
}

/// The explanation of a client with every contribution, largest first.
pub fn explain_request(applicant: Who, strategy: i32) -> ExplainRequest {
    ExplainRequest {
        applicant: Some(Applicant {
            applicant: Some(applicant),
        }),
        top_k: 0,
        order: ContributionOrder::AbsoluteDescending as i32,
        strategy,
        max_reason_codes: 4,
        include_feature_values: false,
    }
}

/// Strategy choices for a `<select>`.
pub fn strategies(lang: Lang, selected: &str) -> Vec<Value> {
    ["default", "prudent", "normal", "aggressive"]
        .iter()
        .map(|s| {
            context! { value => if *s == "default" { "" } else { s }, label => lang.tr(&format!("strategy_{s}")),
            selected => *s == selected }
        })
        .collect()
}

/// GET /clients/{id}?strategy=&n=&actionable=: score, gauge and factors.
pub async fn page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(params): Query<Params>,
) -> Result<Response, Failure> {
    let id = parse_client_id(&id, "client_id").map_err(|e| ctx.fail(e))?;
    let strategy = parse_strategy(&params).map_err(|e| ctx.fail(e))?;
    let n = match param(&params, "n") {
        None => 10,
        Some(n) => n
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=20).contains(n))
            .ok_or_else(|| ctx.fail(AppError::bad("n")))?,
    };
    let actionable = matches!(param(&params, "actionable"), Some("1" | "on" | "true"));
    let (explained, model) = tokio::join!(
        state
            .scoring
            .explain(explain_request(Who::ClientId(id), strategy as i32)),
        state.scoring.get_model(GetModelRequest { model: None }),
    );
    let explained = explained.map_err(|e| ctx.fail(e))?;
    crate::layers::note_model_version(&explained.model_version);
    let model = model.map_err(|e| ctx.fail(e))?;
    let (bars, factors) = factors_chart(
        ctx.lang,
        "factors",
        &explained,
        |c| !actionable || c.actionable,
        n,
    );
    let selected = if strategy as i32 == 0 {
        "default"
    } else {
        strategy_name(strategy as i32)
    };
    let query = serde_urlencoded::to_string([(
        "strategy",
        if selected == "default" { "" } else { selected },
    )])
    .unwrap_or_default();
    ctx.render(
        "client.html",
        context! {
            title => format!("{} {id}", ctx.lang.tr("client")), client_id => id,
            strategies => strategies(ctx.lang, selected), strategy_query => query,
            n, actionable, bars => Value::from_safe_string(bars), factors,
            summary => super::summary::client_summary(ctx.lang, &explained),
            ..score_context(ctx.lang, "gauge", &explained, model.model.as_ref())
        },
    )
}
