//! Parquet input: a folder of parquet tables gives the same feature table as
//! the same tables in CSV; a parquet table without a column, with a column of
//! the wrong type or that is not parquet at all is refused, naming the file.

mod common;

use std::path::Path;

use common::fixture::write_fixture;
use polars::prelude::*;
use synth::tables::{ColumnType, Table};
use test_support::prerequisite;
use trainer::Error;
use trainer::features::build_feature_table;

/// Writes every CSV table of `csv` as `<name>.parquet` into `parquet`, typed
/// as a warehouse would: identifiers and whole-number columns as integers
/// where they have no missing value, other numbers as f64, text as text.
fn convert(csv: &Path, parquet: &Path) {
    std::fs::create_dir_all(parquet).expect("parquet folder");
    let descriptions = "HomeCredit_columns_description.csv";
    if csv.join(descriptions).is_file() {
        std::fs::copy(csv.join(descriptions), parquet.join(descriptions)).expect("descriptions");
    }
    for table in Table::ALL {
        let text = std::fs::read_to_string(csv.join(table.file_name())).expect("CSV");
        let header: Vec<&str> = text.lines().next().unwrap_or("").split(',').collect();
        let schema: Schema = table
            .columns()
            .filter(|(name, _)| header.contains(name))
            .map(|(name, kind)| {
                let dtype = match kind {
                    ColumnType::Text => DataType::String,
                    _ if name.starts_with("SK_ID_") => DataType::Int64,
                    _ => DataType::Float64,
                };
                Field::new(name.into(), dtype)
            })
            .collect();
        let path = PlRefPath::try_from_path(&csv.join(table.file_name())).expect("path");
        let mut frame = LazyCsvReader::new(path)
            .with_has_header(true)
            .with_dtype_overwrite(Some(Arc::new(schema)))
            .finish()
            .and_then(LazyFrame::collect)
            .expect("fixture CSV");
        // A whole-number column without missing values stored as integers.
        if let Ok(months) = frame.column("MONTHS_BALANCE")
            && months.null_count() == 0
        {
            let months = months.cast(&DataType::Int32).expect("whole months");
            frame.with_column(months).expect("replaced");
        }
        write_parquet(&parquet.join(parquet_name(table)), &mut frame);
    }
}

fn parquet_name(table: Table) -> String {
    table.file_name().replace(".csv", ".parquet")
}

fn write_parquet(path: &Path, frame: &mut DataFrame) {
    let file = std::fs::File::create(path).expect("parquet file");
    ParquetWriter::new(file)
        .finish(frame)
        .expect("parquet written");
}

fn assert_same_tables(csv: &Path) {
    let parquet = tempfile::tempdir().expect("temp dir");
    convert(csv, parquet.path());
    let (from_csv, csv_schema) = build_feature_table(csv, None).expect("from CSV");
    let (from_parquet, parquet_schema) =
        build_feature_table(parquet.path(), None).expect("from parquet");
    assert_eq!(csv_schema.features, parquet_schema.features);
    assert_eq!(csv_schema.vocabularies, parquet_schema.vocabularies);
    assert_eq!(from_csv.get_column_names(), from_parquet.get_column_names());
    // Reductions may add in another order when the rows come in other
    // chunks, so values agree to the last bits, as in the kernel tests; a
    // variance of nearly equal values (near zero after cancellation) agrees
    // within 1e-12 of its mean squared, as in the online-engine tests.
    let as_f64 = |c: &Column| {
        c.cast(&DataType::Float64)
            .expect("numeric")
            .as_materialized_series()
            .f64()
            .expect("f64")
            .iter()
            .collect::<Vec<_>>()
    };
    for (a, b) in from_csv.columns().iter().zip(from_parquet.columns()) {
        let means = a
            .name()
            .strip_suffix("_VAR")
            .and_then(|stem| from_csv.column(&format!("{stem}_MEAN")).ok())
            .map(as_f64);
        for (row, (x, y)) in as_f64(a).into_iter().zip(as_f64(b)).enumerate() {
            let mean = means.as_ref().and_then(|m| m[row]).unwrap_or(0.0);
            let same = match (x, y) {
                (Some(x), Some(y)) => {
                    x == y
                        || (x - y).abs() <= 1e-12 * x.abs().max(y.abs())
                        || (x - y).abs() <= 1e-12 * mean * mean
                }
                (x, y) => x.is_none() && y.is_none(),
            };
            assert!(
                same,
                "{} row {row}: {x:?} from CSV, {y:?} from parquet",
                a.name()
            );
        }
    }
}

#[test]
fn parquet_tables_give_the_csv_feature_table() {
    let dir = tempfile::tempdir().expect("temp dir");
    write_fixture(dir.path());
    assert_same_tables(dir.path());
}

#[test]
fn parquet_tables_of_the_real_sample_give_its_feature_table() {
    let Some(data) = prerequisite::shared_data("homecredit-sample") else {
        return;
    };
    assert_same_tables(&data);
}

/// The fixture as parquet, with `table` replaced by `frame`.
fn parquet_fixture_with(
    table: Table,
    frame: impl FnOnce(DataFrame) -> DataFrame,
) -> tempfile::TempDir {
    let csv = tempfile::tempdir().expect("temp dir");
    write_fixture(csv.path());
    let parquet = tempfile::tempdir().expect("temp dir");
    convert(csv.path(), parquet.path());
    let path = parquet.path().join(parquet_name(table));
    let read = LazyFrame::scan_parquet(
        PlRefPath::try_from_path(&path).expect("path"),
        ScanArgsParquet::default(),
    )
    .and_then(LazyFrame::collect)
    .expect("fixture parquet");
    write_parquet(&path, &mut frame(read));
    parquet
}

#[test]
fn a_missing_parquet_column_names_file_and_column() {
    let dir = parquet_fixture_with(Table::InstallmentsPayments, |frame| {
        frame.drop("AMT_PAYMENT").expect("dropped")
    });
    match build_feature_table(dir.path(), None) {
        Err(Error::MissingColumn { path, column }) => {
            assert!(path.ends_with("installments_payments.parquet"));
            assert_eq!(column, "AMT_PAYMENT");
        }
        other => panic!("expected MissingColumn, got {:?}", other.map(|_| ())),
    }
}

#[test]
fn text_where_a_number_is_expected_names_file_column_and_types() {
    let dir = parquet_fixture_with(Table::Bureau, |mut frame| {
        let days = frame
            .column("DAYS_CREDIT")
            .and_then(|c| c.cast(&DataType::String))
            .expect("as text");
        frame.with_column(days).expect("replaced");
        frame
    });
    let error = build_feature_table(dir.path(), None)
        .map(|_| ())
        .expect_err("must fail");
    match &error {
        Error::ColumnType {
            path,
            column,
            expected,
            ..
        } => {
            assert!(path.ends_with("bureau.parquet"));
            assert_eq!((column.as_str(), *expected), ("DAYS_CREDIT", "a number"));
        }
        other => panic!("expected ColumnType, got {other:?}"),
    }
    let message = error.to_string();
    assert!(
        message.contains("bureau.parquet") && message.contains("str"),
        "{message}"
    );
}

#[test]
fn a_file_that_is_not_parquet_is_refused_naming_it() {
    let dir = parquet_fixture_with(Table::CreditCardBalance, |frame| frame);
    let path = dir.path().join("credit_card_balance.parquet");
    std::fs::write(&path, b"not parquet at all").expect("overwritten");
    match build_feature_table(dir.path(), None) {
        Err(Error::Parquet { path: named, .. }) => assert_eq!(named, path),
        other => panic!("expected a parquet error, got {:?}", other.map(|_| ())),
    }
}
