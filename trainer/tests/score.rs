//! `trainer score`: a portfolio in, one line per client out, with the
//! published model's probabilities and decisions; and its errors.

use std::path::Path;

use scoring_core::registry::Registry;
use trainer::Error;
use trainer::score::{ScoreArgs, Shard, run};
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
        shard: Shard::WHOLE,
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
        shard: Shard::WHOLE,
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

/// N shards, their files concatenated in order (headers aside), are the
/// file of one unsharded run, whatever N (more shards than rows: below).
#[test]
fn shards_together_give_exactly_the_unsharded_rows_and_values() {
    let tmp = tempfile::tempdir().expect("temporary directory");
    let csv = tmp.path().join("p.csv");
    portfolio(&csv, 997);
    let registry = tmp.path().join("registry");
    publish(&csv, &registry, 20, true);
    let args = |out: &str, shard: Shard| ScoreArgs {
        features: csv.clone(),
        registry: registry.clone(),
        model: "production".into(),
        strategy: "normal".into(),
        id_column: "id".into(),
        reasons: 2,
        out: tmp.path().join(out),
        shard,
    };
    assert_eq!(run(&args("whole.csv", Shard::WHOLE)).expect("scores"), 997);
    let whole = std::fs::read_to_string(tmp.path().join("whole.csv")).expect("output");
    let (header, rows) = whole.split_once('\n').expect("a header");
    for count in [1, 3, 8] {
        let mut joined = String::new();
        let mut scored = 0;
        for index in 0..count {
            let name = format!("shard-{index}-of-{count}.csv");
            scored += run(&args(&name, Shard { index, count })).expect("a shard");
            let text = std::fs::read_to_string(tmp.path().join(&name)).expect("shard output");
            let (shard_header, shard_rows) = text.split_once('\n').expect("a header");
            assert_eq!(shard_header, header, "every shard file stands alone");
            joined.push_str(shard_rows);
        }
        assert_eq!(scored, 997, "{count} shards");
        assert_eq!(joined, rows, "{count} shards");
    }
}

#[test]
fn a_shard_is_k_of_n_with_k_below_n() {
    assert_eq!("2/8".parse::<Shard>(), Ok(Shard { index: 2, count: 8 }));
    for bad in ["", "3", "3/3", "1/0", "-1/2", "a/2", "1/b", "1/2/3"] {
        let error = bad.parse::<Shard>().expect_err(bad);
        assert!(error.contains("K/N"), "{bad}: {error}");
    }
    let sizes: Vec<usize> = (0..3)
        .map(|index| Shard { index, count: 3 }.range(10).len())
        .collect();
    assert_eq!(sizes, [3, 3, 4]);
    // More shards than rows: some are empty, together they hold every row.
    let ranges: Vec<_> = (0..5)
        .map(|index| Shard { index, count: 5 }.range(2))
        .collect();
    assert_eq!(ranges, [0..0, 0..0, 0..1, 1..1, 1..2]);
}
