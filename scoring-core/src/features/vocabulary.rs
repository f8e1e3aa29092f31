//! The category columns a definition needs vocabularies of, and the feature
//! schema a definition gives with its vocabularies.

use super::definition::{ColumnValue, FeatureDefinition};
use super::tables::Table;
use crate::schema::{CategoryEncoding, CategoryVocabulary, FeatureSchema, SCHEMA_FORMAT_VERSION};
use crate::{Error, Result};

/// A category column whose vocabulary a table's features need.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CategoryColumn {
    pub table: Table,
    pub column: String,
    pub encoding: CategoryEncoding,
    /// Values left out of the vocabulary when it is read from data.
    pub excluded: Vec<String>,
}

impl FeatureDefinition {
    /// The category columns `table`'s features need a vocabulary of: those
    /// of its child tables first, then its own in file column order (the
    /// order in which the batch engine reads and records them).
    pub fn categories(&self, table: Table) -> Vec<CategoryColumn> {
        let Some(definition) = self.table(table) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for def in &definition.columns {
            if let ColumnValue::Rollup { child, .. } = &def.value {
                for category in self.categories(*child) {
                    if !out.contains(&category) {
                        out.push(category);
                    }
                }
            }
        }
        let mut own: Vec<CategoryColumn> = definition
            .columns
            .iter()
            .filter_map(|def| match &def.value {
                ColumnValue::OneHot {
                    column,
                    with_missing,
                } => Some(CategoryColumn {
                    table,
                    column: column.clone(),
                    encoding: CategoryEncoding::OneHot {
                        with_missing: *with_missing,
                    },
                    excluded: Vec::new(),
                }),
                ColumnValue::Code { column, excluded } => Some(CategoryColumn {
                    table,
                    column: column.clone(),
                    encoding: CategoryEncoding::Code,
                    excluded: excluded.clone(),
                }),
                _ => None,
            })
            .collect();
        own.sort_by_key(|c| table.position(&c.column));
        out.extend(own);
        out
    }

    /// The schema of the definition's features with `vocabularies`: every
    /// feature, and the vocabularies used, in the order of
    /// [`FeatureDefinition::categories`] table after table.
    pub fn schema(&self, vocabularies: &[CategoryVocabulary]) -> Result<FeatureSchema> {
        let plan = self.resolve(vocabularies)?;
        let mut used: Vec<CategoryVocabulary> = Vec::new();
        for table in &plan.tables {
            for category in self.categories(table.table) {
                let values = vocabulary(
                    vocabularies,
                    category.table,
                    &category.column,
                    category.encoding,
                )?;
                let vocabulary = CategoryVocabulary {
                    table: category.table.name().to_owned(),
                    column: category.column,
                    encoding: category.encoding,
                    values: values.to_vec(),
                };
                if !used.contains(&vocabulary) {
                    used.push(vocabulary);
                }
            }
        }
        let schema = FeatureSchema {
            format_version: SCHEMA_FORMAT_VERSION,
            id_column: super::tables::CLIENT_ID.to_owned(),
            target_column: Some(super::kernel::TARGET.to_owned()),
            features: plan.specs().cloned().collect(),
            vocabularies: used,
            columns: None,
        };
        schema.validate()?;
        Ok(schema)
    }
}

/// The vocabulary of `column` of `table` with `encoding`.
pub(super) fn vocabulary<'a>(
    vocabularies: &'a [CategoryVocabulary],
    table: Table,
    column: &str,
    encoding: CategoryEncoding,
) -> Result<&'a [String]> {
    vocabularies
        .iter()
        .find(|v| v.table == table.name() && v.column == column && v.encoding == encoding)
        .map(|v| v.values.as_slice())
        .ok_or_else(|| Error::VocabularyMissing {
            table,
            column: column.to_owned(),
        })
}
