//! The families built from previous credits' histories: POS_ (monthly POS
//! and cash loan balances), INSTAL_ (instalments) and CC_ (credit cards).

use std::path::Path;

use polars::prelude::*;
use synth::tables::Table;

use super::aggregate::{Agg, Family};
use super::describe::Describer;
use super::encode::{RowColumn, Vocabularies};
use super::load::read_table;
use super::{Built, CLIENT_ID};
use crate::Result;

const STATUS: &str = "NAME_CONTRACT_STATUS";

pub(crate) fn pos_cash(
    data_dir: &Path,
    vocabularies: &mut Vocabularies,
    describer: &Describer,
) -> Result<Built> {
    let table = Table::PosCashBalance;
    let numeric: [(&str, &[Agg]); 3] = [
        ("MONTHS_BALANCE", &[Agg::Max, Agg::Mean, Agg::Size]),
        ("SK_DPD", &[Agg::Max, Agg::Mean]),
        ("SK_DPD_DEF", &[Agg::Max, Agg::Mean]),
    ];
    let mut needed = vec![CLIENT_ID, STATUS];
    needed.extend(numeric.iter().map(|(c, _)| *c));
    let rows = read_table(data_dir, table, &needed)?;
    let status =
        vocabularies.one_hot(table, &rows, STATUS, true, &describer.column(table, STATUS))?;
    let raw: Vec<(RowColumn, &[Agg])> = numeric
        .iter()
        .map(|(c, aggs)| (RowColumn::raw(c, describer.column(table, c)), *aggs))
        .collect();
    let mut items: Vec<(&RowColumn, &[Agg])> = raw.iter().map(|(c, a)| (c, *a)).collect();
    items.extend(status.iter().map(|c| (c, &[Agg::Mean][..])));
    let rows = rows.lazy().with_columns(exprs_of(&status));
    Ok(Built::aggregate_counted(
        rows,
        &Family::new("POS_", table),
        &items,
        "POS_COUNT",
    ))
}

pub(crate) fn installments(data_dir: &Path, describer: &Describer) -> Result<Built> {
    let table = Table::InstallmentsPayments;
    let needed = [
        CLIENT_ID,
        "NUM_INSTALMENT_VERSION",
        "DAYS_INSTALMENT",
        "DAYS_ENTRY_PAYMENT",
        "AMT_INSTALMENT",
        "AMT_PAYMENT",
    ];
    let rows = read_table(data_dir, table, &needed)?;
    let late = col("DAYS_ENTRY_PAYMENT") - col("DAYS_INSTALMENT");
    let early = col("DAYS_INSTALMENT") - col("DAYS_ENTRY_PAYMENT");
    // The kernel keeps x if x > 0 else 0: a missing payment date gives 0, not missing.
    let positive_part = |x: Expr| when(x.clone().gt(lit(0.0))).then(x).otherwise(lit(0.0));
    let derived = [
        RowColumn::derived(
            "PAYMENT_PERC",
            (col("AMT_PAYMENT") / col("AMT_INSTALMENT")).fill_nan(lit(NULL)),
            "AMT_PAYMENT, AMT_INSTALMENT",
            "Share of the instalment actually paid (AMT_PAYMENT / AMT_INSTALMENT)",
        ),
        RowColumn::derived(
            "PAYMENT_DIFF",
            col("AMT_INSTALMENT") - col("AMT_PAYMENT"),
            "AMT_INSTALMENT, AMT_PAYMENT",
            "Amount of the instalment left unpaid (AMT_INSTALMENT - AMT_PAYMENT)",
        ),
        RowColumn::derived(
            "DPD",
            positive_part(late),
            "DAYS_ENTRY_PAYMENT, DAYS_INSTALMENT",
            "Days the instalment was paid late (0 when on time or unpaid)",
        ),
        RowColumn::derived(
            "DBD",
            positive_part(early),
            "DAYS_INSTALMENT, DAYS_ENTRY_PAYMENT",
            "Days the instalment was paid early (0 when on time, late or unpaid)",
        ),
    ];
    let raw = |c: &str| RowColumn::raw(c, describer.column(table, c));
    let columns = [
        (raw("NUM_INSTALMENT_VERSION"), &[Agg::NUnique][..]),
        (derived[2].clone(), &[Agg::Max, Agg::Mean, Agg::Sum]),
        (derived[3].clone(), &[Agg::Max, Agg::Mean, Agg::Sum]),
        (
            derived[0].clone(),
            &[Agg::Max, Agg::Mean, Agg::Sum, Agg::Var],
        ),
        (
            derived[1].clone(),
            &[Agg::Max, Agg::Mean, Agg::Sum, Agg::Var],
        ),
        (raw("AMT_INSTALMENT"), &[Agg::Max, Agg::Mean, Agg::Sum]),
        (
            raw("AMT_PAYMENT"),
            &[Agg::Min, Agg::Max, Agg::Mean, Agg::Sum],
        ),
        (raw("DAYS_ENTRY_PAYMENT"), &[Agg::Max, Agg::Mean, Agg::Sum]),
    ];
    let items: Vec<(&RowColumn, &[Agg])> = columns.iter().map(|(c, a)| (c, *a)).collect();
    let rows = rows.lazy().with_columns(exprs_of(&derived));
    Ok(Built::aggregate_counted(
        rows,
        &Family::new("INSTAL_", table),
        &items,
        "INSTAL_COUNT",
    ))
}

pub(crate) fn credit_card(
    data_dir: &Path,
    vocabularies: &mut Vocabularies,
    describer: &Describer,
) -> Result<Built> {
    let table = Table::CreditCardBalance;
    // Every column but the identifiers and the status is reduced five ways.
    let numeric: Vec<&str> = table
        .columns()
        .map(|(c, _)| c)
        .filter(|c| !c.starts_with("SK_ID_") && *c != STATUS)
        .collect();
    let mut needed = vec![CLIENT_ID, STATUS];
    needed.extend(numeric.iter().copied());
    let rows = read_table(data_dir, table, &needed)?;
    let status =
        vocabularies.one_hot(table, &rows, STATUS, true, &describer.column(table, STATUS))?;
    let mut columns: Vec<RowColumn> = numeric
        .iter()
        .map(|c| RowColumn::raw(c, describer.column(table, c)))
        .collect();
    columns.extend(status.iter().cloned());
    const FIVE: &[Agg] = &[Agg::Min, Agg::Max, Agg::Mean, Agg::Sum, Agg::Var];
    let items: Vec<(&RowColumn, &[Agg])> = columns.iter().map(|c| (c, FIVE)).collect();
    let rows = rows.lazy().with_columns(exprs_of(&status));
    Ok(Built::aggregate_counted(
        rows,
        &Family::new("CC_", table),
        &items,
        "CC_COUNT",
    ))
}

fn exprs_of(columns: &[RowColumn]) -> Vec<Expr> {
    columns.iter().map(|c| c.expr.clone()).collect()
}
