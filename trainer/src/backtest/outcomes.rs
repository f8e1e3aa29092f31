//! Reading the observed outcomes: a CSV or parquet table with one row per
//! client: its id, whether it defaulted (0/1), the date the outcome was
//! observed, and optionally the credit amount the business cost counts.
//!
//! Dates are `YYYY-MM-DD` (midnight UTC) or RFC 3339 times (a parquet
//! date column is read as `YYYY-MM-DD`). A malformed value is an error
//! naming the file, the line (CSV; the header is line 1) or data row
//! (parquet), the column and what was expected; a client given twice too.

use std::collections::HashMap;
use std::path::Path;

use chrono::{DateTime, NaiveDate, Utc};
use polars::prelude::*;

use crate::{Error, Result};

/// Names of the outcome table's columns.
#[derive(Debug, Clone)]
pub struct OutcomeColumns {
    pub id: String,
    pub defaulted: String,
    pub observed: String,
    /// Optional: every client counts 1 when the table lacks it.
    pub credit: String,
}

/// One client's observed outcome.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Outcome {
    pub defaulted: bool,
    pub observed: DateTime<Utc>,
    pub credit: f64,
}

/// Every client's outcome.
#[derive(Debug, Default)]
pub struct Outcomes {
    pub by_client: HashMap<i64, Outcome>,
    /// The credit column read, `None` when the table has none.
    pub credit_column: Option<String>,
}

/// Reads `path` (.csv or .parquet).
pub fn read_outcomes(path: &Path, columns: &OutcomeColumns) -> Result<Outcomes> {
    let extension = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    match extension.to_ascii_lowercase().as_str() {
        "csv" => read_csv(path, columns),
        "parquet" => read_parquet(path, columns),
        _ => Err(Error::BacktestUnknownOutcomes {
            path: path.to_owned(),
        }),
    }
}

/// Turns rows of text into outcomes, naming each row's place in errors.
struct Parser<'a> {
    path: &'a Path,
    columns: &'a OutcomeColumns,
    has_credit: bool,
    outcomes: Outcomes,
    first_seen: HashMap<i64, String>,
}

impl<'a> Parser<'a> {
    fn new(path: &'a Path, columns: &'a OutcomeColumns, has_credit: bool) -> Self {
        Self {
            path,
            columns,
            has_credit,
            outcomes: Outcomes {
                by_client: HashMap::new(),
                credit_column: has_credit.then(|| columns.credit.clone()),
            },
            first_seen: HashMap::new(),
        }
    }

    /// `field(column)` gives the row's text in that column (`None`: the
    /// row is too short or the value missing); `at` names the row.
    fn row<'f>(&mut self, at: String, field: impl Fn(&str) -> Option<&'f str>) -> Result<()> {
        let (path, columns) = (self.path, self.columns);
        let text_of = |column: &str| field(column).map_or("", str::trim);
        let bad = |column: &str, value: &str, expected: &'static str| Error::BacktestOutcomeValue {
            path: path.to_owned(),
            at: at.clone(),
            column: column.to_owned(),
            value: value.to_owned(),
            expected,
        };
        let text = text_of(&columns.id);
        let client: i64 = text
            .parse()
            .map_err(|_| bad(&columns.id, text, "a whole number"))?;
        let text = text_of(&columns.defaulted);
        let defaulted = match text {
            "0" => false,
            "1" => true,
            _ => return Err(bad(&columns.defaulted, text, "0 (repaid) or 1 (defaulted)")),
        };
        let text = text_of(&columns.observed);
        let observed = parse_date(text)
            .ok_or_else(|| bad(&columns.observed, text, "a date (YYYY-MM-DD or RFC 3339)"))?;
        let credit = if self.has_credit {
            let text = text_of(&columns.credit);
            match text.parse::<f64>() {
                Ok(c) if c.is_finite() && c >= 0.0 => c,
                _ => return Err(bad(&columns.credit, text, "a finite number >= 0")),
            }
        } else {
            1.0
        };
        if let Some(first) = self.first_seen.get(&client) {
            return Err(Error::BacktestDuplicateOutcome {
                path: path.to_owned(),
                at,
                client,
                first: first.clone(),
            });
        }
        self.first_seen.insert(client, at);
        let outcome = Outcome {
            defaulted,
            observed,
            credit,
        };
        self.outcomes.by_client.insert(client, outcome);
        Ok(())
    }
}

/// `YYYY-MM-DD` as midnight UTC, or an RFC 3339 time.
pub fn parse_date(text: &str) -> Option<DateTime<Utc>> {
    if let Ok(date) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        return date.and_hms_opt(0, 0, 0).map(|t| t.and_utc());
    }
    DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

fn read_csv(path: &Path, columns: &OutcomeColumns) -> Result<Outcomes> {
    let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
        path: path.to_owned(),
        action: "reading the outcomes",
        source,
    })?;
    let mut lines = text.lines();
    let header = synth::split_csv_line(lines.next().unwrap_or(""));
    let position = |name: &str| header.iter().position(|h| h.trim() == name);
    let required = |name: &str| {
        position(name).ok_or_else(|| Error::MissingColumn {
            path: path.to_owned(),
            column: name.to_owned(),
        })
    };
    let mut index: HashMap<String, usize> = HashMap::new();
    for name in [&columns.id, &columns.defaulted, &columns.observed] {
        index.insert(name.clone(), required(name)?);
    }
    let credit = position(&columns.credit);
    if let Some(at) = credit {
        index.insert(columns.credit.clone(), at);
    }
    let mut parser = Parser::new(path, columns, credit.is_some());
    for (n, line) in lines.enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let fields = synth::split_csv_line(line);
        let field = |column: &str| {
            index
                .get(column)
                .and_then(|&i| fields.get(i))
                .map(String::as_str)
        };
        parser.row(format!("line {}", n + 2), field)?;
    }
    Ok(parser.outcomes)
}

fn read_parquet(path: &Path, columns: &OutcomeColumns) -> Result<Outcomes> {
    let table_error = |source| Error::BacktestOutcomesTable {
        path: path.to_owned(),
        source,
    };
    let file = std::fs::File::open(path).map_err(|source| Error::Io {
        path: path.to_owned(),
        action: "opening the outcomes",
        source,
    })?;
    let table = ParquetReader::new(file).finish().map_err(table_error)?;
    let has_credit = table.column(&columns.credit).is_ok();
    let mut names = vec![&columns.id, &columns.defaulted, &columns.observed];
    if has_credit {
        names.push(&columns.credit);
    }
    let mut text: HashMap<String, Vec<Option<String>>> = HashMap::new();
    for name in names {
        let column = table.column(name).map_err(|_| Error::MissingColumn {
            path: path.to_owned(),
            column: name.clone(),
        })?;
        let strings = column.cast(&DataType::String).map_err(table_error)?;
        let strings = strings.str().map_err(table_error)?;
        let values = strings.iter().map(|v| v.map(str::to_owned)).collect();
        text.insert(name.clone(), values);
    }
    let mut parser = Parser::new(path, columns, has_credit);
    for row in 0..table.height() {
        let field = |column: &str| {
            text.get(column)
                .and_then(|values| values.get(row))
                .and_then(Option::as_deref)
        };
        parser.row(format!("row {}", row + 1), field)?;
    }
    Ok(parser.outcomes)
}
