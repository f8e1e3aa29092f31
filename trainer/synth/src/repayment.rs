//! The repayment history of approved previous loans: installments_payments
//! and POS_CASH_balance for instalment loans, credit_card_balance for cards.
//! Lateness, partial payments, days past due and card utilisation all grow
//! with the applicant's `z_hist`.

use scoring_core::sigmoid;

use super::application::Person;
use super::csv::Csv;
use super::rng::{Rng, normal_cdf};
use super::sample::{Marginal, Marginals, SENTINEL};
use crate::Result;

const MONTH: f64 = 30.44;
/// Share of instalment loans without POS/cash balance rows, and of
/// instalments paid in two parts; calibrated so POS_CASH_balance and
/// installments_payments land near their real sizes.
const POS_MISSING: f64 = 0.09;
const SPLIT_PAYMENT: f64 = 0.05;
/// Share of card payments that also appear as an instalment (version 0).
const CARD_INSTALMENT: f64 = 0.95;

/// An approved previous loan and its schedule.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Loan {
    pub(crate) id: i64,
    pub(crate) decision: f64,
    pub(crate) payments: f64,
    pub(crate) first_due: f64,
    pub(crate) last_due_first_version: f64,
    pub(crate) last_due: f64,
    pub(crate) termination: f64,
    pub(crate) annuity: f64,
}

impl Loan {
    /// The dates of an approved loan decided on day `decision` (365243 where
    /// the real data has it: cards without a due date, contracts still running).
    pub(crate) fn dates(
        rng: &mut Rng,
        id: i64,
        decision: f64,
        payments: f64,
        revolving: bool,
    ) -> Self {
        let first_due = if revolving && rng.chance(0.35) {
            SENTINEL
        } else {
            decision + rng.range(10, 45) as f64
        };
        let last_due_first_version = match () {
            _ if first_due == SENTINEL => SENTINEL,
            _ if revolving => first_due + 30.0 * rng.range(6, 36) as f64,
            _ => first_due + 30.0 * (payments - 1.0).max(0.0),
        };
        // Contracts still running mostly have no last due date yet; the others
        // were repaid early or refinanced.
        let running = last_due_first_version >= 0.0;
        let last_due = if first_due == SENTINEL
            || (running && rng.chance(0.45))
            || (revolving && rng.chance(0.5))
        {
            SENTINEL
        } else if running {
            (first_due + (-first_due) * rng.uniform()).round().min(-1.0)
        } else if rng.chance(0.25) {
            (first_due + (last_due_first_version - first_due) * rng.uniform()).round()
        } else {
            last_due_first_version
        };
        let termination = if last_due == SENTINEL {
            SENTINEL
        } else {
            (last_due + rng.range(0, 12) as f64).min(-1.0)
        };
        Self {
            id,
            decision,
            payments,
            first_due,
            last_due_first_version,
            last_due,
            termination,
            annuity: 0.0,
        }
    }
}

/// Reused buffers (no allocation per loan).
#[derive(Debug, Default)]
pub(crate) struct Scratch {
    /// Per instalment: (due day, days late (negative: early), unpaid part).
    instalments: Vec<(f64, f64, bool)>,
}

#[derive(Debug)]
pub(crate) struct RepaymentPlan {
    version: &'static Marginal,
    card_limit: &'static Marginal,
}

impl RepaymentPlan {
    pub(crate) fn new(marginals: Marginals) -> Result<Self> {
        Ok(Self {
            version: marginals.get("installments_payments", "NUM_INSTALMENT_VERSION")?,
            card_limit: marginals.get("credit_card_balance", "AMT_CREDIT_LIMIT_ACTUAL")?,
        })
    }

    /// Instalments due so far, with late and partial payments, and the
    /// monthly POS/cash balance of the loan.
    pub(crate) fn write_instalments(
        &self,
        pos: &mut Csv,
        out: &mut Csv,
        rng: &mut Rng,
        scratch: &mut Scratch,
        person: &Person,
        loan: &Loan,
    ) {
        if loan.first_due == SENTINEL || loan.payments < 1.0 {
            return;
        }
        // Not every loan has its monthly POS/cash balance recorded.
        let with_balance = !rng.chance(POS_MISSING);
        let z = person.latent.z_hist;
        let habit = 0.5 * rng.normal();
        let late_p = sigmoid(-2.6 + 1.2 * z + habit);
        let partial_p = sigmoid(-4.4 + 1.4 * z + habit);
        let version = self.version.num(rng).max(1.0);
        let end = if loan.last_due == SENTINEL {
            loan.last_due_first_version
        } else {
            loan.last_due
        };
        let amount = loan.annuity.max(1.0);
        scratch.instalments.clear();
        for number in 1..=(loan.payments as i64) {
            let due = loan.first_due + 30.0 * (number - 1) as f64;
            if due > -1.0 || due > end {
                break;
            }
            let late = rng.chance(late_p);
            let delay = if late {
                f64::from(rng.geometric(9.0, 900))
            } else {
                -(rng.range(0, 20) as f64)
            };
            let partial = rng.chance(partial_p);
            scratch.instalments.push((due, delay, partial));
            let entry = due + delay;
            let split = partial || rng.chance(SPLIT_PAYMENT);
            let paid = if split {
                (amount * (0.2 + 0.75 * rng.uniform()) * 100.0).round() / 100.0
            } else {
                amount
            };
            instalment_row(out, loan, person, version, number, due, entry, amount, paid);
            if !partial && split || partial && rng.chance(0.7) {
                let later = entry
                    + if partial {
                        rng.range(1, 40)
                    } else {
                        rng.range(0, 3)
                    } as f64;
                instalment_row(
                    out,
                    loan,
                    person,
                    version,
                    number,
                    due,
                    later,
                    amount,
                    ((amount - paid) * 100.0).round() / 100.0,
                );
            }
        }

        if !with_balance {
            return;
        }
        // Monthly balance from the first due month to the last month of the
        // schedule (or now), newest first.
        let first_month = ((loan.first_due / MONTH).floor() as i64).max(-96);
        let last_month = ((end / MONTH).floor() as i64).min(-1);
        for month in (first_month..=last_month).rev() {
            let month_end = (month + 1) as f64 * MONTH;
            let due_count = scratch
                .instalments
                .iter()
                .take_while(|(due, _, _)| *due < month_end)
                .count();
            let future = (loan.payments - due_count as f64).max(0.0);
            let (dpd, dpd_def) = scratch
                .instalments
                .iter()
                .filter(|(due, delay, _)| {
                    *due < month_end && due + delay > month_end - MONTH && *delay > 0.0
                })
                .map(|(due, _, partial)| {
                    let dpd = (month_end.min(-1.0) - due).max(0.0);
                    (dpd, if *partial { dpd } else { 0.0 })
                })
                .fold((0.0_f64, 0.0_f64), |a, b| (a.0.max(b.0), a.1.max(b.1)));
            let status = if future == 0.0 && month == last_month && last_month < -1 {
                "Completed"
            } else {
                "Active"
            };
            pos.int(loan.id);
            pos.int(person.id);
            pos.int(month);
            pos.float(loan.payments);
            pos.float(future);
            pos.text(status);
            pos.int(dpd as i64);
            pos.int(dpd_def as i64);
            pos.end();
        }
    }

    /// Monthly balance of a credit card from the decision month to now; some
    /// of its minimum payments also appear in installments_payments.
    pub(crate) fn write_card(
        &self,
        out: &mut Csv,
        instalments: &mut Csv,
        rng: &mut Rng,
        person: &Person,
        loan: &Loan,
    ) {
        let z = person.latent.z_hist;
        let limit = (self.card_limit.num(rng) / 22_500.0).round() * 22_500.0;
        let dormant = limit == 0.0 || rng.chance(0.3);
        let utilisation = normal_cdf(0.9 * z + 0.44 * rng.normal() - 0.3);
        let miss_p = sigmoid(-3.6 + 1.5 * z);
        let first_month = ((loan.decision / MONTH).floor() as i64).max(-96);
        let mut dpd = 0i64;
        let mut number = 0;
        for month in first_month..=-1 {
            let age = month - first_month;
            let active = !dormant && rng.chance(0.9);
            let balance = if active {
                (limit * (utilisation * (0.6 + 0.8 * rng.uniform())).min(1.05) * 100.0).round()
                    / 100.0
            } else {
                0.0
            };
            let draws = if active && rng.chance(0.45) {
                rng.range(1, 8)
            } else {
                0
            };
            let atm = if draws > 0 {
                (rng.range(0, draws)) as f64
            } else {
                0.0
            };
            let pos_count = draws as f64 - atm;
            let atm_amount = atm * 4500.0 * rng.range(1, 5) as f64;
            let pos_amount = (pos_count * limit * 0.02 * rng.uniform() * 100.0).round() / 100.0;
            let min_regular = (balance * 0.05 * 100.0).round() / 100.0;
            let missed = balance > 0.0 && rng.chance(miss_p);
            dpd = if missed { dpd + 30 } else { 0 };
            let payment = if balance > 0.0 && !missed {
                Some((min_regular + (balance - min_regular) * rng.uniform() * 0.3).round())
            } else {
                None
            };
            if let Some(paid) = payment.filter(|_| rng.chance(CARD_INSTALMENT)) {
                number += 1;
                let due = (month as f64 * MONTH).round() + 10.0;
                let entry = (due - rng.range(0, 6) as f64).min(-1.0);
                instalment_row(
                    instalments,
                    loan,
                    person,
                    0.0,
                    number,
                    due.min(-1.0),
                    entry,
                    min_regular,
                    paid,
                );
            }
            let no_draw_detail = draws == 0 && rng.chance(0.45);
            let no_min = rng.chance(0.0746);

            out.int(loan.id);
            out.int(person.id);
            out.int(month);
            out.float(balance);
            out.int(limit as i64);
            out.opt((!no_draw_detail).then_some(atm_amount));
            out.float(atm_amount + pos_amount);
            out.opt((!no_draw_detail).then_some(0.0));
            out.opt((!no_draw_detail).then_some(pos_amount));
            out.opt((!no_min).then_some(min_regular));
            out.opt(payment);
            out.float(payment.unwrap_or(0.0));
            out.float((balance * 0.97 * 100.0).round() / 100.0);
            out.float(balance);
            out.float(balance);
            out.opt((!no_draw_detail).then_some(atm));
            out.int(draws);
            out.opt((!no_draw_detail).then_some(0.0));
            out.opt((!no_draw_detail).then_some(pos_count));
            out.opt((!no_min).then_some(age as f64));
            out.text(
                if month == -1 && loan.termination != SENTINEL && loan.termination < -31.0 {
                    "Completed"
                } else {
                    "Active"
                },
            );
            out.int(dpd);
            out.int(if dpd > 60 { dpd } else { 0 });
            out.end();
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn instalment_row(
    out: &mut Csv,
    loan: &Loan,
    person: &Person,
    version: f64,
    number: i64,
    due: f64,
    entry: f64,
    amount: f64,
    paid: f64,
) {
    out.int(loan.id);
    out.int(person.id);
    out.float(version);
    out.int(number);
    out.float(due);
    // A payment dated in the future has not happened yet.
    let paid_yet = entry <= -1.0;
    out.opt(paid_yet.then_some(entry));
    out.float(amount);
    out.opt(paid_yet.then_some(paid));
    out.end();
}
