//! Loan applications as the eight files of the Home Credit layout, both
//! ways: written from [`LoanApplication`]s for the batch engine, and read
//! back into one [`LoanApplication`] per applicant for the online engine.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::Path;

use scoring_core::features::{
    BureauCredit, ColumnType, LoanApplication, PreviousApplication, Record, Table, Value,
};

/// Writes `applications` into `dir` as the eight Home Credit files (the
/// first `train` applicants in application_train.csv, the others in
/// application_test.csv), every column present, a missing value as an
/// empty cell.
pub fn write_home_credit(dir: &Path, applications: &[LoanApplication], train: usize) {
    let (train_rows, test_rows) = applications.split_at(train.min(applications.len()));
    let applications_of = |rows: &[LoanApplication]| -> Vec<Record> {
        rows.iter().map(|a| a.application.clone()).collect()
    };
    let train_records = applications_of(train_rows);
    let mut test_records = applications_of(test_rows);
    for record in &mut test_records {
        record.fields.retain(|(c, _)| c != "TARGET");
    }
    let bureau: Vec<&BureauCredit> = applications.iter().flat_map(|a| &a.bureau).collect();
    let previous: Vec<&PreviousApplication> =
        applications.iter().flat_map(|a| &a.previous).collect();
    let files: [(&str, Table, Vec<&Record>, bool); 8] = [
        (
            "application_train.csv",
            Table::Application,
            train_records.iter().collect(),
            true,
        ),
        (
            "application_test.csv",
            Table::Application,
            test_records.iter().collect(),
            false,
        ),
        (
            "bureau.csv",
            Table::Bureau,
            bureau.iter().map(|b| &b.credit).collect(),
            true,
        ),
        (
            "bureau_balance.csv",
            Table::BureauBalance,
            bureau.iter().flat_map(|b| &b.balances).collect(),
            true,
        ),
        (
            "previous_application.csv",
            Table::PreviousApplication,
            previous.iter().map(|p| &p.application).collect(),
            true,
        ),
        (
            "POS_CASH_balance.csv",
            Table::PosCashBalance,
            previous.iter().flat_map(|p| &p.pos_cash).collect(),
            true,
        ),
        (
            "installments_payments.csv",
            Table::InstallmentsPayments,
            previous.iter().flat_map(|p| &p.instalments).collect(),
            true,
        ),
        (
            "credit_card_balance.csv",
            Table::CreditCardBalance,
            previous.iter().flat_map(|p| &p.credit_card).collect(),
            true,
        ),
    ];
    for (file, table, records, with_target) in files {
        let columns: Vec<&str> = table
            .columns()
            .iter()
            .map(|(c, _)| *c)
            .filter(|c| with_target || *c != "TARGET")
            .collect();
        let mut text = columns.join(",");
        text.push('\n');
        for record in records {
            for (i, column) in columns.iter().enumerate() {
                if i > 0 {
                    text.push(',');
                }
                match record.get(column) {
                    Some(Value::Number(x)) => {
                        let _ = write!(text, "{x}");
                    }
                    Some(Value::Text(t)) if t.contains([',', '"']) => {
                        let _ = write!(text, "\"{}\"", t.replace('"', "\"\""));
                    }
                    Some(Value::Text(t)) => text.push_str(t),
                    Some(Value::Missing) | None => {}
                }
            }
            text.push('\n');
        }
        std::fs::write(dir.join(file), text).expect("a Home Credit file written");
    }
}

/// The applicants of a Home Credit folder, each with its history.
#[derive(Debug, Default)]
pub struct HomeCredit {
    /// application_train.csv's applicants then application_test.csv's, in
    /// file order; each history list in file order.
    pub applications: Vec<LoanApplication>,
    /// POS, instalment and card rows of an applicant whose previous
    /// application is not in the files: the batch engine counts them, a
    /// [`LoanApplication`] cannot hold them. (Rows of clients who are not
    /// applicants, and balances of credits not in the files, belong to no
    /// applicant in either engine.)
    pub unlinked: usize,
}

/// Reads the Home Credit files of `dir` (every column typed as the layout
/// types it; an empty cell is missing; columns a file lacks are left out).
pub fn read_home_credit(dir: &Path) -> HomeCredit {
    let mut applications: Vec<LoanApplication> = Vec::new();
    for file in ["application_train.csv", "application_test.csv"] {
        for record in read_file(&dir.join(file), Table::Application) {
            applications.push(LoanApplication {
                application: record,
                ..LoanApplication::default()
            });
        }
    }
    let client: HashMap<i64, usize> = applications
        .iter()
        .enumerate()
        .filter_map(|(i, a)| Some((id(&a.application, "SK_ID_CURR")?, i)))
        .collect();
    let mut unlinked = 0;
    let mut credits: HashMap<i64, (usize, usize)> = HashMap::new();
    for record in read_file(&dir.join("bureau.csv"), Table::Bureau) {
        if let Some(&i) = id(&record, "SK_ID_CURR").and_then(|c| client.get(&c)) {
            if let Some(credit) = id(&record, "SK_ID_BUREAU") {
                credits.insert(credit, (i, applications[i].bureau.len()));
            }
            applications[i].bureau.push(BureauCredit {
                credit: record,
                balances: Vec::new(),
            });
        }
    }
    for record in read_file(&dir.join("bureau_balance.csv"), Table::BureauBalance) {
        if let Some(&(i, j)) = id(&record, "SK_ID_BUREAU").and_then(|c| credits.get(&c)) {
            applications[i].bureau[j].balances.push(record);
        }
    }
    let mut previous: HashMap<i64, (usize, usize)> = HashMap::new();
    for record in read_file(
        &dir.join("previous_application.csv"),
        Table::PreviousApplication,
    ) {
        if let Some(&i) = id(&record, "SK_ID_CURR").and_then(|c| client.get(&c)) {
            if let Some(p) = id(&record, "SK_ID_PREV") {
                previous.insert(p, (i, applications[i].previous.len()));
            }
            applications[i].previous.push(PreviousApplication {
                application: record,
                ..PreviousApplication::default()
            });
        }
    }
    for (file, table) in [
        ("POS_CASH_balance.csv", Table::PosCashBalance),
        ("installments_payments.csv", Table::InstallmentsPayments),
        ("credit_card_balance.csv", Table::CreditCardBalance),
    ] {
        for record in read_file(&dir.join(file), table) {
            let Some(&(i, j)) = id(&record, "SK_ID_PREV").and_then(|p| previous.get(&p)) else {
                if id(&record, "SK_ID_CURR").is_some_and(|c| client.contains_key(&c)) {
                    unlinked += 1;
                }
                continue;
            };
            let parent = &mut applications[i].previous[j];
            match table {
                Table::PosCashBalance => parent.pos_cash.push(record),
                Table::InstallmentsPayments => parent.instalments.push(record),
                _ => parent.credit_card.push(record),
            }
        }
    }
    HomeCredit {
        applications,
        unlinked,
    }
}

fn id(record: &Record, column: &str) -> Option<i64> {
    match record.get(column) {
        Some(Value::Number(x)) => Some(*x as i64),
        _ => None,
    }
}

/// The records of one file; an empty or absent file has none.
fn read_file(path: &Path, table: Table) -> Vec<Record> {
    let Ok(text) = std::fs::read_to_string(path) else {
        return Vec::new();
    };
    let mut lines = text.lines();
    let Some(header) = lines.next() else {
        return Vec::new();
    };
    let columns: Vec<(String, ColumnType)> =
        synth::split_csv_line(header.trim_start_matches('\u{feff}'))
            .into_iter()
            .map(|c| {
                let kind = table.column_type(&c).unwrap_or_else(|| {
                    panic!("{}: {c} is not a column of {table}", path.display())
                });
                (c, kind)
            })
            .collect();
    lines
        .filter(|line| !line.is_empty())
        .map(|line| {
            let cells = synth::split_csv_line(line);
            assert_eq!(cells.len(), columns.len(), "{}: {line}", path.display());
            columns
                .iter()
                .zip(cells)
                .map(|((column, kind), cell)| {
                    let value = if cell.is_empty() {
                        Value::Missing
                    } else if *kind == ColumnType::Text {
                        Value::Text(cell)
                    } else {
                        Value::Number(cell.parse().unwrap_or_else(|_| {
                            panic!("{}: {column} = {cell} is not a number", path.display())
                        }))
                    };
                    (column.clone(), value)
                })
                .collect()
        })
        .collect()
}
