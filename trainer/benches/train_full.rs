//! Full-size benchmark of `trainer train` with its defaults.
//!
//! ```text
//! cargo bench -p trainer --bench train_full
//! ```
//!
//! Uses the full-size synthetic data in `$BENCH_DATA` (default
//! `$TMPDIR/credit-scoring-bench/full`; generate it with `trainer synth
//! --full --out <dir>`), builds its feature table into
//! `<data>/bench-features` when missing, then trains and publishes into a
//! fresh `<data>/bench-registry` in this process. Reports the wall time,
//! the peak RSS, the test ROC AUC, and the best achievable one on the same
//! test clients: the AUC of the generator's true probabilities
//! (`true_default_probability.csv`).

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::Instant;

use trainer::evaluation::roc_auc;
use trainer::features::{FEATURES_FILE, FeaturesArgs};
use trainer::train::table::read_training_table;
use trainer::train::{TrainArgs, train_and_publish};

fn main() {
    let data = std::env::var_os("BENCH_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| std::env::temp_dir().join("credit-scoring-bench/full"));
    let features = data.join("bench-features");
    if !features.join(FEATURES_FILE).is_file() {
        let started = Instant::now();
        trainer::features::run(&FeaturesArgs {
            data: data.clone(),
            out: features.clone(),
            schema: None,
        })
        .expect("feature table (generate the data with `trainer synth --full`)");
        println!("features: {:.1} s", started.elapsed().as_secs_f64());
    }
    let registry = data.join("bench-registry");
    let _ = std::fs::remove_dir_all(&registry);
    let mut args = TrainArgs::new(&features, &registry);
    args.trials_log = data.join("bench-trials.jsonl");
    let started = Instant::now();
    let outcome = train_and_publish(&args).expect("training");
    let seconds = started.elapsed().as_secs_f64();

    let truth: HashMap<i64, f64> =
        std::fs::read_to_string(data.join("true_default_probability.csv"))
            .expect("true_default_probability.csv")
            .lines()
            .skip(1)
            .filter_map(|l| l.split_once(','))
            .filter_map(|(id, p)| Some((id.parse().ok()?, p.parse().ok()?)))
            .collect();
    let table = read_training_table(&features, "SK_ID_CURR", "TARGET").expect("table");
    let label: HashMap<i64, u8> = table
        .labelled
        .ids
        .iter()
        .copied()
        .zip(table.labels.iter().copied())
        .collect();
    let ids = &outcome.test_client_ids;
    let labels: Vec<u8> = ids.iter().map(|id| label[id]).collect();
    let true_pd: Vec<f64> = ids.iter().map(|id| truth[id]).collect();
    let best = roc_auc(&true_pd, &labels).expect("AUC");
    println!(
        "train: {seconds:.1} s wall, peak RSS {:.0} MiB; {} test clients; test ROC AUC {:.4} (true probabilities: {best:.4}); version {} in {}",
        peak_rss_mib(),
        ids.len(),
        outcome.metrics["roc_auc"],
        outcome.version,
        registry.display()
    );
    for (name, value) in &outcome.metrics {
        println!("  {name} = {value:.6}");
    }
}

fn peak_rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines().find_map(|l| {
                l.strip_prefix("VmHWM:")
                    .map(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
            })
        })
        .flatten()
        .map_or(f64::NAN, |kib| kib / 1024.0)
}
