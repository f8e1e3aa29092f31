//! The feature pipeline on real Home Credit rows (`$CREDIT_SHARED_DATA`):
//! one aggregate of every history table against values worked out by hand
//! from the CSV rows, and every value against the kernel's own pandas code.

mod common;

use std::process::Command;

use common::assert_feature;
use polars::prelude::*;
use test_support::prerequisite::shared_data;
use trainer::features::build_feature_table;

#[test]
fn hand_computed_aggregates_of_every_history_table() {
    let Some(data) = shared_data("homecredit-sample") else {
        return;
    };
    let (table, schema) = build_feature_table(&data, None).expect("features on the real sample");
    assert_eq!(table.height(), 1000, "900 train + 100 test applicants");
    let file_order: Vec<i64> = ["application_train.csv", "application_test.csv"]
        .iter()
        .flat_map(|file| {
            let text = std::fs::read_to_string(data.join(file)).expect("application file");
            let ids: Vec<i64> = text
                .lines()
                .skip(1)
                .map(|line| {
                    line.split(',')
                        .next()
                        .and_then(|id| id.parse().ok())
                        .expect("id")
                })
                .collect();
            ids
        })
        .collect();
    let table_order: Vec<i64> = table
        .column("SK_ID_CURR")
        .expect("ids")
        .i64()
        .expect("i64")
        .iter()
        .flatten()
        .collect();
    assert_eq!(
        table_order, file_order,
        "one row per applicant, in the files' order"
    );
    // bureau + bureau_balance, client 100332: 4 credits (1 active), 62 monthly
    // balances over 4 of them, DAYS_CREDIT -1140, -474, -930 and -715.
    assert_feature(&table, 100332, "BURO_DAYS_CREDIT_MEAN", Some(-814.75));
    assert_feature(
        &table,
        100332,
        "BURO_DAYS_CREDIT_VAR",
        Some(394944.9166666667),
    );
    assert_feature(&table, 100332, "ACTIVE_DAYS_CREDIT_MAX", Some(-930.0));
    assert_feature(&table, 100332, "BURO_MONTHS_BALANCE_SIZE_SUM", Some(62.0));
    assert_feature(&table, 100332, "BURO_MONTHS_BALANCE_SIZE_MEAN", Some(15.5));
    assert_feature(
        &table,
        100332,
        "BURO_STATUS_C_MEAN_MEAN",
        Some(0.6306323604710701),
    );
    // previous_application, client 100059: 10 applications, 6 refused.
    assert_feature(&table, 100059, "PREV_AMT_APPLICATION_MAX", Some(1305000.0));
    assert_feature(
        &table,
        100059,
        "PREV_NAME_CONTRACT_STATUS_Refused_MEAN",
        Some(0.6),
    );
    assert_feature(
        &table,
        100059,
        "REFUSED_AMT_APPLICATION_MEAN",
        Some(329429.7375),
    );
    // POS_CASH_balance, client 100012: months -1 … (3 rows), never past due.
    assert_feature(
        &table,
        100012,
        "POS_MONTHS_BALANCE_MEAN",
        Some(-8.666666666666666),
    );
    assert_feature(&table, 100012, "POS_SK_DPD_MAX", Some(0.0));
    assert_feature(&table, 100012, "POS_COUNT", Some(3.0));
    // installments_payments, client 100048: 15 instalments, all paid in full.
    assert_feature(&table, 100048, "INSTAL_AMT_PAYMENT_SUM", Some(190720.305));
    assert_feature(&table, 100048, "INSTAL_PAYMENT_PERC_VAR", Some(0.0));
    assert_feature(&table, 100048, "INSTAL_DBD_MAX", Some(19.0));
    assert_feature(&table, 100048, "INSTAL_COUNT", Some(15.0));
    // credit_card_balance, client 100048: 12 months.
    assert_feature(&table, 100048, "CC_AMT_BALANCE_MEAN", Some(50084.79375));
    assert_feature(
        &table,
        100048,
        "CC_AMT_CREDIT_LIMIT_ACTUAL_MAX",
        Some(225000.0),
    );
    assert_feature(&table, 100048, "CC_COUNT", Some(12.0));
    // Descriptions come from HomeCredit_columns_description.csv.
    let spec = &schema.features[schema.position("AMT_CREDIT").expect("AMT_CREDIT")];
    assert_eq!(spec.description, "Credit amount of the loan");
}

/// Runs the kernel's pandas code (`trainer/reference/kernel_features.py`) on
/// the same rows and compares every value of every common column.
#[test]
fn equals_the_kernel_pandas_implementation() {
    let Some(data) = shared_data("homecredit-sample") else {
        return;
    };
    let requirements = concat!(env!("CARGO_MANIFEST_DIR"), "/reference/requirements.txt");
    let Some(python) =
        test_support::prerequisite::python_with(&["pandas", "pyarrow"], requirements.as_ref())
    else {
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let reference_path = dir.path().join("kernel.parquet");
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/reference/kernel_features.py");
    let status = Command::new(&python)
        .arg(script)
        .arg("--data")
        .arg(&data)
        .arg("--out")
        .arg(&reference_path)
        .arg("--float64")
        .status()
        .expect("python3 runs");
    assert!(status.success(), "the reference script failed");
    let reference =
        ParquetReader::new(std::fs::File::open(&reference_path).expect("reference output"))
            .finish()
            .expect("reference parquet");
    let (ours, schema) = build_feature_table(&data, None).expect("features on the real sample");

    let reference_names: Vec<String> = reference
        .get_column_names()
        .iter()
        .map(|c| c.to_string())
        .collect();
    let our_names: Vec<&str> = schema.feature_names().collect();
    let only_reference: Vec<&String> = reference_names
        .iter()
        .filter(|n| {
            !["SK_ID_CURR", "TARGET"].contains(&n.as_str()) && !our_names.contains(&n.as_str())
        })
        .collect();
    let only_ours: Vec<&&str> = our_names
        .iter()
        .filter(|n| !reference_names.iter().any(|r| r == *n))
        .collect();
    assert!(
        only_reference.is_empty() && only_ours.is_empty(),
        "columns differ: kernel only {only_reference:?}, ours only {only_ours:?}"
    );

    let ids = reference
        .column("SK_ID_CURR")
        .expect("ids")
        .cast(&DataType::Int64)
        .expect("i64 ids");
    let ids: Vec<i64> = ids.i64().expect("i64").iter().flatten().collect();
    let our_ids = ours
        .column("SK_ID_CURR")
        .expect("ids")
        .i64()
        .expect("i64")
        .clone();
    let our_row: std::collections::HashMap<i64, usize> = our_ids
        .iter()
        .enumerate()
        .filter_map(|(row, id)| Some((id?, row)))
        .collect();
    let mut compared = 0usize;
    for name in &our_names {
        let column = reference
            .column(name)
            .expect("column")
            .cast(&DataType::Float64)
            .expect("numeric");
        let our_column = ours.column(name).expect("ours").f64().expect("f64").clone();
        for (row, expected) in column.f64().expect("f64").iter().enumerate() {
            let expected = expected.filter(|v| !v.is_nan());
            let actual = our_column.get(our_row[&ids[row]]);
            let same = match (actual, expected) {
                (Some(a), Some(e)) => a == e || (a - e).abs() <= 1e-9 * e.abs().max(1.0),
                (a, e) => a == e,
            };
            assert!(
                same,
                "{name} of client {}: ours {actual:?}, kernel {expected:?}",
                ids[row]
            );
            compared += 1;
        }
    }
    assert!(compared > 700_000, "compared {compared} values");
}
