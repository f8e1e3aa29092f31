//! The lender's cost of accept / refuse decisions and the thresholds that
//! follow from it.
//!
//! # Cost of one client
//!
//! A client is refused when `p >= threshold`, accepted otherwise.
//!
//! | decision | repaid (0)                        | defaulted (1)                        |
//! |----------|-----------------------------------|--------------------------------------|
//! | accept   | `−interest_rate · AMT_CREDIT`     | `+loss_given_default · AMT_CREDIT`   |
//! | refuse   | 0                                 | 0                                    |
//!
//! Defaults: 5% interest earned on a good loan (a negative cost, i.e. a
//! gain) and 80% of the credit lost on a default. Rates are configured in
//! [`CostParameters`] and checked once into [`ValidCostParameters`].
//!
//! # Cost curve
//!
//! [`sweep`] evaluates the total cost on a grid of thresholds (by default
//! 0.000, 0.005, …, 1.000, see [`default_grid`]). Threshold 0 (refuse
//! everyone, since every p ≥ 0) and [`ACCEPT_EVERYONE`] (`1 + f64::EPSILON`,
//! above every probability, so even p = 1 is accepted) are always added, so
//! both extreme policies are on the curve.
//!
//! # Break-even thresholds (what the trainer publishes)
//!
//! For a calibrated probability p, accepting a client is worth
//! `(1 − p) · interest_rate − p · loss_given_default` times its credit, so
//! the lender breaks even at `p = interest_rate / (interest_rate +
//! loss_given_default)` whatever the amount ([`break_even`]; 0.0588 with
//! the defaults). [`break_even_strategies`] sets **normal** there and
//! **prudent** / **aggressive** at the break-even of a loss given default
//! `stress` higher / lower: a rule that needs no labelled client, so it
//! cannot overfit a split and does not move between seeds.
//!
//! # Thresholds off a cost curve
//!
//! - **normal** = [`CostCurve::cost_optimal`]: the grid threshold with the
//!   lowest total cost; ties go to the *lowest* threshold (the one that
//!   refuses the most, hence the least exposed to model error).
//! - With `budget = optimal cost + strategy_tolerance · |optimal cost|`
//!   (tolerance 5% by default), **prudent** is the lowest threshold reached
//!   by walking down the grid from the optimum while every threshold passed
//!   costs at most `budget`; **aggressive** is the highest reached walking
//!   up the same way. So the whole band prudent..=aggressive costs at most
//!   5% more than the optimum, and prudent ≤ normal ≤ aggressive by
//!   construction. Walking stops at the first threshold over budget, so a
//!   distant cheap region does not widen the band. When no neighbour is
//!   within budget on a side (small portfolios), that side takes the next
//!   grid threshold, so the three strategies differ whenever the grid allows.

use serde::Serialize;

use super::{DefaultLabel, check_threshold, validate};
use crate::{Error, Result};

/// A threshold above every probability: accepts every client.
pub const ACCEPT_EVERYONE: f64 = 1.0 + f64::EPSILON;

/// Business-cost rates, as configured; check them with
/// [`CostParameters::check`] before use.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct CostParameters {
    /// Interest earned on a repaid loan, as a share of AMT_CREDIT.
    pub interest_rate: f64,
    /// Share of AMT_CREDIT lost when the client defaults.
    pub loss_given_default: f64,
    /// How much more than the optimal cost the prudent and aggressive
    /// thresholds may cost, as a share of |optimal cost|.
    pub strategy_tolerance: f64,
}

impl Default for CostParameters {
    fn default() -> Self {
        Self {
            interest_rate: 0.05,
            loss_given_default: 0.8,
            strategy_tolerance: 0.05,
        }
    }
}

impl CostParameters {
    /// Checks that every rate is finite and ≥ 0; the error names the first
    /// parameter that is not.
    pub fn check(&self) -> Result<ValidCostParameters> {
        for (parameter, value) in [
            ("interest_rate", self.interest_rate),
            ("loss_given_default", self.loss_given_default),
            ("strategy_tolerance", self.strategy_tolerance),
        ] {
            if !(value.is_finite() && value >= 0.0) {
                return Err(Error::InvalidCostParameter { parameter, value });
            }
        }
        Ok(ValidCostParameters(*self))
    }
}

/// Cost parameters that passed [`CostParameters::check`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ValidCostParameters(CostParameters);

impl ValidCostParameters {
    /// The checked parameters.
    pub fn get(&self) -> &CostParameters {
        &self.0
    }

    /// Cost of accepting one client with this credit amount.
    fn cost_if_accepted(&self, defaulted: bool, credit: f64) -> f64 {
        if defaulted {
            self.0.loss_given_default * credit
        } else {
            -self.0.interest_rate * credit
        }
    }
}

/// The probability of default at which accepting a client costs nothing in
/// expectation: `interest_rate / (interest_rate + loss_given_default)`; 1
/// (accept everyone) when both are 0 and nothing is at stake.
pub fn break_even(interest_rate: f64, loss_given_default: f64) -> f64 {
    let at_stake = interest_rate + loss_given_default;
    if at_stake > 0.0 {
        interest_rate / at_stake
    } else {
        1.0
    }
}

/// Normal at the break-even of `params`; prudent and aggressive at the
/// break-even of a loss given default `1 + stress` and `1 − stress` times
/// as large. `stress` must be in [0, 1).
pub fn break_even_strategies(
    params: &ValidCostParameters,
    stress: f64,
) -> Result<StrategyThresholds> {
    if !(stress.is_finite() && (0.0..1.0).contains(&stress)) {
        return Err(Error::TrainingInvalidParameter {
            parameter: "lgd_stress",
            value: stress,
            expected: "a number in [0, 1)",
        });
    }
    let CostParameters {
        interest_rate: r,
        loss_given_default: lgd,
        ..
    } = params.0;
    Ok(StrategyThresholds {
        prudent: break_even(r, lgd * (1.0 + stress)),
        normal: break_even(r, lgd),
        aggressive: break_even(r, lgd * (1.0 - stress)),
    })
}

/// The portfolio outcome of one threshold.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct CostPoint {
    /// Clients with `p >= threshold` are refused.
    pub threshold: f64,
    /// Sum of the per-client costs (negative = a gain).
    pub total_cost: f64,
    /// `total_cost` divided by the number of clients.
    pub cost_per_client: f64,
    /// Number of clients accepted.
    pub accepted: u64,
    /// Share of the clients accepted.
    pub acceptance_rate: f64,
    /// Share of the accepted clients who defaulted; `None` if none accepted.
    pub default_rate_among_accepted: Option<f64>,
}

/// Total cost etc. for a portfolio sorted by probability: the first
/// `accepted` clients are accepted.
fn point(threshold: f64, clients: usize, accepted: usize, cost: f64, defaults: usize) -> CostPoint {
    CostPoint {
        threshold,
        total_cost: cost,
        cost_per_client: cost / clients as f64,
        accepted: accepted as u64,
        acceptance_rate: accepted as f64 / clients as f64,
        default_rate_among_accepted: (accepted > 0).then(|| defaults as f64 / accepted as f64),
    }
}

/// Validates all three inputs and returns the labels as booleans.
fn validate_portfolio<L: DefaultLabel>(
    probabilities: &[f64],
    labels: &[L],
    credit_amounts: &[f64],
) -> Result<Vec<bool>> {
    const METRIC: &str = "business cost";
    let defaulted = validate(METRIC, probabilities, labels)?;
    if credit_amounts.len() != probabilities.len() {
        return Err(Error::EvaluationLengthMismatch {
            metric: METRIC,
            expected: "probabilities",
            expected_len: probabilities.len(),
            found: "credit amounts",
            found_len: credit_amounts.len(),
        });
    }
    if let Some((index, &value)) = credit_amounts
        .iter()
        .enumerate()
        .find(|(_, c)| !(c.is_finite() && **c >= 0.0))
    {
        return Err(Error::InvalidCreditAmount { index, value });
    }
    Ok(defaulted)
}

/// The cost of deciding every client at one `threshold`.
pub fn portfolio_cost<L: DefaultLabel>(
    probabilities: &[f64],
    labels: &[L],
    credit_amounts: &[f64],
    params: &ValidCostParameters,
    threshold: f64,
) -> Result<CostPoint> {
    let defaulted = validate_portfolio(probabilities, labels, credit_amounts)?;
    let threshold = check_threshold(threshold)?;
    let (mut cost, mut accepted, mut defaults) = (0.0, 0, 0);
    for ((&p, &d), &credit) in probabilities.iter().zip(&defaulted).zip(credit_amounts) {
        if p < threshold {
            cost += params.cost_if_accepted(d, credit);
            accepted += 1;
            defaults += usize::from(d);
        }
    }
    Ok(point(
        threshold,
        probabilities.len(),
        accepted,
        cost,
        defaults,
    ))
}

/// The default grid: 0.000, 0.005, …, 1.000 (201 thresholds).
pub fn default_grid() -> Vec<f64> {
    (0..=200).map(|i| f64::from(i) / 200.0).collect()
}

/// The cost curve over thresholds; never empty.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CostCurve {
    points: Vec<CostPoint>,
    strategy_tolerance: f64,
}

/// The three decision thresholds offered to the lender.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct StrategyThresholds {
    /// Refuses more clients, at most `strategy_tolerance` dearer.
    pub prudent: f64,
    /// The cost-optimal threshold.
    pub normal: f64,
    /// Accepts more clients, at most `strategy_tolerance` dearer.
    pub aggressive: f64,
}

/// The cost curve over `grid` plus threshold 0 and [`ACCEPT_EVERYONE`],
/// sorted by threshold without duplicates. Grid thresholds must be finite
/// and in `[0, ACCEPT_EVERYONE]`.
pub fn sweep<L: DefaultLabel>(
    probabilities: &[f64],
    labels: &[L],
    credit_amounts: &[f64],
    params: &ValidCostParameters,
    grid: &[f64],
) -> Result<CostCurve> {
    let defaulted = validate_portfolio(probabilities, labels, credit_amounts)?;
    let mut thresholds = grid
        .iter()
        .map(|&t| check_threshold(t))
        .collect::<Result<Vec<f64>>>()?;
    thresholds.extend([0.0, ACCEPT_EVERYONE]);
    thresholds.sort_by(f64::total_cmp);
    thresholds.dedup();

    let mut order: Vec<usize> = (0..probabilities.len()).collect();
    order.sort_by(|&a, &b| probabilities[a].total_cmp(&probabilities[b]));
    let sorted: Vec<f64> = order.iter().map(|&i| probabilities[i]).collect();
    // cumulative[k] = (cost, defaults) of accepting the k lowest-risk clients.
    let mut cumulative = Vec::with_capacity(order.len() + 1);
    cumulative.push((0.0, 0usize));
    let (mut cost, mut defaults) = (0.0, 0);
    for &i in &order {
        cost += params.cost_if_accepted(defaulted[i], credit_amounts[i]);
        defaults += usize::from(defaulted[i]);
        cumulative.push((cost, defaults));
    }

    let points = thresholds
        .into_iter()
        .map(|t| {
            let accepted = sorted.partition_point(|&p| p < t);
            let (cost, defaults) = cumulative[accepted];
            point(t, sorted.len(), accepted, cost, defaults)
        })
        .collect();
    Ok(CostCurve {
        points,
        strategy_tolerance: params.get().strategy_tolerance,
    })
}

impl CostCurve {
    /// The points, by increasing threshold.
    pub fn points(&self) -> &[CostPoint] {
        &self.points
    }

    fn optimal_index(&self) -> usize {
        // Strict `<` keeps the first, i.e. lowest, of tied thresholds.
        let mut best = 0;
        for (i, p) in self.points.iter().enumerate() {
            if p.total_cost < self.points[best].total_cost {
                best = i;
            }
        }
        best
    }

    /// The threshold with the lowest total cost; ties go to the lowest
    /// threshold.
    pub fn cost_optimal(&self) -> &CostPoint {
        &self.points[self.optimal_index()]
    }

    /// Prudent, normal and aggressive thresholds, as in the module doc.
    pub fn strategy_thresholds(&self) -> StrategyThresholds {
        let optimum = self.optimal_index();
        let best = self.points[optimum].total_cost;
        let budget = best + self.strategy_tolerance * best.abs();
        let within = |i: &usize| self.points[*i].total_cost <= budget;
        let low = (0..optimum)
            .rev()
            .take_while(within)
            .last()
            .unwrap_or(optimum);
        let high = (optimum + 1..self.points.len())
            .take_while(within)
            .last()
            .unwrap_or(optimum);
        // A band that holds only the optimum on one side would publish two
        // equal strategies: that side takes the next grid threshold.
        let low = if low == optimum {
            optimum.saturating_sub(1)
        } else {
            low
        };
        let high = if high == optimum && optimum + 1 < self.points.len() {
            optimum + 1
        } else {
            high
        };
        StrategyThresholds {
            prudent: self.points[low].threshold,
            normal: self.points[optimum].threshold,
            aggressive: self.points[high].threshold,
        }
    }
}
