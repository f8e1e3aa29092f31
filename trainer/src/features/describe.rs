//! Human descriptions of features, for reason codes and the dashboard.
//!
//! Raw columns take their text from `HomeCredit_columns_description.csv` when
//! the data folder has it (it is latin-1 encoded); aggregates describe how
//! they were computed from that text.

use std::collections::HashMap;
use std::path::Path;

use synth::tables::Table;

use super::load::split_csv_line;
use crate::{Error, Result};

/// The description file's name in a Home Credit data folder.
pub(crate) const DESCRIPTION_FILE: &str = "HomeCredit_columns_description.csv";

#[derive(Default)]
pub(crate) struct Describer {
    by_table_column: HashMap<(String, String), String>,
}

impl Describer {
    /// Loads the description file if the folder has one; without it every
    /// column is described by its name.
    pub(crate) fn from_data_dir(data_dir: &Path) -> Result<Self> {
        let path = data_dir.join(DESCRIPTION_FILE);
        if !path.is_file() {
            return Ok(Self::default());
        }
        let bytes = std::fs::read(&path).map_err(|source| Error::Io {
            path: path.clone(),
            action: "reading",
            source,
        })?;
        Ok(Self::parse(&bytes))
    }

    fn parse(latin1: &[u8]) -> Self {
        let text: String = latin1.iter().map(|&b| char::from(b)).collect();
        let mut by_table_column = HashMap::new();
        let mut record = String::new();
        for line in text.lines().skip(1) {
            record.push_str(line);
            // A quoted description may span lines: wait for the closing quote.
            if record.matches('"').count() % 2 == 1 {
                record.push(' ');
                continue;
            }
            let fields = split_csv_line(&record);
            if let [_, table, column, description, ..] = fields.as_slice() {
                let table = table.trim_end_matches(".csv");
                let table = if table.starts_with("application") {
                    "application"
                } else {
                    table
                };
                by_table_column.insert((table.to_owned(), column.clone()), tidy(description));
            }
            record.clear();
        }
        Self { by_table_column }
    }

    /// Description of a raw column, or the column name when there is none.
    pub(crate) fn column(&self, table: Table, column: &str) -> String {
        self.by_table_column
            .get(&(table.short_name().to_owned(), column.to_owned()))
            .cloned()
            .unwrap_or_else(|| column.to_owned())
    }
}

/// Collapses the file's stray non-breaking spaces and mis-encoded characters.
fn tidy(description: &str) -> String {
    let cleaned = description.replace(['\u{a0}', 'Â'], " ");
    cleaned.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The plain-words name of the rows a family aggregates.
pub(crate) fn rows_label(table: Table) -> &'static str {
    match table {
        Table::ApplicationTrain | Table::ApplicationTest => "applications",
        Table::Bureau => "Credit Bureau credits",
        Table::BureauBalance => "monthly Credit Bureau balances",
        Table::PreviousApplication => "previous applications",
        Table::PosCashBalance => "monthly POS and cash loan balances",
        Table::InstallmentsPayments => "instalments of previous credits",
        Table::CreditCardBalance => "monthly credit card balances",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_quoted_multiline_latin1_descriptions() {
        let file = b"Unnamed: 0,Table,Row,Description,Special\n\
1,application_{train|test}.csv,AMT_CREDIT,Credit amount of the loan,\n\
2,bureau.csv,STATUS,\"Status (active, closed,\xc2\xa0 sold\nor written off)\",\n";
        let describer = Describer::parse(file);
        assert_eq!(
            describer.column(Table::ApplicationTest, "AMT_CREDIT"),
            "Credit amount of the loan"
        );
        assert_eq!(
            describer.column(Table::Bureau, "STATUS"),
            "Status (active, closed, sold or written off)"
        );
        assert_eq!(describer.column(Table::Bureau, "UNKNOWN"), "UNKNOWN");
    }
}
