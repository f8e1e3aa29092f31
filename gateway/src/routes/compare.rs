//! How a client compares: a feature's histogram with the client's value
//! (optionally over a filtered population), the most similar clients, and a
//! scatter of two features coloured by probability of default.

use crate::labels::Labelled;
use axum::{
    extract::{Path, Query, State},
    response::Response,
};
use minijinja::{Value, context};
use scoring_proto::scoring::v1::{
    Applicant, DescribeFeatureRequest, FindSimilarClientsRequest, GetModelRequest,
    ScatterFeaturesRequest, applicant::Applicant as Who,
};

use super::{
    Ctx, OPERATORS, Params, decision_name, param, parse_client_id, parse_feature, parse_filter,
};
use crate::{
    AppState,
    error::Failure,
    routes::client::pct,
    svg::{self, Labels},
};

/// GET /clients/{id}/compare?feature=&filter_feature=&filter_op=&filter_value=&x=&y=
pub async fn page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(params): Query<Params>,
) -> Result<Response, Failure> {
    let id = parse_client_id(&id, "client_id").map_err(|e| ctx.fail(e))?;
    let filter = parse_filter(&params).map_err(|e| ctx.fail(e))?;
    let chosen = |name: &str| {
        param(&params, name)
            .map(|f| parse_feature(f, name))
            .transpose()
            .map_err(|e| ctx.fail(e))
    };
    let (feature, x, y) = (chosen("feature")?, chosen("x")?, chosen("y")?);
    let model = state
        .scoring
        .get_model(GetModelRequest { model: None })
        .await
        .map_err(|e| ctx.fail(e))?;
    let features: Vec<(String, String)> = model
        .model
        .as_ref()
        .map(|m| {
            m.features
                .iter()
                .map(|f| (f.name.clone(), f.label(ctx.lang).to_owned()))
                .collect()
        })
        .unwrap_or_default();
    // Defaults: the most important features, in the report's order.
    let mut ranked: Vec<String> = model
        .report
        .as_ref()
        .map(|r| r.importance.iter().map(|i| i.feature.clone()).collect())
        .unwrap_or_default();
    ranked.extend(features.iter().map(|f| f.0.clone()));
    let nth = |i: usize| ranked.get(i).cloned().unwrap_or_default();
    let feature = feature.unwrap_or_else(|| nth(0));
    let x = x.unwrap_or_else(|| nth(0));
    let y = y.unwrap_or_else(|| nth(1));
    let applicant = || {
        Some(Applicant {
            applicant: Some(Who::ClientId(id)),
        })
    };
    let (described, similar, scatter) = tokio::join!(
        state.scoring.describe_feature(DescribeFeatureRequest {
            feature: feature.clone(),
            applicant: applicant(),
            filter: filter.clone(),
            bins: 20,
        }),
        state
            .scoring
            .find_similar_clients(FindSimilarClientsRequest {
                applicant: applicant(),
                features: vec![],
                k: 10
            }),
        state.scoring.scatter_features(ScatterFeaturesRequest {
            x_feature: x.clone(),
            y_feature: y.clone(),
            max_points: 500,
            filter: filter.clone(),
        }),
    );
    let described = described.map_err(|e| ctx.fail(e))?;
    crate::layers::note_model_version(&described.model_version);
    let similar = similar.map_err(|e| ctx.fail(e))?;
    let scatter = scatter.map_err(|e| ctx.fail(e))?;
    let t = |k: &str| ctx.lang.tr(k);

    let description = described
        .feature
        .as_ref()
        .map(|f| f.label(ctx.lang).to_owned())
        .unwrap_or_default();
    let hist = described.histogram.unwrap_or_default();
    let bins: Vec<Value> = hist
        .counts
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let edge = |j: usize| {
                hist.bin_edges
                    .get(j)
                    .copied()
                    .map(svg::fmt_num)
                    .unwrap_or_default()
            };
            context! { from => edge(i), to => edge(i + 1), count => c }
        })
        .collect();
    let histogram = svg::histogram(
        &Labels {
            id: "histogram",
            title: &format!("{} — {description}", t("histogram_title")),
            desc: &description,
            lang: ctx.lang,
        },
        &hist.bin_edges,
        &hist.counts,
        described.applicant_value,
    );

    let compared = similar.features.clone();
    let value_of = |values: Option<&scoring_proto::scoring::v1::FeatureValues>, f: &str| {
        values
            .and_then(|v| v.values.get(f))
            .map_or_else(|| t("missing").to_owned(), |v| svg::fmt_num(*v))
    };
    let neighbours: Vec<Value> = similar
        .neighbours
        .iter()
        .map(|n| {
            context! {
                id => n.client_id, distance => format!("{:.2}", n.distance), probability => pct(n.probability_of_default),
                decision => decision_name(n.decision),
                values => compared.iter().map(|f| value_of(n.values.as_ref(), f)).collect::<Vec<_>>(),
            }
        })
        .collect();
    let own_values: Vec<String> = compared
        .iter()
        .map(|f| value_of(similar.applicant_values.as_ref(), f))
        .collect();

    let points: Vec<(f64, f64, f64)> = scatter
        .points
        .iter()
        .map(|p| (p.x, p.y, p.probability_of_default))
        .collect();
    let highlight = scatter
        .points
        .iter()
        .find(|p| p.client_id == id)
        .map(|p| (p.x, p.y));
    let scatter_svg = svg::scatter(
        &Labels {
            id: "scatter",
            title: &format!("{} ({x} × {y})", t("scatter_title")),
            desc: t("scatter_legend"),
            lang: ctx.lang,
        },
        &points,
        bands(model.model.as_ref()),
        highlight,
    );
    let describe = |name: &str| {
        features
            .iter()
            .find(|f| f.0 == name)
            .map(|f| f.1.clone())
            .unwrap_or_default()
    };
    ctx.render(
        "compare.html",
        context! {
            title => format!("{} — {} {id}", t("compare"), t("client")), client_id => id,
            features => features.iter().map(|(n, d)| context! { name => n, description => d }).collect::<Vec<_>>(),
            operators => OPERATORS.iter().map(|o| context! { value => o.0, symbol => o.1 }).collect::<Vec<_>>(),
            feature, description, x_description => describe(&x), y_description => describe(&y), x, y,
            filter_feature => param(&params, "filter_feature"), filter_op => param(&params, "filter_op"),
            filter_symbol => param(&params, "filter_op").and_then(|op| OPERATORS.iter().find(|o| o.0 == op)).map(|o| o.1),
            filter_value => param(&params, "filter_value"), filtered => filter.is_some(),
            population => described.population_size, missing_count => hist.missing_count,
            client_value => described.applicant_value.map(svg::fmt_num),
            percentile => described.applicant_percentile.map(|p| format!("{p:.0}")),
            histogram => Value::from_safe_string(histogram), bins,
            compared, own_values, neighbours,
            scatter => Value::from_safe_string(scatter_svg), shown => scatter.points.len(),
            scatter_population => scatter.population_size,
        },
    )
}

/// The lowest and highest refusal thresholds of the model (every point one
/// colour when it has none).
fn bands(model: Option<&scoring_proto::scoring::v1::ModelInfo>) -> svg::Bands {
    let thresholds = model
        .iter()
        .flat_map(|m| &m.thresholds)
        .map(|t| t.threshold);
    let lowest = thresholds.clone().fold(f64::INFINITY, f64::min);
    let highest = thresholds.fold(f64::NEG_INFINITY, f64::max);
    if lowest.is_finite() && highest.is_finite() {
        svg::Bands { lowest, highest }
    } else {
        svg::Bands {
            lowest: f64::INFINITY,
            highest: f64::INFINITY,
        }
    }
}
