//! The published model against a practitioner's plain Python LightGBM, on
//! an independent evaluation set.
//!
//! ```text
//! python3 -m venv peer-venv && peer-venv/bin/pip install -r trainer/benches/peer/requirements.txt
//! PEER_PYTHON=peer-venv/bin/python cargo bench -p trainer --bench peer
//! PEER_APPLICANTS=356255 PEER_PYTHON=... cargo bench -p trainer --bench peer   # full size
//! ```
//!
//! In `$PEER_DATA` (default `$TMPDIR/credit-scoring-peer`), generated on
//! first use: a synthetic training data set (`$PEER_APPLICANTS`, default
//! 20,000, seed 42) and its feature table; an independent evaluation set
//! (`$PEER_EVAL_APPLICANTS`, default 10,000, every one labelled, seed
//! 4242: other people from the same generator) featurised with the
//! training set's schema. Then `trainer train` with its defaults (no flag)
//! publishes a model; `peer/peer_lightgbm.py` fits the peer on the same
//! feature table; both score the evaluation set. Printed: each ROC AUC with
//! its stratified bootstrap 95% interval (1,000 resamples), the paired
//! bootstrap interval of the difference, the AUC of the generator's true
//! probabilities (the ceiling), and the training wall times.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use trainer::evaluation::{BootstrapPlan, bootstrap, roc_auc};
use trainer::features::{FEATURES_FILE, FeaturesArgs};
use trainer::train::table::read_training_table;
use trainer::train::{TrainArgs, train_and_publish};

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Generates `applicants` (all labelled when `labelled_only`) into
/// `dir/synth` and featurises them into `dir/features`, unless present.
fn data_set(dir: &Path, applicants: u64, seed: u64, labelled_only: bool, schema: Option<PathBuf>) {
    let (synth_dir, features) = (dir.join("synth"), dir.join("features"));
    if !synth_dir.join("true_default_probability.csv").is_file() {
        let mut args = synth::SynthArgs::new(&synth_dir);
        args.applicants = applicants;
        args.seed = seed;
        args.force = true;
        if labelled_only {
            args.test_fraction = 0.0;
        }
        synth::run(&args).expect("synthetic data");
    }
    if !features.join(FEATURES_FILE).is_file() {
        trainer::features::run(&FeaturesArgs {
            data: synth_dir,
            out: features,
            schema,
        })
        .expect("feature table");
    }
}

fn true_probabilities(dir: &Path) -> HashMap<i64, f64> {
    std::fs::read_to_string(dir.join("synth/true_default_probability.csv"))
        .expect("true_default_probability.csv")
        .lines()
        .skip(1)
        .filter_map(|l| l.split_once(','))
        .filter_map(|(id, p)| Some((id.parse().ok()?, p.parse().ok()?)))
        .collect()
}

fn main() {
    let root = std::env::var_os("PEER_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| std::env::temp_dir().join("credit-scoring-peer"));
    let applicants = env_u64("PEER_APPLICANTS", 20_000);
    let (train_dir, eval_dir) = (
        root.join(format!("train-{applicants}")),
        root.join(format!("eval-{}", env_u64("PEER_EVAL_APPLICANTS", 10_000))),
    );
    data_set(&train_dir, applicants, 42, false, None);
    let schema = train_dir.join("features/feature_schema.json");
    data_set(
        &eval_dir,
        env_u64("PEER_EVAL_APPLICANTS", 10_000),
        4242,
        true,
        Some(schema),
    );

    let registry = train_dir.join("peer-registry");
    let _ = std::fs::remove_dir_all(&registry);
    let mut args = TrainArgs::new(train_dir.join("features"), &registry);
    args.trials_log = train_dir.join("peer-trials.jsonl");
    let started = Instant::now();
    let outcome = train_and_publish(&args).expect("trainer train");
    let ours_seconds = started.elapsed().as_secs_f64();

    let python = std::env::var("PEER_PYTHON").unwrap_or_else(|_| "python3".to_owned());
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/peer/peer_lightgbm.py");
    let peer_csv = eval_dir.join("peer.csv");
    let started = Instant::now();
    let status = Command::new(&python)
        .arg(&script)
        .arg("--train")
        .arg(train_dir.join("features").join(FEATURES_FILE))
        .arg("--eval")
        .arg(eval_dir.join("features").join(FEATURES_FILE))
        .arg("--out")
        .arg(&peer_csv)
        .status()
        .unwrap_or_else(|e| panic!("running {python} {}: {e}", script.display()));
    assert!(
        status.success(),
        "the peer failed (pip install -r trainer/benches/peer/requirements.txt)"
    );
    let peer_seconds = started.elapsed().as_secs_f64();
    let peer: HashMap<i64, f64> = std::fs::read_to_string(&peer_csv)
        .expect("peer.csv")
        .lines()
        .skip(1)
        .filter_map(|l| l.split_once(','))
        .filter_map(|(id, p)| Some((id.parse::<f64>().ok()? as i64, p.parse().ok()?)))
        .collect();

    let table = read_training_table(&eval_dir.join("features"), "SK_ID_CURR", "TARGET")
        .expect("evaluation table");
    let names = outcome.model.feature_names();
    let position: Vec<usize> = names
        .iter()
        .map(|f| {
            table
                .schema
                .position(f)
                .expect("evaluation table has the model's features")
        })
        .collect();
    let width = table.schema.features.len();
    let rows: Vec<f64> = (0..table.labels.len())
        .flat_map(|i| position.iter().map(move |&j| (i, j)))
        .map(|(i, j)| table.labelled.values[i * width + j])
        .collect();
    let mut ours = vec![0.0; table.labels.len()];
    outcome
        .model
        .predict_probability_batch(&rows, &mut ours)
        .expect("scores");
    let ids = &table.labelled.ids;
    let theirs: Vec<f64> = ids.iter().map(|id| peer[id]).collect();
    let truth = true_probabilities(&eval_dir);
    let ceiling: Vec<f64> = ids.iter().map(|id| truth[id]).collect();
    let labels = &table.labels;

    let plan = BootstrapPlan {
        resamples: 1_000,
        seed: 42,
        level: 0.95,
    };
    let gather = |p: &[f64], rows: &[usize]| -> (Vec<f64>, Vec<u8>) {
        (
            rows.iter().map(|&i| p[i]).collect(),
            rows.iter().map(|&i| labels[i]).collect(),
        )
    };
    let found = bootstrap(labels, plan, |rows| {
        let (a, y) = gather(&ours, rows);
        let (b, _) = gather(&theirs, rows);
        let (c, _) = gather(&ceiling, rows);
        let (a, b, c) = (roc_auc(&a, &y)?, roc_auc(&b, &y)?, roc_auc(&c, &y)?);
        Ok(vec![a, b, a - b, c])
    })
    .expect("bootstrap");
    let show = |name: &str, i: &trainer::evaluation::Interval| {
        println!(
            "  {name:<28} {:.4}  95% [{:.4}, {:.4}]",
            i.estimate, i.low, i.high
        );
    };
    println!(
        "evaluation set: {} clients ({} defaulters), independent of the {} training applicants",
        labels.len(),
        labels.iter().filter(|&&l| l == 1).count(),
        applicants
    );
    show("trainer train (defaults)", &found[0]);
    show("Python LightGBM peer", &found[1]);
    show("difference (paired)", &found[2]);
    show("true probabilities", &found[3]);
    println!(
        "  training wall time: trainer {ours_seconds:.1} s (cross-validation, evaluation, refit, publication), peer {peer_seconds:.1} s (fit and scoring)"
    );
    println!(
        "  trainer test split: ROC AUC {:.4} [{:.4}, {:.4}]",
        outcome.metrics["roc_auc"], outcome.metrics["roc_auc_low"], outcome.metrics["roc_auc_high"]
    );
}
