//! What a published model says about itself without being loaded to
//! score: its manifest, feature schema, report and model card. Describing
//! a version reads and verifies only those files, never the model, the
//! reference statistics or the client snapshot (which may be large).

use super::{Manifest, SCHEMA_FILE, sha256_hex};
use crate::error::{Error, Result};
use crate::report::{MODEL_CARD_FILE, ModelReport, REPORT_FILE};
use crate::schema::FeatureSchema;
use crate::wording::{Bilingual, feature_label};

/// A published model's description, every file it holds verified against
/// the manifest's hashes.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelDescription {
    manifest: Manifest,
    schema: FeatureSchema,
    report: Option<ModelReport>,
    model_card: Option<String>,
    /// Whether the client can act on each feature (the column policy), once.
    actionable: Vec<bool>,
    /// Whether each feature derives from a protected attribute, once.
    protected: Vec<bool>,
    /// Each feature's label in English and French, once.
    labels: Vec<Bilingual>,
}

/// Reads `name` with `read` and checks its sha256 against `expected`.
pub(super) fn read_verified(
    name: &str,
    expected: &str,
    read: &impl Fn(&str) -> Result<Vec<u8>>,
) -> Result<Vec<u8>> {
    let bytes = read(name)?;
    let found = sha256_hex(&bytes);
    if found.eq_ignore_ascii_case(expected) {
        Ok(bytes)
    } else if name == SCHEMA_FILE {
        Err(Error::SchemaHashMismatch {
            expected: expected.to_owned(),
            found,
        })
    } else {
        Err(Error::HashMismatch {
            file: name.to_owned(),
            expected: expected.to_owned(),
            found,
        })
    }
}

pub(super) fn parse<T: serde::de::DeserializeOwned>(file: &str, bytes: &[u8]) -> Result<T> {
    serde_json::from_slice(bytes).map_err(|source| Error::Parse {
        file: file.to_owned(),
        source,
    })
}

impl ModelDescription {
    /// Describes the model `manifest` seals from its verified files, each
    /// read by `read` (by file name): the schema, and the report and model
    /// card when the manifest lists them.
    pub(crate) fn load_files(
        manifest: Manifest,
        read: impl Fn(&str) -> Result<Vec<u8>>,
    ) -> Result<Self> {
        let schema = read_verified(SCHEMA_FILE, &manifest.feature_schema_sha256, &read)?;
        let listed = |name: &str| {
            manifest
                .files
                .get(name)
                .map(|expected| read_verified(name, expected, &read))
                .transpose()
        };
        let report = listed(REPORT_FILE)?;
        let model_card = listed(MODEL_CARD_FILE)?;
        Self::from_bytes(manifest, &schema, report.as_deref(), model_card)
    }

    /// Parses and checks the description's files (already verified).
    pub(super) fn from_bytes(
        manifest: Manifest,
        schema: &[u8],
        report: Option<&[u8]>,
        model_card: Option<Vec<u8>>,
    ) -> Result<Self> {
        let schema: FeatureSchema = parse(SCHEMA_FILE, schema)?;
        schema.validate()?;
        let report = report.map(|bytes| parse(REPORT_FILE, bytes)).transpose()?;
        let model_card = model_card
            .map(|bytes| {
                String::from_utf8(bytes).map_err(|_| Error::InvalidManifest {
                    reason: format!("{MODEL_CARD_FILE} is not UTF-8 text"),
                })
            })
            .transpose()?;
        let policy = schema.column_policy();
        let (actionable, protected) = schema
            .features
            .iter()
            .map(|f| (policy.is_actionable(f), policy.is_protected(f)))
            .unzip();
        let labels = schema.features.iter().map(feature_label).collect();
        Ok(Self {
            labels,
            manifest,
            schema,
            report,
            model_card,
            actionable,
            protected,
        })
    }

    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    pub fn schema(&self) -> &FeatureSchema {
        &self.schema
    }

    pub fn report(&self) -> Option<&ModelReport> {
        self.report.as_ref()
    }

    pub fn model_card(&self) -> Option<&str> {
        self.model_card.as_deref()
    }

    /// Whether the client can act on feature `j` (the schema's column
    /// policy); false for a position outside the schema.
    pub fn is_actionable(&self, j: usize) -> bool {
        self.actionable.get(j).copied().unwrap_or(false)
    }

    /// Whether feature `j` derives from a protected attribute (never a
    /// reason); false for a position outside the schema.
    pub fn is_protected(&self, j: usize) -> bool {
        self.protected.get(j).copied().unwrap_or(false)
    }

    /// Feature `j`'s label in English and French (see [`crate::wording`]);
    /// `None` for a position outside the schema.
    pub fn feature_label(&self, j: usize) -> Option<&Bilingual> {
        self.labels.get(j)
    }

    /// Every feature's label, in the schema's order.
    pub fn feature_labels(&self) -> &[Bilingual] {
        &self.labels
    }
}
