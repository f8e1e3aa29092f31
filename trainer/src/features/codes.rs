//! Category columns as small integer codes.
//!
//! Once a table is read and its vocabularies recorded, each text column its
//! plan compares with values (one-hot indicators, codes, family filters) is
//! replaced by the position of its value in the list of those values, the
//! list's length for any other value, missing for a missing one. The dozens
//! of indicators of a wide category (58 organisation types) then compare
//! integers instead of strings, and no text stays in memory.

use polars::prelude::*;
use rayon::prelude::*;
use scoring_core::features::{PlanGroup, PlanValue, RowExpr, TablePlan};

/// Rows encoded per parallel task.
const PART: usize = 1 << 20;

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

    /// `frame` with each coded text column replaced by its codes. A coded
    /// column absent from the frame is left to the plan's own error.
    pub(crate) fn encode(&self, mut frame: DataFrame) -> PolarsResult<DataFrame> {
        for (column, values) in &self.columns {
            let Ok(text) = frame.column(column) else {
                continue;
            };
            let text = text.as_materialized_series().str()?.clone();
            let coded = encode_text(&text, values)?;
            frame.with_column(Column::from(coded.into_series()))?;
        }
        Ok(frame)
    }
}

/// The codes of `text`: position in `values`, `values.len()` for another
/// value, missing for a missing one.
fn encode_text(text: &StringChunked, values: &[String]) -> PolarsResult<UInt32Chunked> {
    let lookup: PlHashMap<&str, u32> = values
        .iter()
        .zip(0u32..)
        .map(|(v, i)| (v.as_str(), i))
        .collect();
    let other = u32::try_from(values.len()).unwrap_or(u32::MAX);
    let parts: Vec<UInt32Chunked> = (0..text.len())
        .step_by(PART)
        .collect::<Vec<_>>()
        .into_par_iter()
        .map(|offset| {
            let part = text.slice(offset as i64, PART);
            UInt32Chunked::from_iter_options(
                text.name().clone(),
                part.iter()
                    .map(|v| v.map(|v| lookup.get(v).copied().unwrap_or(other))),
            )
        })
        .collect();
    let mut parts = parts.into_iter();
    let mut coded = parts
        .next()
        .unwrap_or_else(|| UInt32Chunked::full_null(text.name().clone(), 0));
    for part in parts {
        coded.append(&part)?;
    }
    Ok(coded)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_become_positions_others_the_length_missing_stays_missing() {
        let text = StringChunked::from_iter_options(
            "STATUS".into(),
            [Some("C"), None, Some("X"), Some("0"), Some("C")].into_iter(),
        );
        let values = vec!["0".to_owned(), "C".to_owned()];
        let coded: Vec<Option<u32>> = encode_text(&text, &values)
            .expect("encoded")
            .iter()
            .collect();
        assert_eq!(coded, [Some(1), None, Some(2), Some(0), Some(1)]);
    }
}
