//! What the feature pipeline says about missing, malformed and empty input,
//! and how a fixed schema keeps the columns stable.

mod common;

use common::assert_feature;
use common::fixture::{RICH, write_fixture};
use synth::tables::Table;
use trainer::Error;
use trainer::features::{FeaturesArgs, build_feature_table};

fn fixture() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    write_fixture(dir.path());
    dir
}

fn replace_in(dir: &std::path::Path, table: Table, from: &str, to: &str) {
    let path = dir.join(table.file_name());
    let text = std::fs::read_to_string(&path).expect("fixture");
    assert!(text.contains(from), "fixture has {from}");
    std::fs::write(path, text.replacen(from, to, 1)).expect("fixture rewritten");
}

#[test]
fn missing_file_names_the_file() {
    let dir = fixture();
    std::fs::remove_file(dir.path().join("bureau.csv")).expect("removed");
    match build_feature_table(dir.path(), None) {
        Err(Error::MissingFile { path, table }) => {
            assert!(path.ends_with("bureau.csv"));
            assert_eq!(table, "bureau");
        }
        other => panic!("expected MissingFile, got {:?}", other.map(|_| ())),
    }
}

#[test]
fn missing_column_names_file_and_column() {
    let dir = fixture();
    replace_in(
        dir.path(),
        Table::InstallmentsPayments,
        "AMT_PAYMENT",
        "AMT_PAID",
    );
    let error = build_feature_table(dir.path(), None)
        .map(|_| ())
        .expect_err("must fail");
    assert!(
        matches!(&error, Error::MissingColumn { column, .. } if column == "AMT_PAYMENT"),
        "{error:?}"
    );
    let message = error.to_string();
    assert!(
        message.contains("installments_payments.csv") && message.contains("AMT_PAYMENT"),
        "{message}"
    );
}

#[test]
fn malformed_value_names_file_line_and_column() {
    let dir = fixture();
    // Second data row of bureau.csv, so line 3 of the file.
    replace_in(dir.path(), Table::Bureau, "-300", "-3O0");
    match build_feature_table(dir.path(), None) {
        Err(Error::MalformedValue {
            path,
            line,
            column,
            value,
            ..
        }) => {
            assert!(path.ends_with("bureau.csv"));
            assert_eq!(
                (line, column.as_str(), value.as_str()),
                (3, "DAYS_CREDIT", "-3O0")
            );
        }
        other => panic!("expected MalformedValue, got {:?}", other.map(|_| ())),
    }
}

#[test]
fn empty_tables_give_missing_features() {
    let dir = fixture();
    let header: Vec<&str> = Table::CreditCardBalance.columns().map(|(c, _)| c).collect();
    std::fs::write(
        dir.path().join("credit_card_balance.csv"),
        header.join(",") + "\n",
    )
    .expect("header only");
    std::fs::write(dir.path().join("POS_CASH_balance.csv"), "").expect("zero bytes");
    let (table, schema) =
        build_feature_table(dir.path(), None).expect("empty tables are not an error");
    assert_feature(&table, RICH, "CC_AMT_BALANCE_MEAN", None);
    assert_feature(&table, RICH, "CC_COUNT", None);
    assert_feature(&table, RICH, "POS_COUNT", None);
    assert_feature(&table, RICH, "INSTAL_COUNT", Some(3.0));
    assert!(
        schema
            .position("CC_NAME_CONTRACT_STATUS_nan_MEAN")
            .is_some()
    );
}

#[test]
fn a_fixed_schema_keeps_the_columns_of_the_first_build() {
    let first = fixture();
    let (_, schema) = build_feature_table(first.path(), None).expect("first build");
    let later = fixture();
    // A category never seen before sets no indicator; a category that has
    // disappeared keeps its column.
    replace_in(later.path(), Table::Bureau, "Consumer credit", "Car loan");
    let (table, rebuilt) = build_feature_table(later.path(), Some(&schema)).expect("rebuild");
    assert_eq!(
        rebuilt.feature_names().collect::<Vec<_>>(),
        schema.feature_names().collect::<Vec<_>>()
    );
    assert_feature(
        &table,
        RICH,
        "BURO_CREDIT_TYPE_Consumercredit_MEAN",
        Some(0.0),
    );
    assert!(table.column("BURO_CREDIT_TYPE_Carloan_MEAN").is_err());

    let mut other = schema.clone();
    other.vocabularies.retain(|v| v.column != "CREDIT_TYPE");
    match build_feature_table(later.path(), Some(&other)) {
        Err(Error::VocabularyMissing { table, column }) => {
            assert_eq!((table, column.as_str()), ("bureau", "CREDIT_TYPE"))
        }
        other => panic!("expected VocabularyMissing, got {:?}", other.map(|_| ())),
    }
}

#[test]
fn run_writes_table_and_schema() {
    let dir = fixture();
    let out = dir.path().join("out");
    let args = FeaturesArgs {
        data: dir.path().to_owned(),
        out: out.clone(),
        schema: None,
    };
    trainer::features::run(&args).expect("run");
    let schema =
        scoring_core::FeatureSchema::load(&out.join("feature_schema.json")).expect("schema");
    let file = std::fs::File::open(out.join("features.parquet")).expect("table");
    use polars::prelude::SerReader;
    let table = polars::prelude::ParquetReader::new(file)
        .finish()
        .expect("parquet");
    assert_eq!(table.width(), schema.features.len() + 2);
    assert_feature(&table, RICH, "INSTAL_DPD_SUM", Some(5.0));
    // The file, encoded table after table while the next is built, holds
    // exactly the table built in memory.
    let (in_memory, _) = build_feature_table(dir.path(), None).expect("in memory");
    assert_eq!(table.schema(), in_memory.schema());
    assert!(table.equals_missing(&in_memory));
    let leftovers: Vec<_> = std::fs::read_dir(&out)
        .expect("out")
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".partial"))
        .collect();
    assert!(leftovers.is_empty(), "no staging files left behind");
}

#[test]
fn an_output_folder_that_cannot_be_made_fails_before_any_table_is_read() {
    let dir = fixture();
    // A folder cannot be made inside a file, and the tables cannot be read
    // either: the output's error comes first.
    let blocker = dir.path().join("a-file");
    std::fs::write(&blocker, "not a folder").expect("file");
    let args = FeaturesArgs {
        data: dir.path().join("no-such-data"),
        out: blocker.join("out"),
        schema: None,
    };
    match trainer::features::run(&args) {
        Err(Error::Io { path, action, .. }) => {
            assert_eq!(path, blocker.join("out"));
            assert_eq!(action, "creating the output folder");
        }
        other => panic!(
            "expected the output folder's error, got {:?}",
            other.map(|_| ())
        ),
    }
}
