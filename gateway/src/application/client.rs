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

#[cfg(test)]
mod tests {
    use scoring_proto::scoring::v1::{CategoryVocabulary, FeatureSpec};

    use super::*;
    use crate::application::test_field as field;

    fn spec(name: &str, column: &str, aggregation: &str, category: Option<&str>) -> FeatureSpec {
        FeatureSpec {
            name: name.into(),
            source_table: APPLICATION.into(),
            source_column: column.into(),
            aggregation: aggregation.into(),
            category: category.map(str::to_owned),
            ..Default::default()
        }
    }

    #[test]
    fn the_application_is_read_back_from_the_features_and_kept_where_unchanged() {
        let model = ModelInfo {
            features: vec![
                spec(
                    "NAME_CONTRACT_TYPE_Cash_loans",
                    "NAME_CONTRACT_TYPE",
                    "one_hot",
                    Some("Cash loans"),
                ),
                spec(
                    "NAME_CONTRACT_TYPE_Revolving_loans",
                    "NAME_CONTRACT_TYPE",
                    "one_hot",
                    Some("Revolving loans"),
                ),
                spec("CODE_GENDER", "CODE_GENDER", "code", None),
                spec("DAYS_BIRTH", "DAYS_BIRTH", "none", None),
                spec("AMT_CREDIT", "AMT_CREDIT", "none", None),
            ],
            vocabularies: vec![CategoryVocabulary {
                table: APPLICATION.into(),
                column: "CODE_GENDER".into(),
                values: vec!["F".into(), "M".into()],
            }],
            ..Default::default()
        };
        let form = Form {
            application: vec![
                field(
                    "NAME_CONTRACT_TYPE",
                    Unit::Choice,
                    &["Cash loans", "Revolving loans"],
                ),
                field("CODE_GENDER", Unit::Choice, &["F", "M"]),
                field("DAYS_BIRTH", Unit::YearsAgo, &[]),
                field("AMT_CREDIT", Unit::Amount, &[]),
            ],
            ..Default::default()
        };
        let values: HashMap<String, f64> = [
            ("NAME_CONTRACT_TYPE_Cash_loans", 0.0),
            ("NAME_CONTRACT_TYPE_Revolving_loans", 1.0),
            ("CODE_GENDER", 1.0),
            ("DAYS_BIRTH", -12_005.0),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
        let client = form.client_application(&model, &values);
        assert_eq!(client.shown["NAME_CONTRACT_TYPE"], "Revolving loans");
        assert_eq!(client.shown["CODE_GENDER"], "M");
        assert_eq!(client.shown["DAYS_BIRTH"], "32.87");
        assert!(
            !client.shown.contains_key("AMT_CREDIT"),
            "missing stays missing"
        );

        let mut typed = client.shown.clone();
        typed.insert("AMT_CREDIT".into(), "5000".into());
        let record = form.modified_application(&client, &typed).unwrap();
        let number = |column: &str| match record.columns[column].value {
            Some(V::Number(x)) => x,
            ref other => panic!("{other:?}"),
        };
        // Unchanged: the exact days, not 32.87 years turned back into days.
        assert_eq!(number("DAYS_BIRTH"), -12_005.0);
        assert_eq!(number("AMT_CREDIT"), 5_000.0);
        assert_eq!(
            record.columns["CODE_GENDER"].value,
            Some(V::Text("M".into()))
        );
        typed.insert("DAYS_BIRTH".into(), "33".into());
        typed.insert("CODE_GENDER".into(), String::new());
        let record = form.modified_application(&client, &typed).unwrap();
        assert!(matches!(record.columns["DAYS_BIRTH"].value, Some(V::Number(d)) if d == -12_053.0));
        assert!(
            !record.columns.contains_key("CODE_GENDER"),
            "emptied: missing"
        );
    }
}
