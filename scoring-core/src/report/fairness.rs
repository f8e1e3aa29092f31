//! The fairness section of a model report: on the test split, for each
//! protected attribute (gender, age band), every group's acceptance rate at
//! each strategy and its ratio to the most favoured group (the four-fifths
//! rule of adverse impact), the default rate among the accepted, the
//! calibration (mean probability against the observed default rate) and
//! the ROC AUC within the group, with bootstrap intervals; the source
//! columns left out of the model's inputs; and what leaving gender out
//! costs in ranking and in money.

use serde::{Deserialize, Serialize};

use crate::Strategy;
use crate::backtest::Estimate;

/// A group whose acceptance rate is below this share of the most favoured
/// group's is flagged (the four-fifths rule of the US Uniform Guidelines on
/// adverse impact).
pub const FOUR_FIFTHS: f64 = 0.8;

/// Fairness by group of every protected attribute the table holds.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FairnessReport {
    /// How the groups were formed and what the measures and intervals are.
    pub method: String,
    /// Source columns whose features were left out of the model's inputs
    /// (`trainer train --exclude-features`).
    pub excluded_columns: Vec<String>,
    pub attributes: Vec<FairnessAttribute>,
    /// The published model against one fitted without the gender features;
    /// absent when gender is excluded, the comparison was switched off or
    /// could not be made (`exclusion_note` says which).
    pub gender_exclusion: Option<ExclusionEffect>,
    /// Why `gender_exclusion` is absent, or how it was measured.
    pub exclusion_note: String,
}

/// The groups of one protected attribute.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FairnessAttribute {
    /// `gender` or `age_band`.
    pub attribute: String,
    /// The source column the groups are read from (`CODE_GENDER`, `DAYS_BIRTH`).
    pub source_column: String,
    pub groups: Vec<FairnessGroup>,
}

/// One group's measures on the test split.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FairnessGroup {
    /// `F`, `M`, `unknown`; `<25`, `25-34`, …, `55+`, `unknown`.
    pub group: String,
    pub clients: u64,
    pub defaulters: u64,
    /// Mean published probability of default of the group's clients.
    pub mean_probability: f64,
    /// Share of them who defaulted.
    pub observed_default_rate: f64,
    /// ROC AUC within the group; absent when the group holds one class only.
    pub roc_auc: Option<Estimate>,
    /// One entry per strategy.
    pub strategies: Vec<GroupStrategy>,
}

/// One group's decisions at one strategy's threshold.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupStrategy {
    pub strategy: Strategy,
    /// Refuse when the probability of default is at least this.
    pub threshold: f64,
    /// The most favoured group at this strategy, the one the ratio is
    /// taken against: the highest acceptance rate among the groups whose
    /// attribute is known (empty when there is none).
    pub reference_group: String,
    pub accepted: u64,
    pub acceptance_rate: Estimate,
    /// Absent when nobody in the group is accepted.
    pub default_rate_among_accepted: Option<Estimate>,
    /// Acceptance rate over the reference group's (adverse-impact ratio);
    /// absent when the reference group accepts nobody.
    pub adverse_impact_ratio: Option<Estimate>,
    /// The ratio is below [`FOUR_FIFTHS`].
    pub flagged: bool,
}

/// What leaving the gender features out changes, on the same test clients.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExclusionEffect {
    /// The features left out of the comparison model.
    pub features: Vec<String>,
    pub roc_auc_published: f64,
    pub roc_auc_without: f64,
    /// Published minus without, paired bootstrap interval.
    pub roc_auc_difference: Estimate,
    /// Business cost per client at the normal threshold (negative: a profit).
    pub cost_per_client_published: f64,
    pub cost_per_client_without: f64,
    /// Without minus published (positive: leaving gender out costs money),
    /// paired bootstrap interval.
    pub cost_difference: Estimate,
}
