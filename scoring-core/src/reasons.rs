//! Reason codes: the (at most [`MAX_REASONS`]) reasons a decision gives an
//! applicant, chosen so that they hold up as adverse-action reasons.
//!
//! - Features are grouped by their **source column**: a column's
//!   aggregates (`BURO_DAYS_CREDIT_MIN`, `_MAX`, …) and one-hot siblings
//!   are one reason, whose weight is the sum of their contributions (the
//!   Shapley value of the group, by additivity).
//! - A **protected** column (sex, age and what is derived from it, marital
//!   status by default; see [`ColumnPolicy`]) is never a reason, whatever
//!   its contribution.
//! - A reason shows the applicant's value: a group whose values are all
//!   missing is not a reason ("value missing" explains nothing).
//! - Never more than [`MAX_REASONS`], whatever the caller asks.

use serde::{Deserialize, Serialize};

use crate::schema::{FeatureSchema, FeatureSpec};

/// Most reason codes given with a decision.
pub const MAX_REASONS: usize = 4;

/// A source column's reason: why the applicant is pushed towards default.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReasonCode {
    /// The feature shown for the reason (the group's feature with the
    /// largest contribution among those whose value is known).
    pub feature: String,
    /// The applicant's value of that feature.
    pub value: Option<f64>,
    /// The group's SHAP contribution on the raw-score scale (> 0): the sum
    /// over the features of its source column.
    pub contribution: f64,
    /// The adverse-action reason with the applicant's value in their terms,
    /// in English (see [`crate::wording::reason_statement`]).
    pub text: String,
    /// The same in French.
    pub text_fr: String,
}

/// Which source columns may be given as reasons and which a client can act
/// on. Names are source columns of the Home Credit layout (`CODE_GENDER`);
/// a trailing `*` matches a prefix (`FLAG_DOCUMENT_*`). A feature derived
/// from several columns (`DAYS_EMPLOYED_PERC` from `DAYS_EMPLOYED,
/// DAYS_BIRTH`) is protected when any of them is, and fixed when any is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ColumnPolicy {
    /// Columns never given as reasons (protected attributes).
    pub protected: Vec<String>,
    /// Columns a client cannot change.
    pub fixed: Vec<String>,
    /// Tables whose features a client cannot change (past credits).
    pub fixed_tables: Vec<String>,
}

impl ColumnPolicy {
    /// The policy for the Home Credit layout: sex, age (and every ratio to
    /// it) and marital status are protected (ECOA / Regulation B name sex,
    /// age and marital status; the EU AI Act asks credit scoring to avoid
    /// such bias); external scores, the region, documents, identity and
    /// household facts and every past credit are fixed.
    pub fn home_credit() -> Self {
        let names = |list: &[&str]| list.iter().map(|s| (*s).to_owned()).collect();
        Self {
            protected: names(&["CODE_GENDER", "DAYS_BIRTH", "NAME_FAMILY_STATUS"]),
            fixed: names(&[
                "CODE_GENDER",
                "DAYS_BIRTH",
                "NAME_FAMILY_STATUS",
                "EXT_SOURCE_*",
                "REGION_*",
                "REG_*",
                "LIVE_*",
                "FLAG_DOCUMENT_*",
                "DAYS_ID_PUBLISH",
                "DAYS_REGISTRATION",
                "CNT_CHILDREN",
                "CNT_FAM_MEMBERS",
                "NAME_EDUCATION_TYPE",
            ]),
            fixed_tables: names(&[
                "bureau",
                "bureau_balance",
                "previous_application",
                "POS_CASH_balance",
                "installments_payments",
                "credit_card_balance",
            ]),
        }
    }

    /// Whether `feature` must never be a reason.
    pub fn is_protected(&self, feature: &FeatureSpec) -> bool {
        feature
            .source_columns()
            .any(|c| matches_any(&self.protected, c))
    }

    /// Whether a client can change `feature` (neither a fixed column nor
    /// from a fixed table).
    pub fn is_actionable(&self, feature: &FeatureSpec) -> bool {
        !self.fixed_tables.contains(&feature.source_table)
            && !feature
                .source_columns()
                .any(|c| matches_any(&self.fixed, c))
    }
}

fn matches_any(patterns: &[String], column: &str) -> bool {
    patterns.iter().any(|p| match p.strip_suffix('*') {
        Some(prefix) => column.starts_with(prefix),
        None => p == column,
    })
}

/// Each feature's reason group (its source column), computed once per
/// schema: `None` for protected features.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReasonGroups {
    group_of: Vec<Option<usize>>,
    n_groups: usize,
}

impl ReasonGroups {
    /// The groups of `schema`'s features under its column policy.
    pub fn new(schema: &FeatureSchema) -> Self {
        let policy = schema.column_policy();
        let mut keys: std::collections::HashMap<String, usize> = Default::default();
        let group_of = schema
            .features
            .iter()
            .map(|spec| {
                if policy.is_protected(spec) {
                    return None;
                }
                let next = keys.len();
                Some(*keys.entry(group_key(spec)).or_insert(next))
            })
            .collect();
        Self {
            group_of,
            n_groups: keys.len(),
        }
    }

    /// At most `max` (never more than [`MAX_REASONS`]) reasons, the source
    /// columns with the largest positive summed contributions first (ties
    /// by their first feature), as the module documentation describes.
    /// `row` and `contributions` are in the schema's feature order;
    /// `feature_names` name the model's inputs.
    pub fn top(
        &self,
        schema: &FeatureSchema,
        feature_names: &[String],
        row: &[f64],
        contributions: &[f64],
        max: usize,
    ) -> Vec<ReasonCode> {
        let ranked = self.ranked(row, contributions, max);
        worded(schema, feature_names, row, &ranked)
    }

    /// The reasons of [`Self::top`] in compact form: for each, the feature
    /// shown and the group's summed contribution (what a cache keeps;
    /// [`worded`] turns them into reason codes).
    pub fn ranked(&self, row: &[f64], contributions: &[f64], max: usize) -> Vec<(usize, f64)> {
        let n = contributions.len().min(row.len()).min(self.group_of.len());
        let mut total = vec![0.0; self.n_groups];
        // The feature shown for each group: the largest positive
        // contribution among the known values.
        let mut shown: Vec<Option<usize>> = vec![None; self.n_groups];
        for j in 0..n {
            let Some(g) = self.group_of[j] else { continue };
            total[g] += contributions[j];
            let known = !row[j].is_nan();
            if known
                && contributions[j] > 0.0
                && shown[g].is_none_or(|k| contributions[j] > contributions[k])
            {
                shown[g] = Some(j);
            }
        }
        let mut ranked: Vec<(usize, f64)> = shown
            .iter()
            .enumerate()
            .filter_map(|(g, j)| j.filter(|_| total[g] > 0.0).map(|j| (j, total[g])))
            .collect();
        // Groups are numbered in order of their first feature, and the sort
        // is stable: ties keep that order.
        ranked.sort_by(|a, b| b.1.total_cmp(&a.1));
        ranked.truncate(max.min(MAX_REASONS));
        ranked
    }
}

/// Reason codes from [`ReasonGroups::ranked`]'s (feature shown, group
/// contribution) pairs, worded from the schema and the applicant's values.
pub fn worded(
    schema: &FeatureSchema,
    feature_names: &[String],
    row: &[f64],
    ranked: &[(usize, f64)],
) -> Vec<ReasonCode> {
    ranked
        .iter()
        .filter(|(j, _)| *j < row.len())
        .map(|&(j, contribution)| {
            let feature = feature_names
                .get(j)
                .cloned()
                .unwrap_or_else(|| format!("feature {j}"));
            let statement = crate::wording::reason_statement(schema, j, row[j]);
            ReasonCode {
                text: statement.en,
                text_fr: statement.fr,
                feature,
                value: Some(row[j]),
                contribution,
            }
        })
        .collect()
}

/// As [`ReasonGroups::top`], grouping `schema`'s features on the way (a
/// served model groups them once, at load).
pub fn top_reason_codes(
    schema: &FeatureSchema,
    feature_names: &[String],
    row: &[f64],
    contributions: &[f64],
    max: usize,
) -> Vec<ReasonCode> {
    ReasonGroups::new(schema).top(schema, feature_names, row, contributions, max)
}

/// [`top_reason_codes`] with the most reasons allowed.
pub fn reason_codes(
    schema: &FeatureSchema,
    feature_names: &[String],
    row: &[f64],
    contributions: &[f64],
) -> Vec<ReasonCode> {
    top_reason_codes(schema, feature_names, row, contributions, MAX_REASONS)
}

fn group_key(spec: &FeatureSpec) -> String {
    if spec.source_column.is_empty() {
        // No source recorded: the feature is its own group.
        return format!("feature:{}", spec.name);
    }
    format!("{}.{}", spec.source_table, spec.source_column)
}
