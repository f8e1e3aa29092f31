//! An artifact's files (manifest, model JSON, schema, clients.bin,
//! reference.json, report, card) written to a temporary directory and
//! loaded as a published model, then described and, when it loads,
//! scored. The manifest is built with the files' true hashes unless the
//! input says to write its own (see `credit_scoring_fuzz::split_files`).
#![no_main]

use std::collections::BTreeMap;
use std::sync::OnceLock;

use credit_scoring_fuzz::{ARTIFACT_FILES, manifest_for, split_files};
use libfuzzer_sys::fuzz_target;
use scoring_core::{PublishedModel, Strategy};
use tempfile::TempDir;

fn dir() -> &'static TempDir {
    static DIR: OnceLock<TempDir> = OnceLock::new();
    DIR.get_or_init(|| tempfile::tempdir().expect("temporary directory"))
}

fuzz_target!(|data: &[u8]| {
    let (raw_manifest, files) = split_files(data);
    let dir = dir().path();
    for name in ARTIFACT_FILES {
        let _ = std::fs::remove_file(dir.join(name));
    }
    let mut present: BTreeMap<&str, &[u8]> = BTreeMap::new();
    for (name, bytes) in ARTIFACT_FILES.iter().zip(&files) {
        // An empty optional file is left out, as a publish would.
        if !bytes.is_empty() || matches!(*name, "model.json" | "feature_schema.json") {
            present.insert(name, bytes);
        }
    }
    let manifest = match (raw_manifest, present.remove("manifest.json")) {
        (true, Some(given)) => given.to_vec(),
        _ => serde_json::to_vec(&manifest_for(&present)).expect("a manifest serialises"),
    };
    for (name, bytes) in &present {
        std::fs::write(dir.join(name), bytes).expect("write");
    }
    std::fs::write(dir.join("manifest.json"), manifest).expect("write");

    if let Ok(published) = PublishedModel::load(dir) {
        let row = vec![0.0; published.model().n_features()];
        published
            .decide(&row, Strategy::Normal)
            .expect("a loaded model decides on a row of its width");
        if let Some(snapshot) = published.snapshot() {
            assert_eq!(snapshot.n_features(), published.model().n_features());
        }
        let description = published.description();
        assert_eq!(
            description.schema().features.len(),
            published.model().n_features()
        );
    }
});
