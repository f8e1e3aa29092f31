//! Save → load round trips bit for bit, and every way an artifact can be
//! damaged is refused with its own error.
#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use std::collections::BTreeMap;
use std::path::Path;

use proptest::prelude::*;
use scoring_core::artifact::{MANIFEST_FILE, MODEL_FILE, SCHEMA_FILE};
use scoring_core::{
    Error, FeatureSchema, Model, PublishedModel, Release, Thresholds, write_artifact,
};
use test_support::{Rng, TreeShape, random_ensemble, random_rows};

const N: usize = 6;

fn schema(n: usize) -> FeatureSchema {
    let names: Vec<String> = (0..n).map(|i| format!("f{i}")).collect();
    test_support::numeric_schema(&names)
}

fn release() -> Release {
    Release {
        model_version: "2024-06-01-lgbm".into(),
        created_at: "2024-06-01T12:00:00Z".into(),
        code_version: "abc1234".into(),
        training_data_fingerprint: "sha256:0123".into(),
        training_parameters: serde_json::json!({"num_leaves": 34, "learning_rate": 0.05}),
        metrics: BTreeMap::from([("auc".into(), 0.7712345678901234), ("cost".into(), 0.31)]),
        thresholds: Thresholds {
            prudent: 0.3,
            normal: 0.45,
            aggressive: 0.6,
        },
    }
}

fn model() -> Model {
    let shape = TreeShape {
        n_features: N,
        leaves: 12,
        max_depth: 5,
        categorical: 0.1,
        nan_missing_only: false,
        leaf_scale: 0.3,
    };
    random_ensemble(&mut Rng::new(99), 30, shape)
}

fn saved(dir: &Path) -> Model {
    let model = model();
    write_artifact(dir, &release(), &model, &schema(N)).unwrap();
    model
}

#[test]
fn loaded_model_predicts_and_explains_bit_for_bit() {
    let dir = tempfile::tempdir().unwrap();
    let model = saved(dir.path());
    let loaded = PublishedModel::load(dir.path()).unwrap();
    assert_eq!(loaded.model(), &model);
    assert_eq!(loaded.schema(), &schema(N));
    assert_eq!(loaded.manifest().metrics, release().metrics);
    assert_eq!(loaded.manifest().feature_schema_sha256, schema(N).sha256());
    let rows = random_rows(&mut Rng::new(5), 50, N, 0.25);
    for row in rows.chunks(N) {
        let (a, ea) = model.explain(row).unwrap();
        let (b, eb) = loaded.model().explain(row).unwrap();
        assert_eq!(ea.raw_score.to_bits(), eb.raw_score.to_bits());
        assert_eq!(ea.base_value.to_bits(), eb.base_value.to_bits());
        assert!(a.iter().zip(&b).all(|(x, y)| x.to_bits() == y.to_bits()));
        let p = model.predict_probability(row).unwrap();
        assert_eq!(
            p.to_bits(),
            loaded.model().predict_probability(row).unwrap().to_bits()
        );
    }
}

proptest! {
    #[test]
    fn f64_round_trips_exactly_through_serde_json(bits in any::<u64>()) {
        let x = f64::from_bits(bits);
        prop_assume!(x.is_finite());
        let text = serde_json::to_string(&x).unwrap();
        let back: f64 = serde_json::from_str(&text).unwrap();
        prop_assert_eq!(back.to_bits(), x.to_bits(), "{}", text);
    }
}

#[test]
fn a_flipped_byte_is_a_hash_mismatch() {
    let dir = tempfile::tempdir().unwrap();
    saved(dir.path());
    let path = dir.path().join(MODEL_FILE);
    let mut bytes = std::fs::read(&path).unwrap();
    let i = bytes.len() / 2;
    bytes[i] ^= 0x01;
    std::fs::write(&path, bytes).unwrap();
    match PublishedModel::load(dir.path()).unwrap_err() {
        Error::HashMismatch { file, .. } => assert_eq!(file, MODEL_FILE),
        other => panic!("unexpected error {other}"),
    }
}

#[test]
fn a_missing_file_is_file_missing() {
    for name in [MODEL_FILE, SCHEMA_FILE, MANIFEST_FILE] {
        let dir = tempfile::tempdir().unwrap();
        saved(dir.path());
        std::fs::remove_file(dir.path().join(name)).unwrap();
        match PublishedModel::load(dir.path()).unwrap_err() {
            Error::FileMissing { path } => assert!(path.ends_with(name)),
            other => panic!("unexpected error {other}"),
        }
    }
}

#[test]
fn another_schema_is_a_schema_hash_mismatch() {
    let dir = tempfile::tempdir().unwrap();
    saved(dir.path());
    let mut other = schema(N);
    other.features[2].description = "Something else".into();
    other.save(&dir.path().join(SCHEMA_FILE)).unwrap();
    assert!(matches!(
        PublishedModel::load(dir.path()),
        Err(Error::SchemaHashMismatch { .. })
    ));
    // And a caller expecting another schema refuses an intact artifact.
    let dir = tempfile::tempdir().unwrap();
    saved(dir.path());
    assert!(PublishedModel::load_for_schema(dir.path(), &schema(N)).is_ok());
    assert!(matches!(
        PublishedModel::load_for_schema(dir.path(), &other),
        Err(Error::SchemaHashMismatch { .. })
    ));
}

#[test]
fn an_unknown_format_version_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    saved(dir.path());
    let path = dir.path().join(MANIFEST_FILE);
    let mut manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    manifest["format_version"] = 7.into();
    manifest["something_new"] = "a field version 1 does not know".into();
    std::fs::write(&path, serde_json::to_vec(&manifest).unwrap()).unwrap();
    assert!(matches!(
        PublishedModel::load(dir.path()),
        Err(Error::UnsupportedFormatVersion { found: 7, .. })
    ));
}

#[test]
fn a_garbled_manifest_is_a_parse_error() {
    let dir = tempfile::tempdir().unwrap();
    saved(dir.path());
    std::fs::write(dir.path().join(MANIFEST_FILE), b"{ not json").unwrap();
    match PublishedModel::load(dir.path()).unwrap_err() {
        Error::Parse { file, .. } => assert_eq!(file, MANIFEST_FILE),
        other => panic!("unexpected error {other}"),
    }
}

#[test]
fn a_model_not_matching_the_schema_is_not_written() {
    let dir = tempfile::tempdir().unwrap();
    let err = write_artifact(dir.path(), &release(), &model(), &schema(N + 1)).unwrap_err();
    assert!(matches!(err, Error::ModelSchemaMismatch { .. }), "{err}");
    let mut bad = release();
    bad.thresholds.prudent = 0.9;
    let err = write_artifact(dir.path(), &bad, &model(), &schema(N)).unwrap_err();
    assert!(
        matches!(
            err,
            Error::InvalidThreshold {
                strategy: "prudent",
                ..
            }
        ),
        "{err}"
    );
}

/// `clients.bin` holds personal data: only its owner reads it, whatever the
/// umask (it was once created world-readable).
#[test]
fn the_client_snapshot_is_written_readable_by_its_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let (_registry_dir, registry) = test_support::registry_with_v1();
    let published = test_support::published_v1(&registry);
    let snapshot = published.snapshot().unwrap();
    scoring_core::write_artifact_with(
        dir.path(),
        &release(),
        published.model(),
        published.schema(),
        scoring_core::Attachments {
            snapshot: Some(snapshot),
            ..Default::default()
        },
    )
    .unwrap();
    let mode = |name: &str| {
        std::fs::metadata(dir.path().join(name))
            .unwrap()
            .permissions()
            .mode()
            & 0o777
    };
    assert_eq!(mode("clients.bin"), 0o600);
    assert!(PublishedModel::load(dir.path()).is_ok());
}
