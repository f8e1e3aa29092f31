//! The model page: the live (or a chosen) version, its metrics, the cost
//! curve with the strategy thresholds, global importance, fairness by group
//! ([`super::fairness`]), the model card,
//! the latest backtest ([`super::backtest`]) and the list of published
//! versions.

use crate::labels::Labelled;
use axum::{
    extract::{Query, State},
    response::Response,
};
use minijinja::{Value, context};
use scoring_proto::scoring::v1::{GetModelRequest, ListModelsRequest, get_model_request::Model};

use super::{Ctx, Params, param, strategy_name};
use crate::{
    AppState,
    error::{AppError, Failure},
    markdown,
    routes::client::pct,
    svg::{self, Bar, CalibrationPoint, Labels, Mark},
};

fn metric(name: &str, v: Option<f64>) -> Option<Value> {
    v.map(|v| context! { name, value => format!("{v:.3}") })
}

/// GET /model?version=
pub async fn page(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(params): Query<Params>,
) -> Result<Response, Failure> {
    let model = match param(&params, "version") {
        None => None,
        Some(v) if v.len() <= 128 && !v.chars().any(char::is_control) => {
            Some(Model::Version(v.to_owned()))
        }
        Some(_) => return Err(ctx.fail(AppError::bad("version"))),
    };
    let (got, list) = tokio::join!(
        state.scoring.get_model(GetModelRequest { model }),
        state.scoring.list_models(ListModelsRequest {
            page_size: 50,
            page_token: String::new()
        }),
    );
    let got = got.map_err(|e| ctx.fail(e))?;
    let list = list.map_err(|e| ctx.fail(e))?;
    crate::layers::note_model_version(&list.model_version);
    let t = |k: &str| ctx.lang.tr(k);
    let info = got.model.unwrap_or_default();
    let m = info.metrics.clone().unwrap_or_default();
    let mut metrics: Vec<Value> = [
        metric("ROC AUC", m.roc_auc),
        metric("PR AUC", m.pr_auc),
        metric("Log loss", m.log_loss),
        metric("Brier", m.brier_score),
        metric("KS", m.ks),
    ]
    .into_iter()
    .flatten()
    .collect();
    let mut other: Vec<_> = m.other.iter().collect();
    other.sort_by(|a, b| a.0.cmp(b.0));
    metrics.extend(other.into_iter().filter_map(|(k, v)| metric(k, Some(*v))));
    let labels: Vec<String> = info
        .thresholds
        .iter()
        .map(|th| t(&format!("strategy_{}", strategy_name(th.strategy))).to_owned())
        .collect();
    let thresholds: Vec<Value> = info
        .thresholds
        .iter()
        .zip(&labels)
        .map(|(th, label)| {
            context! { label, value => pct(th.threshold),
            acceptance => th.acceptance_rate.map(pct), cost => th.expected_cost.map(|c| format!("{c:.4}")) }
        })
        .collect();
    let report = got.report.map(|r| {
        let marks: Vec<Mark<'_>> = info
            .thresholds
            .iter()
            .zip(&labels)
            .map(|(th, label)| Mark { label, value: th.threshold, active: th.strategy == info.default_strategy })
            .collect();
        let curve: Vec<(f64, f64)> = r.cost_curve.iter().map(|p| (p.threshold, p.cost_per_client)).collect();
        let cost_svg = svg::cost_curve(&Labels { id: "cost", title: t("cost_title"), desc: t("cost_title"), lang: ctx.lang }, &curve, &marks);
        let importance: Vec<Bar> = r
            .importance
            .iter()
            .take(20)
            .map(|i| Bar { label: i.label(ctx.lang).to_owned(), value: i.mean_abs_contribution })
            .collect();
        let importance_svg =
            svg::bars(&Labels { id: "importance", title: t("importance_title"), desc: t("importance_title"), lang: ctx.lang }, &importance, false);
        let bins: Vec<CalibrationPoint> = r
            .calibration_curve
            .iter()
            .map(|b| CalibrationPoint { predicted: b.mean_predicted, observed: b.observed_default_rate, clients: b.count })
            .collect();
        let reliability = (!bins.is_empty()).then(|| {
            Value::from_safe_string(svg::reliability(
                &Labels { id: "calibration", title: t("calibration_title"), desc: t("calibration_desc"), lang: ctx.lang },
                [t("predicted"), t("observed")],
                &bins,
            ))
        });
        let fairness = r.fairness.as_ref().and_then(|f| super::fairness::view(f, ctx.lang));
        context! {
            fairness,
            kind => r.model_kind, evaluation => r.evaluation, calibration => r.calibration_method,
            reliability,
            bins => bins.iter().filter(|b| b.clients > 0).map(|b| context! { predicted => pct(b.predicted),
                observed => pct(b.observed), clients => b.clients }).collect::<Vec<_>>(),
            cost => Value::from_safe_string(cost_svg),
            curve => r.cost_curve.iter().map(|p| context! { threshold => format!("{:.3}", p.threshold),
                cost => format!("{:.4}", p.cost_per_client), acceptance => pct(p.acceptance_rate) }).collect::<Vec<_>>(),
            importance => Value::from_safe_string(importance_svg),
            importance_rows => r.importance.iter().take(20).map(|i| context! { feature => &i.feature,
                description => i.label(ctx.lang), value => format!("{:.4}", i.mean_abs_contribution) }).collect::<Vec<_>>(),
            card => Value::from_safe_string(markdown::to_safe_html(&r.model_card_markdown)),
            rule => &r.strategy_rule,
            ece_before => format!("{:.4}", r.ece_uncalibrated), ece_after => format!("{:.4}", r.ece),
            confusion => r.confusion.iter().map(|c| context! {
                label => t(&format!("strategy_{}", strategy_name(c.strategy))), threshold => pct(c.threshold),
                tp => c.true_positive, fp => c.false_positive, tn => c.true_negative, fn_ => c.false_negative,
            }).collect::<Vec<_>>(),
            candidates => r.candidates.iter().map(|c| {
                let mut metrics: Vec<String> = c.metrics.iter().map(|(k, v)| format!("{k} {v:.3}")).collect();
                metrics.sort();
                context! { kind => &c.model_kind, published => c.published, metrics => metrics.join(", ") }
            }).collect::<Vec<_>>(),
        }
    });
    let backtest = got
        .backtest
        .as_ref()
        .map(|b| super::backtest::view(b, ctx.lang));
    let versions: Vec<Value> = list
        .models
        .iter()
        .map(|v| {
            context! { version => &v.version, aliases => v.aliases.join(", "),
            live => v.version == list.model_version,
            created => v.created_at.as_ref().map(|c| c.to_string()).unwrap_or_default(),
            auc => v.metrics.as_ref().and_then(|m| m.roc_auc).map(|a| format!("{a:.3}")) }
        })
        .collect();
    ctx.render(
        "model.html",
        context! {
            title => format!("{} {}", t("model_title"), info.version),
            version => &info.version, aliases => info.aliases.join(", "), code_version => &info.code_version,
            created => info.created_at.as_ref().map(|c| c.to_string()).unwrap_or_default(),
            evaluation => &m.evaluation, default_strategy => t(&format!("strategy_{}", strategy_name(info.default_strategy))),
            metrics, thresholds, report, backtest, versions,
        },
    )
}
