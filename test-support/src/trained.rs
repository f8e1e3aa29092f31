//! Synthetic applicants through the real feature pipeline, for the tests
//! that train (the trainer's) and those that go from training to serving.

use std::path::{Path, PathBuf};

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
