//! The application form of a new applicant: the Home Credit columns the
//! live model uses, grouped as an officer reads an application, each typed
//! as people think of it (years, amounts, choices among the model's
//! categories), and its parsing into the contract's `LoanApplication`
//! (ages and durations back to the negative days the data uses). The
//! history is optional: a few Credit Bureau credits and previous
//! applications.

mod client;
pub mod fields;
mod parse;

use std::collections::{BTreeSet, HashMap};

use minijinja::{Value, context};
use scoring_proto::scoring::v1::{CategoryVocabulary, FeatureSpec, ModelInfo};

pub use self::client::ClientApplication;
pub use self::fields::{Group, Unit};
pub use self::parse::{Typed, field_of_refusal};
use crate::i18n::Lang;

const APPLICATION: &str = "application";
const BUREAU: &str = "bureau";
const PREVIOUS: &str = "previous_application";

/// Columns that are never typed: the identifiers and the label.
const NOT_TYPED: [&str; 4] = ["SK_ID_CURR", "SK_ID_BUREAU", "SK_ID_PREV", "TARGET"];

/// One field of the form.
#[derive(Debug, Clone)]
pub struct FormField {
    /// The Home Credit column.
    pub column: String,
    /// Where it sits on the page.
    pub group: Group,
    /// How it is typed.
    pub unit: Unit,
    /// Its label's translation key, or `None` to use `description`.
    pub label_key: Option<&'static str>,
    /// The model's description of the column (English, as the schema).
    pub description: String,
    /// The categories it may take, for [`Unit::Choice`].
    pub choices: Vec<String>,
}

/// The form for one model.
#[derive(Debug, Clone, Default)]
pub struct Form {
    /// The application's fields, in page order.
    pub application: Vec<FormField>,
    /// The fields of a Credit Bureau credit; empty when the model uses none.
    pub bureau: Vec<FormField>,
    /// The fields of a previous application; empty when the model uses none.
    pub previous: Vec<FormField>,
}

/// The (table, column) pairs the model's features come from.
fn used_columns(features: &[FeatureSpec]) -> BTreeSet<(String, String)> {
    features
        .iter()
        .flat_map(|f| {
            f.source_column
                .split(',')
                .map(|c| (f.source_table.clone(), c.trim().to_owned()))
        })
        .filter(|(_, c)| !c.is_empty() && !NOT_TYPED.contains(&c.as_str()))
        .collect()
}

impl Form {
    /// The fields of the columns `model` uses, with its vocabularies.
    pub fn of_model(model: &ModelInfo) -> Self {
        let used = used_columns(&model.features);
        let uses =
            |table: &str, column: &str| used.contains(&(table.to_owned(), column.to_owned()));
        let choices = |table: &str, column: &str| -> Option<Vec<String>> {
            model
                .vocabularies
                .iter()
                .find(|v: &&CategoryVocabulary| v.table == table && v.column == column)
                .map(|v| v.values.clone())
        };
        let description = |table: &str, column: &str| {
            let of = |f: &&FeatureSpec| f.source_table == table && f.source_column == column;
            model
                .features
                .iter()
                .filter(of)
                .find(|f| f.name == column)
                .or_else(|| model.features.iter().find(of))
                .map(|f| f.description.clone())
                .unwrap_or_else(|| column.to_owned())
        };
        let field = |table: &str, column: &str, group, unit: Unit, key: &'static str| {
            let choices = choices(table, column);
            FormField {
                column: column.to_owned(),
                group,
                // A text column is a choice when the model has its
                // categories; without them the model took it as a number.
                unit: match (&choices, unit) {
                    (Some(_), _) => Unit::Choice,
                    (None, Unit::Choice) => Unit::Number,
                    (None, unit) => unit,
                },
                label_key: (!key.is_empty()).then_some(key),
                description: description(table, column),
                choices: choices.unwrap_or_default(),
            }
        };
        let mut application: Vec<FormField> = fields::APPLICATION
            .iter()
            .filter(|(column, ..)| uses(APPLICATION, column))
            .map(|&(column, group, unit, key)| field(APPLICATION, column, group, unit, key))
            .collect();
        // The model's other application columns, in the order of its features.
        let mut seen: BTreeSet<String> = application.iter().map(|f| f.column.clone()).collect();
        for feature in model
            .features
            .iter()
            .filter(|f| f.source_table == APPLICATION)
        {
            for column in feature.source_column.split(',').map(str::trim) {
                if NOT_TYPED.contains(&column) || column.is_empty() || !seen.insert(column.into()) {
                    continue;
                }
                let (group, unit) = fields::group_of_other(column);
                application.push(field(APPLICATION, column, group, unit, ""));
            }
        }
        let history = |table: &str, list: &[(&'static str, Unit, &'static str)]| {
            if !used.iter().any(|(t, _)| t == table) {
                return Vec::new();
            }
            list.iter()
                .filter(|(column, ..)| uses(table, column))
                .map(|&(column, unit, key)| field(table, column, Group::Other, unit, key))
                .collect()
        };
        Self {
            application,
            bureau: history(BUREAU, fields::BUREAU),
            previous: history(PREVIOUS, fields::PREVIOUS),
        }
    }

    /// The form without the history (what if on a snapshot client, whose
    /// history is the snapshot's).
    pub fn application_only(mut self) -> Self {
        self.bureau.clear();
        self.previous.clear();
        self
    }

    /// The page's groups, bureau rows and previous-application rows, each
    /// field with the text typed in `typed` (by field name).
    pub fn render(&self, lang: Lang, typed: &HashMap<String, String>) -> Value {
        let shown = |field: &FormField, name: String| {
            let value = typed.get(&name).cloned().unwrap_or_default();
            let options: Vec<Value> = field
                .choices
                .iter()
                .map(|c| context! { value => c, selected => *c == value })
                .collect();
            let label = field
                .label_key
                .map_or_else(|| field.description.clone(), |k| lang.tr(k).to_owned());
            let kind = match field.unit {
                Unit::Choice => "choice",
                Unit::Flag => "flag",
                _ => "number",
            };
            context! {
                name, label, column => &field.column, kind, options,
                yes => value == "1", no => value == "0", value,
            }
        };
        let groups: Vec<Value> = Group::ALL
            .iter()
            .filter_map(|&group| {
                let fields: Vec<Value> = self
                    .application
                    .iter()
                    .filter(|f| f.group == group)
                    .map(|f| shown(f, f.column.clone()))
                    .collect();
                (!fields.is_empty()).then(|| {
                    context! { id => group.key(), legend => lang.tr(group.key()),
                    collapsed => group.collapsed(), fields }
                })
            })
            .collect();
        let rows = |prefix: &str, list: &[FormField]| -> Vec<Value> {
            if list.is_empty() {
                return Vec::new();
            }
            (0..fields::HISTORY_ROWS)
                .map(|i| {
                    let fields: Vec<Value> = list
                        .iter()
                        .map(|f| shown(f, format!("{prefix}_{i}_{}", f.column)))
                        .collect();
                    context! { n => i + 1, fields }
                })
                .collect()
        };
        context! {
            groups,
            bureau => rows("bureau", &self.bureau),
            previous => rows("previous", &self.previous),
        }
    }
}

/// A loan-group form field, for the tests of the form's modules.
#[cfg(test)]
pub(crate) fn test_field(column: &str, unit: Unit, choices: &[&str]) -> FormField {
    FormField {
        column: column.into(),
        group: Group::Loan,
        unit,
        label_key: None,
        description: String::new(),
        choices: choices.iter().map(|c| c.to_string()).collect(),
    }
}
