//! bureau (other lenders' credits reported to the credit bureau) and
//! bureau_balance (their monthly status), shaped by `z_hist`.

use scoring_core::sigmoid;

use super::application::Person;
use super::csv::Csv;
use super::rng::Rng;
use super::sample::{Marginal, Marginals};
use crate::Result;

const TABLE: &str = "bureau";

/// Share of bureau credits with a monthly balance history; calibrated so
/// bureau_balance lands near its real size relative to bureau.
const BALANCE_SHARE: f64 = 0.41;

#[derive(Debug)]
pub(crate) struct BureauPlan {
    active: &'static Marginal,
    currency: &'static Marginal,
    days_credit: &'static Marginal,
    max_overdue: &'static Marginal,
    prolong: &'static Marginal,
    sum: &'static Marginal,
    debt: &'static Marginal,
    limit: &'static Marginal,
    credit_type: &'static Marginal,
    enddate: &'static Marginal,
    annuity: &'static Marginal,
}

impl BureauPlan {
    pub(crate) fn new(marginals: Marginals) -> Result<Self> {
        let m = |column| marginals.get(TABLE, column);
        Ok(Self {
            active: m("CREDIT_ACTIVE")?,
            currency: m("CREDIT_CURRENCY")?,
            days_credit: m("DAYS_CREDIT")?,
            max_overdue: m("AMT_CREDIT_MAX_OVERDUE")?,
            prolong: m("CNT_CREDIT_PROLONG")?,
            sum: m("AMT_CREDIT_SUM")?,
            debt: m("AMT_CREDIT_SUM_DEBT")?,
            limit: m("AMT_CREDIT_SUM_LIMIT")?,
            credit_type: m("CREDIT_TYPE")?,
            enddate: m("DAYS_CREDIT_ENDDATE")?,
            annuity: m("AMT_ANNUITY")?,
        })
    }

    /// Writes `count` bureau credits with ids from `first_id`, and their
    /// monthly balances.
    pub(crate) fn write(
        &self,
        bureau: &mut Csv,
        balance: &mut Csv,
        rng: &mut Rng,
        person: &Person,
        first_id: i64,
        count: u32,
    ) {
        let z = person.latent.z_hist;
        // Credits of an applicant share their owner's tendency to fall behind.
        let delinquency = sigmoid(-3.6 + 1.5 * z);
        for k in 0..i64::from(count) {
            let id = first_id + k;
            let status = self.active.category(rng);
            let closed = status != "Active";
            let days_credit = self
                .days_credit
                .num(rng)
                .min(-1.0)
                .max(person.days_birth + 6570.0);
            let term = (6.55 + 0.8 * rng.normal()).exp().min(30_000.0).round();
            let enddate = (!rng.chance(self.enddate.missing)).then_some(days_credit + term);
            let fact = closed.then(|| {
                (days_credit + term.min(-days_credit) * (0.1 + 0.8 * rng.uniform()))
                    .round()
                    .min(-1.0)
            });
            let overdue_now = !closed && rng.chance(delinquency * 0.35);
            let day_overdue = if overdue_now {
                (rng.uniform() * 6.0).exp().round().max(1.0)
            } else {
                0.0
            };
            let sum = self.sum.num(rng);
            let overdue_amount = if overdue_now {
                (sum * (0.01 + 0.2 * rng.uniform())).round()
            } else {
                0.0
            };
            let past_overdue = rng.chance(delinquency);
            let max_overdue = match rng.chance(self.max_overdue.missing) {
                true => None,
                false if past_overdue || overdue_now => {
                    Some((sum * (0.01 + 0.1 * rng.uniform()) * 100.0).round() / 100.0)
                }
                false => Some(0.0),
            };
            let debt = match rng.chance(self.debt.missing) {
                true => None,
                false if closed => Some(0.0),
                false => Some((sum * rng.uniform() * 100.0).round() / 100.0),
            };
            let update = match fact {
                Some(f) => (f + rng.range(0, 40) as f64).min(-1.0),
                None => -(rng.range(1, 60) as f64),
            };

            bureau.int(person.id);
            bureau.int(id);
            bureau.text(status);
            bureau.text(self.currency.category(rng));
            bureau.int(days_credit as i64);
            bureau.int(day_overdue as i64);
            bureau.opt(enddate);
            bureau.opt(fact);
            bureau.opt(max_overdue);
            bureau.int(self.prolong.num(rng) as i64);
            bureau.float(sum);
            bureau.opt(debt);
            bureau.value(self.limit.draw(rng), crate::tables::ColumnType::Float);
            bureau.float(overdue_amount);
            bureau.text(self.credit_type.category(rng));
            bureau.int(update.max(days_credit) as i64);
            bureau.value(self.annuity.draw(rng), crate::tables::ColumnType::Float);
            bureau.end();

            if rng.chance(BALANCE_SHARE) {
                let months = ((-days_credit / 30.44) as i64).min(96);
                let closed_month = fact.map(|f| (f / 30.44).floor() as i64);
                let history = if past_overdue || overdue_now {
                    delinquency.max(0.15)
                } else {
                    delinquency * 0.1
                };
                write_balance(balance, rng, id, months, closed_month, history, overdue_now);
            }
        }
    }
}

/// Monthly status, simulated from the oldest month on and written from month
/// 0 down to `-months`: C after closing, X when unknown, 0 when on time and
/// 1..5 for 1-30 .. over 120 days past due.
fn write_balance(
    out: &mut Csv,
    rng: &mut Rng,
    id: i64,
    months: i64,
    closed_month: Option<i64>,
    slip: f64,
    overdue_now: bool,
) {
    const STATUS: [&str; 6] = ["0", "1", "2", "3", "4", "5"];
    let mut statuses = [""; 97];
    let unknown = if rng.chance(0.25) { 1.0 } else { 0.12 };
    let mut bucket = 0usize;
    let months = months.clamp(0, 96);
    for month in -months..=0 {
        statuses[(-month) as usize] = if closed_month.is_some_and(|c| month > c) {
            "C"
        } else if rng.chance(unknown) {
            "X"
        } else {
            bucket = match bucket {
                0 if rng.chance(slip * 0.5) => 1,
                0 => 0,
                5 if rng.chance(0.9) => 5,
                b if rng.chance(0.45) => b - 1,
                b if rng.chance(0.35) => (b + 1).min(5),
                b => b,
            };
            if month == 0 && overdue_now {
                bucket = bucket.max(1);
            }
            STATUS[bucket]
        };
    }
    for (age, status) in statuses.iter().enumerate().take(months as usize + 1) {
        out.int(id);
        out.int(-(age as i64));
        out.text(status);
        out.end();
    }
}
