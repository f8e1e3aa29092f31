//! The families of previous applications: PREV_ (all), APPROVED_ and
//! REFUSED_, and those of the rows of the credits they led to: POS_
//! (monthly POS and cash balances), INSTAL_ (instalments), CC_ (credit cards).

use super::{Describe, derived, family, filtered, items};
use crate::features::definition::{
    Agg, ColumnDef, Family, FeatureGroup, Item, RowExpr, TableDefinition,
};
use crate::features::tables::{ColumnType, Table};

use Agg::{Max, Mean, Min, NUnique, Size, Sum, Var};

const PREVIOUS_NUMERIC: [(&str, &[Agg]); 10] = [
    ("AMT_ANNUITY", &[Min, Max, Mean]),
    ("AMT_APPLICATION", &[Min, Max, Mean]),
    ("AMT_CREDIT", &[Min, Max, Mean]),
    ("APP_CREDIT_PERC", &[Min, Max, Mean, Var]),
    ("AMT_DOWN_PAYMENT", &[Min, Max, Mean]),
    ("AMT_GOODS_PRICE", &[Min, Max, Mean]),
    ("HOUR_APPR_PROCESS_START", &[Min, Max, Mean]),
    ("RATE_DOWN_PAYMENT", &[Min, Max, Mean]),
    ("DAYS_DECISION", &[Min, Max, Mean]),
    ("CNT_PAYMENT", &[Mean, Sum]),
];
const CONTRACT_STATUS: &str = "NAME_CONTRACT_STATUS";

/// PREV_ (all), APPROVED_ and REFUSED_. The kernel also turns 365243 into a
/// missing value in five DAYS_* columns of this table, but reduces none of
/// them, so they are not defined at all.
pub(super) fn previous_application(d: &Describe<'_>) -> TableDefinition {
    let table = Table::PreviousApplication;
    let mut columns: Vec<ColumnDef> = PREVIOUS_NUMERIC
        .iter()
        .map(|(column, _)| match *column {
            "APP_CREDIT_PERC" => derived(
                column,
                RowExpr::column("AMT_APPLICATION") / RowExpr::column("AMT_CREDIT"),
                "AMT_APPLICATION, AMT_CREDIT",
                "Amount asked for relative to the amount granted (AMT_APPLICATION / AMT_CREDIT)",
            ),
            _ => d.raw(table, column),
        })
        .collect();
    let categories: Vec<&str> = table
        .columns()
        .iter()
        .filter(|(_, kind)| *kind == ColumnType::Text)
        .map(|(c, _)| *c)
        .collect();
    columns.extend(categories.iter().map(|c| d.one_hot(table, c, true)));

    let numeric = items(&PREVIOUS_NUMERIC);
    let mut all = numeric.clone();
    all.extend(categories.iter().map(|c| Item {
        column: (*c).to_owned(),
        aggs: vec![Mean],
    }));
    TableDefinition {
        table,
        rows: "previous applications".to_owned(),
        columns,
        features: vec![
            FeatureGroup::Family(family("PREV_", all)),
            FeatureGroup::Family(filtered(
                "APPROVED_",
                CONTRACT_STATUS,
                "Approved",
                "approved previous applications",
                numeric.clone(),
            )),
            FeatureGroup::Family(filtered(
                "REFUSED_",
                CONTRACT_STATUS,
                "Refused",
                "refused previous applications",
                numeric,
            )),
        ],
    }
}

/// POS_: the monthly POS and cash loan balances.
pub(super) fn pos_cash_balance(d: &Describe<'_>) -> TableDefinition {
    let table = Table::PosCashBalance;
    let numeric: [(&str, &[Agg]); 3] = [
        ("MONTHS_BALANCE", &[Max, Mean, Size]),
        ("SK_DPD", &[Max, Mean]),
        ("SK_DPD_DEF", &[Max, Mean]),
    ];
    let mut columns: Vec<ColumnDef> = numeric.iter().map(|(c, _)| d.raw(table, c)).collect();
    columns.push(d.one_hot(table, CONTRACT_STATUS, true));
    let mut all = items(&numeric);
    all.push(Item {
        column: CONTRACT_STATUS.to_owned(),
        aggs: vec![Mean],
    });
    TableDefinition {
        table,
        rows: "monthly POS and cash loan balances".to_owned(),
        columns,
        features: vec![FeatureGroup::Family(Family {
            count: Some("POS_COUNT".to_owned()),
            ..family("POS_", all)
        })],
    }
}

/// INSTAL_: the instalments, with how late or early each was paid.
pub(super) fn installments_payments(d: &Describe<'_>) -> TableDefinition {
    let table = Table::InstallmentsPayments;
    let column = RowExpr::column;
    let columns = vec![
        d.raw(table, "NUM_INSTALMENT_VERSION"),
        derived(
            "DPD",
            (column("DAYS_ENTRY_PAYMENT") - column("DAYS_INSTALMENT")).positive_part(),
            "DAYS_ENTRY_PAYMENT, DAYS_INSTALMENT",
            "Days the instalment was paid late (0 when on time or unpaid)",
        ),
        derived(
            "DBD",
            (column("DAYS_INSTALMENT") - column("DAYS_ENTRY_PAYMENT")).positive_part(),
            "DAYS_INSTALMENT, DAYS_ENTRY_PAYMENT",
            "Days the instalment was paid early (0 when on time, late or unpaid)",
        ),
        derived(
            "PAYMENT_PERC",
            column("AMT_PAYMENT") / column("AMT_INSTALMENT"),
            "AMT_PAYMENT, AMT_INSTALMENT",
            "Share of the instalment actually paid (AMT_PAYMENT / AMT_INSTALMENT)",
        ),
        derived(
            "PAYMENT_DIFF",
            column("AMT_INSTALMENT") - column("AMT_PAYMENT"),
            "AMT_INSTALMENT, AMT_PAYMENT",
            "Amount of the instalment left unpaid (AMT_INSTALMENT - AMT_PAYMENT)",
        ),
        d.raw(table, "AMT_INSTALMENT"),
        d.raw(table, "AMT_PAYMENT"),
        d.raw(table, "DAYS_ENTRY_PAYMENT"),
    ];
    let all = items(&[
        ("NUM_INSTALMENT_VERSION", &[NUnique]),
        ("DPD", &[Max, Mean, Sum]),
        ("DBD", &[Max, Mean, Sum]),
        ("PAYMENT_PERC", &[Max, Mean, Sum, Var]),
        ("PAYMENT_DIFF", &[Max, Mean, Sum, Var]),
        ("AMT_INSTALMENT", &[Max, Mean, Sum]),
        ("AMT_PAYMENT", &[Min, Max, Mean, Sum]),
        ("DAYS_ENTRY_PAYMENT", &[Max, Mean, Sum]),
    ]);
    TableDefinition {
        table,
        rows: "instalments of previous credits".to_owned(),
        columns,
        features: vec![FeatureGroup::Family(Family {
            count: Some("INSTAL_COUNT".to_owned()),
            ..family("INSTAL_", all)
        })],
    }
}

/// CC_: every column of the monthly credit card balances but the
/// identifiers, reduced five ways.
pub(super) fn credit_card_balance(d: &Describe<'_>) -> TableDefinition {
    let table = Table::CreditCardBalance;
    let mut columns: Vec<ColumnDef> = table
        .columns()
        .iter()
        .filter(|(c, _)| !c.starts_with("SK_ID_") && *c != CONTRACT_STATUS)
        .map(|(c, _)| d.raw(table, c))
        .collect();
    columns.push(d.one_hot(table, CONTRACT_STATUS, true));
    let all = columns
        .iter()
        .map(|c| Item {
            column: c.name.clone(),
            aggs: vec![Min, Max, Mean, Sum, Var],
        })
        .collect();
    TableDefinition {
        table,
        rows: "monthly credit card balances".to_owned(),
        columns,
        features: vec![FeatureGroup::Family(Family {
            count: Some("CC_COUNT".to_owned()),
            ..family("CC_", all)
        })],
    }
}
