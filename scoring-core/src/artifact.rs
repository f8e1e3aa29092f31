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

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};
use crate::model::Model;
use crate::policy::{Decision, MAX_REASONS, Strategy, Thresholds, top_reason_codes};
use crate::reference::{REFERENCE_FILE, ReferenceStats};
use crate::report::{MODEL_CARD_FILE, ModelReport, REPORT_FILE};
use crate::schema::FeatureSchema;
use crate::snapshot::{ClientSnapshot, SNAPSHOT_FILE};

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
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

fn check_features(model: &Model, schema: &FeatureSchema) -> Result<()> {
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

fn write_file(dir: &Path, name: &str, bytes: &[u8]) -> Result<()> {
    let path = dir.join(name);
    std::fs::write(&path, bytes).map_err(|source| Error::ArtifactWrite { path, source })
}

/// The optional parts published beside a model.
#[derive(Debug, Clone, Copy, Default)]
pub struct Attachments<'a> {
    pub report: Option<&'a ModelReport>,
    pub reference: Option<&'a ReferenceStats>,
    pub snapshot: Option<&'a ClientSnapshot>,
    pub model_card: Option<&'a str>,
}

/// Writes `model.json`, `feature_schema.json` and, last, `manifest.json`
/// into `dir` (created if needed); returns the manifest written.
pub fn write_artifact(
    dir: &Path,
    release: &Release,
    model: &Model,
    schema: &FeatureSchema,
) -> Result<Manifest> {
    write_artifact_with(dir, release, model, schema, Attachments::default())
}

/// [`write_artifact`] with the optional parts, each listed and hashed in
/// the manifest.
pub fn write_artifact_with(
    dir: &Path,
    release: &Release,
    model: &Model,
    schema: &FeatureSchema,
    attachments: Attachments<'_>,
) -> Result<Manifest> {
    release.thresholds.validate()?;
    if let Some((name, value)) = release.metrics.iter().find(|(_, v)| !v.is_finite()) {
        return Err(Error::InvalidManifest {
            reason: format!("metric `{name}` is {value}, not a finite number"),
        });
    }
    schema.validate()?;
    check_features(model, schema)?;
    std::fs::create_dir_all(dir).map_err(|source| Error::ArtifactWrite {
        path: dir.to_owned(),
        source,
    })?;
    let model_bytes = serde_json::to_vec(model).map_err(|source| Error::Parse {
        file: MODEL_FILE.to_owned(),
        source,
    })?;
    let schema_bytes = schema.to_json_bytes();
    let mut files = vec![(MODEL_FILE, model_bytes)];
    if let Some(report) = attachments.report {
        files.push((REPORT_FILE, to_json(REPORT_FILE, report)?));
    }
    if let Some(reference) = attachments.reference {
        reference.check_features(model.feature_names())?;
        files.push((REFERENCE_FILE, to_json(REFERENCE_FILE, reference)?));
    }
    if let Some(snapshot) = attachments.snapshot {
        check_snapshot(snapshot, model)?;
        files.push((SNAPSHOT_FILE, snapshot.to_bytes()));
    }
    if let Some(card) = attachments.model_card {
        files.push((MODEL_CARD_FILE, card.as_bytes().to_vec()));
    }
    for (name, bytes) in &files {
        write_file(dir, name, bytes)?;
    }
    write_file(dir, SCHEMA_FILE, &schema_bytes)?;
    let manifest = Manifest {
        format_version: ARTIFACT_FORMAT_VERSION,
        model_version: release.model_version.clone(),
        created_at: release.created_at.clone(),
        code_version: release.code_version.clone(),
        training_data_fingerprint: release.training_data_fingerprint.clone(),
        training_parameters: release.training_parameters.clone(),
        metrics: release.metrics.clone(),
        thresholds: release.thresholds,
        feature_schema_sha256: schema.sha256(),
        files: files
            .iter()
            .map(|(name, bytes)| ((*name).to_owned(), sha256_hex(bytes)))
            .collect(),
    };
    let mut manifest_bytes =
        serde_json::to_vec_pretty(&manifest).map_err(|source| Error::Parse {
            file: MANIFEST_FILE.to_owned(),
            source,
        })?;
    manifest_bytes.push(b'\n');
    write_file(dir, MANIFEST_FILE, &manifest_bytes)?;
    Ok(manifest)
}

fn to_json<T: Serialize>(file: &str, value: &T) -> Result<Vec<u8>> {
    serde_json::to_vec(value).map_err(|source| Error::Parse {
        file: file.to_owned(),
        source,
    })
}

fn check_snapshot(snapshot: &ClientSnapshot, model: &Model) -> Result<()> {
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

/// A verified published model: what the service and the dashboard use.
#[derive(Debug, Clone, PartialEq)]
pub struct PublishedModel {
    manifest: Manifest,
    model: Model,
    schema: FeatureSchema,
    report: Option<ModelReport>,
    reference: Option<ReferenceStats>,
    snapshot: Option<ClientSnapshot>,
    model_card: Option<String>,
}

fn read_file(dir: &Path, name: &str) -> Result<Vec<u8>> {
    let path = dir.join(name);
    std::fs::read(&path).map_err(|source| match source.kind() {
        std::io::ErrorKind::NotFound => Error::FileMissing { path },
        _ => Error::ArtifactRead { path, source },
    })
}

fn parse<T: serde::de::DeserializeOwned>(file: &str, bytes: &[u8]) -> Result<T> {
    serde_json::from_slice(bytes).map_err(|source| Error::Parse {
        file: file.to_owned(),
        source,
    })
}

fn read_manifest(dir: &Path) -> Result<Manifest> {
    let bytes = read_file(dir, MANIFEST_FILE)?;
    let value: serde_json::Value = parse(MANIFEST_FILE, &bytes)?;
    let version = value
        .get("format_version")
        .and_then(serde_json::Value::as_u64);
    match version {
        Some(v) if v == u64::from(ARTIFACT_FORMAT_VERSION) => {}
        Some(found) => {
            return Err(Error::UnsupportedFormatVersion {
                found,
                supported: ARTIFACT_FORMAT_VERSION,
            });
        }
        None => {
            return Err(Error::InvalidManifest {
                reason: "`format_version` is missing or not a whole number".to_owned(),
            });
        }
    }
    let manifest: Manifest = parse(MANIFEST_FILE, &bytes)?;
    manifest.thresholds.validate()?;
    if !manifest.files.contains_key(MODEL_FILE) {
        return Err(Error::InvalidManifest {
            reason: format!("`files` does not list {MODEL_FILE}"),
        });
    }
    let plain = |name: &String| {
        !name.is_empty()
            && name != MANIFEST_FILE
            && !name.starts_with('.')
            && !name.contains(['/', '\\'])
    };
    if let Some(name) = manifest.files.keys().find(|n| !plain(n)) {
        return Err(Error::InvalidManifest {
            reason: format!("`files` lists `{name}`, not a plain file name of the artifact"),
        });
    }
    Ok(manifest)
}

impl PublishedModel {
    /// Loads and verifies the artifact in `dir`.
    pub fn load(dir: &Path) -> Result<Self> {
        let manifest = read_manifest(dir)?;
        let mut model_bytes = Vec::new();
        let mut attached = BTreeMap::new();
        for (name, expected) in &manifest.files {
            let bytes = read_file(dir, name)?;
            let found = sha256_hex(&bytes);
            if !found.eq_ignore_ascii_case(expected) {
                return Err(Error::HashMismatch {
                    file: name.clone(),
                    expected: expected.clone(),
                    found,
                });
            }
            if name == MODEL_FILE {
                model_bytes = bytes;
            } else {
                attached.insert(name.as_str(), bytes);
            }
        }
        let schema_bytes = read_file(dir, SCHEMA_FILE)?;
        let found = sha256_hex(&schema_bytes);
        if !found.eq_ignore_ascii_case(&manifest.feature_schema_sha256) {
            return Err(Error::SchemaHashMismatch {
                expected: manifest.feature_schema_sha256.clone(),
                found,
            });
        }
        let schema: FeatureSchema = parse(SCHEMA_FILE, &schema_bytes)?;
        schema.validate()?;
        let model: Model = parse(MODEL_FILE, &model_bytes)?;
        check_features(&model, &schema)?;
        let report = match attached.get(REPORT_FILE) {
            Some(bytes) => Some(parse(REPORT_FILE, bytes)?),
            None => None,
        };
        let reference = match attached.get(REFERENCE_FILE) {
            Some(bytes) => {
                let reference: ReferenceStats = parse(REFERENCE_FILE, bytes)?;
                reference.check_features(model.feature_names())?;
                Some(reference)
            }
            None => None,
        };
        let snapshot = match attached.get(SNAPSHOT_FILE) {
            Some(bytes) => {
                let snapshot = ClientSnapshot::from_bytes(bytes)?;
                check_snapshot(&snapshot, &model)?;
                Some(snapshot)
            }
            None => None,
        };
        let model_card = match attached.remove(MODEL_CARD_FILE) {
            Some(bytes) => Some(
                String::from_utf8(bytes).map_err(|_| Error::InvalidManifest {
                    reason: format!("{MODEL_CARD_FILE} is not UTF-8 text"),
                })?,
            ),
            None => None,
        };
        Ok(Self {
            manifest,
            model,
            schema,
            report,
            reference,
            snapshot,
            model_card,
        })
    }

    /// Loads the artifact and refuses it unless it was trained under the
    /// feature schema the caller builds its inputs with.
    pub fn load_for_schema(dir: &Path, expected: &FeatureSchema) -> Result<Self> {
        let published = Self::load(dir)?;
        let expected = expected.sha256();
        if published.manifest.feature_schema_sha256 != expected {
            return Err(Error::SchemaHashMismatch {
                expected,
                found: published.manifest.feature_schema_sha256,
            });
        }
        Ok(published)
    }

    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    pub fn model(&self) -> &Model {
        &self.model
    }

    pub fn schema(&self) -> &FeatureSchema {
        &self.schema
    }

    pub fn report(&self) -> Option<&ModelReport> {
        self.report.as_ref()
    }

    pub fn reference(&self) -> Option<&ReferenceStats> {
        self.reference.as_ref()
    }

    pub fn snapshot(&self) -> Option<&ClientSnapshot> {
        self.snapshot.as_ref()
    }

    pub fn model_card(&self) -> Option<&str> {
        self.model_card.as_deref()
    }

    pub fn thresholds(&self) -> &Thresholds {
        &self.manifest.thresholds
    }

    /// Scores, decides and explains one application under `strategy`.
    pub fn decide(&self, applicant: &[f64], strategy: Strategy) -> Result<Decision> {
        self.decide_explained(applicant, strategy, MAX_REASONS)
            .map(|(decision, _)| decision)
    }

    /// As [`Self::decide`] with at most `max_reasons` reason codes, also
    /// returning every feature's contribution (model order).
    pub fn decide_explained(
        &self,
        applicant: &[f64],
        strategy: Strategy,
        max_reasons: usize,
    ) -> Result<(Decision, Vec<f64>)> {
        let (contributions, explanation) = self.model.explain(applicant)?;
        let probability_of_default = self.model.probability(explanation.raw_score);
        let thresholds = self.thresholds();
        let decision = Decision {
            outcome: thresholds.outcome(strategy, probability_of_default),
            strategy,
            probability_of_default,
            threshold: thresholds.get(strategy),
            raw_score: explanation.raw_score,
            base_value: explanation.base_value,
            reasons: top_reason_codes(
                &self.schema,
                self.model.feature_names(),
                applicant,
                &contributions,
                max_reasons,
            ),
        };
        Ok((decision, contributions))
    }

    /// As [`Self::decide`], with the strategy by name (`prudent`, `normal`,
    /// `aggressive`).
    pub fn decide_named(&self, applicant: &[f64], strategy: &str) -> Result<Decision> {
        self.decide(applicant, strategy.parse()?)
    }
}
