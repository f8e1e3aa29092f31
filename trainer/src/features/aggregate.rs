//! Per-client aggregation of a history table into a family of features.

use polars::prelude::*;
use scoring_core::{FeatureKind, FeatureSpec};
use synth::tables::Table;

use super::describe::rows_label;
use super::encode::RowColumn;

/// A reduction of a client's rows, named as pandas names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Agg {
    Min,
    Max,
    Mean,
    Sum,
    /// Sample variance (n − 1); missing for a single row.
    Var,
    /// Number of rows, missing values included.
    Size,
    /// Number of distinct non-missing values.
    NUnique,
}

impl Agg {
    fn suffix(self) -> &'static str {
        match self {
            Agg::Min => "MIN",
            Agg::Max => "MAX",
            Agg::Mean => "MEAN",
            Agg::Sum => "SUM",
            Agg::Var => "VAR",
            Agg::Size => "SIZE",
            Agg::NUnique => "NUNIQUE",
        }
    }

    fn words(self) -> &'static str {
        match self {
            Agg::Min => "Minimum",
            Agg::Max => "Maximum",
            Agg::Mean => "Mean",
            Agg::Sum => "Sum",
            Agg::Var => "Sample variance",
            Agg::Size => "Number",
            Agg::NUnique => "Number of distinct values",
        }
    }

    fn apply(self, input: Expr) -> Expr {
        match self {
            Agg::Min => input.min(),
            Agg::Max => input.max(),
            Agg::Mean => input.mean(),
            // pandas sums an all-missing group to 0, and so does polars.
            Agg::Sum => input.sum(),
            Agg::Var => input.var(1),
            Agg::Size => input.len(),
            Agg::NUnique => input.drop_nulls().n_unique(),
        }
    }

    pub(crate) fn name(self) -> &'static str {
        match self {
            Agg::Min => "min",
            Agg::Max => "max",
            Agg::Mean => "mean",
            Agg::Sum => "sum",
            Agg::Var => "var",
            Agg::Size => "size",
            Agg::NUnique => "nunique",
        }
    }
}

/// Which rows a family covers and how its features are named.
pub(crate) struct Family {
    /// Prefix of every feature (`BURO_`, `ACTIVE_`…).
    pub(crate) prefix: &'static str,
    pub(crate) table: Table,
    /// Plain words for the rows, e.g. "active Credit Bureau credits".
    pub(crate) rows: String,
}

impl Family {
    pub(crate) fn new(prefix: &'static str, table: Table) -> Self {
        Self {
            prefix,
            table,
            rows: rows_label(table).to_owned(),
        }
    }

    pub(crate) fn with_rows(mut self, rows: &str) -> Self {
        self.rows = rows.to_owned();
        self
    }
}

/// The aggregation expressions of a family and the matching schema entries,
/// in pandas' output order (column by column, reductions in the order given).
pub(crate) fn family_aggregations(
    family: &Family,
    items: &[(&RowColumn, &[Agg])],
) -> (Vec<Expr>, Vec<FeatureSpec>) {
    let mut exprs = Vec::new();
    let mut specs = Vec::new();
    for (column, aggs) in items {
        for &agg in *aggs {
            let name = format!("{}{}_{}", family.prefix, column.name, agg.suffix());
            exprs.push(
                agg.apply(col(column.name.as_str()))
                    .cast(DataType::Float64)
                    .alias(&name),
            );
            specs.push(FeatureSpec {
                kind: if agg == Agg::Mean {
                    column.kind
                } else {
                    FeatureKind::Numeric
                },
                source_table: family.table.short_name().to_owned(),
                source_column: column.source_column.clone(),
                aggregation: agg.name().to_owned(),
                category: column.category.clone(),
                description: describe(family, column, agg),
                name,
            });
        }
    }
    (exprs, specs)
}

fn describe(family: &Family, column: &RowColumn, agg: Agg) -> String {
    let rows = &family.rows;
    match (agg, column.kind) {
        (Agg::Size, _) => format!("Number of the client's {rows}"),
        (Agg::Mean, FeatureKind::Indicator) => {
            format!(
                "Share of the client's {rows} where {}",
                lowercase_first(&column.description)
            )
        }
        _ => format!(
            "{} over the client's {rows} of: {}",
            agg.words(),
            column.description
        ),
    }
}

fn lowercase_first(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}
