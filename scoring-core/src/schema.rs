//! The feature schema: the ordered list of model inputs with their meaning.
//!
//! The schema is written by the trainer when it builds the per-client feature
//! table, travels with every published model, and is what the service and the
//! dashboard use to validate inputs and to explain a score in words. It also
//! fixes the category vocabularies seen when the table was built, so a client
//! scored later is encoded into exactly the same columns.

use std::collections::HashSet;
use std::path::Path;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::Error;
use crate::reasons::ColumnPolicy;

/// The schema format this build reads and writes.
pub const SCHEMA_FORMAT_VERSION: u32 = 1;

/// Ordered description of every feature of a model's input table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeatureSchema {
    pub format_version: u32,
    /// Column that identifies a client (`SK_ID_CURR` for Home Credit data).
    pub id_column: String,
    /// Column holding the 0/1 default label, when the table has one.
    pub target_column: Option<String>,
    /// Features in the column order of the feature table.
    pub features: Vec<FeatureSpec>,
    /// Category vocabularies fixed when the table was built.
    #[serde(default)]
    pub vocabularies: Vec<CategoryVocabulary>,
    /// Which source columns are protected or fixed; the Home Credit policy
    /// ([`ColumnPolicy::home_credit`]) when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub columns: Option<ColumnPolicy>,
}

/// One model input.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeatureSpec {
    /// Column name in the feature table (alphanumeric and `_` only).
    pub name: String,
    pub kind: FeatureKind,
    /// Table the value comes from (`application`, `bureau`, …).
    pub source_table: String,
    /// Column of the source table the value is derived from.
    pub source_column: String,
    /// How per-client rows were reduced (`mean`, `max`, `count`…); `none` for
    /// values taken from the application itself.
    pub aggregation: String,
    /// Category the indicator stands for, for one-hot features.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    /// Human-readable description, for reason codes and the dashboard.
    pub description: String,
}

/// What kind of values a feature holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FeatureKind {
    /// A real number (possibly missing).
    Numeric,
    /// A 0/1 indicator, or a share of rows having a category when aggregated.
    Indicator,
    /// An integer code given to a category (`pd.factorize`-style).
    CategoryCode,
}

/// The categories of one source column, in encoding order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CategoryVocabulary {
    pub table: String,
    pub column: String,
    pub encoding: CategoryEncoding,
    /// Category values as they appear in the source data.
    pub values: Vec<String>,
}

/// How a categorical column is turned into numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CategoryEncoding {
    /// One indicator column per value; `with_missing` adds one for a missing value.
    OneHot { with_missing: bool },
    /// One column holding the value's position in `values` (missing → -1).
    Code,
}

impl FeatureSpec {
    /// The source columns the feature is derived from: `source_column`
    /// split at commas (`DAYS_EMPLOYED_PERC` comes from `DAYS_EMPLOYED,
    /// DAYS_BIRTH`).
    pub fn source_columns(&self) -> impl Iterator<Item = &str> {
        self.source_column
            .split(',')
            .map(str::trim)
            .filter(|c| !c.is_empty())
    }
}

impl FeatureSchema {
    /// Reads and validates a schema file.
    pub fn load(path: &Path) -> Result<Self, Error> {
        let text = std::fs::read(path).map_err(|source| Error::SchemaRead {
            path: path.to_owned(),
            source,
        })?;
        let schema: Self = serde_json::from_slice(&text).map_err(|source| Error::SchemaParse {
            path: path.to_owned(),
            source,
        })?;
        schema.validate()?;
        Ok(schema)
    }

    /// Writes the schema as pretty JSON.
    pub fn save(&self, path: &Path) -> Result<(), Error> {
        let write_err = |source| Error::SchemaWrite {
            path: path.to_owned(),
            source,
        };
        std::fs::write(path, self.to_json_bytes()).map_err(write_err)
    }

    /// The canonical JSON form, the one that is hashed and stored.
    pub fn to_json_bytes(&self) -> Vec<u8> {
        let mut bytes =
            serde_json::to_vec_pretty(self).expect("a schema always serialises to JSON");
        bytes.push(b'\n');
        bytes
    }

    /// Hex sha256 of the canonical JSON form; a model records it to refuse a
    /// feature table built under another schema.
    pub fn sha256(&self) -> String {
        hex::encode(Sha256::digest(self.to_json_bytes()))
    }

    /// Checks the format version and that feature names are unique.
    pub fn validate(&self) -> Result<(), Error> {
        if self.format_version != SCHEMA_FORMAT_VERSION {
            return Err(Error::UnsupportedSchemaFormat {
                found: self.format_version,
                supported: SCHEMA_FORMAT_VERSION,
            });
        }
        let mut seen = HashSet::with_capacity(self.features.len());
        for feature in &self.features {
            if !seen.insert(feature.name.as_str()) {
                return Err(Error::DuplicateFeature {
                    name: feature.name.clone(),
                });
            }
        }
        Ok(())
    }

    /// Position of a feature in the model input, by name.
    pub fn position(&self, name: &str) -> Option<usize> {
        self.features.iter().position(|f| f.name == name)
    }

    pub fn feature_names(&self) -> impl Iterator<Item = &str> {
        self.features.iter().map(|f| f.name.as_str())
    }

    /// The column policy: the schema's own, else the Home Credit one.
    pub fn column_policy(&self) -> std::borrow::Cow<'_, ColumnPolicy> {
        match &self.columns {
            Some(policy) => std::borrow::Cow::Borrowed(policy),
            None => std::borrow::Cow::Owned(ColumnPolicy::home_credit()),
        }
    }

    /// The category feature `j`'s integer `code` stands for, if any.
    pub fn category_name(&self, j: usize, code: f64) -> Option<&str> {
        let spec = self.features.get(j)?;
        let vocabulary = self.vocabularies.iter().find(|v| {
            v.table == spec.source_table
                && v.column == spec.source_column
                && v.encoding == CategoryEncoding::Code
        })?;
        if code < 0.0 || code.fract() != 0.0 {
            return None;
        }
        vocabulary.values.get(code as usize).map(String::as_str)
    }
}
