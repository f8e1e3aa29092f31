//! The descriptions of the input columns, that every feature's description
//! is built from: `HomeCredit_columns_description.csv` when the data folder
//! has it (it is latin-1 encoded), otherwise each column's name.

use std::path::Path;

use scoring_core::features::{ColumnDescriptions, Table};

use crate::{Error, Result};
use synth::split_csv_line;

/// The description file's name in a Home Credit data folder.
pub(crate) const DESCRIPTION_FILE: &str = "HomeCredit_columns_description.csv";

/// Loads the description file if the folder has one; without it every
/// column is described by its name.
pub(crate) fn load(data_dir: &Path) -> Result<ColumnDescriptions> {
    let path = data_dir.join(DESCRIPTION_FILE);
    if !path.is_file() {
        return Ok(ColumnDescriptions::new());
    }
    let bytes = std::fs::read(&path).map_err(|source| Error::Io {
        path: path.clone(),
        action: "reading",
        source,
    })?;
    Ok(parse(&bytes))
}

fn parse(latin1: &[u8]) -> ColumnDescriptions {
    let text: String = latin1.iter().map(|&b| char::from(b)).collect();
    let mut descriptions = ColumnDescriptions::new();
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
                Some(Table::Application)
            } else {
                Table::from_name(table)
            };
            if let Some(table) = table {
                descriptions.insert(table, column, tidy(description));
            }
        }
        record.clear();
    }
    descriptions
}

/// Collapses the file's stray non-breaking spaces and mis-encoded characters.
fn tidy(description: &str) -> String {
    let cleaned = description.replace(['\u{a0}', 'Â'], " ");
    cleaned.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_quoted_multiline_latin1_descriptions() {
        let file = b"Unnamed: 0,Table,Row,Description,Special\n\
1,application_{train|test}.csv,AMT_CREDIT,Credit amount of the loan,\n\
2,bureau.csv,STATUS,\"Status (active, closed,\xc2\xa0 sold\nor written off)\",\n";
        let descriptions = parse(file);
        assert_eq!(
            descriptions.describe(Table::Application, "AMT_CREDIT"),
            "Credit amount of the loan"
        );
        assert_eq!(
            descriptions.describe(Table::Bureau, "STATUS"),
            "Status (active, closed, sold or written off)"
        );
        assert_eq!(descriptions.describe(Table::Bureau, "UNKNOWN"), "UNKNOWN");
    }
}
