//! The model page's "Fairness" section: the published report's groups by
//! gender and age band (GetModel's `report.fairness`), each strategy's
//! acceptance rate and its ratio to the most favoured group with 95 %
//! intervals (a ratio below four fifths is flagged in words), and what
//! excluding gender changes.

use minijinja::{Value, context};
use scoring_proto::scoring::v1::FairnessReport;

use super::backtest::{percent, plain};
use super::strategy_name;
use crate::i18n::Lang;
use crate::routes::client::pct;

/// A group's name in the page's language (`unknown` is translated).
fn group_name(group: &str, lang: Lang) -> String {
    match group {
        "unknown" => lang.tr("fairness_unknown").to_owned(),
        other => other.to_owned(),
    }
}

/// The template's view of a published fairness section; `None` for a
/// version published before the report had one.
pub fn view(report: &FairnessReport, lang: Lang) -> Option<Value> {
    if report.attributes.is_empty() && report.gender_exclusion.is_none() {
        return None;
    }
    let attributes: Vec<Value> = report
        .attributes
        .iter()
        .map(|a| {
            let rows: Vec<Value> = a
                .groups
                .iter()
                .flat_map(|g| {
                    g.strategies.iter().enumerate().map(move |(k, s)| {
                        context! {
                            group => group_name(&g.group, lang),
                            first => k == 0,
                            clients => g.clients,
                            mean_pd => pct(g.mean_probability),
                            observed => pct(g.observed_default_rate),
                            auc => plain(g.roc_auc.as_ref()),
                            strategy => lang.tr(&format!("strategy_{}", strategy_name(s.strategy))),
                            acceptance => percent(s.acceptance_rate.as_ref()),
                            default_rate => percent(s.default_rate_among_accepted.as_ref()),
                            ratio => plain(s.adverse_impact_ratio.as_ref()),
                            reference => group_name(&s.reference_group, lang),
                            flagged => s.flagged,
                        }
                    })
                })
                .collect();
            context! {
                id => format!("fairness-{}", a.attribute.replace('_', "-")),
                label => lang.tr(&format!("fairness_{}", a.attribute)),
                column => &a.source_column,
                rows,
            }
        })
        .collect();
    let effect = report.gender_exclusion.as_ref().map(|e| {
        context! {
            auc_published => format!("{:.4}", e.roc_auc_published),
            auc_without => format!("{:.4}", e.roc_auc_without),
            auc_difference => plain(e.roc_auc_difference.as_ref()),
            cost_published => format!("{:.4}", e.cost_per_client_published),
            cost_without => format!("{:.4}", e.cost_per_client_without),
            cost_difference => plain(e.cost_difference.as_ref()),
            features => e.features.join(", "),
        }
    });
    Some(context! {
        method => &report.method,
        excluded => report.excluded_columns.join(", "),
        attributes,
        effect,
        note => &report.exclusion_note,
    })
}
