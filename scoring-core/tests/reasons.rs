//! Reason codes that hold up as adverse-action reasons, over many random
//! applicants: no protected column, at most four, one per source column
//! (its features' contributions summed), never a missing value, the largest
//! groups first.
#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use std::collections::HashMap;

use scoring_core::reasons::{ColumnPolicy, MAX_REASONS, ReasonGroups, top_reason_codes};
use scoring_core::schema::SCHEMA_FORMAT_VERSION;
use scoring_core::{FeatureKind, FeatureSchema, FeatureSpec};
use test_support::Rng;

fn spec(name: &str, table: &str, column: &str, category: Option<&str>) -> FeatureSpec {
    FeatureSpec {
        name: name.into(),
        kind: FeatureKind::Numeric,
        source_table: table.into(),
        source_column: column.into(),
        aggregation: "none".into(),
        category: category.map(str::to_owned),
        description: format!("About {column}"),
    }
}

/// Home Credit-shaped features: aggregates sharing a source column, one-hot
/// siblings, protected columns and a ratio derived from age.
fn schema() -> FeatureSchema {
    FeatureSchema {
        format_version: SCHEMA_FORMAT_VERSION,
        id_column: "SK_ID_CURR".into(),
        target_column: None,
        features: vec![
            spec("CODE_GENDER", "application", "CODE_GENDER", None),
            spec("DAYS_BIRTH", "application", "DAYS_BIRTH", None),
            spec(
                "DAYS_EMPLOYED_PERC",
                "application",
                "DAYS_EMPLOYED, DAYS_BIRTH",
                None,
            ),
            spec(
                "NAME_FAMILY_STATUS_Married",
                "application",
                "NAME_FAMILY_STATUS",
                Some("Married"),
            ),
            spec("AMT_CREDIT", "application", "AMT_CREDIT", None),
            spec(
                "PAYMENT_RATE",
                "application",
                "AMT_ANNUITY, AMT_CREDIT",
                None,
            ),
            spec("EXT_SOURCE_3", "application", "EXT_SOURCE_3", None),
            spec("BURO_DAYS_CREDIT_MIN", "bureau", "DAYS_CREDIT", None),
            spec("BURO_DAYS_CREDIT_MAX", "bureau", "DAYS_CREDIT", None),
            spec("BURO_DAYS_CREDIT_MEAN", "bureau", "DAYS_CREDIT", None),
            spec(
                "NAME_CONTRACT_TYPE_Cash",
                "application",
                "NAME_CONTRACT_TYPE",
                Some("Cash"),
            ),
            spec(
                "NAME_CONTRACT_TYPE_Revolving",
                "application",
                "NAME_CONTRACT_TYPE",
                Some("Revolving"),
            ),
            spec("INSTAL_DPD_MAX", "installments_payments", "DPD", None),
            spec("INSTAL_DPD_MEAN", "installments_payments", "DPD", None),
            spec(
                "PREV_AMT_CREDIT_MEAN",
                "previous_application",
                "AMT_CREDIT",
                None,
            ),
        ],
        vocabularies: vec![],
        columns: None,
    }
}

fn group_of(spec: &FeatureSpec) -> String {
    format!("{}.{}", spec.source_table, spec.source_column)
}

#[test]
fn reasons_hold_up_for_every_applicant() {
    let schema = schema();
    let names: Vec<String> = schema.feature_names().map(str::to_owned).collect();
    let policy = ColumnPolicy::home_credit();
    let groups = ReasonGroups::new(&schema);
    let mut rng = Rng::new(20261201);
    let n = names.len();
    let (mut with_reasons, mut capped) = (0, 0);
    for applicant in 0..5_000 {
        let row: Vec<f64> = (0..n)
            .map(|_| {
                if rng.uniform() < 0.2 {
                    f64::NAN
                } else {
                    rng.range(-1.0, 1.0)
                }
            })
            .collect();
        // Protected columns get the largest pushes, to tempt the selection.
        let contributions: Vec<f64> = (0..n)
            .map(|j| rng.range(-1.0, 1.0) + if j < 4 { 3.0 } else { 0.0 })
            .collect();
        let reasons = groups.top(&schema, &names, &row, &contributions, 10);
        assert_eq!(
            reasons,
            top_reason_codes(&schema, &names, &row, &contributions, 10),
            "grouped once or on the way, the same reasons"
        );
        assert!(
            reasons.len() <= MAX_REASONS,
            "applicant {applicant}: capped at 4"
        );
        capped += usize::from(reasons.len() == MAX_REASONS);
        with_reasons += usize::from(!reasons.is_empty());

        // The groups' sums, over unprotected features, by hand.
        let mut total: HashMap<String, f64> = HashMap::new();
        let mut has_known_push: HashMap<String, bool> = HashMap::new();
        for (j, spec) in schema.features.iter().enumerate() {
            if policy.is_protected(spec) {
                continue;
            }
            *total.entry(group_of(spec)).or_default() += contributions[j];
            let pushes = !row[j].is_nan() && contributions[j] > 0.0;
            *has_known_push.entry(group_of(spec)).or_default() |= pushes;
        }
        let mut seen = Vec::new();
        for reason in &reasons {
            let j = schema.position(&reason.feature).unwrap();
            let spec = &schema.features[j];
            assert!(
                !policy.is_protected(spec),
                "{} is protected",
                reason.feature
            );
            assert!(reason.value.is_some_and(|v| !v.is_nan()), "{reason:?}");
            assert!(!reason.text.contains("missing"), "{}", reason.text);
            let group = group_of(spec);
            assert!(!seen.contains(&group), "two reasons from {group}");
            assert!((reason.contribution - total[&group]).abs() < 1e-12);
            assert!(reason.contribution > 0.0);
            // The feature shown is the group's largest known push.
            for (k, other) in schema.features.iter().enumerate() {
                if group_of(other) == group && !row[k].is_nan() {
                    assert!(
                        contributions[k] <= contributions[j],
                        "{} shown",
                        reason.feature
                    );
                }
            }
            seen.push(group);
        }
        assert!(
            reasons
                .windows(2)
                .all(|w| w[0].contribution >= w[1].contribution)
        );
        // No eligible group left out beats one given.
        let smallest = reasons.last().map_or(f64::INFINITY, |r| r.contribution);
        for (group, sum) in &total {
            if !seen.contains(group) && *sum > 0.0 && has_known_push[group] {
                assert!(
                    reasons.len() == MAX_REASONS && *sum <= smallest,
                    "applicant {applicant}: {group} ({sum}) left out of {reasons:?}"
                );
            }
        }
    }
    assert!(
        with_reasons > 4_000 && capped > 1_000,
        "{with_reasons} {capped}"
    );
}

#[test]
fn the_schema_s_own_policy_replaces_the_default() {
    let mut schema = schema();
    let names: Vec<String> = schema.feature_names().map(str::to_owned).collect();
    let row = vec![1.0; names.len()];
    let mut contributions = vec![-1.0; names.len()];
    contributions[0] = 2.0; // CODE_GENDER
    contributions[4] = 1.0; // AMT_CREDIT
    let features = |schema: &FeatureSchema| -> Vec<String> {
        top_reason_codes(schema, &names, &row, &contributions, 4)
            .into_iter()
            .map(|r| r.feature)
            .collect()
    };
    assert_eq!(features(&schema), ["AMT_CREDIT"]);
    schema.columns = Some(ColumnPolicy {
        protected: vec!["AMT_*".into()],
        fixed: vec![],
        fixed_tables: vec![],
    });
    assert_eq!(features(&schema), ["CODE_GENDER"]);
}

#[test]
fn actionable_and_protected_follow_the_source_columns() {
    let policy = ColumnPolicy::home_credit();
    let schema = schema();
    let flags = |name: &str| {
        let spec = &schema.features[schema.position(name).unwrap()];
        (policy.is_protected(spec), policy.is_actionable(spec))
    };
    assert_eq!(flags("CODE_GENDER"), (true, false));
    assert_eq!(
        flags("DAYS_EMPLOYED_PERC"),
        (true, false),
        "derived from age"
    );
    assert_eq!(flags("AMT_CREDIT"), (false, true));
    assert_eq!(flags("PAYMENT_RATE"), (false, true));
    assert_eq!(flags("EXT_SOURCE_3"), (false, false));
    assert_eq!(
        flags("BURO_DAYS_CREDIT_MAX"),
        (false, false),
        "past credits"
    );
}
