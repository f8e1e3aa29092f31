//! Two applicants: one with every kind of history, one with none.

use scoring_core::features::{BureauCredit, LoanApplication, PreviousApplication, Record, Value};

fn record(fields: &[(&str, Value)]) -> Record {
    fields.iter().map(|(c, v)| (*c, v.clone())).collect()
}

fn n(x: f64) -> Value {
    Value::Number(x)
}

fn t(x: &str) -> Value {
    Value::Text(x.to_owned())
}

const NONE: Value = Value::Missing;

/// A client with every kind of history: three bureau credits (one without
/// balances, one with an unknown and one with a missing CREDIT_TYPE), three
/// previous applications (one with POS, instalment and card rows, one
/// refused with 0/0 amounts, one with an unknown contract type).
pub fn rich() -> LoanApplication {
    let balance = |month, status: Value| {
        record(&[
            ("SK_ID_BUREAU", NONE),
            ("MONTHS_BALANCE", n(month)),
            ("STATUS", status),
        ])
    };
    let credit = |id, active: &str, days, sum, debt: Value, kind: Value| {
        record(&[
            ("SK_ID_CURR", n(100.0)),
            ("SK_ID_BUREAU", n(id)),
            ("CREDIT_ACTIVE", t(active)),
            ("DAYS_CREDIT", n(days)),
            ("AMT_CREDIT_SUM", n(sum)),
            ("AMT_CREDIT_SUM_DEBT", debt),
            ("CREDIT_TYPE", kind),
            ("CNT_CREDIT_PROLONG", NONE),
        ])
    };
    let previous = |id, status: &str, asked, granted, kind: Value| {
        record(&[
            ("SK_ID_PREV", n(id)),
            ("SK_ID_CURR", n(100.0)),
            ("NAME_CONTRACT_STATUS", t(status)),
            ("AMT_APPLICATION", n(asked)),
            ("AMT_CREDIT", n(granted)),
            ("NAME_CONTRACT_TYPE", kind),
        ])
    };
    let instalment = |version, due, paid: Value, amount, payment: Value| {
        record(&[
            ("SK_ID_PREV", n(10.0)),
            ("NUM_INSTALMENT_VERSION", n(version)),
            ("DAYS_INSTALMENT", n(due)),
            ("DAYS_ENTRY_PAYMENT", paid),
            ("AMT_INSTALMENT", n(amount)),
            ("AMT_PAYMENT", payment),
        ])
    };
    LoanApplication {
        application: record(&[
            ("SK_ID_CURR", n(100.0)),
            ("NAME_CONTRACT_TYPE", t("Cash loans")),
            ("CODE_GENDER", t("F")),
            ("FLAG_OWN_CAR", t("Y")),
            ("FLAG_OWN_REALTY", t("Y")),
            ("AMT_INCOME_TOTAL", n(100_000.0)),
            ("AMT_CREDIT", n(200_000.0)),
            ("AMT_ANNUITY", n(10_000.0)),
            ("CNT_FAM_MEMBERS", n(2.0)),
            ("DAYS_BIRTH", n(-10_000.0)),
            ("DAYS_EMPLOYED", n(-1_000.0)),
            ("NAME_TYPE_SUITE", t("Spouse, partner")),
            ("EXT_SOURCE_1", NONE),
        ]),
        bureau: vec![
            BureauCredit {
                credit: credit(
                    1.0,
                    "Active",
                    -100.0,
                    1000.0,
                    n(500.0),
                    t("Consumer credit"),
                ),
                balances: vec![
                    balance(0.0, t("0")),
                    balance(-1.0, t("C")),
                    balance(-2.0, t("1")),
                ],
            },
            BureauCredit {
                credit: credit(2.0, "Active", -200.0, 2000.0, n(100.0), t("Mortgage")),
                balances: Vec::new(),
            },
            BureauCredit {
                credit: credit(3.0, "Closed", -300.0, 3000.0, NONE, NONE),
                balances: vec![balance(-5.0, t("C")), balance(-6.0, NONE)],
            },
        ],
        previous: vec![
            PreviousApplication {
                application: previous(10.0, "Approved", 1000.0, 800.0, t("Cash loans")),
                pos_cash: vec![
                    record(&[
                        ("MONTHS_BALANCE", n(-1.0)),
                        ("SK_DPD", n(0.0)),
                        ("NAME_CONTRACT_STATUS", t("Active")),
                    ]),
                    record(&[
                        ("MONTHS_BALANCE", n(-2.0)),
                        ("SK_DPD", n(10.0)),
                        ("NAME_CONTRACT_STATUS", t("Completed")),
                    ]),
                ],
                instalments: vec![
                    instalment(1.0, -10.0, n(-5.0), 100.0, n(100.0)),
                    instalment(1.0, -20.0, n(-30.0), 100.0, n(50.0)),
                    instalment(2.0, -40.0, NONE, 100.0, NONE),
                ],
                credit_card: vec![
                    record(&[
                        ("MONTHS_BALANCE", n(-1.0)),
                        ("AMT_BALANCE", n(100.0)),
                        ("SK_DPD", n(0.0)),
                        ("NAME_CONTRACT_STATUS", t("Active")),
                    ]),
                    record(&[
                        ("MONTHS_BALANCE", n(-2.0)),
                        ("AMT_BALANCE", n(300.0)),
                        ("SK_DPD", n(0.0)),
                        ("NAME_CONTRACT_STATUS", NONE),
                    ]),
                ],
            },
            PreviousApplication {
                application: previous(11.0, "Refused", 0.0, 0.0, NONE),
                ..PreviousApplication::default()
            },
            PreviousApplication {
                application: previous(12.0, "Approved", 500.0, 625.0, t("Consumer loans")),
                ..PreviousApplication::default()
            },
        ],
    }
}

/// A client with no history, the 365243 sentinel, an XNA and a missing
/// code, an unknown category, and 0/0 and x/0 ratios.
pub fn bare() -> LoanApplication {
    LoanApplication {
        application: record(&[
            ("SK_ID_CURR", n(200.0)),
            ("NAME_CONTRACT_TYPE", t("Unknown loans")),
            ("CODE_GENDER", t("XNA")),
            ("FLAG_OWN_CAR", NONE),
            ("FLAG_OWN_REALTY", t("")),
            ("AMT_INCOME_TOTAL", n(0.0)),
            ("AMT_CREDIT", n(0.0)),
            ("AMT_ANNUITY", n(5.0)),
            ("DAYS_BIRTH", n(-20_000.0)),
            ("DAYS_EMPLOYED", n(365_243.0)),
        ]),
        ..LoanApplication::default()
    }
}
