//! Category columns as small integer codes.
//!
//! Once a table is read and its vocabularies recorded, each text column its
//! plan compares with values (one-hot indicators, codes, family filters) is
//! replaced by the position of its value in the list of those values, the
//! list's length for any other value, missing for a missing one. The dozens
//! of indicators of a wide category (58 organisation types) then compare
//! integers instead of strings, and no text stays in memory.

use polars::prelude::*;
use scoring_core::features::{PlanGroup, PlanValue, RowExpr, TablePlan};

use super::dictionary::{LoadedTable, remap};

/// The values each coded column of a table is compared with.
#[derive(Debug, Default)]
pub(crate) struct Codes {
    columns: Vec<(String, Vec<String>)>,
}

impl Codes {
    /// The text columns `plan` compares with values, and those values, in
    /// the order the plan first names them.
    pub(crate) fn of(plan: &TablePlan) -> Self {
        let mut codes = Self::default();
        for column in &plan.columns {
            if let PlanValue::Row(expr) = &column.value {
                codes.collect(expr);
            }
        }
        for group in &plan.groups {
            if let PlanGroup::Family(family) = group
                && let Some(filter) = &family.filter
            {
                codes.add(&filter.column, Some(&filter.equals));
            }
        }
        codes
    }

    fn collect(&mut self, expr: &RowExpr) {
        match expr {
            RowExpr::Equals { column, value } => self.add(column, Some(value)),
            RowExpr::CodeOf { column, values } => {
                self.add(column, None);
                for value in values {
                    self.add(column, Some(value));
                }
            }
            RowExpr::IsMissing { column } => {
                // Only a text column is coded; a number's missing test reads it as it is.
                if self.columns.iter().any(|(c, _)| c == column) {
                    self.add(column, None);
                }
            }
            RowExpr::Add(a, b) | RowExpr::Sub(a, b) | RowExpr::Mul(a, b) | RowExpr::Div(a, b) => {
                self.collect(a);
                self.collect(b);
            }
            RowExpr::MissingIf { input, .. } | RowExpr::PositivePart(input) => self.collect(input),
            RowExpr::Column(_) | RowExpr::Constant(_) => {}
        }
    }

    fn add(&mut self, column: &str, value: Option<&str>) {
        let index = match self.columns.iter().position(|(c, _)| c == column) {
            Some(index) => index,
            None => {
                self.columns.push((column.to_owned(), Vec::new()));
                self.columns.len() - 1
            }
        };
        let values = &mut self.columns[index].1;
        if let Some(value) = value
            && !values.iter().any(|v| v == value)
        {
            values.push(value.to_owned());
        }
    }

    /// Whether `column` is coded.
    pub(crate) fn is_coded(&self, column: &str) -> bool {
        self.columns.iter().any(|(c, _)| c == column)
    }

    /// The code of `value` in `column`, if the column is coded and the plan
    /// compares it with that value.
    pub(crate) fn code(&self, column: &str, value: &str) -> Option<u32> {
        let (_, values) = self.columns.iter().find(|(c, _)| c == column)?;
        values
            .iter()
            .position(|v| v == value)
            .and_then(|i| u32::try_from(i).ok())
    }

    /// The frame of `loaded` with each coded text column's dictionary
    /// positions replaced by its codes. A coded column absent from the
    /// frame is left to the plan's own error.
    pub(crate) fn encode(&self, loaded: LoadedTable) -> PolarsResult<DataFrame> {
        let mut maps: Vec<(&str, Vec<u32>)> = Vec::new();
        for (column, values) in &self.columns {
            if loaded.frame.column(column).is_ok() {
                maps.push((column, codes_of(loaded.dictionary(column)?, values)));
            }
        }
        let mut frame = loaded.frame;
        for (column, map) in maps {
            let coded = remap(frame.column(column)?.u32()?, &map);
            frame.with_column(coded.into_column())?;
        }
        Ok(frame)
    }
}

/// The codes of the coded column `column` of `rows`, chunk by chunk (no
/// copy into one).
pub(crate) fn codes_in(rows: &DataFrame, column: &str) -> PolarsResult<UInt32Chunked> {
    Ok(rows.column(column)?.as_materialized_series().u32()?.clone())
}

/// For each value of a dictionary, its code: its position in `values`,
/// `values.len()` for another value.
fn codes_of(dictionary: &[String], values: &[String]) -> Vec<u32> {
    let other = u32::try_from(values.len()).unwrap_or(u32::MAX);
    dictionary
        .iter()
        .map(|entry| {
            values
                .iter()
                .position(|v| v == entry)
                .and_then(|i| u32::try_from(i).ok())
                .unwrap_or(other)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_become_positions_others_the_length_missing_stays_missing() {
        let frame =
            df!["STATUS" => [Some("C"), None, Some("X"), Some("0"), Some("C")]].expect("frame");
        let loaded = LoadedTable::from_text(frame).expect("loaded");
        let codes = Codes {
            columns: vec![("STATUS".to_owned(), vec!["0".to_owned(), "C".to_owned()])],
        };
        let coded = codes.encode(loaded).expect("encoded");
        let coded: Vec<Option<u32>> = coded
            .column("STATUS")
            .expect("column")
            .u32()
            .expect("u32")
            .iter()
            .collect();
        assert_eq!(coded, [Some(1), None, Some(2), Some(0), Some(1)]);
    }

    #[test]
    fn a_coded_column_that_is_not_text_is_an_error() {
        let loaded =
            LoadedTable::from_text(df!["STATUS" => [1.0]].expect("frame")).expect("loaded");
        let codes = Codes {
            columns: vec![("STATUS".to_owned(), vec!["0".to_owned()])],
        };
        assert!(codes.encode(loaded).is_err());
    }
}
