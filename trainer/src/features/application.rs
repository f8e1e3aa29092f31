//! The application family: one row per applicant, train and test together.

use polars::prelude::*;
use scoring_core::{FeatureKind, FeatureSpec};
use synth::tables::{ColumnType, Table};

use super::describe::Describer;
use super::encode::{RowColumn, Vocabularies};
use super::load::read_table;
use super::{Built, CLIENT_ID, DAYS_SENTINEL, TARGET};
use crate::{Error, Result};

/// Columns the kernel turns into a single code with `pd.factorize`.
const CODED: [&str; 3] = ["CODE_GENDER", "FLAG_OWN_CAR", "FLAG_OWN_REALTY"];

/// Builds the applicant rows: raw columns, codes, one-hot categories (no
/// indicator for a missing category here, as in the kernel), `DAYS_EMPLOYED`
/// with its 365243 sentinel made missing, and five ratios.
///
/// One deliberate difference from the kernel: the 4 training applicants whose
/// CODE_GENDER is `XNA` are kept (so they can still be scored) with the code
/// of a missing value, instead of being dropped.
pub(crate) fn build(
    data_dir: &std::path::Path,
    vocabularies: &mut Vocabularies,
    describer: &Describer,
) -> Result<Built> {
    let train_columns: Vec<&str> = Table::ApplicationTrain.columns().map(|(c, _)| c).collect();
    let test_columns: Vec<&str> = Table::ApplicationTest.columns().map(|(c, _)| c).collect();
    let train = read_table(data_dir, Table::ApplicationTrain, &train_columns)?;
    let test = read_table(data_dir, Table::ApplicationTest, &test_columns)?;
    let stage = |source| Error::Polars {
        stage: "combining application train and test",
        source,
    };
    let test = test
        .lazy()
        .with_column(lit(NULL).cast(DataType::Float64).alias(TARGET))
        .select(train_columns.iter().map(|c| col(*c)).collect::<Vec<_>>())
        .collect()
        .map_err(stage)?;
    let applicants = train.vstack(&test).map_err(stage)?;

    let table = Table::ApplicationTrain;
    let mut columns = Vec::new();
    let mut indicators = Vec::new();
    for (column, kind) in table.columns() {
        if column == CLIENT_ID || column == TARGET {
            continue;
        }
        let describe = describer.column(table, column);
        if CODED.contains(&column) {
            columns.push(vocabularies.code(table, &applicants, column, &["XNA"], &describe)?);
        } else if kind == ColumnType::Text {
            indicators.extend(vocabularies.one_hot(
                table,
                &applicants,
                column,
                false,
                &describe,
            )?);
        } else if column == "DAYS_EMPLOYED" {
            let text = format!("{describe} (365243, meaning not employed, counts as missing)");
            columns.push(RowColumn::derived(column, days_employed(), column, &text));
        } else {
            columns.push(RowColumn::raw(column, describe));
        }
    }
    columns.extend(indicators);
    columns.extend(ratios());

    let mut exprs = vec![col(CLIENT_ID), col(TARGET).cast(DataType::Int32)];
    exprs.extend(
        columns
            .iter()
            .map(|c| c.expr.clone().cast(DataType::Float64)),
    );
    let specs = columns.into_iter().map(application_spec).collect();
    Ok(Built {
        frame: applicants.lazy().select(exprs),
        specs,
    })
}

/// DAYS_EMPLOYED with its 365243 sentinel made missing. Every expression of
/// the application select reads the raw columns, so the ratio built on it
/// uses this too.
fn days_employed() -> Expr {
    let days = col("DAYS_EMPLOYED");
    when(days.clone().eq(lit(DAYS_SENTINEL)))
        .then(lit(NULL))
        .otherwise(days)
}

fn ratios() -> Vec<RowColumn> {
    let ratio = |a: Expr, b: &str| (a / col(b)).fill_nan(lit(NULL));
    vec![
        RowColumn::derived(
            "DAYS_EMPLOYED_PERC",
            ratio(days_employed(), "DAYS_BIRTH"),
            "DAYS_EMPLOYED, DAYS_BIRTH",
            "Time in current employment as a share of the client's age (DAYS_EMPLOYED / DAYS_BIRTH)",
        ),
        RowColumn::derived(
            "INCOME_CREDIT_PERC",
            ratio(col("AMT_INCOME_TOTAL"), "AMT_CREDIT"),
            "AMT_INCOME_TOTAL, AMT_CREDIT",
            "Income relative to the credit amount (AMT_INCOME_TOTAL / AMT_CREDIT)",
        ),
        RowColumn::derived(
            "INCOME_PER_PERSON",
            ratio(col("AMT_INCOME_TOTAL"), "CNT_FAM_MEMBERS"),
            "AMT_INCOME_TOTAL, CNT_FAM_MEMBERS",
            "Income per family member (AMT_INCOME_TOTAL / CNT_FAM_MEMBERS)",
        ),
        RowColumn::derived(
            "ANNUITY_INCOME_PERC",
            ratio(col("AMT_ANNUITY"), "AMT_INCOME_TOTAL"),
            "AMT_ANNUITY, AMT_INCOME_TOTAL",
            "Loan annuity as a share of income (AMT_ANNUITY / AMT_INCOME_TOTAL)",
        ),
        RowColumn::derived(
            "PAYMENT_RATE",
            ratio(col("AMT_ANNUITY"), "AMT_CREDIT"),
            "AMT_ANNUITY, AMT_CREDIT",
            "Loan annuity as a share of the credit amount (AMT_ANNUITY / AMT_CREDIT)",
        ),
    ]
}

fn application_spec(column: RowColumn) -> FeatureSpec {
    FeatureSpec {
        name: column.name,
        kind: column.kind,
        source_table: Table::ApplicationTrain.short_name().to_owned(),
        source_column: column.source_column,
        aggregation: match column.kind {
            FeatureKind::Indicator => "one_hot".to_owned(),
            FeatureKind::CategoryCode => "code".to_owned(),
            FeatureKind::Numeric => "none".to_owned(),
        },
        category: column.category,
        description: column.description,
    }
}
