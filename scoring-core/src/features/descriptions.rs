//! The descriptions of the input columns, that feature descriptions are built
//! from (the Home Credit files come with `HomeCredit_columns_description.csv`;
//! without it, the catalogue's words).

use std::collections::HashMap;

use super::tables::Table;
use crate::wording::capitalised;

/// Text describing each input column; a column without one is described by
/// its name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ColumnDescriptions {
    by_column: HashMap<(Table, String), String>,
}

impl ColumnDescriptions {
    /// No descriptions: every column is described by its name.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the description of `column` of `table`.
    pub fn insert(&mut self, table: Table, column: &str, description: String) {
        self.by_column
            .insert((table, column.to_owned()), description);
    }

    /// The description of `column` of `table`, else its words in the
    /// catalogue ([`crate::wording::column_label`]), else the column's name.
    pub fn describe(&self, table: Table, column: &str) -> String {
        self.by_column
            .get(&(table, column.to_owned()))
            .cloned()
            .or_else(|| crate::wording::column_label(column).map(|l| capitalised(&l.en)))
            .unwrap_or_else(|| column.to_owned())
    }
}
