//! The model page's "Backtest" section: how the version's logged decisions
//! turned out once the outcomes were observed (GetModel's `backtest`), per
//! strategy with 95 % intervals, and the realized calibration.

use minijinja::{Value, context};
use scoring_proto::scoring::v1::{Backtest, Estimate};

use super::strategy_name;
use crate::i18n::Lang;
use crate::routes::client::pct;

/// `12.3 % [10.1, 14.6]`-style pieces of a rate in percent.
pub(super) fn percent(e: Option<&Estimate>) -> Value {
    match e {
        Some(e) => context! { value => pct(e.estimate), low => pct(e.low), high => pct(e.high) },
        None => Value::from(()),
    }
}

/// An estimate in its own unit, 4 decimals.
pub(super) fn plain(e: Option<&Estimate>) -> Value {
    match e {
        Some(e) => context! {
            value => format!("{:.4}", e.estimate),
            low => format!("{:.4}", e.low),
            high => format!("{:.4}", e.high),
        },
        None => Value::from(()),
    }
}

/// The template's view of a published backtest.
pub fn view(backtest: &Backtest, lang: Lang) -> Value {
    let strategies: Vec<Value> = backtest
        .strategies
        .iter()
        .map(|s| {
            context! {
                label => lang.tr(&format!("strategy_{}", strategy_name(s.strategy))),
                threshold => pct(s.threshold),
                accepted => s.accepted,
                acceptance => percent(s.acceptance_rate.as_ref()),
                default_rate => percent(s.default_rate_among_accepted.as_ref()),
                cost => plain(s.cost_per_client.as_ref()),
            }
        })
        .collect();
    let bins: Vec<Value> = backtest
        .calibration
        .iter()
        .map(|b| {
            context! {
                predicted => pct(b.mean_predicted),
                observed => percent(b.observed_default_rate.as_ref()),
                clients => b.count,
            }
        })
        .collect();
    context! {
        created => backtest.created_at.as_ref().map(ToString::to_string),
        first => backtest.first_decision.as_ref().map(ToString::to_string),
        last => backtest.last_decision.as_ref().map(ToString::to_string),
        clients => backtest.clients,
        defaulters => backtest.defaulters,
        auc => plain(backtest.roc_auc.as_ref()),
        rule => &backtest.decision_rule,
        thresholds_source => lang.tr(if backtest.thresholds_source == "registry" {
            "backtest_from_registry"
        } else {
            "backtest_from_audit"
        }),
        interest_rate => pct(backtest.interest_rate),
        loss_given_default => pct(backtest.loss_given_default),
        credit => &backtest.credit,
        strategies,
        bins,
    }
}
