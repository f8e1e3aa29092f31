//! Leaving source columns out of the model's inputs: every feature derived
//! from one of them (through its source columns, as the reason codes and
//! the column policy read them: `DAYS_EMPLOYED_PERC` comes from
//! `DAYS_EMPLOYED` and `DAYS_BIRTH`) is dropped from the schema and the
//! rows.

use std::collections::BTreeSet;

use scoring_core::FeatureSchema;

use crate::train::table::{Rows, TrainingTable};
use crate::{Error, Result};

/// The flag whose columns [`without_columns`] checks.
pub const EXCLUDE_FLAG: &str = "--exclude-features";

/// Positions of the features of `schema` derived from none of `columns`.
pub fn kept_features(schema: &FeatureSchema, columns: &[String]) -> Vec<usize> {
    (0..schema.features.len())
        .filter(|&j| {
            !schema.features[j]
                .source_columns()
                .any(|c| columns.iter().any(|x| x == c))
        })
        .collect()
}

/// Checks that every one of `columns` is a source column of `schema`,
/// naming [`EXCLUDE_FLAG`], the column and the columns there are.
pub fn check_columns(schema: &FeatureSchema, columns: &[String]) -> Result<()> {
    let known: BTreeSet<&str> = schema
        .features
        .iter()
        .flat_map(|f| f.source_columns())
        .collect();
    if let Some(unknown) = columns.iter().find(|c| !known.contains(c.as_str())) {
        let list: Vec<&str> = known.into_iter().collect();
        return Err(Error::InvalidArgument {
            flag: EXCLUDE_FLAG,
            message: format!(
                "`{unknown}` is not a source column of the table's features; its {} source columns are: {}",
                list.len(),
                list.join(", ")
            ),
        });
    }
    Ok(())
}

/// The rows with only the features at `kept` (of `n` per row).
pub fn keep_columns(values: &[f64], n: usize, kept: &[usize]) -> Vec<f64> {
    let mut out = Vec::with_capacity(values.len() / n.max(1) * kept.len());
    for row in values.chunks_exact(n.max(1)) {
        out.extend(kept.iter().map(|&j| row[j]));
    }
    out
}

/// `table` without the features derived from `columns`; an unknown column,
/// or columns that would leave no feature, are refused.
pub fn without_columns(table: &TrainingTable, columns: &[String]) -> Result<TrainingTable> {
    check_columns(&table.schema, columns)?;
    let kept = kept_features(&table.schema, columns);
    if kept.is_empty() {
        return Err(Error::InvalidArgument {
            flag: EXCLUDE_FLAG,
            message: format!("leaving out {} would leave no feature", columns.join(", ")),
        });
    }
    let n = table.schema.features.len();
    let rows = |rows: &Rows| Rows {
        ids: rows.ids.clone(),
        values: keep_columns(&rows.values, n, &kept),
    };
    Ok(TrainingTable {
        path: table.path.clone(),
        schema: FeatureSchema {
            features: kept
                .iter()
                .map(|&j| table.schema.features[j].clone())
                .collect(),
            ..table.schema.clone()
        },
        labelled: rows(&table.labelled),
        labels: table.labels.clone(),
        unlabelled: rows(&table.unlabelled),
    })
}
