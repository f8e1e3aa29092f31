//! A snapshot client's application read back from its feature row, for
//! "what if": the snapshot keeps features, not raw records, but every
//! column of the application is one of the model's features as it is (a
//! number), one-hot indicators (a category) or a code (a category), so the
//! application row can be rebuilt from them exactly: a missing or unseen
//! category, and `DAYS_EMPLOYED`'s not-employed sentinel, come back
//! missing, which the feature definition encodes the same way. The
//! client's history cannot be rebuilt, and need not be: the features of
//! the history tables do not depend on the application's columns.

use std::collections::HashMap;

use scoring_proto::scoring::v1::{ModelInfo, Record, RecordValue, record_value::Value as V};

use super::parse::value_of;
use super::{APPLICATION, Form, FormField, Typed, Unit};
use crate::error::AppError;

/// Days in a year, to show days as years.
const DAYS_PER_YEAR: f64 = 365.25;

/// A client's application as the form shows it and as it is.
#[derive(Debug, Clone, Default)]
pub struct ClientApplication {
    /// The text of each field (field name to text).
    pub shown: Typed,
    /// The exact value of each column the client has.
    exact: HashMap<String, V>,
}

fn category_of(model: &ModelInfo, values: &HashMap<String, f64>, column: &str) -> Option<String> {
    let of_column = |f: &&scoring_proto::scoring::v1::FeatureSpec| {
        f.source_table == APPLICATION && f.source_column == column
    };
    // One indicator per category: the one set to 1.
    let one_hot = model
        .features
        .iter()
        .filter(of_column)
        .filter(|f| f.aggregation == "one_hot")
        .find(|f| values.get(&f.name) == Some(&1.0))
        .and_then(|f| f.category.clone());
    // A code: the category's position in the vocabulary (-1 missing).
    let code = || {
        let code = *values.get(column)?;
        let vocabulary = model
            .vocabularies
            .iter()
            .find(|v| v.table == APPLICATION && v.column == column)?;
        (code >= 0.0 && code.fract() == 0.0)
            .then(|| vocabulary.values.get(code as usize).cloned())
            .flatten()
    };
    one_hot.or_else(code)
}

fn shown(field: &FormField, value: &V) -> String {
    match (field.unit, value) {
        (_, V::Text(text)) => text.clone(),
        (Unit::YearsAgo, V::Number(days)) => format!("{:.2}", -days / DAYS_PER_YEAR),
        (_, V::Number(x)) => format!("{x}"),
        (_, V::Missing(_)) => String::new(),
    }
}

impl Form {
    /// The application of a client whose feature values are `values` (a
    /// missing value left out, as Explain gives them).
    pub fn client_application(
        &self,
        model: &ModelInfo,
        values: &HashMap<String, f64>,
    ) -> ClientApplication {
        let mut client = ClientApplication::default();
        for field in &self.application {
            let value = match field.unit {
                Unit::Choice => category_of(model, values, &field.column).map(V::Text),
                _ => values.get(&field.column).copied().map(V::Number),
            };
            if let Some(value) = value {
                client
                    .shown
                    .insert(field.column.clone(), shown(field, &value));
                client.exact.insert(field.column.clone(), value);
            }
        }
        client
    }

    /// The client's application with the fields whose text the officer
    /// changed replaced by what was typed; the others keep their exact
    /// values (a duration shown in years to two decimals is not rounded
    /// back into other days).
    pub fn modified_application(
        &self,
        client: &ClientApplication,
        typed: &Typed,
    ) -> Result<Record, AppError> {
        let mut record = Record::default();
        for field in &self.application {
            let name = &field.column;
            let text = typed.get(name).map_or("", |t| t.trim());
            let before = client.shown.get(name).map_or("", |t| t.trim());
            let value = if text == before {
                client
                    .exact
                    .get(name)
                    .cloned()
                    .map(|v| RecordValue { value: Some(v) })
            } else {
                value_of(field, name, text)?
            };
            if let Some(value) = value {
                record.columns.insert(name.clone(), value);
            }
        }
        Ok(record)
    }
}
