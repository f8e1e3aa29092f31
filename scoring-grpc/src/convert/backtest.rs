//! A published backtest on the wire (GetModel's `backtest`), naming every
//! field.

use std::str::FromStr;

use scoring_core::backtest::{Backtest, CalibrationBin, CostBasis, Estimate, StrategyOutcome};

use super::ToWire;
use scoring_proto::scoring::v1 as pb;

/// An RFC 3339 time as written by the trainer; absent when unreadable
/// (logged: the rest of the backtest is still worth showing).
fn timestamp(text: &str, field: &str) -> Option<prost_types::Timestamp> {
    match prost_types::Timestamp::from_str(text) {
        Ok(t) => Some(t),
        Err(error) => {
            tracing::warn!(field, value = text, %error, "backtest time unreadable");
            None
        }
    }
}

pub(super) fn estimate(e: &Estimate) -> pb::Estimate {
    let Estimate {
        estimate,
        low,
        high,
    } = *e;
    pb::Estimate {
        estimate,
        low,
        high,
    }
}

pub fn backtest_to_wire(backtest: &Backtest) -> pb::Backtest {
    let Backtest {
        model_version: _,
        created_at,
        decision_rule,
        thresholds_source,
        first_decision,
        last_decision,
        clients,
        defaulters,
        roc_auc,
        calibration,
        cost,
        strategies,
    } = backtest;
    let CostBasis {
        interest_rate,
        loss_given_default,
        credit,
    } = cost;
    pb::Backtest {
        created_at: timestamp(created_at, "created_at"),
        decision_rule: decision_rule.clone(),
        thresholds_source: thresholds_source.clone(),
        first_decision: timestamp(first_decision, "first_decision"),
        last_decision: timestamp(last_decision, "last_decision"),
        clients: *clients,
        defaulters: *defaulters,
        roc_auc: Some(estimate(roc_auc)),
        strategies: strategies.iter().map(strategy).collect(),
        calibration: calibration.iter().map(bin).collect(),
        interest_rate: *interest_rate,
        loss_given_default: *loss_given_default,
        credit: credit.clone(),
    }
}

fn strategy(outcome: &StrategyOutcome) -> pb::BacktestStrategy {
    let StrategyOutcome {
        strategy,
        threshold,
        accepted,
        acceptance_rate,
        default_rate_among_accepted,
        cost_per_client,
    } = outcome;
    pb::BacktestStrategy {
        strategy: strategy.to_wire() as i32,
        threshold: *threshold,
        accepted: *accepted,
        acceptance_rate: Some(estimate(acceptance_rate)),
        default_rate_among_accepted: default_rate_among_accepted.as_ref().map(estimate),
        cost_per_client: Some(estimate(cost_per_client)),
    }
}

fn bin(bin: &CalibrationBin) -> pb::BacktestCalibrationBin {
    let CalibrationBin {
        mean_predicted,
        observed_rate,
        observed_low,
        observed_high,
        count,
    } = *bin;
    pb::BacktestCalibrationBin {
        mean_predicted,
        observed_default_rate: Some(pb::Estimate {
            estimate: observed_rate,
            low: observed_low,
            high: observed_high,
        }),
        count,
    }
}
