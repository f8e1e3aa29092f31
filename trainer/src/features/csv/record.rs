//! One block of a CSV file parsed into typed columns: fields split on
//! commas outside quotes, quoted fields unescaped, values parsed by the
//! kind of their column, and what does not parse reported with its record.

use std::borrow::Cow;
use std::path::Path;

use memchr::memchr;
use polars::prelude::*;

use super::Kind;
use super::number::{decimal_prefix, integer_prefix, parse_f64, parse_i64};
use super::values::{Filled, Values};
use crate::Error;

/// One block's columns; a text column as positions in its dictionary
/// (empty for other columns).
pub(super) struct Parsed {
    pub(super) records: u64,
    pub(super) columns: Vec<Column>,
    pub(super) dictionaries: Vec<Vec<String>>,
}

/// What went wrong in a block, at its `record` (0-based within the block).
pub(super) struct Failure {
    record: u64,
    problem: Problem,
}

enum Problem {
    Value { slot: usize, text: String },
    Fields { found: usize, expected: usize },
    Unterminated,
    AfterQuote,
}

impl Failure {
    pub(super) fn into_error(
        self,
        path: &Path,
        records_before: u64,
        columns: &[(&str, Kind)],
    ) -> Error {
        // Line 1 is the header.
        let line = records_before + self.record + 2;
        let path = path.to_owned();
        let problem = match self.problem {
            Problem::Value { slot, text } => {
                let (column, kind) = columns[slot];
                return Error::MalformedValue {
                    path,
                    line,
                    column: column.to_owned(),
                    value: text,
                    expected: kind.expected(),
                };
            }
            Problem::Fields { found, expected } => {
                format!("has {found} fields where the header has {expected}")
            }
            Problem::Unterminated => "a quoted field is never closed".to_owned(),
            Problem::AfterQuote => "text follows the closing quote of a field".to_owned(),
        };
        Error::CsvRecord {
            path,
            line,
            problem,
        }
    }
}

/// The records of `block` (whole records only) as the columns of
/// `columns`; `slots[field]` is the column of each field of a record, if
/// it is read.
pub(super) fn parse_block(
    block: &[u8],
    slots: &[Option<usize>],
    columns: &[(&str, Kind)],
) -> std::result::Result<Parsed, Failure> {
    // A record per line break at most (fewer where a quoted field holds
    // one): columns never grow, so never copy themselves while filling.
    let estimate = memchr::memchr_iter(b'\n', block).count() + 1;
    let mut values: Vec<Values> = columns
        .iter()
        .map(|(_, kind)| Values::new(*kind, estimate))
        .collect();
    let mut records = 0u64;
    let mut at = 0;
    while at < block.len() {
        // An empty line is no record.
        match block[at] {
            b'\n' => {
                at += 1;
                continue;
            }
            b'\r' if block.get(at + 1) == Some(&b'\n') => {
                at += 2;
                continue;
            }
            _ => {}
        }
        let fail = |problem| Failure {
            record: records,
            problem,
        };
        let mut field = 0;
        loop {
            let slot = slots.get(field).copied().flatten();
            if let Some((next, last)) =
                slot.and_then(|s| store_number_at(&mut values[s], block, at))
            {
                field += 1;
                at = next;
                if last {
                    break;
                }
                continue;
            }
            let (raw, next, last) = next_field(block, at).map_err(fail)?;
            if let Some(Some(slot)) = slots.get(field) {
                store(&mut values[*slot], &raw)
                    .map_err(|text| fail(Problem::Value { slot: *slot, text }))?;
            }
            field += 1;
            at = next;
            if last {
                break;
            }
        }
        if field != slots.len() {
            return Err(fail(Problem::Fields {
                found: field,
                expected: slots.len(),
            }));
        }
        records += 1;
    }
    let (columns, dictionaries) = values
        .into_iter()
        .zip(columns)
        .map(|(values, (name, _))| values.finish(name))
        .unzip();
    Ok(Parsed {
        records,
        columns,
        dictionaries,
    })
}

/// The field starting at `at`: its text, where the next field starts, and
/// whether it ends its record.
/// The text is borrowed, or owned when doubled quotes were unescaped.
fn next_field(
    block: &[u8],
    at: usize,
) -> std::result::Result<(Cow<'_, [u8]>, usize, bool), Problem> {
    if block.get(at) != Some(&b'"') {
        // Fields are short: a plain loop beats a SIMD search's set-up.
        let rest = &block[at..];
        let (end, last) = match rest.iter().position(|&b| b == b',' || b == b'\n') {
            Some(i) => (at + i, rest[i] == b'\n'),
            None => (block.len(), true),
        };
        let text = &block[at..end];
        let text = if last {
            text.strip_suffix(b"\r").unwrap_or(text)
        } else {
            text
        };
        return Ok((Cow::Borrowed(text), end + 1, last));
    }
    let start = at + 1;
    let mut search = start;
    let mut escaped = false;
    let close = loop {
        let quote = search + memchr(b'"', &block[search..]).ok_or(Problem::Unterminated)?;
        if block.get(quote + 1) == Some(&b'"') {
            escaped = true;
            search = quote + 2;
        } else {
            break quote;
        }
    };
    let inner = &block[start..close];
    let raw = if escaped {
        let mut text = Vec::with_capacity(inner.len());
        let mut rest = inner;
        while let Some(i) = memchr(b'"', rest) {
            text.extend_from_slice(&rest[..=i]);
            rest = &rest[i + 2..];
        }
        text.extend_from_slice(rest);
        Cow::Owned(text)
    } else {
        Cow::Borrowed(inner)
    };
    match &block[close + 1..] {
        [] => Ok((raw, block.len(), true)),
        [b',', ..] => Ok((raw, close + 2, false)),
        [b'\n', ..] => Ok((raw, close + 2, true)),
        [b'\r', b'\n', ..] => Ok((raw, close + 3, true)),
        _ => Err(Problem::AfterQuote),
    }
}

/// For a number column, parses the field at `at` straight from the block
/// (one pass for the field's end and its value) and appends it: where the
/// next field starts and whether the record ends. `None`, nothing
/// appended, for any other column or field (quoted, an exponent, an error,
/// …): [`next_field`] and [`store`] then read it.
#[inline]
fn store_number_at(values: &mut Values, block: &[u8], at: usize) -> Option<(usize, bool)> {
    match values {
        Values::Number(b) => push_prefix(b, block, at, decimal_prefix),
        Values::Integer(b) => push_prefix(b, block, at, integer_prefix),
        Values::Text(_) => None,
    }
}

/// Appends the value `prefix` reads at `at` if it is the whole field (an
/// empty field is missing).
#[inline]
fn push_prefix<T: Copy + Default>(
    column: &mut Filled<T>,
    block: &[u8],
    at: usize,
    prefix: impl Fn(&[u8]) -> Option<(T, usize)>,
) -> Option<(usize, bool)> {
    let rest = &block[at..];
    let (value, length) = match rest.first() {
        None | Some(b',' | b'\n' | b'\r') => (None, 0),
        Some(_) => prefix(rest).map(|(v, n)| (Some(v), n))?,
    };
    let end = field_end(block, at + length)?;
    column.push(value);
    Some(end)
}

/// Where the next field starts and whether the record ends, for a field
/// whose text ends at `end`; `None` if a field does not end there.
#[inline]
fn field_end(block: &[u8], end: usize) -> Option<(usize, bool)> {
    match &block[end..] {
        [] => Some((end, true)),
        [b',', ..] => Some((end + 1, false)),
        [b'\n', ..] => Some((end + 1, true)),
        [b'\r', b'\n', ..] => Some((end + 2, true)),
        _ => None,
    }
}

/// Appends the value of `bytes` to `values`; the text shown in the error if
/// it is not of the column's kind.
fn store(values: &mut Values, bytes: &[u8]) -> std::result::Result<(), String> {
    let shown = || String::from_utf8_lossy(bytes).into_owned();
    match values {
        Values::Integer(b) if bytes.is_empty() => b.push(None),
        Values::Number(b) if bytes.is_empty() => b.push(None),
        Values::Text(t) if bytes.is_empty() => t.push_missing(),
        Values::Number(b) => b.push(Some(parse_f64(bytes).ok_or_else(shown)?)),
        Values::Integer(b) => b.push(Some(parse_i64(bytes).ok_or_else(shown)?)),
        Values::Text(t) => t.push(bytes).map_err(|()| shown())?,
    }
    Ok(())
}
