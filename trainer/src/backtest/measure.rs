//! The measures of one version's joined clients: realized ROC AUC, each
//! strategy's acceptance rate, default rate among the accepted and business
//! cost, and the calibration on deciles, with their intervals.
//!
//! Intervals: the ROC AUC, acceptance rates and costs per client are
//! stratified bootstrap percentile intervals (the trainer's
//! [`bootstrap()`]: resampling keeps the joined default rate); a default
//! rate among the accepted and each calibration bin's observed rate are
//! Wilson intervals of a proportion (the number accepted varies between
//! resamples, down to none for a strict strategy).

use std::collections::HashMap;

use chrono::SecondsFormat;
use scoring_core::Strategy;
use scoring_core::backtest::{Backtest, CalibrationBin, CostBasis, Estimate, StrategyOutcome};

use super::join::JoinedClient;
use crate::evaluation::{
    BootstrapPlan, ValidCostParameters, bootstrap, calibration_by_quantile, portfolio_cost,
    roc_auc, wilson_interval,
};
use crate::{Error, Result};

/// What every version's measures share.
#[derive(Debug, Clone)]
pub struct MeasureSettings {
    pub cost: ValidCostParameters,
    pub plan: BootstrapPlan,
    /// Equal-count bins of the calibration (10: deciles).
    pub calibration_bins: usize,
    /// The credit column of the outcomes, `None` when every client counts 1.
    pub credit_column: Option<String>,
    pub decision_rule: String,
    pub thresholds_source: String,
    pub created_at: String,
}

/// The backtest of `version` on its joined `clients` (at least one) with
/// the strategies' `thresholds`.
pub fn measure(
    version: &str,
    clients: &[JoinedClient],
    thresholds: &HashMap<Strategy, f64>,
    settings: &MeasureSettings,
) -> Result<Backtest> {
    let probabilities: Vec<f64> = clients.iter().map(|c| c.probability).collect();
    let labels: Vec<u8> = clients.iter().map(|c| u8::from(c.defaulted)).collect();
    let credits: Vec<f64> = clients.iter().map(|c| c.credit).collect();
    let defaulters = labels.iter().filter(|&&l| l == 1).count();
    if defaulters == 0 || defaulters == clients.len() {
        return Err(Error::BacktestSingleClass {
            version: version.to_owned(),
            clients: clients.len(),
            class: u8::from(defaulters > 0),
        });
    }
    let strategies: Vec<(Strategy, f64)> = Strategy::ALL
        .iter()
        .filter_map(|s| thresholds.get(s).map(|&t| (*s, t)))
        .collect();
    let cost = &settings.cost;
    // Measure 0: the ROC AUC; then per strategy its acceptance rate and
    // cost per client.
    let intervals = bootstrap(&labels, settings.plan, |rows| {
        let pick = |values: &[f64]| rows.iter().map(|&i| values[i]).collect::<Vec<f64>>();
        let (p, c) = (pick(&probabilities), pick(&credits));
        let l: Vec<u8> = rows.iter().map(|&i| labels[i]).collect();
        let mut measures = vec![roc_auc(&p, &l)?];
        for &(_, threshold) in &strategies {
            let point = portfolio_cost(&p, &l, &c, cost, threshold)?;
            measures.extend([point.acceptance_rate, point.cost_per_client]);
        }
        Ok(measures)
    })?;
    let strategies = strategies
        .iter()
        .enumerate()
        .map(|(k, &(strategy, threshold))| {
            let accepted: Vec<&JoinedClient> = clients
                .iter()
                .filter(|c| c.probability < threshold)
                .collect();
            let defaulted = accepted.iter().filter(|c| c.defaulted).count() as u64;
            let n = accepted.len() as u64;
            let default_rate_among_accepted = (n > 0).then(|| {
                let (low, high) = wilson_interval(defaulted, n);
                Estimate {
                    estimate: defaulted as f64 / n as f64,
                    low,
                    high,
                }
            });
            StrategyOutcome {
                strategy,
                threshold,
                accepted: n,
                acceptance_rate: intervals[1 + 2 * k].into(),
                default_rate_among_accepted,
                cost_per_client: intervals[2 + 2 * k].into(),
            }
        })
        .collect();
    let calibration = calibration_by_quantile(&probabilities, &labels, settings.calibration_bins)?
        .into_iter()
        .map(|bin| CalibrationBin {
            mean_predicted: bin.mean_predicted,
            observed_rate: bin.observed_rate,
            observed_low: bin.observed_low,
            observed_high: bin.observed_high,
            count: bin.count,
        })
        .collect();
    let times = clients.iter().map(|c| c.time);
    let shown = |t: Option<chrono::DateTime<chrono::Utc>>| {
        t.map(|t| t.to_rfc3339_opts(SecondsFormat::Secs, true))
            .unwrap_or_default()
    };
    let parameters = cost.get();
    Ok(Backtest {
        model_version: version.to_owned(),
        created_at: settings.created_at.clone(),
        decision_rule: settings.decision_rule.clone(),
        thresholds_source: settings.thresholds_source.clone(),
        first_decision: shown(times.clone().min()),
        last_decision: shown(times.max()),
        clients: clients.len() as u64,
        defaulters: defaulters as u64,
        roc_auc: intervals[0].into(),
        calibration,
        cost: CostBasis {
            interest_rate: parameters.interest_rate,
            loss_given_default: parameters.loss_given_default,
            credit: settings
                .credit_column
                .clone()
                .unwrap_or_else(|| "1 per client".to_owned()),
        },
        strategies,
    })
}
