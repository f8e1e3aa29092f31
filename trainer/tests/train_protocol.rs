//! The validation protocol of `trainer train`: thresholds fixed without the
//! test split, the published model refitted on every labelled client, and
//! a cross-validation whose early stopping never watches the rows it
//! scores.

use std::fmt::Write as _;
use std::path::Path;

use trainer::evaluation::roc_auc;
use trainer::learners::lightgbm::LightGbmParams;
use trainer::learners::sampling::stratified_split;
use trainer::train::crossval::{CvInput, cross_validate, fold_rows};
use trainer::train::fit::{Imbalance, Labelled, fit_lightgbm, probabilities};
use trainer::train::search::{SearchPlan, SelectionMetric};
use trainer::train::table::{Rows, read_training_table};
use trainer::train::{ImbalanceChoice, TrainArgs, train_and_publish};

/// A 64-bit LCG: the same stream on every platform.
struct Lcg(u64);

impl Lcg {
    fn uniform(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// 2,000 loans whose default is driven by `score`; `labels` overrides the
/// drawn outcomes when given.
fn portfolio(path: &Path, labels: Option<&[u8]>) -> Vec<u8> {
    let mut rng = Lcg(11);
    let mut csv = String::from("loan_id,defaulted,score,amount,noise\n");
    let mut drawn = Vec::new();
    for i in 0..2_000 {
        let score = rng.uniform();
        let label = u8::from(rng.uniform() < 0.03 + 0.3 * score * score);
        let label = labels.map_or(label, |l| l[i]);
        drawn.push(label);
        let _ = writeln!(
            csv,
            "{},{label},{score},{},{}",
            10_000 + i,
            1_000 + i % 37 * 100,
            rng.uniform()
        );
    }
    std::fs::write(path, csv).expect("csv");
    drawn
}

fn quick(table: &Path, registry: &Path) -> TrainArgs {
    let mut args = TrainArgs::new(table, registry);
    args.id_column = "loan_id".into();
    args.target_column = "defaulted".into();
    args.credit_column = "amount".into();
    args.trees = 200;
    args.patience = 20;
    args.num_leaves = 4;
    args.learning_rate = 0.1;
    args.folds = 3;
    args.bootstrap = 200;
    args.compare = false;
    args.imbalance = ImbalanceChoice::None;
    args.trials_log = registry.join("trials.jsonl");
    args
}

#[test]
fn thresholds_do_not_depend_on_the_test_labels() {
    let tmp = tempfile::tempdir().expect("temporary directory");
    let csv = tmp.path().join("portfolio.csv");
    let labels = portfolio(&csv, None);
    let first = train_and_publish(&quick(&csv, &tmp.path().join("a"))).expect("training");

    // Reverse the outcomes of the test clients only.
    let split = stratified_split(&labels, 0.3, 42).expect("split");
    let mut changed = labels.clone();
    for &i in &split.test {
        changed[i] = 1 - changed[i];
    }
    portfolio(&csv, Some(&changed));
    let second = train_and_publish(&quick(&csv, &tmp.path().join("b"))).expect("training");

    assert_eq!(first.thresholds, second.thresholds);
    let t = first.thresholds;
    // Break-even r / (r + LGD) at LGD 0.8 × (1.25, 1, 0.75).
    assert!((t.normal - 0.05 / 0.85).abs() < 1e-15, "{t:?}");
    assert!((t.prudent - 0.05 / 1.05).abs() < 1e-15, "{t:?}");
    assert!((t.aggressive - 0.05 / 0.65).abs() < 1e-15, "{t:?}");
    // The test split did change what is measured.
    assert!(
        first.metrics["roc_auc"] > 0.6 && second.metrics["roc_auc"] < 0.5,
        "{} then {}",
        first.metrics["roc_auc"],
        second.metrics["roc_auc"]
    );
}

#[test]
fn the_published_model_is_the_chosen_setting_refitted_on_every_labelled_client() {
    let tmp = tempfile::tempdir().expect("temporary directory");
    let csv = tmp.path().join("portfolio.csv");
    portfolio(&csv, None);
    let outcome = train_and_publish(&quick(&csv, &tmp.path().join("r"))).expect("training");
    let table = read_training_table(&csv, "loan_id", "defaulted").expect("table");
    let refit = outcome.refit.expect("a LightGBM refit");
    assert_eq!(refit.clients, table.labels.len());
    assert_eq!(outcome.metrics["refit_clients"], 2_000.0);
    assert!(outcome.metrics["train_clients"] < 2_000.0);

    // Fitting the chosen setting on every client gives the published trees.
    let setting = outcome.setting.expect("setting");
    let names: Vec<String> = table.schema.feature_names().map(str::to_owned).collect();
    let data = Labelled::of(&table);
    let every: Vec<usize> = (0..table.labels.len()).collect();
    let fitted = fit_lightgbm(
        data,
        &names,
        &every,
        None,
        &setting.params.with_rounds(refit.rounds),
        setting.imbalance,
        42,
    )
    .expect("refit");
    let rows = table.labelled.gather(&every, names.len());
    let (mut expected, mut published) = (vec![0.0; every.len()], vec![0.0; every.len()]);
    fitted
        .model
        .predict_raw_batch(&rows, &mut expected)
        .expect("raw");
    outcome
        .model
        .predict_raw_batch(&rows, &mut published)
        .expect("raw");
    assert_eq!(expected, published);
    // The model the test split measured was fitted without it: it differs.
    let mut evaluated = vec![0.0; every.len()];
    outcome
        .evaluated_model
        .predict_raw_batch(&rows, &mut evaluated)
        .expect("raw");
    assert_ne!(evaluated, published);
}

/// 1,500 clients whose features are pure noise, 20% defaulters.
fn noise() -> (Rows, Vec<u8>) {
    let mut rng = Lcg(5);
    let (n, k) = (1_500, 6);
    let values: Vec<f64> = (0..n * k).map(|_| rng.uniform()).collect();
    let labels = (0..n).map(|_| u8::from(rng.uniform() < 0.2)).collect();
    let ids = (0..n as i64).collect();
    (Rows { ids, values }, labels)
}

#[test]
fn early_stopping_never_watches_the_rows_that_give_the_out_of_fold_score() {
    let (rows, labels) = noise();
    let data = Labelled {
        rows: &rows,
        labels: &labels,
        n_features: 6,
    };
    let every: Vec<usize> = (0..labels.len()).collect();
    let folds = fold_rows(data, &every, 5, 42).expect("folds");
    let mut scored = vec![0; labels.len()];
    for fold in &folds {
        for i in &fold.valid {
            assert!(!fold.stop.contains(i) && !fold.fit.contains(i));
            scored[*i] += 1;
        }
        assert!(fold.stop.iter().all(|i| !fold.fit.contains(i)));
        assert_eq!(
            fold.fit.len() + fold.stop.len() + fold.valid.len(),
            labels.len()
        );
    }
    assert!(scored.iter().all(|&s| s == 1), "every row scored once");

    // On noise, stopping on the scored rows picks the rounds that suit them
    // and reports a skill that is not there; the inner split does not.
    let names: Vec<String> = (0..6).map(|j| format!("noise_{j}")).collect();
    let params = LightGbmParams {
        num_leaves: 8,
        learning_rate: 0.1,
        num_iterations: 300,
        early_stopping_rounds: Some(10),
        seed: 42,
        metric: trainer::learners::lightgbm::EarlyStoppingMetric::Auc,
        ..LightGbmParams::default()
    }
    .check()
    .expect("parameters");
    let mut naive = vec![0.0; labels.len()];
    for fold in &folds {
        let train: Vec<usize> = fold.fit.iter().chain(&fold.stop).copied().collect();
        let fitted = fit_lightgbm(
            data,
            &names,
            &train,
            Some(&fold.valid),
            &params,
            Imbalance::None,
            42,
        )
        .expect("fit");
        for (&i, p) in fold
            .valid
            .iter()
            .zip(probabilities(&fitted.model, data, &fold.valid).expect("p"))
        {
            naive[i] = p;
        }
    }
    let naive_auc = roc_auc(&naive, &labels).expect("AUC");
    let cost = trainer::evaluation::CostParameters::default()
        .check()
        .expect("cost");
    let plan = SearchPlan::built_in(&params, &[Imbalance::None], 5);
    let tmp = tempfile::tempdir().expect("temporary directory");
    let cv = cross_validate(
        &SearchPlan {
            folds: 5,
            candidates: plan.candidates[..1].to_vec(),
        },
        CvInput {
            data,
            feature_names: &names,
            rows: &every,
            credit: &vec![1.0; labels.len()],
            metric: SelectionMetric::Auc,
            cost: &cost,
            seed: 42,
        },
        &tmp.path().join("trials.jsonl"),
    )
    .expect("cross-validation");
    let honest_auc = cv.trials[0].score;
    assert!(
        naive_auc > honest_auc + 0.02,
        "naive {naive_auc} vs inner split {honest_auc}"
    );
    assert!((honest_auc - 0.5).abs() < 0.04, "{honest_auc}");
}

#[test]
fn monotone_constraints_hold_on_the_published_model_and_are_recorded() {
    let tmp = tempfile::tempdir().expect("temporary directory");
    let csv = tmp.path().join("portfolio.csv");
    portfolio(&csv, None);
    let mut args = quick(&csv, &tmp.path().join("m"));
    args.monotone = vec!["score=+1".into(), "noise=-1".into()];
    let outcome = train_and_publish(&args).expect("training");
    let setting = outcome.setting.expect("setting");
    // Columns: score, amount, noise.
    assert_eq!(setting.params.get().monotone_constraints, vec![1, 0, -1]);
    let model = &outcome.model;
    for (amount, noise) in [(1_000.0, 0.1), (2_500.0, 0.5), (4_600.0, 0.9)] {
        let along = |j: usize| -> Vec<f64> {
            (0..=50)
                .map(|k| {
                    let mut row = [0.5, amount, noise];
                    row[j] = f64::from(k) / 50.0;
                    model.predict_probability(&row).expect("scores")
                })
                .collect()
        };
        assert!(
            along(0).windows(2).all(|w| w[0] <= w[1]),
            "PD falls with score"
        );
        assert!(
            along(2).windows(2).all(|w| w[0] >= w[1]),
            "PD rises with noise"
        );
    }
    let registry = scoring_core::registry::Registry::open(tmp.path().join("m")).expect("registry");
    let published = registry.load(&outcome.version).expect("load");
    let card = published.model_card().expect("card");
    assert!(card.contains("Monotone constraints"), "{card}");
    assert!(card.contains("score=+1, noise=-1"), "{card}");
    assert_eq!(
        published.manifest().training_parameters["monotone"],
        serde_json::json!(["score=+1", "noise=-1"])
    );
}
