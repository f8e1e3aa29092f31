//! The online engine: the feature row of one loan application, computed from
//! its raw records in memory by interpreting a resolved [`FeatureDefinition`].
//!
//! Built once per model ([`OnlineEngine::new`]: the definition is resolved
//! with the schema's vocabularies, checked against the schema's features and
//! compiled to slot-indexed operations), then used for any number of
//! applications ([`OnlineEngine::features`]). A record's columns are named as
//! in the Home Credit files; every check names the record and the column:
//! an unknown or repeated column, text in a numeric column (or a number in a
//! text column), a non-finite number, a history record whose identifier
//! (`SK_ID_CURR`, `SK_ID_BUREAU`, `SK_ID_PREV`) differs from the record it is
//! listed under, more history records than [`Limits::max_history_rows`].
//! An empty text is a missing value, as an empty cell of the files is.

mod accumulate;
mod compile;
mod input;
mod row;

use self::accumulate::count_distinct;
pub use self::accumulate::{Accumulator, distinct_key};
use self::compile::{Compiled, CompiledFamily, CompiledTable, Reduction};
use self::row::Row;
use super::definition::{Agg, FeatureDefinition};
use super::descriptions::ColumnDescriptions;
use super::kernel::kernel_definition;
use super::tables::Table;
use crate::{Error, FeatureSchema, Result};

pub use self::input::{
    BureauCredit, Limits, LoanApplication, PreviousApplication, Record, RecordAt, Value,
};

/// Computes feature rows of single applications for one feature schema.
#[derive(Debug)]
pub struct OnlineEngine {
    /// Indexed by [`table_index`].
    tables: Vec<CompiledTable>,
    n_features: usize,
    limits: Limits,
}

/// Reusable buffers of [`OnlineEngine::features_into`].
#[derive(Debug, Clone)]
pub struct FeatureScratch {
    tables: Vec<TableScratch>,
}

#[derive(Debug, Clone)]
struct TableScratch {
    row: Row,
    values: Vec<f64>,
    /// One per family of the table.
    families: Vec<ReductionState>,
    /// The reduction of the child rows of one parent row, for a table
    /// reduced into its parent.
    rollup: Option<ReductionState>,
}

#[derive(Debug, Clone)]
struct ReductionState {
    rows: u32,
    accumulators: Vec<Accumulator>,
    distinct: Vec<Vec<u64>>,
}

fn table_index(table: Table) -> usize {
    Table::ALL.iter().position(|t| *t == table).unwrap_or(0)
}

impl OnlineEngine {
    /// The engine of `definition` for a model with `schema`: the definition
    /// is resolved with the schema's vocabularies and must give exactly the
    /// schema's features (names, kinds, sources, reductions; descriptions
    /// may differ).
    pub fn new(definition: &FeatureDefinition, schema: &FeatureSchema) -> Result<Self> {
        let plan = definition.resolve(&schema.vocabularies)?;
        compile::check_against_schema(&plan, schema)?;
        let tables = compile::compile(&plan)?;
        Ok(Self {
            tables,
            n_features: schema.features.len(),
            limits: Limits::DEFAULT,
        })
    }

    /// The engine of the kernel's features ([`kernel_definition`]) for `schema`.
    pub fn kernel(schema: &FeatureSchema) -> Result<Self> {
        Self::new(&kernel_definition(&ColumnDescriptions::new()), schema)
    }

    /// The same engine with other limits.
    #[must_use]
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    pub fn limits(&self) -> Limits {
        self.limits
    }

    /// Number of features of a row.
    pub fn n_features(&self) -> usize {
        self.n_features
    }

    /// Buffers for [`OnlineEngine::features_into`].
    pub fn scratch(&self) -> FeatureScratch {
        FeatureScratch {
            tables: self
                .tables
                .iter()
                .map(|t| {
                    let state = |r: &Reduction| ReductionState {
                        rows: 0,
                        accumulators: vec![Accumulator::EMPTY; r.columns.len()],
                        distinct: vec![Vec::new(); r.columns.len()],
                    };
                    TableScratch {
                        row: t.layout.row(),
                        values: vec![f64::NAN; t.columns.len()],
                        families: t.families.iter().map(|f| state(&f.reduction)).collect(),
                        rollup: t.rollup.as_ref().map(state),
                    }
                })
                .collect(),
        }
    }

    /// The feature row of `application`, in the schema's order (NaN: missing).
    pub fn features(&self, application: &LoanApplication) -> Result<Vec<f64>> {
        let mut out = vec![f64::NAN; self.n_features];
        self.features_into(application, &mut self.scratch(), &mut out)?;
        Ok(out)
    }

    /// As [`OnlineEngine::features`], into `out` with reused buffers.
    pub fn features_into(
        &self,
        application: &LoanApplication,
        scratch: &mut FeatureScratch,
        out: &mut [f64],
    ) -> Result<()> {
        if out.len() != self.n_features {
            return Err(Error::OutputLength {
                expected: self.n_features,
                found: out.len(),
            });
        }
        let found = application.history_rows();
        if found > self.limits.max_history_rows {
            return Err(Error::TooManyHistoryRows {
                found,
                limit: self.limits.max_history_rows,
            });
        }
        for table in &mut scratch.tables {
            table.families.iter_mut().for_each(ReductionState::reset);
        }
        let at = |table, index, parent| RecordAt {
            table,
            index,
            parent,
        };
        self.read(
            Table::Application,
            &application.application,
            at(Table::Application, 0, None),
            scratch,
        )?;
        self.finish_row(Table::Application, scratch, out);
        for (i, credit) in application.bureau.iter().enumerate() {
            self.read(
                Table::Bureau,
                &credit.credit,
                at(Table::Bureau, i, None),
                scratch,
            )?;
            for (j, balance) in credit.balances.iter().enumerate() {
                let table = Table::BureauBalance;
                self.read(table, balance, at(table, j, Some(i)), scratch)?;
                self.finish_row(table, scratch, out);
            }
            self.finish_row(Table::Bureau, scratch, out);
        }
        for (i, previous) in application.previous.iter().enumerate() {
            let table = Table::PreviousApplication;
            self.read(table, &previous.application, at(table, i, None), scratch)?;
            for (table, rows) in [
                (Table::PosCashBalance, &previous.pos_cash),
                (Table::InstallmentsPayments, &previous.instalments),
                (Table::CreditCardBalance, &previous.credit_card),
            ] {
                for (j, row) in rows.iter().enumerate() {
                    self.read(table, row, at(table, j, Some(i)), scratch)?;
                    self.finish_row(table, scratch, out);
                }
            }
            self.finish_row(Table::PreviousApplication, scratch, out);
        }
        for (table, state) in self.tables.iter().zip(&mut scratch.tables) {
            for (family, reduction) in table.families.iter().zip(&mut state.families) {
                write_family(family, reduction, out);
            }
        }
        Ok(())
    }

    /// Reads one record into its table's row and checks its links, and
    /// starts the reduction of its child rows.
    fn read(
        &self,
        table: Table,
        record: &Record,
        at: RecordAt,
        scratch: &mut FeatureScratch,
    ) -> Result<()> {
        let index = table_index(table);
        let compiled = &self.tables[index];
        compiled
            .layout
            .read(record, at, &mut scratch.tables[index].row)?;
        for link in &compiled.links {
            let value = scratch.tables[index].row.numbers[link.position];
            if value.is_nan() {
                continue;
            }
            // The nearest record above that names the identifier.
            let expected = link.ancestors.iter().find_map(|(ancestor, position)| {
                let v = scratch.tables[*ancestor].row.numbers[*position];
                (!v.is_nan()).then_some((*ancestor, v))
            });
            if let Some((ancestor, expected)) = expected
                && expected != value
            {
                return Err(Error::LinkMismatch {
                    at,
                    column: link.column.to_owned(),
                    value,
                    parent: Table::ALL[ancestor],
                    parent_value: expected,
                });
            }
        }
        for &child in &compiled.children {
            if let Some(state) = &mut scratch.tables[child].rollup {
                state.reset();
            }
        }
        Ok(())
    }

    /// Computes the columns of the row just read (its child rows all read)
    /// and adds the row to its table's families and to its parent's rollup.
    fn finish_row(&self, table: Table, scratch: &mut FeatureScratch, out: &mut [f64]) {
        let index = table_index(table);
        let compiled = &self.tables[index];
        let (before, rest) = scratch.tables.split_at_mut(index);
        let Some((own, after)) = rest.split_first_mut() else {
            return;
        };
        for (value, column) in own.values.iter_mut().zip(&compiled.columns) {
            *value = match column {
                Compiled::Row(op) => op.eval(&own.row),
                Compiled::Rollup { child, column, agg } => {
                    let child_scratch = if *child < index {
                        before.get_mut(*child)
                    } else {
                        after.get_mut(*child - index - 1)
                    };
                    match child_scratch.and_then(|c| c.rollup.as_mut()) {
                        Some(state) => state.finish(*column, *agg),
                        None => f64::NAN,
                    }
                }
            };
        }
        if let Some(offset) = compiled.columns_at {
            out[offset..offset + own.values.len()].copy_from_slice(&own.values);
        }
        for (family, state) in compiled.families.iter().zip(&mut own.families) {
            if family.keeps(&own.row) {
                state.add(&family.reduction, &own.values);
            }
        }
        if let (Some(rollup), Some(state)) = (&compiled.rollup, &mut own.rollup) {
            state.add(rollup, &own.values);
        }
    }
}

impl ReductionState {
    fn reset(&mut self) {
        self.rows = 0;
        self.accumulators.fill(Accumulator::EMPTY);
        self.distinct.iter_mut().for_each(Vec::clear);
    }

    fn add(&mut self, reduction: &Reduction, values: &[f64]) {
        self.rows += 1;
        for (i, &column) in reduction.columns.iter().enumerate() {
            let x = values[column];
            self.accumulators[i].add(x);
            if reduction.distinct[i] && !x.is_nan() {
                self.distinct[i].push(distinct_key(x));
            }
        }
    }

    /// The reduction `agg` of accumulator `i`.
    fn finish(&mut self, i: usize, agg: Agg) -> f64 {
        let distinct = if agg == Agg::NUnique {
            count_distinct(&mut self.distinct[i])
        } else {
            0
        };
        self.accumulators[i].finish(agg, self.rows, distinct)
    }
}

/// Writes the features of `family` from its reduction.
fn write_family(family: &CompiledFamily, state: &mut ReductionState, out: &mut [f64]) {
    for &(accumulator, agg, at) in &family.outputs {
        out[at] = state.finish(accumulator, agg);
    }
    if let Some(at) = family.count_at {
        out[at] = if state.rows == 0 {
            f64::NAN
        } else {
            f64::from(state.rows)
        };
    }
}
