//! The Credit Bureau families: BURO_ (all credits), ACTIVE_ and CLOSED_,
//! with the monthly bureau balances reduced per credit first.

use std::path::Path;

use polars::prelude::*;
use scoring_core::FeatureKind;
use synth::tables::Table;

use super::aggregate::{Agg, Family};
use super::describe::Describer;
use super::encode::{RowColumn, Vocabularies};
use super::load::read_table;
use super::{Built, CLIENT_ID};
use crate::Result;

const CREDIT_ID: &str = "SK_ID_BUREAU";
const CATEGORIES: [&str; 3] = ["CREDIT_ACTIVE", "CREDIT_CURRENCY", "CREDIT_TYPE"];
const NUMERIC: [(&str, &[Agg]); 11] = [
    ("DAYS_CREDIT", &[Agg::Min, Agg::Max, Agg::Mean, Agg::Var]),
    ("DAYS_CREDIT_ENDDATE", &[Agg::Min, Agg::Max, Agg::Mean]),
    ("DAYS_CREDIT_UPDATE", &[Agg::Mean]),
    ("CREDIT_DAY_OVERDUE", &[Agg::Max, Agg::Mean]),
    ("AMT_CREDIT_MAX_OVERDUE", &[Agg::Mean]),
    ("AMT_CREDIT_SUM", &[Agg::Max, Agg::Mean, Agg::Sum]),
    ("AMT_CREDIT_SUM_DEBT", &[Agg::Max, Agg::Mean, Agg::Sum]),
    ("AMT_CREDIT_SUM_OVERDUE", &[Agg::Mean]),
    ("AMT_CREDIT_SUM_LIMIT", &[Agg::Mean, Agg::Sum]),
    ("AMT_ANNUITY", &[Agg::Max, Agg::Mean]),
    ("CNT_CREDIT_PROLONG", &[Agg::Sum]),
];
/// Per-credit reductions of the monthly balances and how BURO_ reduces them.
const BALANCE_NUMERIC: [(&str, &[Agg]); 3] = [
    ("MONTHS_BALANCE_MIN", &[Agg::Min]),
    ("MONTHS_BALANCE_MAX", &[Agg::Max]),
    ("MONTHS_BALANCE_SIZE", &[Agg::Mean, Agg::Sum]),
];

pub(crate) fn build(
    data_dir: &Path,
    vocabularies: &mut Vocabularies,
    describer: &Describer,
) -> Result<Built> {
    let (balance_per_credit, balance_columns) =
        balances_per_credit(data_dir, vocabularies, describer)?;

    let table = Table::Bureau;
    let mut needed = vec![CLIENT_ID, CREDIT_ID];
    needed.extend(CATEGORIES);
    needed.extend(NUMERIC.iter().map(|(c, _)| *c));
    let bureau = read_table(data_dir, table, &needed)?;
    let mut categories = Vec::new();
    for column in CATEGORIES {
        let describe = describer.column(table, column);
        categories.extend(vocabularies.one_hot(table, &bureau, column, true, &describe)?);
    }
    let credits = bureau
        .lazy()
        .with_columns(
            categories
                .iter()
                .map(|c| c.expr.clone())
                .collect::<Vec<_>>(),
        )
        .join(
            balance_per_credit,
            [col(CREDIT_ID)],
            [col(CREDIT_ID)],
            JoinArgs::new(JoinType::Left),
        );

    let mut numeric: Vec<(RowColumn, &[Agg])> = NUMERIC
        .iter()
        .map(|(c, aggs)| (RowColumn::raw(c, describer.column(table, c)), *aggs))
        .collect();
    numeric.extend(balance_columns.numeric);
    let numeric_items: Vec<(&RowColumn, &[Agg])> = numeric.iter().map(|(c, a)| (c, *a)).collect();
    let mut all_items = numeric_items.clone();
    all_items.extend(categories.iter().map(|c| (c, &[Agg::Mean][..])));
    all_items.extend(balance_columns.shares.iter().map(|c| (c, &[Agg::Mean][..])));

    let mut built = Built::aggregate(credits.clone(), &Family::new("BURO_", table), &all_items);
    for (prefix, status, words) in [
        ("ACTIVE_", "Active", "active Credit Bureau credits"),
        ("CLOSED_", "Closed", "closed Credit Bureau credits"),
    ] {
        let subset = credits.clone().filter(col("CREDIT_ACTIVE").eq(lit(status)));
        let family = Family::new(prefix, table).with_rows(words);
        built = built.join(Built::aggregate(subset, &family, &numeric_items));
    }
    Ok(built)
}

/// The bureau_balance columns that BURO_ aggregates once reduced per credit.
struct BalanceColumns {
    numeric: Vec<(RowColumn, &'static [Agg])>,
    shares: Vec<RowColumn>,
}

/// Reduces the monthly balances to one row per credit: first and last month,
/// number of months, and the share of months in each STATUS.
fn balances_per_credit(
    data_dir: &Path,
    vocabularies: &mut Vocabularies,
    describer: &Describer,
) -> Result<(LazyFrame, BalanceColumns)> {
    let table = Table::BureauBalance;
    let balance = read_table(data_dir, table, &[CREDIT_ID, "MONTHS_BALANCE", "STATUS"])?;
    let status = vocabularies.one_hot(
        table,
        &balance,
        "STATUS",
        true,
        &describer.column(table, "STATUS"),
    )?;
    let months = RowColumn::raw("MONTHS_BALANCE", describer.column(table, "MONTHS_BALANCE"));
    let mut exprs = vec![
        col("MONTHS_BALANCE").min().alias("MONTHS_BALANCE_MIN"),
        col("MONTHS_BALANCE").max().alias("MONTHS_BALANCE_MAX"),
        col("MONTHS_BALANCE")
            .len()
            .cast(DataType::Float64)
            .alias("MONTHS_BALANCE_SIZE"),
    ];
    exprs.extend(status.iter().map(|s| {
        col(s.name.as_str())
            .mean()
            .alias(format!("{}_MEAN", s.name))
    }));
    let per_credit = balance
        .lazy()
        .with_columns(status.iter().map(|s| s.expr.clone()).collect::<Vec<_>>())
        .group_by([col(CREDIT_ID)])
        .agg(exprs);

    let month_words = [
        "Earliest month of the credit's monthly balances",
        "Latest month of the credit's monthly balances",
        "Number of monthly balances of the credit",
    ];
    let numeric = BALANCE_NUMERIC
        .iter()
        .zip(month_words)
        .map(|((name, aggs), words)| {
            let text = format!("{words} ({})", months.description);
            (
                RowColumn::derived(name, col(*name), "MONTHS_BALANCE", &text),
                *aggs,
            )
        })
        .collect();
    let shares = status
        .into_iter()
        .map(|s| {
            let name = format!("{}_MEAN", s.name);
            RowColumn {
                expr: col(name.as_str()),
                description: format!("share of the credit's months where {}", s.description),
                kind: FeatureKind::Numeric,
                name,
                ..s
            }
        })
        .collect();
    Ok((per_credit, BalanceColumns { numeric, shares }))
}
