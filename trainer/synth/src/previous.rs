//! previous_application: earlier applications to the lender, with their
//! decisions and dates; approved ones feed the repayment tables.

use super::application::Person;
use super::csv::Csv;
use super::repayment::{Loan, RepaymentPlan, Scratch};
use super::rng::Rng;
use super::sample::{Marginal, Marginals, SENTINEL, copula, pick};
use crate::Result;
use crate::tables::ColumnType;

const TABLE: &str = "previous_application";

/// The four tables an applicant's previous applications write into.
pub(crate) struct PreviousOut<'a> {
    pub(crate) previous: &'a mut Csv,
    pub(crate) pos: &'a mut Csv,
    pub(crate) instalments: &'a mut Csv,
    pub(crate) cards: &'a mut Csv,
}

#[derive(Debug)]
pub(crate) struct PreviousPlan {
    contract_type: &'static Marginal,
    annuity: &'static Marginal,
    application: &'static Marginal,
    down_payment: &'static Marginal,
    rate_down: &'static Marginal,
    rate_primary: &'static Marginal,
    rate_privileged: &'static Marginal,
    weekday: &'static Marginal,
    hour: &'static Marginal,
    last_per_contract: &'static Marginal,
    last_in_day: &'static Marginal,
    decision: &'static Marginal,
    payment_type: &'static Marginal,
    suite: &'static Marginal,
    client_type: &'static Marginal,
    product_type: &'static Marginal,
    channel: &'static Marginal,
    seller_area: &'static Marginal,
    count: &'static Marginal,
    yield_group: &'static Marginal,
    first_drawing: &'static Marginal,
    insured: &'static Marginal,
    /// Contract status from the least to the most risky outcome.
    statuses: Vec<(&'static str, f64)>,
    purposes: Vec<(&'static str, f64)>,
    reject_reasons: Vec<(&'static str, f64)>,
    goods: Vec<(&'static str, f64)>,
    industries: Vec<(&'static str, f64)>,
    pos_products: Vec<(&'static str, f64)>,
    cash_products: Vec<(&'static str, f64)>,
    repayment: RepaymentPlan,
}

impl PreviousPlan {
    pub(crate) fn new(marginals: Marginals) -> Result<Self> {
        let m = |column| marginals.get(TABLE, column);
        let combination = m("PRODUCT_COMBINATION")?;
        let with_prefix = |prefix: &str| {
            let others: Vec<&str> = combination
                .categories
                .iter()
                .map(|(c, _)| *c)
                .filter(|c| !c.starts_with(prefix))
                .collect();
            combination.categories_without(&others)
        };
        Ok(Self {
            contract_type: m("NAME_CONTRACT_TYPE")?,
            annuity: m("AMT_ANNUITY")?,
            application: m("AMT_APPLICATION")?,
            down_payment: m("AMT_DOWN_PAYMENT")?,
            rate_down: m("RATE_DOWN_PAYMENT")?,
            rate_primary: m("RATE_INTEREST_PRIMARY")?,
            rate_privileged: m("RATE_INTEREST_PRIVILEGED")?,
            weekday: m("WEEKDAY_APPR_PROCESS_START")?,
            hour: m("HOUR_APPR_PROCESS_START")?,
            last_per_contract: m("FLAG_LAST_APPL_PER_CONTRACT")?,
            last_in_day: m("NFLAG_LAST_APPL_IN_DAY")?,
            decision: m("DAYS_DECISION")?,
            payment_type: m("NAME_PAYMENT_TYPE")?,
            suite: m("NAME_TYPE_SUITE")?,
            client_type: m("NAME_CLIENT_TYPE")?,
            product_type: m("NAME_PRODUCT_TYPE")?,
            channel: m("CHANNEL_TYPE")?,
            seller_area: m("SELLERPLACE_AREA")?,
            count: m("CNT_PAYMENT")?,
            yield_group: m("NAME_YIELD_GROUP")?,
            first_drawing: m("DAYS_FIRST_DRAWING")?,
            insured: m("NFLAG_INSURED_ON_APPROVAL")?,
            statuses: m("NAME_CONTRACT_STATUS")?.categories_ordered(&[
                "Approved",
                "Unused offer",
                "Canceled",
                "Refused",
            ]),
            purposes: m("NAME_CASH_LOAN_PURPOSE")?.categories_without(&["XAP", "XNA"]),
            reject_reasons: m("CODE_REJECT_REASON")?.categories_without(&["XAP"]),
            goods: m("NAME_GOODS_CATEGORY")?.categories_without(&["XNA"]),
            industries: m("NAME_SELLER_INDUSTRY")?.categories_without(&["XNA"]),
            pos_products: with_prefix("POS"),
            cash_products: with_prefix("Cash"),
            repayment: RepaymentPlan::new(marginals)?,
        })
    }

    /// Writes `count` previous applications with ids from `first_id`, and the
    /// repayment history of the approved ones.
    pub(crate) fn write(
        &self,
        out: &mut PreviousOut<'_>,
        rng: &mut Rng,
        scratch: &mut Scratch,
        person: &Person,
        first_id: i64,
        count: u32,
    ) {
        let z = person.latent.z_hist;
        for k in 0..i64::from(count) {
            let id = first_id + k;
            let kind = self.contract_type.category(rng);
            let (consumer, cash, revolving) = (
                kind == "Consumer loans",
                kind == "Cash loans",
                kind == "Revolving loans",
            );
            // Riskier repayment behaviour means more refusals.
            let status = pick(&self.statuses, copula(rng, z, 0.45));
            let approved = status == "Approved";
            let offered = approved || status == "Refused";
            let decision = self.decision.num(rng).min(-1.0);

            let low = if approved && !revolving { 0.15 } else { 0.0 };
            let application = self.application.quantile(low + (1.0 - low) * rng.uniform());
            let application = if revolving {
                (application / 22_500.0).round() * 22_500.0
            } else {
                application
            };
            let credit = if rng.chance(0.5) {
                application
            } else {
                (application * (0.85 + 0.4 * rng.uniform())).round()
            };
            let payments = match (offered, revolving) {
                (false, _) => None,
                (true, true) => Some(0.0),
                (true, false) => Some(self.count.quantile(0.25 + 0.75 * rng.uniform()).max(3.0)),
            };
            let annuity = match payments {
                None => None,
                Some(n) if n > 0.0 => {
                    Some(((credit * (1.0 + 0.3 * rng.uniform()) / n) * 1000.0).round() / 1000.0)
                }
                Some(_) => Some(self.annuity.num(rng)),
            };
            let down_u = rng.uniform();
            let has_down = consumer && !rng.chance(0.2);

            let p = &mut *out.previous;
            p.int(id);
            p.int(person.id);
            p.text(kind);
            p.opt(annuity);
            p.float(application);
            p.float(credit);
            p.opt(has_down.then(|| self.down_payment.quantile(down_u)));
            p.opt((!(cash && !approved || revolving && application == 0.0)).then_some(application));
            p.text(self.weekday.category(rng));
            p.int(self.hour.num(rng) as i64);
            p.text(self.last_per_contract.category(rng));
            p.int(self.last_in_day.num(rng) as i64);
            p.opt(has_down.then(|| self.rate_down.quantile(down_u)));
            p.value(self.rate_primary.draw(rng), ColumnType::Float);
            p.value(self.rate_privileged.draw(rng), ColumnType::Float);
            p.text(match (cash, rng.chance(0.91)) {
                (false, _) => "XAP",
                (true, true) => "XNA",
                (true, false) => pick(&self.purposes, rng.uniform()),
            });
            p.text(status);
            p.int(decision as i64);
            p.text(self.payment_type.category(rng));
            p.text(if status == "Refused" {
                pick(&self.reject_reasons, rng.uniform())
            } else {
                "XAP"
            });
            p.value(self.suite.draw(rng), ColumnType::Text);
            p.text(self.client_type.category(rng));
            p.text(if consumer {
                pick(&self.goods, rng.uniform())
            } else {
                "XNA"
            });
            p.text(match () {
                _ if !offered => "XNA",
                _ if consumer => "POS",
                _ if cash => "Cash",
                _ => "Cards",
            });
            p.text(if cash {
                self.product_type.category(rng)
            } else {
                "XNA"
            });
            p.text(self.channel.category(rng));
            p.int(if consumer {
                self.seller_area.num(rng) as i64
            } else {
                -1
            });
            p.text(if consumer {
                pick(&self.industries, rng.uniform())
            } else {
                "XNA"
            });
            p.opt(payments);
            p.text(if revolving || !offered {
                "XNA"
            } else {
                self.yield_group.category(rng)
            });
            p.text(match () {
                _ if consumer => pick(&self.pos_products, rng.uniform()),
                _ if cash => pick(&self.cash_products, rng.uniform()),
                _ => "Card Street",
            });

            if !approved {
                (0..6).for_each(|_| p.empty());
                p.end();
                continue;
            }
            let loan = Loan::dates(rng, id, decision, payments.unwrap_or(0.0), revolving);
            let drawing = if rng.chance(self.first_drawing.sentinel) {
                SENTINEL
            } else {
                (decision + rng.range(0, 10) as f64).min(-1.0)
            };
            p.float(drawing);
            p.float(loan.first_due);
            p.float(loan.last_due_first_version);
            p.float(loan.last_due);
            p.float(loan.termination);
            p.float(self.insured.num(rng));
            p.end();

            let loan = Loan {
                annuity: annuity.unwrap_or(0.0),
                ..loan
            };
            if revolving {
                self.repayment
                    .write_card(out.cards, out.instalments, rng, person, &loan);
            } else {
                self.repayment.write_instalments(
                    out.pos,
                    out.instalments,
                    rng,
                    scratch,
                    person,
                    &loan,
                );
            }
        }
    }
}
