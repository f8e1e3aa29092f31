//! Every group's measures on the test split and their stratified bootstrap
//! intervals: the whole test split is resampled (as for the report's other
//! intervals) and each group is measured on its clients in the resample,
//! so a group's size varies between resamples as it would between samples.
//! A measure a resample leaves undefined (a group without an accepted
//! client, or with one class only) is left out of that interval.

use scoring_core::backtest::Estimate;
use scoring_core::report::{FOUR_FIFTHS, FairnessAttribute, FairnessGroup, GroupStrategy};
use scoring_core::{Strategy, Thresholds};

use super::groups::Grouping;
use crate::Result;
use crate::evaluation::{BootstrapPlan, bootstrap_where_defined, roc_auc};

/// Measures per group: the ROC AUC, then per strategy the acceptance
/// rate, the default rate among the accepted and the adverse-impact ratio.
const PER_GROUP: usize = 1 + 3 * Strategy::ALL.len();

/// The clients of the test split with their probabilities and groups.
#[derive(Debug, Clone, Copy)]
pub struct GroupedTest<'a> {
    pub probabilities: &'a [f64],
    pub labels: &'a [u8],
    /// Each test client's group, an index into `names`.
    pub groups: &'a [usize],
    pub names: &'a [String],
    /// Which groups may be the reference of the ratios.
    pub known: &'a [bool],
}

/// Counts of one group at the clients of one sample.
#[derive(Debug, Clone, Default)]
struct Tally {
    clients: u64,
    defaulters: u64,
    sum_probability: f64,
    accepted: [u64; 3],
    accepted_defaulters: [u64; 3],
    probabilities: Vec<f64>,
    labels: Vec<u8>,
}

impl Tally {
    fn acceptance(&self, s: usize) -> f64 {
        ratio(self.accepted[s], self.clients)
    }
}

fn ratio(a: u64, b: u64) -> f64 {
    if b == 0 {
        f64::NAN
    } else {
        a as f64 / b as f64
    }
}

fn tallies(test: GroupedTest<'_>, thresholds: Thresholds, rows: &[usize]) -> Vec<Tally> {
    let mut out = vec![Tally::default(); test.names.len()];
    for &i in rows {
        let (p, y) = (test.probabilities[i], test.labels[i]);
        let t = &mut out[test.groups[i]];
        t.clients += 1;
        t.defaulters += u64::from(y);
        t.sum_probability += p;
        for (s, strategy) in Strategy::ALL.into_iter().enumerate() {
            if p < thresholds.get(strategy) {
                t.accepted[s] += 1;
                t.accepted_defaulters[s] += u64::from(y);
            }
        }
        t.probabilities.push(p);
        t.labels.push(y);
    }
    out
}

/// Per strategy, the known group with the highest acceptance rate.
fn references(test: GroupedTest<'_>, tallies: &[Tally]) -> [Option<usize>; 3] {
    let mut out = [None; 3];
    for (s, reference) in out.iter_mut().enumerate() {
        *reference = (0..tallies.len())
            .filter(|&g| test.known[g] && tallies[g].clients > 0)
            .max_by(|&a, &b| {
                tallies[a]
                    .acceptance(s)
                    .total_cmp(&tallies[b].acceptance(s))
            });
    }
    out
}

/// Every measure of every group on the clients at `rows`, laid out by
/// group ([`PER_GROUP`] each); NaN where undefined.
fn measures(
    test: GroupedTest<'_>,
    thresholds: Thresholds,
    references: [Option<usize>; 3],
    rows: &[usize],
) -> Result<Vec<f64>> {
    let tallies = tallies(test, thresholds, rows);
    let mut out = Vec::with_capacity(tallies.len() * PER_GROUP);
    for t in &tallies {
        let both = t.defaulters > 0 && t.defaulters < t.clients;
        out.push(if both {
            roc_auc(&t.probabilities, &t.labels)?
        } else {
            f64::NAN
        });
        for (s, reference) in references.iter().enumerate() {
            out.push(t.acceptance(s));
            out.push(ratio(t.accepted_defaulters[s], t.accepted[s]));
            let favoured = reference.map_or(f64::NAN, |r| tallies[r].acceptance(s));
            out.push(if favoured > 0.0 {
                t.acceptance(s) / favoured
            } else {
                f64::NAN
            });
        }
    }
    Ok(out)
}

/// The fairness of one attribute on the test split, with intervals.
pub fn attribute_report(
    grouping: &Grouping,
    test: GroupedTest<'_>,
    thresholds: Thresholds,
    plan: BootstrapPlan,
) -> Result<FairnessAttribute> {
    let all: Vec<usize> = (0..test.labels.len()).collect();
    let sample = tallies(test, thresholds, &all);
    let references = references(test, &sample);
    let intervals = bootstrap_where_defined(test.labels, plan, |rows| {
        measures(test, thresholds, references, rows)
    })?;
    let name = |r: Option<usize>| r.map_or_else(String::new, |g| test.names[g].clone());
    let groups = sample
        .iter()
        .enumerate()
        .filter(|(_, t)| t.clients > 0)
        .map(|(g, t)| {
            let at = &intervals[g * PER_GROUP..(g + 1) * PER_GROUP];
            let strategies = Strategy::ALL
                .into_iter()
                .enumerate()
                .map(|(s, strategy)| {
                    let [acceptance, default_rate, impact] = [1, 2, 3].map(|k| at[3 * s + k]);
                    let point = t.acceptance(s);
                    let adverse_impact_ratio = impact.map(Estimate::from);
                    GroupStrategy {
                        strategy,
                        threshold: thresholds.get(strategy),
                        reference_group: name(references[s]),
                        accepted: t.accepted[s],
                        // Defined on the sample (the group has clients); a
                        // group too small to appear in any resample keeps
                        // its point as its interval.
                        acceptance_rate: acceptance.map_or(
                            Estimate {
                                estimate: point,
                                low: point,
                                high: point,
                            },
                            Estimate::from,
                        ),
                        default_rate_among_accepted: default_rate.map(Estimate::from),
                        flagged: adverse_impact_ratio.is_some_and(|r| r.estimate < FOUR_FIFTHS),
                        adverse_impact_ratio,
                    }
                })
                .collect();
            FairnessGroup {
                group: test.names[g].clone(),
                clients: t.clients,
                defaulters: t.defaulters,
                mean_probability: t.sum_probability / t.clients as f64,
                observed_default_rate: ratio(t.defaulters, t.clients),
                roc_auc: at[0].map(Estimate::from),
                strategies,
            }
        })
        .collect();
    Ok(FairnessAttribute {
        attribute: grouping.attribute.to_owned(),
        source_column: grouping.source_column.to_owned(),
        groups,
    })
}
