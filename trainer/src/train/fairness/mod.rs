//! The fairness report of a published version: on the test split, by
//! gender and by age band ([`groups`]), each group's acceptance rate at
//! every strategy and its ratio to the most favoured group (flagged below
//! four fifths), the default rate among the accepted, the calibration and
//! the ROC AUC within the group, with stratified bootstrap intervals
//! ([`measure`]); the source columns left out of the inputs
//! (`--exclude-features`, [`exclude`]) and what excluding gender costs
//! (`effect`: one more fit without the gender features, compared on the
//! same test clients).

pub(super) mod card;
pub(super) mod effect;
pub mod exclude;
pub mod groups;
pub mod measure;

use scoring_core::Thresholds;
use scoring_core::report::{ExclusionEffect, FOUR_FIFTHS, FairnessReport};

use self::groups::{AGE_BANDS, Grouping, UNKNOWN};
use self::measure::{GroupedTest, attribute_report};
use crate::Result;
use crate::evaluation::BootstrapPlan;

/// What the fairness report is computed from.
#[derive(Debug, Clone, Copy)]
pub struct FairnessInput<'a> {
    /// Every labelled client's groups, read before any exclusion.
    pub groupings: &'a [Grouping],
    /// The test clients (indices into the labelled clients).
    pub test_clients: &'a [usize],
    /// The measured model's probabilities of the test clients.
    pub probabilities: &'a [f64],
    pub labels: &'a [u8],
    pub thresholds: Thresholds,
    pub plan: BootstrapPlan,
    /// `--exclude-features`.
    pub excluded_columns: &'a [String],
}

/// The report: every grouping measured, with the exclusion effect (or why
/// there is none) as given.
pub fn fairness_report(
    input: FairnessInput<'_>,
    gender_exclusion: Option<ExclusionEffect>,
    exclusion_note: String,
) -> Result<FairnessReport> {
    let attributes = input
        .groupings
        .iter()
        .map(|grouping| {
            let groups = grouping.at(input.test_clients);
            let known: Vec<bool> = (0..grouping.names.len())
                .map(|g| grouping.is_known(g))
                .collect();
            let test = GroupedTest {
                probabilities: input.probabilities,
                labels: input.labels,
                groups: &groups,
                names: &grouping.names,
                known: &known,
            };
            attribute_report(grouping, test, input.thresholds, input.plan)
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(FairnessReport {
        method: method(&input),
        excluded_columns: input.excluded_columns.to_vec(),
        attributes,
        gender_exclusion,
        exclusion_note,
    })
}

fn method(input: &FairnessInput<'_>) -> String {
    let bands: Vec<&str> = AGE_BANDS.iter().map(|(_, name)| *name).collect();
    format!(
        "Measured on the test split ({} clients) with the measured model's probabilities. Gender from {} named through the schema's vocabulary; a missing gender or the XNA category is the group `{UNKNOWN}`. Age band from {} in whole years (-{} / 365.25): {}; a missing age is the group `{UNKNOWN}`. A client is accepted at a strategy when the probability of default is below its threshold. The adverse-impact ratio is a group's acceptance rate over the highest acceptance rate among the groups whose attribute is known (the reference group, per strategy); a ratio below {FOUR_FIFTHS} is flagged (four-fifths rule). Intervals: stratified bootstrap of the test split, {} resamples, 95% percentile intervals; each group is measured on its clients in every resample, and a measure a resample leaves undefined (no client accepted, one class only) is left out of its interval.",
        input.labels.len(),
        groups::GENDER_COLUMN,
        groups::AGE_COLUMN,
        groups::AGE_COLUMN,
        bands.join(", "),
        input.plan.resamples,
    )
}
