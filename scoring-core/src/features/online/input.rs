//! One loan application as a loan-origination system has it: the application
//! row and the client's history records, columns named as in the Home Credit
//! files.

use std::fmt;

use crate::features::tables::Table;

/// One value of a record.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// A number (integer columns too); it must be finite.
    Number(f64),
    /// A category, as written in the Home Credit files.
    Text(String),
    /// No value (as an empty cell, or a column left out of the record).
    Missing,
}

impl From<f64> for Value {
    fn from(value: f64) -> Self {
        Value::Number(value)
    }
}

impl From<&str> for Value {
    fn from(value: &str) -> Self {
        Value::Text(value.to_owned())
    }
}

impl From<String> for Value {
    fn from(value: String) -> Self {
        Value::Text(value)
    }
}

impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(value: Option<T>) -> Self {
        value.map_or(Value::Missing, Into::into)
    }
}

impl Value {
    /// What kind of value this is, in words, for error messages.
    pub fn kind(&self) -> &'static str {
        match self {
            Value::Number(_) => "a number",
            Value::Text(_) => "text",
            Value::Missing => "a missing value",
        }
    }
}

/// One row of a table: its columns by name. A column left out is missing.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Record {
    pub fields: Vec<(String, Value)>,
}

impl Record {
    pub fn new() -> Self {
        Self::default()
    }

    /// The record with `column` set to `value`.
    #[must_use]
    pub fn with(mut self, column: &str, value: impl Into<Value>) -> Self {
        self.push(column, value);
        self
    }

    /// Sets `column` to `value` (a column given twice is refused when the
    /// record is read).
    pub fn push(&mut self, column: &str, value: impl Into<Value>) {
        self.fields.push((column.to_owned(), value.into()));
    }

    /// The value of `column`, if the record has it.
    pub fn get(&self, column: &str) -> Option<&Value> {
        self.fields
            .iter()
            .find(|(name, _)| name == column)
            .map(|(_, value)| value)
    }

    /// Sets `column` to `value`, replacing an earlier value.
    pub fn set(&mut self, column: &str, value: impl Into<Value>) {
        let value = value.into();
        match self.fields.iter_mut().find(|(name, _)| name == column) {
            Some((_, slot)) => *slot = value,
            None => self.fields.push((column.to_owned(), value)),
        }
    }
}

impl<S: Into<String>> FromIterator<(S, Value)> for Record {
    fn from_iter<I: IntoIterator<Item = (S, Value)>>(iter: I) -> Self {
        Self {
            fields: iter.into_iter().map(|(c, v)| (c.into(), v)).collect(),
        }
    }
}

/// A loan application and the client's history.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LoanApplication {
    /// The `application` row.
    pub application: Record,
    /// The client's Credit Bureau credits.
    pub bureau: Vec<BureauCredit>,
    /// The client's previous applications.
    pub previous: Vec<PreviousApplication>,
}

/// One Credit Bureau credit (`bureau`) and its monthly balances.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BureauCredit {
    pub credit: Record,
    /// `bureau_balance` rows.
    pub balances: Vec<Record>,
}

/// One previous application (`previous_application`) and the monthly rows
/// of the credit it led to.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PreviousApplication {
    pub application: Record,
    /// `POS_CASH_balance` rows.
    pub pos_cash: Vec<Record>,
    /// `installments_payments` rows.
    pub instalments: Vec<Record>,
    /// `credit_card_balance` rows.
    pub credit_card: Vec<Record>,
}

impl LoanApplication {
    /// The number of history records (every record but the application's).
    pub fn history_rows(&self) -> usize {
        let bureau: usize = self.bureau.iter().map(|b| 1 + b.balances.len()).sum();
        let previous: usize = self
            .previous
            .iter()
            .map(|p| 1 + p.pos_cash.len() + p.instalments.len() + p.credit_card.len())
            .sum();
        bureau + previous
    }
}

/// Where a record sits in a [`LoanApplication`]: `application`,
/// `bureau[2]`, `bureau[2].bureau_balance[5]`, `previous_application[0]`,
/// `previous_application[0].installments_payments[3]` (indexes from 0).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecordAt {
    pub table: Table,
    /// Position in its list (0 for the application).
    pub index: usize,
    /// Position of the record it is listed under, for balances, POS,
    /// instalment and card rows.
    pub parent: Option<usize>,
}

impl fmt::Display for RecordAt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.table.parent(), self.parent) {
            (None, _) => write!(f, "{}", self.table),
            (Some((parent, _)), Some(at)) => {
                write!(f, "{parent}[{at}].{}[{}]", self.table, self.index)
            }
            (Some(_), None) => write!(f, "{}[{}]", self.table, self.index),
        }
    }
}

/// How much history one application may carry: bounds the work and memory
/// of one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Most history records (every record but the application's).
    pub max_history_rows: usize,
}

impl Limits {
    /// 10,000 history records: a client with 100 bureau credits of 8 years
    /// of monthly balances each stays under it, and the features of that
    /// many rows take a few milliseconds.
    pub const DEFAULT: Limits = Limits {
        max_history_rows: 10_000,
    };
}

impl Default for Limits {
    fn default() -> Self {
        Self::DEFAULT
    }
}
