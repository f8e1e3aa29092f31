//! Each node of the feature definition as a polars expression, one to one,
//! with the meaning written on the node in `scoring_core::features`. A text
//! column compared with values is read through its codes ([`Codes`]).

use polars::prelude::*;
use scoring_core::features::{Agg, Filter, RowExpr};

use super::codes::Codes;

/// The polars expression of a row expression over a frame coded with `codes`.
pub(crate) fn row_expr(expr: &RowExpr, codes: &Codes) -> Expr {
    let row_expr = |e: &RowExpr| row_expr(e, codes);
    match expr {
        RowExpr::Column(c) => col(c.as_str()),
        RowExpr::Constant(v) => lit(*v),
        RowExpr::Add(a, b) => arithmetic(a, b, codes, |a, b| a + b),
        RowExpr::Sub(a, b) => arithmetic(a, b, codes, |a, b| a - b),
        RowExpr::Mul(a, b) => arithmetic(a, b, codes, |a, b| a * b),
        // 0/0 is missing; x/0 stays ±inf, as in pandas.
        RowExpr::Div(a, b) => (row_expr(a) / row_expr(b)).fill_nan(lit(NULL)),
        RowExpr::MissingIf { input, sentinel } => {
            let x = row_expr(input);
            when(x.clone().eq(lit(*sentinel)))
                .then(lit(NULL))
                .otherwise(x)
        }
        // A missing x compares as missing, so `otherwise` gives 0.
        RowExpr::PositivePart(input) => {
            let x = row_expr(input);
            when(x.clone().gt(lit(0.0))).then(x).otherwise(lit(0.0))
        }
        RowExpr::Equals { column, value } => equals(column, value, codes)
            .fill_null(lit(false))
            .cast(DataType::Float64),
        RowExpr::IsMissing { column } => col(column.as_str()).is_null().cast(DataType::Float64),
        RowExpr::CodeOf { column, values } => {
            let mut code = lit(-1.0);
            for (i, value) in values.iter().enumerate().rev() {
                code = when(equals(column, value, codes))
                    .then(lit(i as f64))
                    .otherwise(code);
            }
            code
        }
    }
}

/// Whether the text of `column` is `value` (missing where it is missing).
fn equals(column: &str, value: &str, codes: &Codes) -> Expr {
    if !codes.is_coded(column) {
        return col(column).eq(lit(value.to_owned()));
    }
    match codes.code(column, value) {
        Some(code) => col(column).eq(lit(code)),
        // A value the codes were not built with cannot be told apart from
        // the others, so it never matches (never reached: the codes are
        // built from the same plan).
        None => col(column).is_null().and(lit(false)),
    }
}

/// The rows a family filter keeps.
pub(crate) fn filter(filter: &Filter, codes: &Codes) -> Expr {
    equals(&filter.column, &filter.equals, codes)
}

/// `a op b`. The input columns hold finite numbers, so only an operand
/// that is itself computed (a ratio can be ±inf) can make a NaN, which the
/// definition counts as missing: only then is it made null.
fn arithmetic(a: &RowExpr, b: &RowExpr, codes: &Codes, op: fn(Expr, Expr) -> Expr) -> Expr {
    let finite = |e: &RowExpr| match e {
        RowExpr::Column(_) => true,
        RowExpr::Constant(v) => v.is_finite(),
        _ => false,
    };
    let out = op(row_expr(a, codes), row_expr(b, codes));
    if finite(a) && finite(b) {
        out
    } else {
        out.fill_nan(lit(NULL))
    }
}

/// The reduction `agg` of `input` over a group of rows, as f64.
pub(crate) fn aggregate(input: Expr, agg: Agg) -> Expr {
    let reduced = match agg {
        Agg::Min => input.min(),
        Agg::Max => input.max(),
        Agg::Mean => input.mean(),
        // pandas sums an all-missing group to 0, and so does polars.
        Agg::Sum => input.sum(),
        Agg::Var => input.var(1),
        Agg::Size => input.len(),
        Agg::NUnique => input.drop_nulls().n_unique(),
    };
    reduced.cast(DataType::Float64)
}
