//! Every family of aggregation checked against values worked out by hand on a
//! small fixture: a client with a full history, one with none, a test client.

mod common;

use common::assert_feature;
use common::fixture::{NO_HISTORY, RICH, TEST_CLIENT, write_fixture};
use polars::prelude::*;
use scoring_core::FeatureSchema;
use trainer::features::build_feature_table;

fn build() -> (DataFrame, FeatureSchema) {
    let dir = tempfile::tempdir().expect("temp dir");
    write_fixture(dir.path());
    build_feature_table(dir.path(), None).expect("features build")
}

#[test]
fn application_codes_ratios_and_sentinel() {
    let (table, _) = build();
    assert_eq!(table.height(), 3, "train and test applicants, one row each");
    assert_feature(&table, RICH, "CODE_GENDER", Some(0.0));
    assert_feature(&table, NO_HISTORY, "CODE_GENDER", Some(1.0));
    assert_feature(&table, TEST_CLIENT, "CODE_GENDER", Some(-1.0)); // XNA
    assert_feature(&table, NO_HISTORY, "FLAG_OWN_CAR", Some(1.0));
    assert_feature(&table, RICH, "DAYS_EMPLOYED", Some(-1000.0));
    assert_feature(&table, NO_HISTORY, "DAYS_EMPLOYED", None); // 365243
    assert_feature(&table, NO_HISTORY, "DAYS_EMPLOYED_PERC", None);
    assert_feature(&table, RICH, "DAYS_EMPLOYED_PERC", Some(0.1));
    assert_feature(&table, RICH, "INCOME_CREDIT_PERC", Some(0.5));
    assert_feature(&table, RICH, "INCOME_PER_PERSON", Some(50000.0));
    assert_feature(&table, RICH, "ANNUITY_INCOME_PERC", Some(0.1));
    assert_feature(&table, RICH, "PAYMENT_RATE", Some(0.05));
    assert_feature(&table, RICH, "NAME_CONTRACT_TYPE_Cashloans", Some(1.0));
    assert_feature(
        &table,
        TEST_CLIENT,
        "NAME_CONTRACT_TYPE_Cashloans",
        Some(0.0),
    );
    assert_feature(&table, RICH, "NAME_TYPE_SUITE_Spousepartner", Some(1.0));
    // An all-missing column stays a missing feature.
    assert_feature(&table, RICH, "EXT_SOURCE_1", None);
    assert!(
        table.column("NAME_CONTRACT_TYPE_nan").is_err(),
        "no _nan indicator in the application family"
    );
    let target = table
        .column("TARGET")
        .expect("target")
        .i32()
        .expect("i32 target")
        .clone();
    assert_eq!(
        target.iter().collect::<Vec<_>>(),
        vec![Some(1), Some(0), None]
    );
}

#[test]
fn bureau_and_balance_families() {
    let (table, _) = build();
    assert_feature(&table, RICH, "BURO_DAYS_CREDIT_MEAN", Some(-200.0));
    assert_feature(&table, RICH, "BURO_DAYS_CREDIT_VAR", Some(10000.0));
    assert_feature(&table, RICH, "BURO_AMT_CREDIT_SUM_SUM", Some(4000.0));
    assert_feature(&table, RICH, "BURO_AMT_CREDIT_SUM_MEAN", Some(2000.0));
    assert_feature(&table, RICH, "BURO_AMT_CREDIT_SUM_DEBT_SUM", Some(600.0));
    assert_feature(
        &table,
        RICH,
        "BURO_CREDIT_ACTIVE_Active_MEAN",
        Some(2.0 / 3.0),
    );
    assert_feature(
        &table,
        RICH,
        "BURO_CREDIT_TYPE_Consumercredit_MEAN",
        Some(1.0 / 3.0),
    );
    assert_feature(&table, RICH, "BURO_CREDIT_TYPE_nan_MEAN", Some(1.0 / 3.0));
    assert_feature(&table, RICH, "BURO_MONTHS_BALANCE_MIN_MIN", Some(-2.0));
    assert_feature(&table, RICH, "BURO_MONTHS_BALANCE_MAX_MAX", Some(0.0));
    assert_feature(&table, RICH, "BURO_MONTHS_BALANCE_SIZE_MEAN", Some(2.0));
    assert_feature(&table, RICH, "BURO_MONTHS_BALANCE_SIZE_SUM", Some(4.0));
    assert_feature(&table, RICH, "BURO_STATUS_1_MEAN_MEAN", Some(1.0 / 6.0));
    assert_feature(&table, RICH, "BURO_STATUS_C_MEAN_MEAN", Some(0.5));
    assert_feature(&table, RICH, "BURO_STATUS_nan_MEAN_MEAN", Some(0.0));
    assert_feature(&table, RICH, "ACTIVE_DAYS_CREDIT_MEAN", Some(-150.0));
    assert_feature(&table, RICH, "ACTIVE_DAYS_CREDIT_VAR", Some(5000.0));
    assert_feature(&table, RICH, "CLOSED_DAYS_CREDIT_VAR", None); // a single credit
    assert_feature(&table, RICH, "CLOSED_AMT_CREDIT_SUM_DEBT_SUM", Some(0.0)); // pandas: sum of nothing
    assert!(
        table.column("BURO_CREDIT_TYPE_Mortgage_MEAN").is_ok(),
        "vocabulary read from the whole file"
    );
    assert_feature(&table, NO_HISTORY, "BURO_DAYS_CREDIT_MEAN", None);
    assert_feature(&table, NO_HISTORY, "BURO_MONTHS_BALANCE_SIZE_SUM", None);
}

#[test]
fn previous_application_families() {
    let (table, _) = build();
    // APP_CREDIT_PERC: 1.25, 0/0 (missing), 0.8.
    assert_feature(&table, RICH, "PREV_APP_CREDIT_PERC_MEAN", Some(1.025));
    assert_feature(&table, RICH, "PREV_APP_CREDIT_PERC_VAR", Some(0.10125));
    assert_feature(&table, RICH, "APPROVED_APP_CREDIT_PERC_MAX", Some(1.25));
    assert_feature(&table, RICH, "REFUSED_APP_CREDIT_PERC_MEAN", None);
    assert_feature(&table, RICH, "REFUSED_AMT_APPLICATION_MAX", Some(0.0));
    assert_feature(
        &table,
        RICH,
        "PREV_NAME_CONTRACT_STATUS_Refused_MEAN",
        Some(1.0 / 3.0),
    );
    assert_feature(&table, RICH, "PREV_NAME_CONTRACT_TYPE_nan_MEAN", Some(1.0));
    assert_feature(&table, NO_HISTORY, "PREV_AMT_CREDIT_MEAN", None);
}

#[test]
fn pos_installment_and_card_families() {
    let (table, _) = build();
    assert_feature(&table, RICH, "POS_MONTHS_BALANCE_MAX", Some(-1.0));
    assert_feature(&table, RICH, "POS_MONTHS_BALANCE_MEAN", Some(-1.5));
    assert_feature(&table, RICH, "POS_MONTHS_BALANCE_SIZE", Some(2.0));
    assert_feature(&table, RICH, "POS_SK_DPD_MAX", Some(10.0));
    assert_feature(
        &table,
        RICH,
        "POS_NAME_CONTRACT_STATUS_Active_MEAN",
        Some(0.5),
    );
    assert_feature(&table, RICH, "POS_COUNT", Some(2.0));
    // DPD: 5, 0, and 0 for the unpaid instalment (the kernel's x if x > 0 else 0).
    assert_feature(&table, RICH, "INSTAL_DPD_MAX", Some(5.0));
    assert_feature(&table, RICH, "INSTAL_DPD_MEAN", Some(5.0 / 3.0));
    assert_feature(&table, RICH, "INSTAL_DBD_SUM", Some(10.0));
    assert_feature(&table, RICH, "INSTAL_PAYMENT_PERC_MEAN", Some(0.75));
    assert_feature(&table, RICH, "INSTAL_PAYMENT_PERC_VAR", Some(0.125));
    assert_feature(&table, RICH, "INSTAL_PAYMENT_DIFF_SUM", Some(50.0));
    assert_feature(
        &table,
        RICH,
        "INSTAL_NUM_INSTALMENT_VERSION_NUNIQUE",
        Some(2.0),
    );
    assert_feature(&table, RICH, "INSTAL_AMT_PAYMENT_MIN", Some(50.0));
    assert_feature(&table, RICH, "INSTAL_DAYS_ENTRY_PAYMENT_SUM", Some(-95.0));
    assert_feature(&table, RICH, "INSTAL_COUNT", Some(3.0));
    assert_feature(&table, RICH, "CC_AMT_BALANCE_MIN", Some(100.0));
    assert_feature(&table, RICH, "CC_AMT_BALANCE_MEAN", Some(200.0));
    assert_feature(&table, RICH, "CC_AMT_BALANCE_VAR", Some(20000.0));
    assert_feature(
        &table,
        RICH,
        "CC_NAME_CONTRACT_STATUS_Active_SUM",
        Some(2.0),
    );
    assert_feature(&table, RICH, "CC_NAME_CONTRACT_STATUS_nan_MAX", Some(0.0));
    assert_feature(&table, RICH, "CC_SK_DPD_SUM", Some(0.0));
    assert_feature(&table, RICH, "CC_COUNT", Some(2.0));
    for name in [
        "POS_COUNT",
        "INSTAL_DPD_SUM",
        "CC_COUNT",
        "CC_AMT_BALANCE_SUM",
    ] {
        assert_feature(&table, NO_HISTORY, name, None);
    }
}

#[test]
fn schema_describes_every_column_in_order() {
    let (table, schema) = build();
    let names: Vec<&str> = schema.feature_names().collect();
    let columns: Vec<&str> = table
        .get_column_names()
        .iter()
        .skip(2)
        .map(|c| c.as_str())
        .collect();
    assert_eq!(names, columns);
    let spec = &schema.features[schema.position("ACTIVE_DAYS_CREDIT_VAR").expect("present")];
    assert_eq!(
        (spec.source_table.as_str(), spec.aggregation.as_str()),
        ("bureau", "var")
    );
    assert!(
        spec.description.contains("active Credit Bureau credits"),
        "{}",
        spec.description
    );
    let vocabulary = schema
        .vocabularies
        .iter()
        .find(|v| v.column == "CODE_GENDER")
        .expect("vocabulary");
    assert_eq!(
        vocabulary.values,
        ["M", "F"],
        "first-appearance order, XNA excluded"
    );
}
