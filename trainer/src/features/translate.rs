//! Each node of the feature definition as a polars expression, one to one,
//! with the meaning written on the node in `scoring_core::features`.

use polars::prelude::*;
use scoring_core::features::{Agg, RowExpr};

/// The polars expression of a row expression.
pub(crate) fn row_expr(expr: &RowExpr) -> Expr {
    match expr {
        RowExpr::Column(c) => col(c.as_str()),
        RowExpr::Constant(v) => lit(*v),
        RowExpr::Add(a, b) => arithmetic(a, b, |a, b| a + b),
        RowExpr::Sub(a, b) => arithmetic(a, b, |a, b| a - b),
        RowExpr::Mul(a, b) => arithmetic(a, b, |a, b| a * b),
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
        RowExpr::Equals { column, value } => col(column.as_str())
            .eq(lit(value.clone()))
            .fill_null(lit(false))
            .cast(DataType::Float64),
        RowExpr::IsMissing { column } => col(column.as_str()).is_null().cast(DataType::Float64),
        RowExpr::CodeOf { column, values } => {
            let mut code = lit(-1.0);
            for (i, value) in values.iter().enumerate().rev() {
                code = when(col(column.as_str()).eq(lit(value.clone())))
                    .then(lit(i as f64))
                    .otherwise(code);
            }
            code
        }
    }
}

/// `a op b`. The input columns hold finite numbers, so only an operand
/// that is itself computed (a ratio can be ±inf) can make a NaN, which the
/// definition counts as missing: only then is it made null.
fn arithmetic(a: &RowExpr, b: &RowExpr, op: fn(Expr, Expr) -> Expr) -> Expr {
    let finite = |e: &RowExpr| match e {
        RowExpr::Column(_) => true,
        RowExpr::Constant(v) => v.is_finite(),
        _ => false,
    };
    let out = op(row_expr(a), row_expr(b));
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
