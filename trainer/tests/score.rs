//! `trainer score`: a portfolio in, one line per client out, with the
//! published model's probabilities and decisions; and its errors.

use std::path::Path;

use scoring_core::registry::Registry;
use trainer::Error;
use trainer::score::{ScoreArgs, run};
use trainer::train::{TrainArgs, train_and_publish};

fn portfolio(path: &Path, rows: usize) {
    let mut csv = String::from("id,y,a,b\n");
    for i in 0..rows {
        let a = (i % 50) as f64;
        let y = u8::from((i * 7919) % 100 < (i % 50) * 2);
        csv.push_str(&format!("{i},{y},{a},{}\n", (i * 31) % 17));
    }
    std::fs::write(path, csv).expect("csv");
}

/// Trains on `csv` (columns id, y, a, b) into `registry` with few trees.
fn publish(csv: &Path, registry: &Path, trees: u32, promote: bool) {
    let mut train = TrainArgs::new(csv, registry);
    (train.id_column, train.target_column) = ("id".into(), "y".into());
    (train.trees, train.num_leaves) = (trees, 4);
    train.compare = false;
    train.promote = promote;
    train_and_publish(&train).expect("training");
}

#[test]
fn scores_every_client_as_the_published_model_does() {
    let tmp = tempfile::tempdir().expect("temporary directory");
    let csv = tmp.path().join("p.csv");
    portfolio(&csv, 1_000);
    let registry = tmp.path().join("registry");
    publish(&csv, &registry, 30, true);

    let out = tmp.path().join("scores.csv");
    let args = ScoreArgs {
        features: csv.clone(),
        registry: registry.clone(),
        model: "production".into(),
        strategy: "prudent".into(),
        id_column: "id".into(),
        reasons: 2,
        out: out.clone(),
    };
    assert_eq!(run(&args).expect("scores"), 1_000);
    let text = std::fs::read_to_string(&out).expect("output");
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("id,probability_of_default,decision,threshold,reason_1,reason_2")
    );
    let reg = Registry::open(&registry).expect("registry");
    let version = reg.resolve("production").expect("alias");
    let published = reg.show(version.as_str()).expect("show").model;
    let threshold = published.thresholds().prudent;
    for (i, line) in lines.enumerate() {
        let fields: Vec<&str> = line.split(',').collect();
        assert_eq!(fields.len(), 6, "{line}");
        assert_eq!(fields[0], i.to_string());
        let row = [(i % 50) as f64, ((i * 31) % 17) as f64];
        let p = published.model().predict_probability(&row).expect("p");
        assert_eq!(fields[1].parse::<f64>().expect("p"), p);
        assert_eq!(fields[2], if p >= threshold { "REFUSE" } else { "ACCEPT" });
    }
    assert!(!tmp.path().join("scores.csv.partial").exists());
}

#[test]
fn bad_arguments_are_refused_with_what_was_wrong() {
    let tmp = tempfile::tempdir().expect("temporary directory");
    let csv = tmp.path().join("p.csv");
    portfolio(&csv, 400);
    let registry = tmp.path().join("registry");
    publish(&csv, &registry, 10, false);
    let base = ScoreArgs {
        features: csv.clone(),
        registry,
        model: "v1".into(),
        strategy: "normal".into(),
        id_column: "id".into(),
        reasons: 0,
        out: tmp.path().join("out.csv"),
    };
    let with = |f: &dyn Fn(&mut ScoreArgs)| {
        let mut a = base.clone();
        f(&mut a);
        run(&a).expect_err("should fail")
    };
    assert!(matches!(
        with(&|a| a.strategy = "reckless".into()),
        Error::Core(scoring_core::Error::UnknownStrategy { .. })
    ));
    assert!(matches!(
        with(&|a| a.model = "production".into()),
        Error::Core(scoring_core::Error::RegistryUnknownName { .. })
    ));
    assert!(matches!(
        with(&|a| a.reasons = 9),
        Error::InvalidArgument {
            flag: "--reasons",
            ..
        }
    ));
    let other = tmp.path().join("other.csv");
    std::fs::write(&other, "id,a\n1,2\n").expect("csv");
    let err = with(&|a| a.features = other.clone());
    assert!(
        matches!(&err, Error::TrainColumn { column, .. } if column == "b"),
        "{err}"
    );
    assert!(!tmp.path().join("out.csv").exists());
    assert_eq!(run(&base).expect("scores"), 400);
}
