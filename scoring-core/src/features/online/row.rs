//! Reading one record into a row of typed slots, with every check of its
//! columns and values, and the row expressions compiled against those slots.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use super::input::{Record, RecordAt, Value};
use crate::features::definition::RowExpr;
use crate::features::tables::{ColumnType, Table};
use crate::{Error, Result};

/// FNV-1a: column names and categories are short, and hashed on every record.
#[derive(Default, Clone, Copy)]
pub(super) struct Fnv(u64);

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut hash = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for &byte in bytes {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = hash;
    }
}

pub(super) type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<Fnv>>;

/// Slot value of a text column that holds no value.
pub(super) const MISSING: u32 = u32::MAX;
/// Slot value of a text column whose value no expression names.
pub(super) const UNKNOWN: u32 = u32::MAX - 1;

/// How the records of one table are read.
#[derive(Debug)]
pub(super) struct Layout {
    pub(super) table: Table,
    lookup: FastMap<&'static str, usize>,
    /// For each text column, the values expressions compare it with, by id.
    dictionaries: Vec<FastMap<Box<str>, u32>>,
}

/// One record read: numbers (NaN: missing) and category ids by column position.
#[derive(Debug, Clone)]
pub(super) struct Row {
    pub(super) numbers: Vec<f64>,
    pub(super) texts: Vec<u32>,
    seen: Vec<bool>,
}

impl Layout {
    pub(super) fn new(table: Table) -> Self {
        let columns = table.columns();
        Self {
            table,
            lookup: columns
                .iter()
                .enumerate()
                .map(|(i, (name, _))| (*name, i))
                .collect(),
            dictionaries: vec![FastMap::default(); columns.len()],
        }
    }

    /// An empty row of this table.
    pub(super) fn row(&self) -> Row {
        let n = self.table.columns().len();
        Row {
            numbers: vec![f64::NAN; n],
            texts: vec![MISSING; n],
            seen: vec![false; n],
        }
    }

    /// Position of `column`, for compiling.
    pub(super) fn position(&self, column: &str) -> Option<usize> {
        self.lookup.get(column).copied()
    }

    /// The id of `value` in the dictionary of the text column at `position`,
    /// added if new.
    pub(super) fn intern(&mut self, position: usize, value: &str) -> u32 {
        let dictionary = &mut self.dictionaries[position];
        let next = dictionary.len() as u32;
        *dictionary.entry(value.into()).or_insert(next)
    }

    /// Reads `record` into `row`, refusing an unknown or repeated column, a
    /// value of the wrong type and a non-finite number.
    pub(super) fn read(&self, record: &Record, at: RecordAt, row: &mut Row) -> Result<()> {
        row.numbers.fill(f64::NAN);
        row.texts.fill(MISSING);
        row.seen.fill(false);
        let columns = self.table.columns();
        for (name, value) in &record.fields {
            let Some(&position) = self.lookup.get(name.as_str()) else {
                return Err(Error::UnknownColumn {
                    at,
                    column: name.clone(),
                });
            };
            if std::mem::replace(&mut row.seen[position], true) {
                return Err(Error::DuplicateColumn {
                    at,
                    column: name.clone(),
                });
            }
            let kind = columns[position].1;
            match (value, kind) {
                (Value::Missing, _) => {}
                (Value::Number(x), ColumnType::Int | ColumnType::Float) => {
                    if !x.is_finite() {
                        return Err(Error::NonFiniteNumber {
                            at,
                            column: name.clone(),
                            value: *x,
                        });
                    }
                    row.numbers[position] = *x;
                }
                // An empty cell of a Home Credit file is a missing value.
                (Value::Text(text), ColumnType::Text) if text.is_empty() => {}
                (Value::Text(text), ColumnType::Text) => {
                    row.texts[position] = self.dictionaries[position]
                        .get(text.as_str())
                        .copied()
                        .unwrap_or(UNKNOWN);
                }
                (value, kind) => {
                    return Err(Error::WrongValueType {
                        at,
                        column: name.clone(),
                        expected: if kind == ColumnType::Text {
                            "text"
                        } else {
                            "a number"
                        },
                        found: value.kind(),
                    });
                }
            }
        }
        Ok(())
    }
}

/// A [`RowExpr`] compiled against a table's slots.
#[derive(Debug, Clone)]
pub(super) enum Op {
    Number(usize),
    Constant(f64),
    Add(Box<Op>, Box<Op>),
    Sub(Box<Op>, Box<Op>),
    Mul(Box<Op>, Box<Op>),
    Div(Box<Op>, Box<Op>),
    MissingIf(Box<Op>, f64),
    PositivePart(Box<Op>),
    Equals(usize, u32),
    NumberMissing(usize),
    TextMissing(usize),
    /// The code of each dictionary id (-1 for values outside the vocabulary).
    Code(usize, Box<[f64]>),
}

impl Op {
    /// Compiles `expr`, adding the categories it names to `layout`'s
    /// dictionaries. `None` when it reads a column the table does not have
    /// (a resolved plan never does).
    pub(super) fn compile(expr: &RowExpr, layout: &mut Layout) -> Option<Op> {
        let two = |a: &RowExpr, b: &RowExpr, layout: &mut Layout| {
            Some((
                Box::new(Op::compile(a, layout)?),
                Box::new(Op::compile(b, layout)?),
            ))
        };
        Some(match expr {
            RowExpr::Column(c) => Op::Number(layout.position(c)?),
            RowExpr::Constant(v) => Op::Constant(*v),
            RowExpr::Add(a, b) => {
                let (a, b) = two(a, b, layout)?;
                Op::Add(a, b)
            }
            RowExpr::Sub(a, b) => {
                let (a, b) = two(a, b, layout)?;
                Op::Sub(a, b)
            }
            RowExpr::Mul(a, b) => {
                let (a, b) = two(a, b, layout)?;
                Op::Mul(a, b)
            }
            RowExpr::Div(a, b) => {
                let (a, b) = two(a, b, layout)?;
                Op::Div(a, b)
            }
            RowExpr::MissingIf { input, sentinel } => {
                Op::MissingIf(Box::new(Op::compile(input, layout)?), *sentinel)
            }
            RowExpr::PositivePart(input) => Op::PositivePart(Box::new(Op::compile(input, layout)?)),
            RowExpr::Equals { column, value } => {
                let position = layout.position(column)?;
                Op::Equals(position, layout.intern(position, value))
            }
            RowExpr::IsMissing { column } => {
                let position = layout.position(column)?;
                match layout.table.columns()[position].1 {
                    ColumnType::Text => Op::TextMissing(position),
                    ColumnType::Int | ColumnType::Float => Op::NumberMissing(position),
                }
            }
            RowExpr::CodeOf { column, values } => {
                let position = layout.position(column)?;
                let ids: Vec<u32> = values.iter().map(|v| layout.intern(position, v)).collect();
                let size = layout.dictionaries[position].len();
                let mut codes = vec![-1.0; size];
                // The first position of a value repeated in the vocabulary wins.
                for (code, id) in ids.iter().enumerate().rev() {
                    codes[*id as usize] = code as f64;
                }
                Op::Code(position, codes.into())
            }
        })
    }

    /// The value on `row` (NaN: missing; any NaN result is missing).
    #[inline]
    pub(super) fn eval(&self, row: &Row) -> f64 {
        match self {
            Op::Number(i) => row.numbers[*i],
            Op::Constant(v) => *v,
            Op::Add(a, b) => a.eval(row) + b.eval(row),
            Op::Sub(a, b) => a.eval(row) - b.eval(row),
            Op::Mul(a, b) => a.eval(row) * b.eval(row),
            Op::Div(a, b) => a.eval(row) / b.eval(row),
            Op::MissingIf(input, sentinel) => {
                let v = input.eval(row);
                if v == *sentinel { f64::NAN } else { v }
            }
            Op::PositivePart(input) => {
                let v = input.eval(row);
                if v > 0.0 { v } else { 0.0 }
            }
            Op::Equals(i, id) => f64::from(u8::from(row.texts[*i] == *id)),
            Op::NumberMissing(i) => f64::from(u8::from(row.numbers[*i].is_nan())),
            Op::TextMissing(i) => f64::from(u8::from(row.texts[*i] == MISSING)),
            Op::Code(i, codes) => codes.get(row.texts[*i] as usize).copied().unwrap_or(-1.0),
        }
    }
}
