//! The previous-application families: PREV_ (all), APPROVED_ and REFUSED_.

use std::path::Path;

use polars::prelude::*;
use synth::tables::{ColumnType, Table};

use super::aggregate::{Agg, Family};
use super::describe::Describer;
use super::encode::{RowColumn, Vocabularies};
use super::load::read_table;
use super::{Built, CLIENT_ID};
use crate::Result;

const NUMERIC: [(&str, &[Agg]); 10] = [
    ("AMT_ANNUITY", &[Agg::Min, Agg::Max, Agg::Mean]),
    ("AMT_APPLICATION", &[Agg::Min, Agg::Max, Agg::Mean]),
    ("AMT_CREDIT", &[Agg::Min, Agg::Max, Agg::Mean]),
    (
        "APP_CREDIT_PERC",
        &[Agg::Min, Agg::Max, Agg::Mean, Agg::Var],
    ),
    ("AMT_DOWN_PAYMENT", &[Agg::Min, Agg::Max, Agg::Mean]),
    ("AMT_GOODS_PRICE", &[Agg::Min, Agg::Max, Agg::Mean]),
    ("HOUR_APPR_PROCESS_START", &[Agg::Min, Agg::Max, Agg::Mean]),
    ("RATE_DOWN_PAYMENT", &[Agg::Min, Agg::Max, Agg::Mean]),
    ("DAYS_DECISION", &[Agg::Min, Agg::Max, Agg::Mean]),
    ("CNT_PAYMENT", &[Agg::Mean, Agg::Sum]),
];

/// The kernel also turns 365243 into a missing value in five DAYS_* columns
/// of this table, but aggregates none of them, so they are not read at all.
pub(crate) fn build(
    data_dir: &Path,
    vocabularies: &mut Vocabularies,
    describer: &Describer,
) -> Result<Built> {
    let table = Table::PreviousApplication;
    let categories: Vec<&str> = table
        .columns()
        .filter(|(_, kind)| *kind == ColumnType::Text)
        .map(|(c, _)| c)
        .collect();
    let mut needed = vec![CLIENT_ID];
    needed.extend(categories.iter().copied());
    needed.extend(
        NUMERIC
            .iter()
            .map(|(c, _)| *c)
            .filter(|c| *c != "APP_CREDIT_PERC"),
    );
    let previous = read_table(data_dir, table, &needed)?;

    let mut indicators = Vec::new();
    for column in categories {
        let describe = describer.column(table, column);
        indicators.extend(vocabularies.one_hot(table, &previous, column, true, &describe)?);
    }
    let asked_over_granted = RowColumn::derived(
        "APP_CREDIT_PERC",
        (col("AMT_APPLICATION") / col("AMT_CREDIT")).fill_nan(lit(NULL)),
        "AMT_APPLICATION, AMT_CREDIT",
        "Amount asked for relative to the amount granted (AMT_APPLICATION / AMT_CREDIT)",
    );
    let mut row_exprs: Vec<Expr> = indicators.iter().map(|c| c.expr.clone()).collect();
    row_exprs.push(asked_over_granted.expr.clone());
    let applications = previous.lazy().with_columns(row_exprs);

    let numeric: Vec<(RowColumn, &[Agg])> = NUMERIC
        .iter()
        .map(|(c, aggs)| {
            let column = if *c == "APP_CREDIT_PERC" {
                asked_over_granted.clone()
            } else {
                RowColumn::raw(c, describer.column(table, c))
            };
            (column, *aggs)
        })
        .collect();
    let numeric_items: Vec<(&RowColumn, &[Agg])> = numeric.iter().map(|(c, a)| (c, *a)).collect();
    let mut all_items = numeric_items.clone();
    all_items.extend(indicators.iter().map(|c| (c, &[Agg::Mean][..])));

    let mut built = Built::aggregate(
        applications.clone(),
        &Family::new("PREV_", table),
        &all_items,
    );
    for (prefix, status, words) in [
        ("APPROVED_", "Approved", "approved previous applications"),
        ("REFUSED_", "Refused", "refused previous applications"),
    ] {
        let subset = applications
            .clone()
            .filter(col("NAME_CONTRACT_STATUS").eq(lit(status)));
        let family = Family::new(prefix, table).with_rows(words);
        built = built.join(Built::aggregate(subset, &family, &numeric_items));
    }
    Ok(built)
}
