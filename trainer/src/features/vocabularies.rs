//! The category vocabularies of a build: read from the data the first time a
//! table is built and stored in the schema; rebuilding with that schema
//! reuses them, so a client scored later is encoded into exactly the same
//! columns (a category never seen before sets none of the indicators).

use polars::prelude::*;
use scoring_core::features::{FeatureDefinition, Table};
use scoring_core::{CategoryEncoding, CategoryVocabulary};

use super::dictionary::LoadedTable;
use crate::{Error, Result};

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

    /// The vocabularies recorded so far, in the order they were recorded.
    pub(crate) fn used(&self) -> &[CategoryVocabulary] {
        &self.used
    }

    pub(crate) fn into_used(self) -> Vec<CategoryVocabulary> {
        self.used
    }

    /// Records the vocabularies of `table`'s own category columns (as
    /// [`FeatureDefinition::categories`] orders them), from `frame` or from
    /// the fixed schema.
    pub(crate) fn record(
        &mut self,
        definition: &FeatureDefinition,
        table: Table,
        loaded: &LoadedTable,
    ) -> Result<()> {
        for category in definition.categories(table) {
            if category.table != table {
                continue;
            }
            let values = match &self.fixed {
                Some(fixed) => fixed
                    .iter()
                    .find(|v| {
                        v.table == table.name()
                            && v.column == category.column
                            && v.encoding == category.encoding
                    })
                    .map(|v| v.values.clone())
                    .ok_or_else(|| Error::VocabularyMissing {
                        table: table.name(),
                        column: category.column.clone(),
                    })?,
                None => read_values(
                    loaded,
                    &category.column,
                    category.encoding,
                    &category.excluded,
                )
                .map_err(|source| Error::Polars {
                    stage: "reading category values",
                    source,
                })?,
            };
            self.used.push(CategoryVocabulary {
                table: table.name().to_owned(),
                column: category.column,
                encoding: category.encoding,
                values,
            });
        }
        Ok(())
    }
}

/// The values of `column`, sorted as `pd.get_dummies` sorts them (for
/// one-hot) or in order of first appearance as `pd.factorize` (for codes);
/// `excluded` values are left out.
fn read_values(
    loaded: &LoadedTable,
    column: &str,
    encoding: CategoryEncoding,
    excluded: &[String],
) -> PolarsResult<Vec<String>> {
    // The dictionary lists the distinct values in order of first appearance.
    let mut values: Vec<String> = loaded
        .dictionary(column)?
        .iter()
        .filter(|v| !excluded.contains(v))
        .cloned()
        .collect();
    if matches!(encoding, CategoryEncoding::OneHot { .. }) {
        values.sort_unstable();
    }
    Ok(values)
}
