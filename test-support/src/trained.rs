//! Synthetic applicants through the real feature pipeline, for the tests
//! that train (the trainer's) and those that go from training to serving.

use std::path::{Path, PathBuf};
#[cfg(feature = "model")]
use std::sync::OnceLock;

/// Generates `applicants` synthetic applicants under `dir` and builds
/// their feature table; returns the feature folder.
pub fn synthetic_features(dir: &Path, applicants: u64) -> PathBuf {
    let (synth_dir, features_dir) = (dir.join("synth"), dir.join("features"));
    let args = synth::SynthArgs {
        applicants,
        ..synth::SynthArgs::new(&synth_dir)
    };
    synth::run(&args).expect("synthetic data");
    trainer::features::run(&trainer::features::FeaturesArgs {
        data: synth_dir,
        out: features_dir.clone(),
        schema: None,
    })
    .expect("feature table");
    features_dir
}

/// [`synthetic_features`] of `applicants` built once for a whole test
/// binary, in a temporary directory `cell` keeps until the binary ends.
#[cfg(feature = "model")]
pub fn synthetic_features_once(
    cell: &'static OnceLock<(tempfile::TempDir, PathBuf)>,
    applicants: u64,
) -> &'static Path {
    &cell
        .get_or_init(|| {
            let tmp = tempfile::tempdir().expect("temporary directory");
            let features = synthetic_features(tmp.path(), applicants);
            (tmp, features)
        })
        .1
}
