//! The features of the public Kaggle kernel "LightGBM with simple features"
//! (Aguiar), with its names after its clean-up of non-alphanumeric
//! characters and its semantics, as a [`FeatureDefinition`].
//!
//! One deliberate difference from the kernel: the applicants whose
//! CODE_GENDER is `XNA` are kept (so they can still be scored) with the code
//! of a missing value, instead of being dropped.

mod bureau;
mod previous;

use crate::features::definition::{
    Agg, ColumnDef, ColumnValue, Family, FeatureDefinition, FeatureGroup, Filter, Item, RowExpr,
    TableDefinition,
};
use crate::features::descriptions::ColumnDescriptions;
use crate::features::tables::{CLIENT_ID, ColumnType, Table};

/// Value of a DAYS_* column that stands for "no date".
pub const DAYS_SENTINEL: f64 = 365_243.0;

/// The label column of the training applicants.
pub const TARGET: &str = "TARGET";

/// Application columns the kernel turns into a single code with `pd.factorize`.
const CODED: [&str; 3] = ["CODE_GENDER", "FLAG_OWN_CAR", "FLAG_OWN_REALTY"];

/// The kernel's features, described with `descriptions`.
pub fn kernel_definition(descriptions: &ColumnDescriptions) -> FeatureDefinition {
    let d = Describe(descriptions);
    FeatureDefinition {
        tables: vec![
            application(&d),
            bureau::bureau_balance(&d),
            bureau::bureau(&d),
            previous::previous_application(&d),
            previous::pos_cash_balance(&d),
            previous::installments_payments(&d),
            previous::credit_card_balance(&d),
        ],
    }
}

pub(super) struct Describe<'a>(&'a ColumnDescriptions);

impl Describe<'_> {
    /// The description of `column` of `table`.
    pub(super) fn column(&self, table: Table, column: &str) -> String {
        self.0.describe(table, column)
    }

    /// The input column `column` of `table`, as it is.
    pub(super) fn raw(&self, table: Table, column: &str) -> ColumnDef {
        ColumnDef {
            name: column.to_owned(),
            value: ColumnValue::Number(RowExpr::column(column)),
            source_column: column.to_owned(),
            description: self.0.describe(table, column),
        }
    }

    /// One indicator per category of `column` of `table`.
    pub(super) fn one_hot(&self, table: Table, column: &str, with_missing: bool) -> ColumnDef {
        ColumnDef {
            name: column.to_owned(),
            value: ColumnValue::OneHot {
                column: column.to_owned(),
                with_missing,
            },
            source_column: column.to_owned(),
            description: self.0.describe(table, column),
        }
    }
}

pub(super) fn derived(name: &str, expr: RowExpr, sources: &str, description: &str) -> ColumnDef {
    ColumnDef {
        name: name.to_owned(),
        value: ColumnValue::Number(expr),
        source_column: sources.to_owned(),
        description: description.to_owned(),
    }
}

pub(super) fn items(columns: &[(&str, &[Agg])]) -> Vec<Item> {
    columns
        .iter()
        .map(|(column, aggs)| Item {
            column: (*column).to_owned(),
            aggs: aggs.to_vec(),
        })
        .collect()
}

pub(super) fn family(prefix: &str, items: Vec<Item>) -> Family {
    Family {
        prefix: prefix.to_owned(),
        filter: None,
        rows: None,
        items,
        count: None,
    }
}

/// The same family over the rows whose `column` is `value` only.
pub(super) fn filtered(
    prefix: &str,
    column: &str,
    value: &str,
    rows: &str,
    items: Vec<Item>,
) -> Family {
    Family {
        filter: Some(Filter {
            column: column.to_owned(),
            equals: value.to_owned(),
        }),
        rows: Some(rows.to_owned()),
        ..family(prefix, items)
    }
}

/// Raw columns, codes, one-hot categories (without a missing indicator, as
/// in the kernel), DAYS_EMPLOYED with its sentinel made missing, five ratios.
fn application(d: &Describe<'_>) -> TableDefinition {
    let table = Table::Application;
    let days_employed = || RowExpr::column("DAYS_EMPLOYED").missing_if(DAYS_SENTINEL);
    let mut columns = Vec::new();
    let mut indicators = Vec::new();
    for &(column, kind) in table.columns() {
        if column == CLIENT_ID || column == TARGET {
            continue;
        }
        if CODED.contains(&column) {
            columns.push(ColumnDef {
                name: column.to_owned(),
                value: ColumnValue::Code {
                    column: column.to_owned(),
                    excluded: vec!["XNA".to_owned()],
                },
                source_column: column.to_owned(),
                description: d.0.describe(table, column),
            });
        } else if kind == ColumnType::Text {
            indicators.push(d.one_hot(table, column, false));
        } else if column == "DAYS_EMPLOYED" {
            let describe = d.0.describe(table, column);
            let text = format!("{describe} (365243, meaning not employed, counts as missing)");
            columns.push(derived(column, days_employed(), column, &text));
        } else {
            columns.push(d.raw(table, column));
        }
    }
    columns.extend(indicators);
    let ratio = |a: RowExpr, b: &str| a / RowExpr::column(b);
    columns.extend([
        derived(
            "DAYS_EMPLOYED_PERC",
            ratio(days_employed(), "DAYS_BIRTH"),
            "DAYS_EMPLOYED, DAYS_BIRTH",
            "Time in current employment as a share of the client's age (DAYS_EMPLOYED / DAYS_BIRTH)",
        ),
        derived(
            "INCOME_CREDIT_PERC",
            ratio(RowExpr::column("AMT_INCOME_TOTAL"), "AMT_CREDIT"),
            "AMT_INCOME_TOTAL, AMT_CREDIT",
            "Income relative to the credit amount (AMT_INCOME_TOTAL / AMT_CREDIT)",
        ),
        derived(
            "INCOME_PER_PERSON",
            ratio(RowExpr::column("AMT_INCOME_TOTAL"), "CNT_FAM_MEMBERS"),
            "AMT_INCOME_TOTAL, CNT_FAM_MEMBERS",
            "Income per family member (AMT_INCOME_TOTAL / CNT_FAM_MEMBERS)",
        ),
        derived(
            "ANNUITY_INCOME_PERC",
            ratio(RowExpr::column("AMT_ANNUITY"), "AMT_INCOME_TOTAL"),
            "AMT_ANNUITY, AMT_INCOME_TOTAL",
            "Loan annuity as a share of income (AMT_ANNUITY / AMT_INCOME_TOTAL)",
        ),
        derived(
            "PAYMENT_RATE",
            ratio(RowExpr::column("AMT_ANNUITY"), "AMT_CREDIT"),
            "AMT_ANNUITY, AMT_CREDIT",
            "Loan annuity as a share of the credit amount (AMT_ANNUITY / AMT_CREDIT)",
        ),
    ]);
    TableDefinition {
        table,
        rows: "applications".to_owned(),
        columns,
        features: vec![FeatureGroup::Columns],
    }
}
