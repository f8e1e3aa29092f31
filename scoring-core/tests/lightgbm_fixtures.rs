//! Models trained by LightGBM (`fixtures/make_lightgbm_fixtures.py`) must
//! predict and explain exactly as LightGBM does, and malformed model text
//! must give typed errors naming the line and field.
#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use std::path::PathBuf;

use scoring_core::{Error, Model, parse_lightgbm};
use serde::Deserialize;

const CASES: [&str; 4] = [
    "nan_missing",
    "zero_as_missing",
    "no_missing",
    "categorical",
];

#[derive(Deserialize)]
struct Expected {
    rows: Vec<Vec<Option<f64>>>,
    raw: Vec<f64>,
    probability: Vec<f64>,
    contrib: Vec<Vec<f64>>,
}

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn load(case: &str) -> (Model, Expected, String) {
    let text = std::fs::read_to_string(fixture(&format!("{case}.txt"))).unwrap();
    let model = parse_lightgbm(&text).unwrap();
    let json = std::fs::read_to_string(fixture(&format!("{case}.json"))).unwrap();
    (model, serde_json::from_str(&json).unwrap(), text)
}

fn row(values: &[Option<f64>]) -> Vec<f64> {
    values.iter().map(|v| v.unwrap_or(f64::NAN)).collect()
}

#[test]
fn raw_scores_and_probabilities_match_lightgbm() {
    for case in CASES {
        let (model, expected, _) = load(case);
        assert_eq!(model.n_features(), expected.rows[0].len());
        for (i, values) in expected.rows.iter().enumerate() {
            let x = row(values);
            let raw = model.predict_raw(&x).unwrap();
            let p = model.predict_probability(&x).unwrap();
            assert!(
                (raw - expected.raw[i]).abs() <= 1e-9,
                "{case} row {i}: raw {raw} vs {}",
                expected.raw[i]
            );
            assert!(
                (p - expected.probability[i]).abs() <= 1e-9,
                "{case} row {i}: p {p}"
            );
        }
    }
}

#[test]
fn contributions_match_lightgbm_pred_contrib() {
    for case in CASES {
        let (model, expected, _) = load(case);
        let n = model.n_features();
        for (i, values) in expected.rows.iter().enumerate() {
            let (phi, e) = model.explain(&row(values)).unwrap();
            let want = &expected.contrib[i];
            assert_eq!(want.len(), n + 1);
            for j in 0..n {
                assert!(
                    (phi[j] - want[j]).abs() <= 1e-9,
                    "{case} row {i} feature {j}: {} vs {}",
                    phi[j],
                    want[j]
                );
            }
            assert!(
                (e.base_value - want[n]).abs() <= 1e-9,
                "{case} row {i}: base {}",
                e.base_value
            );
            assert!((e.base_value + phi.iter().sum::<f64>() - e.raw_score).abs() <= 1e-9);
        }
    }
}

#[test]
fn batch_scoring_matches_lightgbm() {
    let (model, expected, _) = load("categorical");
    let rows: Vec<f64> = expected.rows.iter().flat_map(|r| row(r)).collect();
    let mut out = vec![0.0; expected.rows.len()];
    model.predict_probability_batch(&rows, &mut out).unwrap();
    for (p, want) in out.iter().zip(&expected.probability) {
        assert!((p - want).abs() <= 1e-9);
    }
}

#[test]
fn fixtures_exercise_every_missing_rule_and_categories() {
    let mut decision_types = std::collections::BTreeSet::new();
    for case in CASES {
        let (_, _, text) = load(case);
        for line in text
            .lines()
            .filter_map(|l| l.strip_prefix("decision_type="))
        {
            decision_types.extend(line.split_whitespace().map(|v| v.parse::<u8>().unwrap()));
        }
    }
    let missing_types: std::collections::BTreeSet<u8> =
        decision_types.iter().map(|d| d >> 2).collect();
    assert_eq!(missing_types, [0, 1, 2].into());
    assert!(
        decision_types.iter().any(|d| d & 1 == 1),
        "a categorical split"
    );
}

#[test]
fn infinite_thresholds_survive_the_json_round_trip() {
    let (model, expected, text) = load("nan_missing");
    assert!(
        text.lines()
            .any(|l| l.starts_with("threshold=") && l.contains("inf"))
    );
    let json = serde_json::to_string(&model).unwrap();
    assert!(json.contains("\"inf\""));
    let back: Model = serde_json::from_str(&json).unwrap();
    assert_eq!(back, model);
    for values in &expected.rows {
        let x = row(values);
        let a = model.predict_raw(&x).unwrap();
        assert_eq!(a.to_bits(), back.predict_raw(&x).unwrap().to_bits());
    }
}

#[test]
fn truncated_model_is_an_error() {
    let (_, _, text) = load("nan_missing");
    let cut = text.find("Tree=3").unwrap() + 40;
    let err = parse_lightgbm(&text[..cut]).unwrap_err();
    assert!(matches!(err, Error::LightGbmTruncated { .. }), "{err}");
    // Cut right after a complete tree and `end of trees`: tree_sizes disagrees.
    let cut = text.find("Tree=3").unwrap();
    let err = parse_lightgbm(&format!("{}end of trees\n", &text[..cut])).unwrap_err();
    assert!(matches!(err, Error::LightGbmTruncated { .. }), "{err}");
}

#[test]
fn garbage_value_names_line_and_field() {
    let (_, _, text) = load("nan_missing");
    let line_no = text
        .lines()
        .position(|l| l.starts_with("threshold="))
        .unwrap()
        + 1;
    let bad = text.replacen("threshold=", "threshold=zebra ", 1);
    match parse_lightgbm(&bad).unwrap_err() {
        Error::LightGbmFloat {
            line, field, value, ..
        } => {
            assert_eq!(
                (line, field.as_str(), value.as_str()),
                (line_no, "threshold", "zebra")
            );
        }
        other => panic!("unexpected error {other}"),
    }
    let bad = text.replacen("left_child=", "left_child=1.5 ", 1);
    assert!(
        matches!(parse_lightgbm(&bad), Err(Error::LightGbmInt { field, .. }) if field == "left_child")
    );
}

#[test]
fn structural_problems_are_errors_not_panics() {
    let (_, _, text) = load("categorical");
    let cases = [
        text.replacen("leaf_value=", "leaf_value=1 ", 1),
        text.replacen("left_child=1", "left_child=7", 1),
        text.replacen("split_feature=1", "split_feature=99", 1),
        text.replacen("decision_type=10", "decision_type=300", 1),
        text.replacen("cat_boundaries=0 1", "cat_boundaries=0 9", 1),
        text.replacen("leaf_count=", "leaf_count_x=", 1),
        text.replacen("objective=binary", "objective=regression", 1),
        text.replacen("is_linear=0", "is_linear=1", 1),
        // A categorical split whose bitset index is beyond usize, or i64.
        text.replacen(
            "threshold=0.16191619654965358 0 ",
            "threshold=0.16191619654965358 18446744073709551616 ",
            1,
        ),
        text.replacen(
            "threshold=0.16191619654965358 0 ",
            "threshold=0.16191619654965358 9223372036854775808 ",
            1,
        ),
        text.replacen(
            "threshold=0.16191619654965358 0 ",
            "threshold=0.16191619654965358 1e300 ",
            1,
        ),
        "not a model".to_owned(),
        String::new(),
    ];
    for (i, bad) in cases.iter().enumerate() {
        assert!(parse_lightgbm(bad).is_err(), "case {i} parsed");
    }
    // A trillion features without names: refused, not a trillion names.
    let names_line = text
        .lines()
        .find(|l| l.starts_with("feature_names="))
        .unwrap();
    let huge = text.replacen(&format!("{names_line}\n"), "", 1).replacen(
        "max_feature_idx=4",
        "max_feature_idx=999999999999",
        1,
    );
    assert!(
        matches!(parse_lightgbm(&huge), Err(Error::LightGbmInvalid { field, .. }) if field == "max_feature_idx")
    );
    let missing = text.replacen("leaf_count=", "leaf_count_x=", 1);
    assert!(
        matches!(parse_lightgbm(&missing), Err(Error::LightGbmMissingField { field, .. }) if field == "leaf_count")
    );
}
