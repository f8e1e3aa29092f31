//! The backtest published beside the dashboard model's live version, as
//! `trainer backtest --publish` would have written it (test data: declared,
//! not computed, as the report is).

use scoring_core::Strategy;
use scoring_core::backtest::{Backtest, CalibrationBin, CostBasis, Estimate, StrategyOutcome};

use super::report::{GAIN, LOSS};

/// The backtest published beside [`super::LIVE`] (test data, as `trainer
/// backtest` would have written it): 240 clients decided, 31 defaulted;
/// the aggressive strategy accepted every client, the prudent one few.
pub fn backtest(version: &str) -> Backtest {
    let estimate = |estimate: f64, low: f64, high: f64| Estimate {
        estimate,
        low,
        high,
    };
    let strategy = |strategy: Strategy, accepted: u64, default_rate: Option<Estimate>| {
        let rate = accepted as f64 / 240.0;
        StrategyOutcome {
            strategy,
            threshold: crate::published::THRESHOLDS.get(strategy),
            accepted,
            acceptance_rate: estimate(rate, (rate - 0.05).max(0.0), (rate + 0.05).min(1.0)),
            default_rate_among_accepted: default_rate,
            cost_per_client: estimate(-0.0123, -0.0201, -0.0042),
        }
    };
    Backtest {
        model_version: version.to_owned(),
        created_at: "2026-11-30T08:00:00Z".into(),
        decision_rule: "Score and ScoreBatch lines about a client known by id".into(),
        thresholds_source: "registry".into(),
        first_decision: "2026-02-01T09:30:00Z".into(),
        last_decision: "2026-05-31T17:45:00Z".into(),
        clients: 240,
        defaulters: 31,
        roc_auc: estimate(0.6412, 0.5873, 0.6951),
        calibration: vec![
            CalibrationBin {
                mean_predicted: 0.061,
                observed_rate: 0.075,
                observed_low: 0.032,
                observed_high: 0.164,
                count: 120,
            },
            CalibrationBin {
                mean_predicted: 0.192,
                observed_rate: 0.183,
                observed_low: 0.125,
                observed_high: 0.262,
                count: 120,
            },
        ],
        cost: CostBasis {
            interest_rate: GAIN,
            loss_given_default: LOSS,
            credit: "AMT_CREDIT".into(),
        },
        strategies: vec![
            strategy(Strategy::Prudent, 0, None),
            strategy(Strategy::Normal, 150, Some(estimate(0.08, 0.0462, 0.1348))),
            strategy(
                Strategy::Aggressive,
                240,
                Some(estimate(0.1292, 0.0925, 0.1776)),
            ),
        ],
    }
}
