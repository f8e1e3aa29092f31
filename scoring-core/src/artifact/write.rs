//! Writing an artifact: the model, its schema and attachments, then the
//! manifest that seals them.

use std::path::Path;

use serde::Serialize;

use super::{
    ARTIFACT_FORMAT_VERSION, MANIFEST_FILE, MODEL_FILE, Manifest, Release, SCHEMA_FILE,
    check_features, check_snapshot, sha256_hex,
};
use crate::error::{Error, Result};
use crate::model::Model;
use crate::points::PointsScale;
use crate::reference::{REFERENCE_FILE, ReferenceStats};
use crate::report::{MODEL_CARD_FILE, ModelReport, REPORT_FILE};
use crate::schema::FeatureSchema;
use crate::snapshot::{ClientSnapshot, SNAPSHOT_FILE};

/// Writes `bytes` as file `name` of `dir`. The client snapshot holds
/// personal data: only its owner may read it (0600, like the audit log),
/// whatever the umask.
fn write_file(dir: &Path, name: &str, bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
    let path = dir.join(name);
    let personal = name == SNAPSHOT_FILE;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    if personal {
        options.mode(0o600);
    }
    let written = options.open(&path).and_then(|mut file| {
        if personal {
            // Also when the file was there before.
            file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
        }
        file.write_all(bytes)
    });
    written.map_err(|source| Error::ArtifactWrite { path, source })
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
        points_scale: PointsScale::default(),
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
