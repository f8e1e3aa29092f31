//! One family's reductions over rows in memory, each sent where it is
//! cheapest: a category share is counted ([`super::shares`]), a minimum,
//! maximum, mean, sum, variance or row count of an f64 column or of an
//! indicator is reduced in our own passes ([`super::reduce`]), anything
//! else (a code, an integer column) is a polars group-by.
//! All of them share the table's [`Groups`].

use polars::prelude::*;
use scoring_core::features::{Agg, PlanValue, RowExpr, TablePlan};

use super::codes::Codes;
use super::collect_streaming;
use super::groups::Groups;
use super::reduce::{Input, Reduction, reduce};
use super::shares::{Share, shares};
use super::translate::{aggregate, row_expr};

/// The reductions of one family (or one child table's rollup), sorted by
/// where they are computed.
#[derive(Default)]
pub(crate) struct Family<'a> {
    shares: Vec<Share>,
    counted: Vec<Reduction<'a>>,
    by_polars: Vec<Expr>,
}

impl<'a> Family<'a> {
    /// Adds feature `name`, the reduction `agg` of column `index` of
    /// `plan`, over `rows` (the table's rows in memory, coded with `codes`).
    pub(crate) fn add(
        &mut self,
        rows: &DataFrame,
        plan: &'a TablePlan,
        codes: &Codes,
        (index, agg): (usize, Agg),
        name: &str,
    ) {
        if let Some(share) = share_of(plan, index, agg, codes, name) {
            self.shares.push(share);
            return;
        }
        match counted_input(rows, plan, index, codes) {
            Some(input) => self.counted.push(Reduction {
                input,
                agg,
                name: name.to_owned(),
            }),
            None => self
                .by_polars
                .push(aggregate(column_expr(plan, index, codes), agg).alias(name)),
        }
    }

    /// Adds feature `name`, the number of rows of each group.
    pub(crate) fn add_count(&mut self, name: &str) {
        self.counted.push(Reduction {
            input: Input::Rows,
            agg: Agg::Size,
            name: name.to_owned(),
        });
    }

    /// The family's parts, each keyed by `key` with one row per group of
    /// `groups`, or per key of the rows `kept` (a filter) for polars' part.
    pub(crate) fn reduce(
        self,
        rows: &DataFrame,
        groups: &Groups,
        key: &str,
        kept: Option<Expr>,
    ) -> PolarsResult<Vec<DataFrame>> {
        let (mut parts, by_polars) = self.parts(rows, groups, key, kept)?;
        parts.extend(by_polars);
        Ok(parts)
    }

    /// The family's features in one frame keyed by `key`, one row per group
    /// of `groups` (a child table's rollup, joined to its parent's rows).
    pub(crate) fn reduce_to_one(
        self,
        rows: &DataFrame,
        groups: &Groups,
        key: &str,
    ) -> PolarsResult<DataFrame> {
        let (parts, by_polars) = self.parts(rows, groups, key, None)?;
        let mut out = DataFrame::new_infer_height(vec![groups.key_column(key)])?;
        // The counted parts have the groups' rows in their order.
        for part in parts {
            let features: Vec<Column> = part
                .columns()
                .iter()
                .filter(|c| c.name() != key)
                .cloned()
                .collect();
            out.hstack_mut(&features)?;
        }
        match by_polars {
            Some(part) => out.left_join(&part, [key], [key]),
            None => Ok(out),
        }
    }

    /// The parts in the groups' order, and polars' part.
    fn parts(
        self,
        rows: &DataFrame,
        groups: &Groups,
        key: &str,
        kept: Option<Expr>,
    ) -> PolarsResult<(Vec<DataFrame>, Option<DataFrame>)> {
        let mut parts = Vec::new();
        if !self.counted.is_empty() {
            parts.push(reduce(rows, groups, key, &self.counted)?);
        }
        if !self.shares.is_empty() {
            parts.push(shares(rows, groups, key, &self.shares)?);
        }
        if self.by_polars.is_empty() {
            return Ok((parts, None));
        }
        let rows = rows.clone().lazy();
        let rows = match kept {
            Some(kept) => rows.filter(kept),
            None => rows,
        };
        let reduced = rows.group_by([col(key)]).agg(self.by_polars);
        Ok((parts, Some(collect_streaming(reduced)?)))
    }
}

/// What our own passes read for column `index` of `plan`: a stored f64
/// column, or the indicator of a coded column's value or of its missing.
fn counted_input<'a>(
    rows: &DataFrame,
    plan: &'a TablePlan,
    index: usize,
    codes: &Codes,
) -> Option<Input<'a>> {
    if let Some((column, code)) = indicator_of(plan, index, codes) {
        return Some(Input::Indicator { column, code });
    }
    if is_inline(plan, index) {
        return None;
    }
    let name = &plan.columns[index].name;
    let stored = rows.column(name).ok()?;
    (stored.dtype() == &DataType::Float64).then_some(Input::Number(name))
}

/// Feature `name`, the reduction `agg` of column `index` of `plan`, as a
/// share counted from the codes, when it is the mean of a coded column's
/// indicator (of a value or of missing).
fn share_of(plan: &TablePlan, index: usize, agg: Agg, codes: &Codes, name: &str) -> Option<Share> {
    if agg != Agg::Mean {
        return None;
    }
    let (column, code) = indicator_of(plan, index, codes)?;
    Some(Share {
        column: column.to_owned(),
        code,
        name: name.to_owned(),
    })
}

/// The coded column and the code (`None` for missing) of which column
/// `index` of `plan` is the 0/1 indicator, if it is one (and its value has
/// a code).
fn indicator_of<'a>(
    plan: &'a TablePlan,
    index: usize,
    codes: &Codes,
) -> Option<(&'a str, Option<u32>)> {
    match &plan.columns[index].value {
        PlanValue::Row(RowExpr::Equals { column, value }) if codes.is_coded(column) => {
            Some((column, Some(codes.code(column, value)?)))
        }
        PlanValue::Row(RowExpr::IsMissing { column }) if codes.is_coded(column) => {
            Some((column, None))
        }
        _ => None,
    }
}

/// Whether column `index` of `plan` is computed inside each reduction that
/// reads it rather than stored: an indicator or a code, cheap from the codes
/// and as many as a category has values.
pub(crate) fn is_inline(plan: &TablePlan, index: usize) -> bool {
    matches!(
        &plan.columns[index].value,
        PlanValue::Row(RowExpr::Equals { .. } | RowExpr::IsMissing { .. } | RowExpr::CodeOf { .. })
    )
}

/// The expression giving column `index` of `plan`'s rows.
pub(crate) fn column_expr(plan: &TablePlan, index: usize, codes: &Codes) -> Expr {
    let column = &plan.columns[index];
    match &column.value {
        PlanValue::Row(expr) if is_inline(plan, index) => row_expr(expr, codes),
        _ => col(column.name.as_str()),
    }
}
