//! `trainer train` end to end: synthetic data → feature table → published
//! versions whose report, reference statistics, snapshot and model card
//! are present, and whose model scores exactly as the trainer evaluated it.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use test_support::trained::synthetic_features_once;

use scoring_core::Strategy;
use scoring_core::registry::Registry;
use trainer::learners::lightgbm::{LightGbmParams, TrainedBooster};
use trainer::learners::sampling::stratified_split;
use trainer::train::fit::{Imbalance, Labelled, fit_lightgbm};
use trainer::train::table::read_training_table;
use trainer::train::{ModelKind, TrainArgs, train_and_publish, uncertainty};

/// A 5,000-applicant feature table, built once for every test here.
fn features() -> &'static Path {
    static DIR: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    synthetic_features_once(&DIR, 5_000)
}

fn quick(registry: &Path) -> TrainArgs {
    let mut args = TrainArgs::new(features(), registry);
    args.trees = 60;
    args.learning_rate = 0.1;
    args.num_leaves = 8;
    args.linfa_rows = 1_500;
    args.folds = 3;
    args.patience = 20;
    args.trials_log = registry.join("trials.jsonl");
    args
}

#[test]
fn publishes_a_model_that_scores_exactly_as_evaluated_with_its_evidence() {
    let tmp = tempfile::tempdir().expect("temporary directory");
    let mut args = quick(tmp.path());
    args.promote = true;
    let outcome = train_and_publish(&args).expect("training");

    let registry = Registry::open(tmp.path()).expect("registry");
    assert_eq!(
        registry.resolve("production").expect("alias"),
        outcome.version
    );
    let published = registry.load(&outcome.version).expect("load");
    let manifest = published.manifest();
    assert!(manifest.metrics["roc_auc"] > 0.65, "{:?}", manifest.metrics);
    assert!(
        manifest.code_version.starts_with("git:"),
        "{}",
        manifest.code_version
    );
    let t = manifest.thresholds;
    assert!(t.prudent < t.normal && t.normal < t.aggressive, "{t:?}");

    // The published model is the trainer's refit, bit for bit; the model
    // the test split measured scores every test client as reported.
    let table = read_training_table(features(), "SK_ID_CURR", "TARGET").expect("table");
    let n = published.model().n_features();
    assert_eq!(published.model(), &outcome.model);
    let position: std::collections::HashMap<i64, usize> = table
        .labelled
        .ids
        .iter()
        .enumerate()
        .map(|(i, &id)| (id, i))
        .collect();
    for (id, &expected) in outcome
        .test_client_ids
        .iter()
        .zip(&outcome.test_probabilities)
    {
        let i = position[id];
        let row = &table.labelled.values[i * n..(i + 1) * n];
        let p = outcome
            .evaluated_model
            .predict_probability(row)
            .expect("scores");
        assert_eq!(p.to_bits(), expected.to_bits(), "client {id}");
    }

    // Explanations start from the real population, not from the rebalanced
    // sample the trees were grown on: the base value is the mean raw score
    // of every labelled client.
    let mut raw = vec![0.0; table.labels.len()];
    published
        .model()
        .predict_raw_batch(&table.labelled.values, &mut raw)
        .expect("raw scores");
    let mean = raw.iter().sum::<f64>() / raw.len() as f64;
    let base = published.model().base_value();
    assert!(
        (base - mean).abs() <= 1e-9,
        "base value {base}, mean raw score {mean}"
    );

    let report = published.report().expect("report.json");
    let kinds: Vec<&str> = report
        .candidates
        .iter()
        .map(|c| c.model_kind.as_str())
        .collect();
    assert_eq!(kinds, ["lightgbm", "logistic", "decision_tree"]);
    assert_eq!(report.importance.len(), n);
    assert!(
        report.importance[0].mean_abs_contribution
            >= report.importance[n - 1].mean_abs_contribution
    );
    assert_eq!(report.confusion.len(), 3);
    let test_count = outcome.test_client_ids.len() as u64;
    for c in &report.confusion {
        assert_eq!(
            c.true_positive + c.false_positive + c.true_negative + c.false_negative,
            test_count
        );
    }
    assert!(!report.cost.curve.is_empty());
    assert_ne!(report.calibration.method, "none");

    let reference = published.reference().expect("reference.json");
    assert_eq!(reference.features.len(), n);
    assert_eq!(reference.rows as usize, table.labels.len());
    let deciles = reference.features[0]
        .quantile_histogram
        .as_ref()
        .expect("quantile histogram");
    assert_eq!(
        deciles.counts.iter().sum::<u64>() + deciles.missing,
        reference.rows
    );
    // Every interval brackets its estimate, but the ECE's (a sum of
    // absolute gaps, inflated by resampling noise); the reliability curve
    // has deciles.
    for name in uncertainty::measure_names() {
        let (v, lo, hi) = (
            manifest.metrics[&name],
            manifest.metrics[&format!("{name}_low")],
            manifest.metrics[&format!("{name}_high")],
        );
        assert!(lo <= hi, "{name}: [{lo}, {hi}]");
        if name != "ece" {
            assert!(lo <= v && v <= hi, "{name}: {v} not in [{lo}, {hi}]");
        }
    }
    assert_eq!(report.calibration.bins.len(), 10);
    for c in report.candidates.iter().filter(|c| !c.published) {
        assert!(c.metrics.contains_key("roc_auc_gain_low"), "{c:?}");
    }
    let snapshot = published.snapshot().expect("clients.bin");
    let mut unlabelled = table.unlabelled.ids.clone();
    unlabelled.sort_unstable();
    assert_eq!(snapshot.ids(), unlabelled.as_slice());
    let card = published.model_card().expect("model_card.md");
    assert!(
        card.contains(&format!("# Model card: {}", outcome.version)),
        "{card}"
    );
    assert!(card.contains("## Limitations"));
    assert!(card.contains("## Validation protocol"));
    assert!(card.contains("refitted on all"), "{card}");
    assert!(card.contains("Reliability on PD deciles"), "{card}");
}

#[test]
fn each_comparison_kind_is_publishable_and_servable() {
    for kind in [ModelKind::Logistic, ModelKind::DecisionTree] {
        let tmp = tempfile::tempdir().expect("temporary directory");
        let mut args = quick(tmp.path());
        args.model = kind;
        args.compare = false;
        args.linfa_rows = 3_000;
        let outcome = train_and_publish(&args).expect("training");
        // Better than chance; a single shallow tree on 3,000 rows is weak.
        assert!(
            outcome.metrics["roc_auc"] > 0.55,
            "{kind:?}: {:?}",
            outcome.metrics
        );
        let registry = Registry::open(tmp.path()).expect("registry");
        let published = registry.load(&outcome.version).expect("load");
        assert_eq!(published.report().expect("report").model_kind, kind.name());
        let snapshot = published.snapshot().expect("snapshot");
        let row = snapshot.row_at(0);
        let decision = published.decide(row, Strategy::Normal).expect("decides");
        let (phi, explanation) = published.model().explain(row).expect("explains");
        let sum: f64 = explanation.base_value + phi.iter().sum::<f64>();
        assert!((sum - explanation.raw_score).abs() < 1e-9, "{kind:?}");
        assert!((0.0..=1.0).contains(&decision.probability_of_default));
    }
}

#[test]
fn class_weights_and_a_cross_validated_search_publish_the_best_trial() {
    let tmp = tempfile::tempdir().expect("temporary directory");
    let search = tmp.path().join("search.toml");
    std::fs::write(
        &search,
        "folds = 3\nnum_iterations = 40\n[space]\nnum_leaves = [4, 8]\nlearning_rate = [0.1]\n",
    )
    .expect("search file");
    let mut args = quick(&tmp.path().join("registry"));
    args.search = Some(search);
    args.trials_log = tmp.path().join("logs/trials.jsonl");
    args.imbalance = trainer::train::ImbalanceChoice::Weights;
    args.compare = false;
    let outcome = train_and_publish(&args).expect("training");
    let log = std::fs::read_to_string(&args.trials_log).expect("trial log");
    let trials: Vec<serde_json::Value> = log
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect();
    assert_eq!(trials.len(), 2);
    let best = trials
        .iter()
        .map(|t| t["score"].as_f64().expect("score"))
        .fold(f64::MIN, f64::max);
    assert_eq!(outcome.metrics["cv_auc"], best);
    assert_eq!(outcome.metrics["cv_trials"], 2.0);
}

#[test]
fn scoring_core_reproduces_lightgbm_on_the_test_split() {
    let table = read_training_table(features(), "SK_ID_CURR", "TARGET").expect("table");
    let names: Vec<String> = table.schema.feature_names().map(str::to_owned).collect();
    let n = names.len();
    let data = Labelled::of(&table);
    let split = stratified_split(&table.labels, 0.3, 42).expect("split");
    let (fit, valid) = split.train.split_at(split.train.len() * 4 / 5);
    let params = LightGbmParams {
        num_iterations: 80,
        num_leaves: 16,
        early_stopping_rounds: Some(20),
        seed: 42,
        ..LightGbmParams::default()
    }
    .check()
    .expect("valid parameters");
    // No rebalancing: the served raw score is LightGBM's own.
    let fitted =
        fit_lightgbm(data, &names, fit, Some(valid), &params, Imbalance::None, 42).expect("fit");
    let booster = TrainedBooster::from_model_string(&fitted.lightgbm_text, n).expect("booster");
    let rows = table.labelled.gather(&split.test, n);
    let expected_raw = booster.predict_raw(&rows).expect("LightGBM raw");
    let expected_contrib = booster.predict_contrib(&rows).expect("LightGBM SHAP");
    let mut raw = vec![0.0; split.test.len()];
    fitted
        .model
        .predict_raw_batch(&rows, &mut raw)
        .expect("raw");
    for (i, (ours, theirs)) in raw.iter().zip(&expected_raw).enumerate() {
        assert!((ours - theirs).abs() <= 1e-9, "row {i}: {ours} vs {theirs}");
        if i >= 300 {
            continue; // contributions of the first 300 rows: TreeSHAP is slow unoptimised
        }
        let (phi, explanation) = fitted
            .model
            .explain(&rows[i * n..(i + 1) * n])
            .expect("explain");
        let theirs = &expected_contrib[i * (n + 1)..(i + 1) * (n + 1)];
        for (j, (a, b)) in phi.iter().zip(theirs).enumerate() {
            assert!((a - b).abs() <= 1e-9, "row {i} feature {j}: {a} vs {b}");
        }
        assert!(
            (explanation.base_value - theirs[n]).abs() <= 1e-9,
            "row {i} base value"
        );
    }
}
