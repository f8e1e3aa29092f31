//! `trainer train` end to end: synthetic data → feature table → a published
//! model whose manifest, thresholds and scores match what the trainer saw.

use polars::prelude::*;
use scoring_core::PublishedModel;
use scoring_core::registry::Registry;
use trainer::features::{FEATURES_FILE, FeaturesArgs};
use trainer::synth::SynthArgs;
use trainer::train::{TrainArgs, train_and_publish};

#[test]
fn trains_evaluates_and_publishes_a_model_that_scores_as_evaluated() {
    let tmp = tempfile::tempdir().expect("temporary directory");
    let synth_dir = tmp.path().join("synth");
    let features_dir = tmp.path().join("features");
    let registry_dir = tmp.path().join("registry");

    let mut synth = SynthArgs::new(&synth_dir);
    // 3,000 applicants give a test AUC of only ~0.67 (about 780 test
    // clients); 5,000 with a faster learner give ~0.72, a safer margin.
    synth.applicants = 5_000;
    trainer::synth::run(&synth).expect("synthetic data");
    trainer::features::run(&FeaturesArgs {
        data: synth_dir,
        out: features_dir.clone(),
        schema: None,
    })
    .expect("feature table");

    let mut args = TrainArgs::new(&features_dir, &registry_dir);
    args.trees = 60;
    args.learning_rate = 0.1;
    args.num_leaves = 8;
    args.promote = true;
    let outcome = train_and_publish(&args).expect("training");

    let registry = Registry::open(&registry_dir).expect("registry");
    assert_eq!(
        registry.resolve("production").expect("alias"),
        outcome.version
    );
    let published =
        PublishedModel::load(&registry.version_dir(&outcome.version)).expect("published model");
    let manifest = published.manifest();
    let auc = manifest.metrics["test_roc_auc"];
    assert!(auc > 0.65, "test ROC AUC {auc}");
    let t = manifest.thresholds;
    assert!(
        t.prudent <= t.normal && t.normal <= t.aggressive,
        "thresholds out of order: {t:?}"
    );
    assert_eq!(t, outcome.thresholds);

    // The published model (prior correction folded in) scores each test
    // client as the trainer evaluated it.
    let file = std::fs::File::open(features_dir.join(FEATURES_FILE)).expect("table");
    let table = ParquetReader::new(file).finish().expect("parquet");
    let ids = table
        .column("SK_ID_CURR")
        .and_then(|c| c.i64().cloned())
        .expect("SK_ID_CURR as i64");
    let names: Vec<String> = published
        .schema()
        .feature_names()
        .map(str::to_owned)
        .collect();
    let columns: Vec<Float64Chunked> = names
        .iter()
        .map(|n| {
            table
                .column(n)
                .and_then(|c| c.f64().cloned())
                .expect("feature as f64")
        })
        .collect();
    for (id, &expected) in outcome
        .test_client_ids
        .iter()
        .zip(&outcome.test_probabilities)
        .take(50)
    {
        let row_index = ids
            .iter()
            .position(|v| v == Some(*id))
            .expect("client in the table");
        let row: Vec<f64> = columns
            .iter()
            .map(|c| c.get(row_index).unwrap_or(f64::NAN))
            .collect();
        let p = published.model().predict_probability(&row).expect("scores");
        assert!(
            (p - expected).abs() < 1e-9,
            "client {id}: published model gives {p}, trainer evaluated {expected}"
        );
    }
}
