//! The published-model artifact: one immutable directory per model version.
//!
//! ```text
//! <model version>/
//!   manifest.json        written last; describes and seals the others
//!   model.json           the Model (our representation, serde JSON)
//!   feature_schema.json  the FeatureSchema in its canonical JSON form
//!   report.json          optional: evaluation, cost curve, importance (ModelReport)
//!   reference.json       optional: population histograms and percentiles
//!   clients.bin          optional: the client feature snapshot
//!   model_card.md        optional: the model card
//! ```
//!
//! `manifest.json` holds:
//! - `format_version`: this layout's version ([`ARTIFACT_FORMAT_VERSION`]);
//!   a loader refuses any other before reading further;
//! - `model_version`, `created_at` (RFC 3339), `code_version` (the trainer's
//!   commit), `training_data_fingerprint`;
//! - `training_parameters` (free-form JSON) and `metrics` (name → number);
//! - `thresholds`: the refusal threshold of each strategy (`prudent`,
//!   `normal`, `aggressive`);
//! - `feature_schema_sha256`: [`FeatureSchema::sha256`], the hex sha256 of
//!   `feature_schema.json`;
//! - `files`: hex sha256 of every other file (`model.json`), by file name.
//!
//! [`PublishedModel::load`] verifies every listed hash, the schema's hash,
//! and that the model's features are the schema's, each failure with its own
//! [`Error`] variant. All numbers are written by `serde_json` in shortest
//! round-trip form and read back exactly (its `float_roundtrip` parser), so a
//! loaded model scores and explains bit for bit as the one that was saved.
//! [`write_artifact`] only writes files into the directory it is given: the
//! trainer publishes atomically by writing into a temporary directory and
//! renaming it.

mod decide_batch;
mod description;
mod published;
mod write;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

pub use description::ModelDescription;
pub use published::PublishedModel;
pub(crate) use published::{parse_manifest, read_file};
pub use write::{Attachments, write_artifact, write_artifact_with};

use crate::error::{Error, Result};
use crate::model::Model;
use crate::points::PointsScale;
use crate::policy::Thresholds;
use crate::schema::FeatureSchema;
use crate::snapshot::ClientSnapshot;

/// The artifact layout this build writes and reads.
pub const ARTIFACT_FORMAT_VERSION: u32 = 1;
pub const MANIFEST_FILE: &str = "manifest.json";
pub const MODEL_FILE: &str = "model.json";
pub const SCHEMA_FILE: &str = "feature_schema.json";

/// What the trainer knows about a model it publishes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Release {
    pub model_version: String,
    /// RFC 3339 time, e.g. `2024-06-01T12:00:00Z`.
    pub created_at: String,
    pub code_version: String,
    pub training_data_fingerprint: String,
    pub training_parameters: serde_json::Value,
    pub metrics: BTreeMap<String, f64>,
    pub thresholds: Thresholds,
}

/// The contents of `manifest.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    pub format_version: u32,
    pub model_version: String,
    pub created_at: String,
    pub code_version: String,
    pub training_data_fingerprint: String,
    pub training_parameters: serde_json::Value,
    pub metrics: BTreeMap<String, f64>,
    pub thresholds: Thresholds,
    pub feature_schema_sha256: String,
    /// Hex sha256 of each other file, by file name.
    pub files: BTreeMap<String, String>,
    /// The scorecard points scale shown beside the probability (the
    /// default scale for a manifest written before it existed).
    #[serde(default)]
    pub points_scale: PointsScale,
}

pub(super) fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

pub(super) fn check_features(model: &Model, schema: &FeatureSchema) -> Result<()> {
    let schema_names = schema.feature_names();
    if model
        .feature_names()
        .iter()
        .map(String::as_str)
        .eq(schema_names)
    {
        return Ok(());
    }
    let reason = match model
        .feature_names()
        .iter()
        .zip(schema.feature_names())
        .position(|(a, b)| a != b)
    {
        Some(i) => format!(
            "feature {i} is `{}` in the model and `{}` in the schema",
            model.feature_names()[i],
            schema.features[i].name
        ),
        None => format!(
            "the model has {} features, the schema {}",
            model.n_features(),
            schema.features.len()
        ),
    };
    Err(Error::ModelSchemaMismatch { reason })
}

pub(super) fn check_snapshot(snapshot: &ClientSnapshot, model: &Model) -> Result<()> {
    if snapshot.feature_names() == model.feature_names() {
        Ok(())
    } else {
        Err(Error::InvalidSnapshot {
            reason: format!(
                "its {} features are not the model's {} features in order",
                snapshot.n_features(),
                model.n_features()
            ),
        })
    }
}
