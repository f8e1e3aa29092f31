//! The Credit Bureau families: BURO_ (all credits), ACTIVE_ and CLOSED_,
//! with the monthly balances reduced per credit first.

use super::{Describe, family, filtered, items};
use crate::features::definition::{
    Agg, ColumnDef, ColumnValue, FeatureGroup, Item, TableDefinition,
};
use crate::features::tables::Table;

use Agg::{Max, Mean, Min, Size, Sum, Var};

/// The Credit Bureau columns reduced by every bureau family.
const BUREAU_NUMERIC: [(&str, &[Agg]); 11] = [
    ("DAYS_CREDIT", &[Min, Max, Mean, Var]),
    ("DAYS_CREDIT_ENDDATE", &[Min, Max, Mean]),
    ("DAYS_CREDIT_UPDATE", &[Mean]),
    ("CREDIT_DAY_OVERDUE", &[Max, Mean]),
    ("AMT_CREDIT_MAX_OVERDUE", &[Mean]),
    ("AMT_CREDIT_SUM", &[Max, Mean, Sum]),
    ("AMT_CREDIT_SUM_DEBT", &[Max, Mean, Sum]),
    ("AMT_CREDIT_SUM_OVERDUE", &[Mean]),
    ("AMT_CREDIT_SUM_LIMIT", &[Mean, Sum]),
    ("AMT_ANNUITY", &[Max, Mean]),
    ("CNT_CREDIT_PROLONG", &[Sum]),
];
/// Per-credit reductions of the monthly balances and how the bureau
/// families reduce them.
const BALANCE_ROLLUPS: [(&str, Agg, &str, &[Agg]); 3] = [
    (
        "MONTHS_BALANCE_MIN",
        Min,
        "Earliest month of the credit's monthly balances",
        &[Min],
    ),
    (
        "MONTHS_BALANCE_MAX",
        Max,
        "Latest month of the credit's monthly balances",
        &[Max],
    ),
    (
        "MONTHS_BALANCE_SIZE",
        Size,
        "Number of monthly balances of the credit",
        &[Mean, Sum],
    ),
];
const BUREAU_CATEGORIES: [&str; 3] = ["CREDIT_ACTIVE", "CREDIT_CURRENCY", "CREDIT_TYPE"];
/// The group of per-credit shares of months in each balance STATUS.
const STATUS_SHARES: &str = "STATUS_MEAN";

/// The monthly balances, only reduced per credit into the bureau rows.
pub(super) fn bureau_balance(d: &Describe<'_>) -> TableDefinition {
    let table = Table::BureauBalance;
    TableDefinition {
        table,
        rows: "monthly Credit Bureau balances".to_owned(),
        columns: vec![
            d.raw(table, "MONTHS_BALANCE"),
            d.one_hot(table, "STATUS", true),
        ],
        features: Vec::new(),
    }
}

/// BURO_ (all credits), ACTIVE_ and CLOSED_, with the monthly balances
/// reduced per credit first.
pub(super) fn bureau(d: &Describe<'_>) -> TableDefinition {
    let table = Table::Bureau;
    let months = d.column(Table::BureauBalance, "MONTHS_BALANCE");
    let mut columns: Vec<ColumnDef> = BUREAU_NUMERIC
        .iter()
        .map(|(column, _)| d.raw(table, column))
        .collect();
    columns.extend(
        BALANCE_ROLLUPS
            .iter()
            .map(|(name, agg, words, _)| ColumnDef {
                name: (*name).to_owned(),
                value: ColumnValue::Rollup {
                    child: Table::BureauBalance,
                    column: "MONTHS_BALANCE".to_owned(),
                    agg: *agg,
                },
                source_column: "MONTHS_BALANCE".to_owned(),
                description: format!("{words} ({months})"),
            }),
    );
    columns.extend(BUREAU_CATEGORIES.iter().map(|c| d.one_hot(table, c, true)));
    columns.push(ColumnDef {
        name: STATUS_SHARES.to_owned(),
        value: ColumnValue::Rollup {
            child: Table::BureauBalance,
            column: "STATUS".to_owned(),
            agg: Mean,
        },
        source_column: "STATUS".to_owned(),
        description: "share of the credit's months where".to_owned(),
    });

    let mut numeric = items(&BUREAU_NUMERIC);
    numeric.extend(BALANCE_ROLLUPS.iter().map(|(name, _, _, aggs)| Item {
        column: (*name).to_owned(),
        aggs: aggs.to_vec(),
    }));
    let mut all = numeric.clone();
    all.extend(BUREAU_CATEGORIES.iter().map(|c| Item {
        column: (*c).to_owned(),
        aggs: vec![Mean],
    }));
    all.push(Item {
        column: STATUS_SHARES.to_owned(),
        aggs: vec![Mean],
    });
    let status = "CREDIT_ACTIVE";
    TableDefinition {
        table,
        rows: "Credit Bureau credits".to_owned(),
        columns,
        features: vec![
            FeatureGroup::Family(family("BURO_", all)),
            FeatureGroup::Family(filtered(
                "ACTIVE_",
                status,
                "Active",
                "active Credit Bureau credits",
                numeric.clone(),
            )),
            FeatureGroup::Family(filtered(
                "CLOSED_",
                status,
                "Closed",
                "closed Credit Bureau credits",
                numeric,
            )),
        ],
    }
}
