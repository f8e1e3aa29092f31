//! The monitoring page: the live model's score PSI and its most drifted
//! features, each with its live-vs-reference histogram, the shadow
//! challenger's agreement, and the traffic lights explained.

mod strings;

pub use strings::STRINGS;

use axum::{extract::State, response::Response};
use minijinja::{Value, context};
use scoring_proto::scoring::v1::{
    ChallengerComparison, DriftHistogram, FeatureDrift, GetDriftRequest, GetModelRequest,
    get_model_request::Model,
};

use super::{Ctx, strategy_name};
use crate::{
    AppState,
    error::Failure,
    i18n::Lang,
    routes::client::pct,
    svg::{self, Labels, PairedBin},
};

/// Features shown, most drifted first.
pub const MOST_DRIFTED: u32 = 5;
/// Below: stable.
pub const WATCH_FROM: f64 = 0.1;
/// Above: act.
pub const ACT_ABOVE: f64 = 0.25;

/// The traffic light of a PSI: its CSS class and its label's key.
pub fn light(psi: Option<f64>) -> (&'static str, &'static str) {
    match psi {
        None => ("light-none", "light_none"),
        Some(p) if p < WATCH_FROM => ("light-stable", "light_stable"),
        Some(p) if p <= ACT_ABOVE => ("light-watch", "light_watch"),
        Some(_) => ("light-act", "light_act"),
    }
}

/// GET /monitoring
pub async fn page(State(state): State<AppState>, ctx: Ctx) -> Result<Response, Failure> {
    let request = GetDriftRequest {
        limit: MOST_DRIFTED,
        features: vec![],
    };
    let t = |k: &str| ctx.lang.tr(k);
    let drift = match state.scoring.get_drift(request).await {
        Ok(drift) => drift,
        Err(status) if status.code() == tonic::Code::FailedPrecondition => {
            return ctx.render(
                "monitoring.html",
                context! { title => t("nav_monitoring"), tracked => false },
            );
        }
        Err(status) => return Err(ctx.fail(status)),
    };
    crate::layers::note_model_version(&drift.model_version);
    let window = drift.window.unwrap_or_default();
    let score = drift
        .score
        .as_ref()
        .map(|s| quantity(ctx.lang, "score-drift", s));
    let features: Vec<Value> = drift
        .features
        .iter()
        .enumerate()
        .map(|(i, f)| quantity(ctx.lang, &format!("feature-drift-{i}"), f))
        .collect();
    let challenger = drift.challenger.as_ref().map(|c| challenger(ctx.lang, c));
    // The live version's last backtest, if one was published; the page
    // stands without it when the service cannot say.
    let backtest = match state
        .scoring
        .get_model(GetModelRequest {
            model: Some(Model::Version(drift.model_version.clone())),
        })
        .await
    {
        Ok(got) => got.backtest.map(|b| super::backtest::view(&b, ctx.lang)),
        Err(status) => {
            tracing::warn!(code = ?status.code(), "no backtest for the monitoring page");
            None
        }
    };
    ctx.render(
        "monitoring.html",
        context! {
            title => format!("{} {}", t("monitoring_title"), drift.model_version),
            tracked => true,
            version => &drift.model_version,
            applicants => drift.applicants,
            max_applicants => (window.max_applicants > 0).then_some(window.max_applicants),
            hours => (window.duration_seconds > 0).then(|| format!("{:.1}", window.duration_seconds as f64 / 3600.0)),
            start => window.start.map(|s| s.to_string()),
            score, features, challenger, backtest,
        },
    )
}

/// A PSI for display, with its light.
fn psi_context(lang: Lang, psi: Option<f64>) -> Value {
    let (class, key) = light(psi);
    context! { value => psi.map(|p| format!("{p:.3}")), class, label => lang.tr(key) }
}

/// One feature's (or the score's) drift: its PSI and light, the chart and
/// its data.
fn quantity(lang: Lang, id: &str, drift: &FeatureDrift) -> Value {
    let histogram = drift.histogram.clone().unwrap_or_default();
    let bins = paired_bins(lang, &histogram);
    let name = if drift.description.is_empty() {
        drift.feature.clone()
    } else {
        format!("{} ({})", drift.description, drift.feature)
    };
    let chart = svg::paired_histogram(
        &Labels {
            id,
            title: &name,
            desc: lang.tr("drift_chart_desc"),
            lang,
        },
        &bins,
        [lang.tr("reference_series"), lang.tr("live_series")],
    );
    let ranges = bin_ranges(lang, &histogram.bin_edges);
    context! {
        id, name, feature => &drift.feature,
        psi => psi_context(lang, drift.psi),
        chart => Value::from_safe_string(chart),
        rows => bins.iter().zip(ranges).map(|(b, range)| context! {
            range, reference => pct(b.reference), live => pct(b.live),
        }).collect::<Vec<_>>(),
    }
}

/// Each bin's shares of its population (missing included), numbered, the
/// missing bin last.
fn paired_bins(lang: Lang, h: &DriftHistogram) -> Vec<PairedBin> {
    let total = |counts: &[u64], missing: u64| (counts.iter().sum::<u64>() + missing).max(1) as f64;
    let (reference_total, live_total) = (
        total(&h.reference_counts, h.reference_missing),
        total(&h.live_counts, h.live_missing),
    );
    let bins = h.reference_counts.len().max(h.live_counts.len());
    let share = |counts: &[u64], i: usize, of: f64| counts.get(i).copied().unwrap_or(0) as f64 / of;
    (0..bins)
        .map(|i| PairedBin {
            label: (i + 1).to_string(),
            reference: share(&h.reference_counts, i, reference_total),
            live: share(&h.live_counts, i, live_total),
        })
        .chain(std::iter::once(PairedBin {
            label: lang.tr("missing_bin").to_owned(),
            reference: h.reference_missing as f64 / reference_total,
            live: h.live_missing as f64 / live_total,
        }))
        .collect()
}

/// "1: [a, b)" per bin, the last closed, then the missing bin.
fn bin_ranges(lang: Lang, edges: &[f64]) -> Vec<String> {
    let n = edges.len().saturating_sub(1).max(1);
    let mut ranges: Vec<String> = (0..n)
        .map(|i| match (edges.get(i), edges.get(i + 1)) {
            (Some(a), Some(b)) => {
                let close = if i + 1 == n { "]" } else { ")" };
                format!(
                    "{}: [{}, {}{close}",
                    i + 1,
                    svg::num(*a, lang),
                    svg::num(*b, lang)
                )
            }
            _ => format!("{}", i + 1),
        })
        .collect();
    ranges.push(lang.tr("missing_bin").to_owned());
    ranges
}

fn challenger(lang: Lang, c: &ChallengerComparison) -> Value {
    let n = c.difference_counts.len();
    let differences: Vec<Value> = (0..n)
        .map(|i| {
            let (a, b) = (c.difference_edges.get(i), c.difference_edges.get(i + 1));
            let range = match (a, b) {
                (Some(a), Some(b)) => format!(
                    "[{}, {}{}",
                    svg::num(*a, lang),
                    svg::num(*b, lang),
                    if i + 1 == n { "]" } else { ")" }
                ),
                _ => String::new(),
            };
            context! { range, count => c.difference_counts[i] }
        })
        .collect();
    context! {
        version => &c.challenger_version,
        compared => c.compared,
        since => c.since.as_ref().map(|s| s.to_string()),
        agreement => c.agreement.iter().map(|a| context! {
            strategy => lang.tr(&format!("strategy_{}", strategy_name(a.strategy))),
            rate => a.agreement_rate.map(pct), agreed => a.agreed, compared => a.compared,
        }).collect::<Vec<_>>(),
        psi => psi_context(lang, c.score_psi),
        differences,
        dropped => c.dropped,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lights_follow_the_documented_thresholds() {
        assert_eq!(light(None).0, "light-none");
        assert_eq!(light(Some(0.0999)).0, "light-stable");
        assert_eq!(light(Some(0.1)).0, "light-watch");
        assert_eq!(light(Some(0.25)).0, "light-watch");
        assert_eq!(light(Some(0.2501)).0, "light-act");
    }

    #[test]
    fn shares_include_the_missing_bin_and_ranges_name_each_bin() {
        let h = DriftHistogram {
            bin_edges: vec![0.0, 1.0, 2.0],
            reference_counts: vec![2, 1],
            reference_missing: 1,
            live_counts: vec![0, 3],
            live_missing: 1,
        };
        let bins = paired_bins(Lang::En, &h);
        assert_eq!(bins.len(), 3);
        assert_eq!((bins[0].reference, bins[0].live), (0.5, 0.0));
        assert_eq!((bins[2].label.as_str(), bins[2].live), ("missing", 0.25));
        let ranges = bin_ranges(Lang::Fr, &h.bin_edges);
        assert_eq!(ranges, ["1: [0, 1)", "2: [1, 2]", "manquant"]);
    }
}
