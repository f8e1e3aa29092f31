//! What the fuzz targets share: the framing of an artifact's files in one
//! input, and the small published model the request target scores with.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Arc, OnceLock};

use scoring_core::Manifest;
use scoring_core::artifact::ARTIFACT_FORMAT_VERSION;
use scoring_core::points::PointsScale;
use scoring_core::registry::Registry;
use scoring_grpc::config::Settings;
use scoring_grpc::service::{ScoringApi, Shared};
use scoring_grpc::state::ServedModel;
use sha2::{Digest, Sha256};
use tempfile::TempDir;
use test_support::application_model::application_model;
use test_support::applications::HistoryShape;
use tokio::runtime::Runtime;

/// Separates the files of one `artifact_files` input.
pub const FILE_SEPARATOR: &[u8] = b"\n@@file@@\n";

/// The files of an artifact in the order an `artifact_files` input holds
/// them; the manifest (last) is written as given when the input's first
/// byte is odd, else built with the true hashes of the others, so that
/// mutations reach the parsers behind the hash checks.
pub const ARTIFACT_FILES: [&str; 7] = [
    "model.json",
    "feature_schema.json",
    "clients.bin",
    "reference.json",
    "report.json",
    "model_card.md",
    "manifest.json",
];

/// One input from an artifact's files (`files[i]` for `ARTIFACT_FILES[i]`).
pub fn join_files(raw_manifest: bool, files: &[Vec<u8>]) -> Vec<u8> {
    let mut input = vec![u8::from(raw_manifest)];
    for (i, file) in files.iter().enumerate() {
        if i > 0 {
            input.extend_from_slice(FILE_SEPARATOR);
        }
        input.extend_from_slice(file);
    }
    input
}

/// The files of an input: `(raw manifest?, files)`, missing files empty.
pub fn split_files(input: &[u8]) -> (bool, Vec<&[u8]>) {
    let Some((&first, mut rest)) = input.split_first() else {
        return (false, Vec::new());
    };
    let mut files = Vec::new();
    while files.len() + 1 < ARTIFACT_FILES.len() {
        match find(rest, FILE_SEPARATOR) {
            Some(at) => {
                files.push(&rest[..at]);
                rest = &rest[at + FILE_SEPARATOR.len()..];
            }
            None => break,
        }
    }
    files.push(rest);
    (first % 2 == 1, files)
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// A manifest sealing `files` (by name) with their true hashes.
pub fn manifest_for(files: &BTreeMap<&str, &[u8]>) -> Manifest {
    let hash = |bytes: &[u8]| hex::encode(Sha256::digest(bytes));
    let release = test_support::release("v1");
    Manifest {
        format_version: ARTIFACT_FORMAT_VERSION,
        model_version: release.model_version,
        created_at: release.created_at,
        code_version: release.code_version,
        training_data_fingerprint: release.training_data_fingerprint,
        training_parameters: release.training_parameters,
        metrics: release.metrics,
        thresholds: release.thresholds,
        feature_schema_sha256: files
            .get("feature_schema.json")
            .map(|b| hash(b))
            .unwrap_or_default(),
        files: files
            .iter()
            .filter(|(name, _)| !matches!(**name, "feature_schema.json" | "manifest.json"))
            .map(|(name, bytes)| ((*name).to_owned(), hash(bytes)))
            .collect(),
        points_scale: PointsScale::default(),
    }
}

/// A temporary registry with a small model over the feature definition's
/// features (so that loan applications score) published as `v1` and
/// promoted to `production`, with 20 clients of every history shape.
pub fn small_registry(root: &Path) -> Registry {
    let registry = Registry::open(root.join("registry")).expect("registry");
    application_model(
        8,
        20,
        &[
            HistoryShape::None,
            HistoryShape::Full,
            HistoryShape::BureauWithoutBalances,
        ],
    )
    .publish(&registry, "v1");
    registry
}

/// The scoring service's handlers on [`small_registry`]'s model, in-process.
pub struct Service {
    _dir: TempDir,
    pub runtime: Runtime,
    pub api: ScoringApi,
}

/// The one [`Service`] of this process.
pub fn service() -> &'static Service {
    static SERVICE: OnceLock<Service> = OnceLock::new();
    SERVICE.get_or_init(|| {
        let dir = tempfile::tempdir().expect("temporary directory");
        let published = small_registry(dir.path());
        let registry = Registry::open_read_only(published.location().clone()).expect("registry");
        let version = registry.resolve("production").expect("v1");
        let model = registry.load(&version).expect("v1 loads");
        let settings = Settings::local(registry.location().clone());
        let (monitor, _) = scoring_grpc::monitor::Monitor::new(settings.monitoring.clone());
        let shared = Shared::new(registry, &settings, None, monitor);
        let served =
            ServedModel::new(model.clone(), model.snapshot().cloned(), 100).expect("served");
        shared.holder.set(Arc::new(served));
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        Service {
            _dir: dir,
            runtime,
            api: ScoringApi::new(Arc::new(shared)),
        }
    })
}
