//! The fairness report of `trainer train` and `--exclude-features`: real
//! training runs on a small synthetic feature table, with the report's
//! figures checked against a direct computation from the published
//! probabilities of the test clients.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use scoring_core::Strategy;
use scoring_core::registry::Registry;
use scoring_core::report::{FairnessReport, ModelReport};
use test_support::trained::synthetic_features_once;
use trainer::evaluation::BootstrapPlan;
use trainer::train::fairness::groups::Grouping;
use trainer::train::fairness::measure::{GroupedTest, attribute_report};
use trainer::train::table::read_training_table;
use trainer::train::{TrainArgs, TrainOutcome, train_and_publish};

/// A 3,000-applicant feature table, built once for every test here.
fn features() -> &'static Path {
    static DIR: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    synthetic_features_once(&DIR, 3_000)
}

/// A small, quick LightGBM run without the linfa comparison models.
fn quick(registry: &Path) -> TrainArgs {
    let mut args = TrainArgs::new(features(), registry);
    args.trees = 40;
    args.learning_rate = 0.1;
    args.num_leaves = 8;
    args.folds = 2;
    args.patience = 10;
    args.compare = false;
    args.bootstrap = 200;
    args.trials_log = registry.join("trials.jsonl");
    args
}

fn published_report(registry: &Path, outcome: &TrainOutcome) -> (ModelReport, String) {
    let published = Registry::open(registry)
        .expect("registry")
        .load(&outcome.version)
        .expect("load");
    (
        published.report().expect("report.json").clone(),
        published.model_card().expect("model_card.md").to_owned(),
    )
}

#[test]
fn a_groups_figures_equal_a_direct_computation_from_the_test_probabilities() {
    let tmp = tempfile::tempdir().expect("temporary directory");
    let outcome = train_and_publish(&quick(tmp.path())).expect("training");
    let (report, card) = published_report(tmp.path(), &outcome);

    // Each test client's gender, read here from the table and its vocabulary.
    let table = read_training_table(features(), "SK_ID_CURR", "TARGET").expect("table");
    let n = table.schema.features.len();
    let j = table
        .schema
        .position("CODE_GENDER")
        .expect("gender feature");
    let row_of: HashMap<i64, usize> = table
        .labelled
        .ids
        .iter()
        .enumerate()
        .map(|(i, &id)| (id, i))
        .collect();
    let t = outcome.thresholds.normal;
    // (clients, accepted, accepted defaulters) per gender.
    let mut tally: HashMap<String, (u64, u64, u64)> = HashMap::new();
    for (id, &p) in outcome
        .test_client_ids
        .iter()
        .zip(&outcome.test_probabilities)
    {
        let i = row_of[id];
        let code = table.labelled.values[i * n + j];
        let gender = table
            .schema
            .category_name(j, code)
            .expect("a synthetic client's gender is F or M");
        let entry = tally.entry(gender.to_owned()).or_default();
        entry.0 += 1;
        if p < t {
            entry.1 += 1;
            entry.2 += u64::from(table.labels[i]);
        }
    }
    let rate = |g: &str| tally[g].1 as f64 / tally[g].0 as f64;
    let favoured = rate("F").max(rate("M"));

    let gender = report
        .fairness
        .attributes
        .iter()
        .find(|a| a.attribute == "gender")
        .expect("gender groups");
    let names: Vec<&str> = gender.groups.iter().map(|g| g.group.as_str()).collect();
    assert_eq!(names, ["F", "M"]);
    for group in &gender.groups {
        let (clients, accepted, defaulted) = tally[group.group.as_str()];
        assert_eq!(group.clients, clients);
        let normal = group
            .strategies
            .iter()
            .find(|s| s.strategy == Strategy::Normal)
            .expect("normal strategy");
        assert_eq!(normal.accepted, accepted);
        let close = |a: f64, b: f64| (a - b).abs() <= 1e-12;
        assert!(close(normal.acceptance_rate.estimate, rate(&group.group)));
        let among = normal
            .default_rate_among_accepted
            .expect("someone accepted");
        assert!(close(among.estimate, defaulted as f64 / accepted as f64));
        let ratio = normal.adverse_impact_ratio.expect("ratio");
        assert!(
            close(ratio.estimate, rate(&group.group) / favoured),
            "{ratio:?}"
        );
        assert_eq!(normal.flagged, ratio.estimate < 0.8);
        assert!(ratio.low <= ratio.estimate && ratio.estimate <= ratio.high);
        assert!(group.roc_auc.is_some(), "both classes in {}", group.group);
    }
    let ages = report
        .fairness
        .attributes
        .iter()
        .find(|a| a.attribute == "age_band")
        .expect("age bands");
    let clients: u64 = ages.groups.iter().map(|g| g.clients).sum();
    assert_eq!(clients as usize, outcome.test_client_ids.len());

    // Gender was an input: one comparison model without it.
    let effect = report
        .fairness
        .gender_exclusion
        .as_ref()
        .expect("the effect of excluding gender");
    assert_eq!(effect.features, ["CODE_GENDER"]);
    assert!(
        (effect.roc_auc_difference.estimate - (effect.roc_auc_published - effect.roc_auc_without))
            .abs()
            <= 1e-12
    );
    assert!(
        (effect.cost_difference.estimate
            - (effect.cost_per_client_without - effect.cost_per_client_published))
            .abs()
            <= 1e-12
    );
    assert!((effect.roc_auc_published - report.metrics["roc_auc"]).abs() <= 1e-12);
    assert!(card.contains("## Fairness by group"), "{card}");
    assert!(card.contains("### By gender (CODE_GENDER)"), "{card}");
    assert!(card.contains("| without gender |"), "{card}");

    // A report published before the fairness section still loads.
    let mut old = serde_json::to_value(&report).expect("report as JSON");
    old.as_object_mut().expect("an object").remove("fairness");
    let loaded: ModelReport = serde_json::from_value(old).expect("an old report loads");
    assert_eq!(loaded.fairness, FairnessReport::default());
    assert_eq!(loaded.metrics, report.metrics);
}

#[test]
fn excluded_features_are_absent_from_the_published_schema_and_model() {
    let tmp = tempfile::tempdir().expect("temporary directory");
    let mut args = quick(tmp.path());
    // DAYS_BIRTH also takes DAYS_EMPLOYED_PERC (derived from it).
    args.exclude_features = vec!["CODE_GENDER".to_owned(), "DAYS_BIRTH".to_owned()];
    let outcome = train_and_publish(&args).expect("training");
    let published = Registry::open(tmp.path())
        .expect("registry")
        .load(&outcome.version)
        .expect("load");
    let excluded = |columns: &str| {
        columns
            .split(',')
            .any(|c| matches!(c.trim(), "CODE_GENDER" | "DAYS_BIRTH"))
    };
    let schema = published.schema();
    assert!(
        schema.features.iter().all(|f| !excluded(&f.source_column)),
        "{:?}",
        schema.feature_names().collect::<Vec<_>>()
    );
    for name in ["CODE_GENDER", "DAYS_BIRTH", "DAYS_EMPLOYED_PERC"] {
        assert!(schema.position(name).is_none(), "{name} in the schema");
        assert!(
            !published.model().feature_names().iter().any(|f| f == name),
            "{name} in the model"
        );
    }
    let full = read_training_table(features(), "SK_ID_CURR", "TARGET").expect("table");
    assert_eq!(
        schema.features.len() + 3,
        full.schema.features.len(),
        "three features derive from the two columns"
    );

    let (report, card) = published_report(tmp.path(), &outcome);
    let fairness = &report.fairness;
    assert_eq!(fairness.excluded_columns, ["CODE_GENDER", "DAYS_BIRTH"]);
    assert!(fairness.gender_exclusion.is_none());
    assert!(
        fairness.exclusion_note.contains("CODE_GENDER is excluded"),
        "{}",
        fairness.exclusion_note
    );
    // Still measured by gender and age, read from the table as given.
    let attributes: Vec<&str> = fairness
        .attributes
        .iter()
        .map(|a| a.attribute.as_str())
        .collect();
    assert_eq!(attributes, ["gender", "age_band"]);
    assert!(
        card.contains("Excluded source columns (`--exclude-features`"),
        "{card}"
    );
    assert!(card.contains("CODE_GENDER, DAYS_BIRTH"), "{card}");
    assert!(card.contains("\"exclude_features\""), "{card}");
}

#[test]
fn an_unknown_excluded_column_is_refused_naming_the_flag_and_the_columns() {
    let tmp = tempfile::tempdir().expect("temporary directory");
    let mut args = quick(tmp.path());
    args.exclude_features = vec!["CODE_GENDER".to_owned(), "GENDER".to_owned()];
    let error = train_and_publish(&args)
        .expect_err("an unknown column")
        .to_string();
    for part in [
        "--exclude-features",
        "`GENDER`",
        "CODE_GENDER",
        "DAYS_BIRTH",
    ] {
        assert!(error.contains(part), "{part} missing from: {error}");
    }

    args.exclude_features = vec!["CODE_GENDER".to_owned(), " CODE_GENDER ".to_owned()];
    let error = train_and_publish(&args)
        .expect_err("a column named twice")
        .to_string();
    assert!(
        error.contains("--exclude-features") && error.contains("named twice"),
        "{error}"
    );
}

#[test]
fn the_four_fifths_rule_flags_a_ratio_below_four_fifths() {
    // 100 clients per group; group k accepts `accepted[k]` of them (the
    // first ones, probability 0.01; the others 0.9); one defaulter in
    // five everywhere, among both the accepted and the refused.
    let names: Vec<String> = ["A", "B", "C", "unknown"].map(str::to_owned).to_vec();
    let accepted = [90, 62, 81, 100];
    let (mut p, mut labels, mut groups) = (Vec::new(), Vec::new(), Vec::new());
    for (g, &a) in accepted.iter().enumerate() {
        for i in 0..100 {
            p.push(if i < a { 0.01 } else { 0.9 });
            labels.push(u8::from(i % 5 == 0));
            groups.push(g);
        }
    }
    let known = [true, true, true, false];
    let grouping = Grouping {
        attribute: "gender",
        source_column: "CODE_GENDER",
        names: names.clone(),
        of_client: groups.clone(),
    };
    let thresholds = scoring_core::Thresholds {
        prudent: 0.5,
        normal: 0.5,
        aggressive: 0.5,
    };
    let plan = BootstrapPlan {
        resamples: 200,
        seed: 7,
        level: 0.95,
    };
    let test = GroupedTest {
        probabilities: &p,
        labels: &labels,
        groups: &groups,
        names: &names,
        known: &known,
    };
    let report = attribute_report(&grouping, test, thresholds, plan).expect("report");
    let normal = |group: &str| {
        let g = report
            .groups
            .iter()
            .find(|g| g.group == group)
            .expect("group");
        g.strategies[1].clone()
    };
    // The unknown group accepts everyone but is not the reference: A is.
    for (group, ratio, flagged) in [
        ("A", 1.0, false),
        ("B", 62.0 / 90.0, true),
        ("C", 81.0 / 90.0, false),
        ("unknown", 100.0 / 90.0, false),
    ] {
        let s = normal(group);
        assert_eq!(s.reference_group, "A");
        let r = s.adverse_impact_ratio.expect("ratio");
        assert!((r.estimate - ratio).abs() <= 1e-12, "{group}: {r:?}");
        assert_eq!(s.flagged, flagged, "{group}");
        assert!(
            r.low <= r.estimate && r.estimate <= r.high,
            "{group}: {r:?}"
        );
    }
    assert!((normal("B").acceptance_rate.estimate - 0.62).abs() <= 1e-12);
    // 62 accepted, of whom i % 5 == 0 for i < 62: 13 defaulters.
    let among = normal("B").default_rate_among_accepted.expect("accepted");
    assert!((among.estimate - 13.0 / 62.0).abs() <= 1e-12);
}
