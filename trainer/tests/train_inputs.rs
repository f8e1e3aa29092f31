//! `trainer train` on a plain CSV or parquet table named by flags, and the
//! errors of bad tables and bad search files.

use std::fmt::Write as _;
use std::path::Path;

use scoring_core::FeatureKind;
use scoring_core::registry::Registry;
use trainer::Error;
use trainer::train::table::read_training_table;
use trainer::train::{TrainArgs, train_and_publish};

/// 1,200 loans with a default driven by `score` and `segment`; the last 100
/// have no outcome yet.
fn portfolio_csv(path: &Path) {
    let mut csv = String::from("loan_id,defaulted,score,amount,segment,noise\n");
    let mut state = 7_u64;
    for i in 0..1_200 {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        let u = (state >> 11) as f64 / (1u64 << 53) as f64;
        let score = (i % 97) as f64 / 97.0;
        let segment = ["retail", "sme", "premium"][i % 3];
        let risk = 0.05 + 0.4 * score + if segment == "sme" { 0.1 } else { 0.0 };
        let label = if i >= 1_100 {
            String::new()
        } else {
            u8::from(u < risk).to_string()
        };
        let amount = if i % 11 == 0 {
            String::new()
        } else {
            format!("{}", 1000 + i * 10)
        };
        let _ = writeln!(
            csv,
            "{},{label},{score},{amount},{segment},{}",
            5_000 + i,
            u
        );
    }
    std::fs::write(path, csv).expect("csv");
}

fn args(table: &Path, registry: &Path) -> TrainArgs {
    let mut args = TrainArgs::new(table, registry);
    args.id_column = "loan_id".into();
    args.target_column = "defaulted".into();
    args.credit_column = "amount".into();
    args.trees = 40;
    args.num_leaves = 4;
    args.learning_rate = 0.1;
    args.trials_log = registry.join("trials.jsonl");
    args
}

#[test]
fn a_plain_csv_trains_with_an_inferred_schema_and_publishes_its_open_loans() {
    let tmp = tempfile::tempdir().expect("temporary directory");
    let csv = tmp.path().join("portfolio.csv");
    portfolio_csv(&csv);
    let table = read_training_table(&csv, "loan_id", "defaulted").expect("table");
    let kinds: Vec<(&str, FeatureKind)> = table
        .schema
        .features
        .iter()
        .map(|f| (f.name.as_str(), f.kind))
        .collect();
    assert_eq!(
        kinds,
        [
            ("score", FeatureKind::Numeric),
            ("amount", FeatureKind::Numeric),
            ("segment", FeatureKind::CategoryCode),
            ("noise", FeatureKind::Numeric)
        ]
    );
    assert_eq!(
        table.schema.vocabularies[0].values,
        ["premium", "retail", "sme"]
    );
    assert_eq!((table.labels.len(), table.unlabelled.len()), (1_100, 100));
    // loan 5001 is "sme" (code 2) with amount 1010.
    let i = table
        .labelled
        .ids
        .iter()
        .position(|&id| id == 5_001)
        .expect("loan");
    assert_eq!(
        &table.labelled.values[i * 4..i * 4 + 3],
        &[1.0 / 97.0, 1010.0, 2.0]
    );

    let registry = tmp.path().join("registry");
    let outcome = train_and_publish(&args(&csv, &registry)).expect("training");
    assert!(outcome.metrics["roc_auc"] > 0.6, "{:?}", outcome.metrics);
    let published = Registry::open(&registry)
        .expect("registry")
        .show(outcome.version.as_str())
        .expect("show")
        .model;
    assert_eq!(published.snapshot().expect("snapshot").len(), 100);
}

fn train_error(table: &Path) -> Error {
    let registry = table.with_extension("registry");
    train_and_publish(&args(table, &registry)).expect_err("should fail")
}

#[test]
fn bad_tables_are_refused_naming_the_row_column_or_file() {
    let tmp = tempfile::tempdir().expect("temporary directory");
    let write = |name: &str, text: &str| {
        let path = tmp.path().join(name);
        std::fs::write(&path, text).expect("write");
        path
    };
    let err = train_error(&write(
        "bad_target.csv",
        "loan_id,defaulted,x\n1,0,1\n2,2,3\n",
    ));
    assert!(
        matches!(&err, Error::TrainInvalidTarget { row: 2, value, .. } if value == "2"),
        "{err}"
    );
    let err = train_error(&write("dup.csv", "loan_id,defaulted,x\n1,0,1\n1,1,3\n"));
    assert!(
        matches!(&err, Error::TrainInvalidId { row: 2, .. }),
        "{err}"
    );
    let err = train_error(&write("no_target.csv", "loan_id,x\n1,1\n"));
    assert!(
        matches!(&err, Error::TrainColumn { column, .. } if column == "defaulted"),
        "{err}"
    );
    let err = train_error(&write("unlabelled.csv", "loan_id,defaulted,x\n1,,1\n"));
    assert!(matches!(&err, Error::TrainNoLabelledRows { .. }), "{err}");
    let err = train_error(&write("only_keys.csv", "loan_id,defaulted\n1,0\n"));
    assert!(matches!(&err, Error::TrainNoFeatures { .. }), "{err}");
    let err = train_error(&write("table.xlsx", "whatever"));
    assert!(matches!(&err, Error::TrainUnknownInput { .. }), "{err}");
    let err = train_error(&tmp.path().join("missing.csv"));
    assert!(matches!(&err, Error::TrainFeatureTable { .. }), "{err}");
}

#[test]
fn bad_search_files_and_flags_are_refused_before_training() {
    let tmp = tempfile::tempdir().expect("temporary directory");
    let csv = tmp.path().join("portfolio.csv");
    portfolio_csv(&csv);
    let cases = [
        ("folds = 1\n[space]\nnum_leaves = [4]\n", "folds = 1"),
        ("[space]\nnum_leaves = []\n", "lists no value"),
        ("[space]\nnot_a_parameter = [1]\n", "not_a_parameter"),
        (
            "strategy = \"random\"\n[space]\nnum_leaves = [4, 8]\n",
            "needs `trials`",
        ),
        ("[space]\nnum_leaves = [\"many\"]\n", "does not fit"),
        ("[space]\nimbalance = [\"smote\"]\n", "\"weights\""),
        ("[space]\nimbalance = []\n", "`imbalance` lists no value"),
    ];
    for (i, (text, expected)) in cases.into_iter().enumerate() {
        let search = tmp.path().join(format!("search{i}.toml"));
        std::fs::write(&search, text).expect("search file");
        let mut a = args(&csv, &tmp.path().join("registry"));
        a.search = Some(search);
        let err = train_and_publish(&a).expect_err("bad search");
        assert!(err.to_string().contains(expected), "{text:?}: {err}");
    }
    let search = tmp.path().join("syntax.toml");
    std::fs::write(&search, "[space\n").expect("search file");
    let mut a = args(&csv, &tmp.path().join("registry"));
    a.search = Some(search);
    assert!(matches!(
        train_and_publish(&a),
        Err(Error::TrainSearchSpace { .. })
    ));

    let mut a = args(&csv, &tmp.path().join("registry"));
    a.monotone = vec!["not_a_column=+1".into()];
    let err = train_and_publish(&a).expect_err("unknown feature");
    assert!(
        matches!(&err, Error::InvalidArgument { flag: "--monotone", message } if message.contains("`not_a_column` is not a feature")),
        "{err}"
    );

    let mut a = args(&csv, &tmp.path().join("registry"));
    a.test_fraction = 1.5;
    assert!(matches!(
        train_and_publish(&a),
        Err(Error::InvalidArgument {
            flag: "--test-fraction",
            ..
        })
    ));
    assert!(
        Registry::open(tmp.path().join("registry"))
            .expect("registry")
            .versions()
            .expect("versions")
            .is_empty()
    );
}

/// Puts one option out of range.
type Spoil = fn(&mut TrainArgs);

#[test]
fn check_names_the_flag_of_each_value_out_of_range() {
    let base = args(Path::new("portfolio.csv"), Path::new("registry"));
    let cases: [(Spoil, &str); 16] = [
        (|a| a.test_fraction = 0.0, "--test-fraction"),
        (|a| a.undersample_ratio = f64::NAN, "--undersample-ratio"),
        (|a| a.linfa_rows = 99, "--linfa-rows"),
        (|a| a.num_leaves = 1, "--num-leaves"),
        (|a| a.learning_rate = -0.1, "--learning-rate"),
        (|a| a.trees = 0, "--trees"),
        (|a| a.interest_rate = -0.01, "--interest-rate"),
        (
            |a| a.loss_given_default = f64::INFINITY,
            "--loss-given-default",
        ),
        (|a| a.test_fraction = 1.0, "--test-fraction"),
        (|a| a.folds = 1, "--folds"),
        (|a| a.patience = 0, "--patience"),
        (|a| a.lgd_stress = 1.0, "--lgd-stress"),
        (|a| a.bootstrap = 99, "--bootstrap"),
        (|a| a.monotone = vec!["score".into()], "--monotone"),
        (|a| a.monotone = vec!["score=2".into()], "--monotone"),
        (
            |a| a.monotone = vec!["score=+1".into(), "score=-1".into()],
            "--monotone",
        ),
    ];
    for (spoil, expected) in cases {
        let mut bad = base.clone();
        spoil(&mut bad);
        match bad.check() {
            Err(Error::InvalidArgument { flag, message }) => {
                assert_eq!(flag, expected, "{message}");
                assert!(message.contains("got"), "{flag}: {message}");
            }
            other => panic!("{expected}: expected an invalid argument, got {other:?}"),
        }
    }
    let checked = base.clone().check().expect("valid options");
    assert_eq!(checked.get().trees, 40);
    assert_eq!(checked.lightgbm().get().num_iterations, 40);
    assert_eq!(checked.lightgbm().get().num_leaves, 4);
    assert_eq!(checked.cost().get().interest_rate, base.interest_rate);
}
