//! Category vocabularies and the per-row columns derived from a table.
//!
//! A vocabulary is read from the data the first time a table is built and
//! stored in the schema; rebuilding with that schema reuses it, so a client
//! scored later is encoded into exactly the same columns (a category never
//! seen before sets none of the indicators).

use polars::prelude::*;
use scoring_core::{CategoryEncoding, CategoryVocabulary, FeatureKind};
use synth::tables::Table;

use crate::{Error, Result};

/// A column computed for every row of a table, before any aggregation.
#[derive(Clone)]
pub(crate) struct RowColumn {
    pub(crate) name: String,
    pub(crate) expr: Expr,
    pub(crate) kind: FeatureKind,
    pub(crate) source_column: String,
    pub(crate) category: Option<String>,
    pub(crate) description: String,
}

impl RowColumn {
    /// A column of the file used as it is.
    pub(crate) fn raw(column: &str, description: String) -> Self {
        Self {
            name: column.to_owned(),
            expr: col(column),
            kind: FeatureKind::Numeric,
            source_column: column.to_owned(),
            category: None,
            description,
        }
    }

    /// A column computed from others (a ratio, a clipped difference…).
    pub(crate) fn derived(name: &str, expr: Expr, sources: &str, description: &str) -> Self {
        Self {
            name: name.to_owned(),
            expr: expr.alias(name),
            kind: FeatureKind::Numeric,
            source_column: sources.to_owned(),
            category: None,
            description: description.to_owned(),
        }
    }
}

/// Keeps only `[A-Za-z0-9_]`, as the kernel does before training LightGBM.
pub(crate) fn clean_name(name: &str) -> String {
    name.chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect()
}

/// Vocabularies in use: fixed ones from an earlier schema, or read from data.
pub(crate) struct Vocabularies {
    fixed: Option<Vec<CategoryVocabulary>>,
    used: Vec<CategoryVocabulary>,
}

impl Vocabularies {
    pub(crate) fn new(fixed: Option<Vec<CategoryVocabulary>>) -> Self {
        Self {
            fixed,
            used: Vec::new(),
        }
    }

    pub(crate) fn into_used(self) -> Vec<CategoryVocabulary> {
        self.used
    }

    /// The values of `column`, sorted as `pd.get_dummies` sorts them (for
    /// one-hot) or in order of first appearance as `pd.factorize` (for codes).
    fn values(
        &mut self,
        table: Table,
        frame: &DataFrame,
        column: &str,
        encoding: CategoryEncoding,
        excluded: &[&str],
    ) -> Result<Vec<String>> {
        let table_name = table.short_name();
        let values = match &self.fixed {
            Some(fixed) => fixed
                .iter()
                .find(|v| v.table == table_name && v.column == column && v.encoding == encoding)
                .map(|v| v.values.clone())
                .ok_or_else(|| Error::VocabularyMissing {
                    table: table_name,
                    column: column.to_owned(),
                })?,
            None => {
                read_values(frame, column, encoding, excluded).map_err(|source| Error::Polars {
                    stage: "reading category values",
                    source,
                })?
            }
        };
        self.used.push(CategoryVocabulary {
            table: table_name.to_owned(),
            column: column.to_owned(),
            encoding,
            values: values.clone(),
        });
        Ok(values)
    }

    /// One indicator per category (`{column}_{value}`), plus `{column}_nan`
    /// for a missing value when `with_missing`, as `pd.get_dummies`.
    pub(crate) fn one_hot(
        &mut self,
        table: Table,
        frame: &DataFrame,
        column: &str,
        with_missing: bool,
        describe: &str,
    ) -> Result<Vec<RowColumn>> {
        let encoding = CategoryEncoding::OneHot { with_missing };
        let values = self.values(table, frame, column, encoding, &[])?;
        let mut columns: Vec<RowColumn> = values
            .into_iter()
            .map(|value| {
                let name = clean_name(&format!("{column}_{value}"));
                RowColumn {
                    expr: col(column)
                        .eq(lit(value.clone()))
                        .fill_null(lit(false))
                        .cast(DataType::Float64)
                        .alias(&name),
                    name,
                    kind: FeatureKind::Indicator,
                    source_column: column.to_owned(),
                    description: format!("{describe}: is {value}"),
                    category: Some(value),
                }
            })
            .collect();
        if with_missing {
            let name = format!("{column}_nan");
            columns.push(RowColumn {
                expr: col(column).is_null().cast(DataType::Float64).alias(&name),
                name,
                kind: FeatureKind::Indicator,
                source_column: column.to_owned(),
                category: None,
                description: format!("{describe}: is missing"),
            });
        }
        Ok(columns)
    }

    /// A single integer code per category in first-appearance order, -1 for
    /// missing or unknown values (`pd.factorize`). `excluded` values are
    /// treated as missing.
    pub(crate) fn code(
        &mut self,
        table: Table,
        frame: &DataFrame,
        column: &str,
        excluded: &[&str],
        describe: &str,
    ) -> Result<RowColumn> {
        let values = self.values(table, frame, column, CategoryEncoding::Code, excluded)?;
        let mut expr = lit(-1.0);
        for (code, value) in values.iter().enumerate().rev() {
            expr = when(col(column).eq(lit(value.clone())))
                .then(lit(code as f64))
                .otherwise(expr);
        }
        let legend: Vec<String> = values
            .iter()
            .enumerate()
            .map(|(i, v)| format!("{i} = {v}"))
            .collect();
        Ok(RowColumn {
            name: column.to_owned(),
            expr: expr.alias(column),
            kind: FeatureKind::CategoryCode,
            source_column: column.to_owned(),
            category: None,
            description: format!("{describe} (code: {}; -1 = missing)", legend.join(", ")),
        })
    }
}

fn read_values(
    frame: &DataFrame,
    column: &str,
    encoding: CategoryEncoding,
    excluded: &[&str],
) -> PolarsResult<Vec<String>> {
    let series = frame.column(column)?.as_materialized_series().drop_nulls();
    let distinct = match encoding {
        CategoryEncoding::Code => series.unique_stable()?,
        CategoryEncoding::OneHot { .. } => series.unique()?,
    };
    let mut values: Vec<String> = distinct
        .str()?
        .iter()
        .flatten()
        .filter(|v| !excluded.contains(v))
        .map(str::to_owned)
        .collect();
    if matches!(encoding, CategoryEncoding::OneHot { .. }) {
        values.sort_unstable();
    }
    Ok(values)
}
