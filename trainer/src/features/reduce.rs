//! The reductions of a family counted in our own passes over rows already
//! in memory, with the groups of [`super::groups`] computed once per table:
//! one pass per input column feeds each group's [`Accumulator`] (count,
//! sum, minimum, maximum, and Welford's variance where asked), the online
//! engine's own, so that both engines agree to the last bit. Polars'
//! group-by hashed the keys again for each family and filtered a copy of
//! the rows for each filter.
//!
//! As in pandas, a missing value or NaN is skipped: an all-missing group
//! sums to 0, has no minimum, maximum or mean and 0 distinct values; a
//! variance needs two values (`ddof = 1`).

use polars::prelude::*;
use polars_arrow::bitmap::MutableBitmap;
use rayon::prelude::*;
use scoring_core::features::{Accumulator, Agg, distinct_key};

use super::codes::codes_in;
use super::groups::{Groups, NONE};

/// What a reduction reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Input<'a> {
    /// A stored f64 column.
    Number(&'a str),
    /// The 0/1 indicator of `code` (missing when `None`) in a coded column;
    /// never missing itself.
    Indicator { column: &'a str, code: Option<u32> },
    /// The rows themselves, for their number ([`Agg::Size`] only).
    Rows,
}

/// One feature: `agg` of `input` per group, named `name`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Reduction<'a> {
    pub(crate) input: Input<'a>,
    pub(crate) agg: Agg,
    pub(crate) name: String,
}

/// What one pass over an input feeds besides its totals.
#[derive(Debug, Clone, Copy, Default)]
struct Needs {
    variance: bool,
    distinct: bool,
}

/// One row per group of `groups` (in their order): the key column, named
/// `key`, then each reduction as an f64 column.
pub(crate) fn reduce(
    rows: &DataFrame,
    groups: &Groups,
    key: &str,
    reductions: &[Reduction<'_>],
) -> PolarsResult<DataFrame> {
    let mut inputs: Vec<(Input<'_>, Needs)> = Vec::new();
    for reduction in reductions.iter().filter(|r| r.agg != Agg::Size) {
        let position = match inputs.iter().position(|(i, _)| *i == reduction.input) {
            Some(position) => position,
            None => {
                inputs.push((reduction.input, Needs::default()));
                inputs.len() - 1
            }
        };
        let needs = &mut inputs[position].1;
        needs.variance |= reduction.agg == Agg::Var;
        needs.distinct |= reduction.agg == Agg::NUnique;
    }
    let stats: Vec<Stats> = inputs
        .par_iter()
        .map(|&(input, needs)| Stats::of(rows, input, groups, needs))
        .collect::<PolarsResult<_>>()?;

    let mut columns = vec![groups.key_column(key)];
    for reduction in reductions {
        let column = match reduction.agg {
            Agg::Size => Float64Chunked::from_vec(
                reduction.name.as_str().into(),
                groups.sizes.iter().map(|&s| f64::from(s)).collect(),
            ),
            agg => {
                let position = inputs
                    .iter()
                    .position(|(input, _)| *input == reduction.input)
                    .unwrap_or_default();
                stats[position].column(&reduction.name, agg, &groups.sizes)
            }
        };
        columns.push(column.into_column());
    }
    DataFrame::new_infer_height(columns)
}

/// Per group: the accumulated values of an input (side by side: one cache
/// line per row when groups are scattered), and when asked the number of
/// distinct values.
struct Stats {
    accumulators: Vec<Accumulator>,
    distinct: Option<Vec<u32>>,
}

impl Stats {
    fn of(rows: &DataFrame, input: Input<'_>, groups: &Groups, needs: Needs) -> PolarsResult<Self> {
        let mut accumulators = vec![Accumulator::EMPTY; groups.len()];
        let mut seen: Option<PlHashSet<(u32, u64)>> = needs.distinct.then(PlHashSet::new);
        visit(
            rows,
            input,
            &groups.of_row,
            &mut Fold {
                accumulators: &mut accumulators,
                variance: needs.variance,
                seen: seen.as_mut(),
            },
        )?;
        let distinct = seen.map(|seen| {
            let mut distinct = vec![0u32; accumulators.len()];
            for (group, _) in seen {
                distinct[group as usize] += 1;
            }
            distinct
        });
        Ok(Self {
            accumulators,
            distinct,
        })
    }

    /// The reduction `agg` per group (of `sizes` rows), missing where the
    /// group has no value for it.
    fn column(&self, name: &str, agg: Agg, sizes: &[u32]) -> Float64Chunked {
        let numbers: Vec<f64> = self
            .accumulators
            .iter()
            .zip(sizes)
            .enumerate()
            .map(|(g, (accumulator, &rows))| {
                let distinct = self.distinct.as_ref().map_or(0, |d| d[g] as usize);
                accumulator.finish(agg, rows, distinct)
            })
            .collect();
        // NaN stands for missing in `finish`.
        let present = MutableBitmap::from_iter(numbers.iter().map(|v| !v.is_nan()));
        Float64Chunked::from_vec_validity(name.into(), numbers, Some(present.into()))
    }
}

/// What one pass does with each value of a group.
struct Fold<'a> {
    accumulators: &'a mut [Accumulator],
    /// Welford's update costs a division per value: only where asked.
    variance: bool,
    seen: Option<&'a mut PlHashSet<(u32, u64)>>,
}

impl Fold<'_> {
    // Inlined in the loops of `visit`: a call per value cost as much as
    // the work.
    #[inline(always)]
    fn add(&mut self, group: u32, value: f64) {
        let accumulator = &mut self.accumulators[group as usize];
        if self.variance {
            accumulator.add(value);
        } else {
            accumulator.add_to_totals(value);
        }
        if let Some(seen) = self.seen.as_mut() {
            seen.insert((group, distinct_key(value)));
        }
    }
}

/// Gives `fold` every row in a group whose value is present and not NaN.
fn visit(
    rows: &DataFrame,
    input: Input<'_>,
    of_row: &[u32],
    fold: &mut Fold<'_>,
) -> PolarsResult<()> {
    let column = match input {
        Input::Number(column) | Input::Indicator { column, .. } => rows.column(column)?,
        Input::Rows => {
            return Err(PolarsError::ComputeError(
                "only the number of rows is read from the rows".into(),
            ));
        }
    };
    if column.len() != of_row.len() {
        return Err(PolarsError::ShapeMismatch(
            format!(
                "{} has {} rows, its groups {}",
                column.name(),
                column.len(),
                of_row.len()
            )
            .into(),
        ));
    }
    let mut row = 0;
    match input {
        Input::Number(_) => {
            let values = column.as_materialized_series().f64()?.clone();
            for array in values.downcast_iter() {
                let groups = &of_row[row..row + array.len()];
                row += array.len();
                let numbers = array.values().as_slice();
                match array.validity().filter(|v| v.unset_bits() > 0) {
                    None => {
                        for (&group, &value) in groups.iter().zip(numbers) {
                            if group != NONE && !value.is_nan() {
                                fold.add(group, value);
                            }
                        }
                    }
                    Some(validity) => {
                        for ((&group, &value), valid) in
                            groups.iter().zip(numbers).zip(validity.iter())
                        {
                            if group != NONE && valid && !value.is_nan() {
                                fold.add(group, value);
                            }
                        }
                    }
                }
            }
        }
        Input::Rows => {}
        Input::Indicator { column, code } => {
            let codes = codes_in(rows, column)?;
            for array in codes.downcast_iter() {
                let groups = &of_row[row..row + array.len()];
                row += array.len();
                for (&group, value) in groups.iter().zip(array.iter()) {
                    if group != NONE {
                        let hit = match code {
                            Some(code) => value == Some(&code),
                            None => value.is_none(),
                        };
                        fold.add(group, f64::from(u8::from(hit)));
                    }
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
