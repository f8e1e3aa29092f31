//! LightGBM training and scoring-core parity: the text model LightGBM writes
//! must score and explain every row exactly as LightGBM itself does.

use trainer::Error;
use trainer::learners::lightgbm::{ClassWeighting, LightGbmParams, ValidLightGbmParams, train};

const N_ROWS: usize = 2_000;
const N_FEATURES: usize = 10;

/// xorshift64*: a small deterministic generator, no extra dependency.
struct Rng(u64);

impl Rng {
    fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Uniform in [0, 1).
    fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Standard normal (Box-Muller).
    fn normal(&mut self) -> f64 {
        let u1 = self.uniform().max(f64::MIN_POSITIVE);
        let u2 = self.uniform();
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }
}

/// Row-major features (10% NaN) and 0/1 labels drawn from a logistic of a
/// few features, with a couple of integer-valued columns for ties.
fn synthetic(n_rows: usize, seed: u64) -> (Vec<f64>, Vec<f64>) {
    let mut rng = Rng(seed);
    let mut x = Vec::with_capacity(n_rows * N_FEATURES);
    let mut y = Vec::with_capacity(n_rows);
    for _ in 0..n_rows {
        let row: Vec<f64> = (0..N_FEATURES)
            .map(|j| match j {
                3 => (rng.uniform() * 5.0).floor(),
                7 => (rng.uniform() * 2.0).floor(),
                _ => rng.normal(),
            })
            .collect();
        let value = |j: usize| row[j];
        let logit =
            -1.0 + 1.2 * value(0) - 0.8 * value(1) + 0.5 * value(3) + 0.7 * value(2) * value(4);
        let p = 1.0 / (1.0 + (-logit).exp());
        y.push(if rng.uniform() < p { 1.0 } else { 0.0 });
        for v in row {
            x.push(if rng.uniform() < 0.1 { f64::NAN } else { v });
        }
    }
    (x, y)
}

fn params() -> LightGbmParams {
    LightGbmParams {
        num_leaves: 15,
        learning_rate: 0.1,
        num_iterations: 50,
        min_data_in_leaf: 20,
        feature_fraction: 0.9,
        bagging_fraction: 0.8,
        bagging_freq: 1,
        lambda_l2: 1.0,
        seed: 7,
        num_threads: 2,
        ..LightGbmParams::default()
    }
}

fn valid(params: LightGbmParams) -> ValidLightGbmParams {
    params.check().expect("valid parameters")
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9
}

#[test]
fn scoring_core_matches_lightgbm_raw_scores_and_shap() {
    let (x, y) = synthetic(N_ROWS, 0x5EED_1234_ABCD_0001);
    let booster = train(&x, N_FEATURES, &y, &valid(params()), None).expect("training succeeds");
    assert_eq!(booster.best_iteration(), 50);

    let text = booster.model_string().expect("model string");
    let model = scoring_core::parse_lightgbm(&text).expect("scoring-core parses the model");
    assert_eq!(model.n_features(), N_FEATURES);
    // NaN is LightGBM's missing value: some splits carry missing_type = NaN
    // (bits 2-3 of decision_type equal to 2).
    let nan_splits = text
        .lines()
        .filter_map(|l| l.strip_prefix("decision_type="))
        .flat_map(|l| l.split(' '))
        .filter_map(|d| d.parse::<u32>().ok())
        .filter(|d| (d >> 2) & 3 == 2)
        .count();
    assert!(nan_splits > 0, "no split treats NaN as missing");

    // Test rows: fresh data plus every NaN/value pattern the training saw.
    let (test_x, _) = synthetic(500, 0xC0FF_EE00_1234_5678);
    let mut rows = test_x;
    rows.extend_from_slice(&x[..200 * N_FEATURES]);
    rows.extend_from_slice(&[f64::NAN; N_FEATURES]);
    rows.extend_from_slice(&[0.0; N_FEATURES]);
    let n_rows = rows.len() / N_FEATURES;

    let raw = booster.predict_raw(&rows).expect("LightGBM raw scores");
    let contrib = booster.predict_contrib(&rows).expect("LightGBM SHAP");
    assert_eq!(raw.len(), n_rows);
    assert_eq!(contrib.len(), n_rows * (N_FEATURES + 1));

    let mut distinct = std::collections::BTreeSet::new();
    for (i, row) in rows.chunks(N_FEATURES).enumerate() {
        let ours = model.predict_raw(row).expect("scoring-core raw score");
        assert!(
            close(ours, raw[i]),
            "row {i}: scoring-core raw {ours} vs LightGBM {}",
            raw[i]
        );
        distinct.insert(raw[i].to_bits());

        let (phi, explanation) = model.explain(row).expect("scoring-core explanation");
        let expected = &contrib[i * (N_FEATURES + 1)..(i + 1) * (N_FEATURES + 1)];
        for j in 0..N_FEATURES {
            assert!(
                close(phi[j], expected[j]),
                "row {i}, feature {j}: scoring-core SHAP {} vs LightGBM {}",
                phi[j],
                expected[j]
            );
        }
        assert!(
            close(explanation.base_value, expected[N_FEATURES]),
            "row {i}: base value {} vs LightGBM expected value {}",
            explanation.base_value,
            expected[N_FEATURES]
        );
        assert!(
            close(explanation.raw_score, raw[i]),
            "row {i}: explained raw score"
        );
    }
    // The model is not degenerate: it separates rows.
    assert!(
        distinct.len() > 100,
        "only {} distinct scores",
        distinct.len()
    );
}

#[test]
fn early_stopping_keeps_the_best_iteration() {
    let (x, y) = synthetic(N_ROWS, 0xABCD_EF01_2345_6789);
    let (vx, vy) = synthetic(500, 0x1357_9BDF_0246_8ACE);
    let params = LightGbmParams {
        learning_rate: 0.3,
        num_iterations: 500,
        early_stopping_rounds: Some(5),
        ..params()
    };
    let booster =
        train(&x, N_FEATURES, &y, &valid(params), Some((&vx, &vy))).expect("training succeeds");
    let best = booster.best_iteration();
    assert!((1..500).contains(&best), "best iteration {best}");

    // The saved model holds exactly the kept trees and still matches.
    let text = booster.model_string().expect("model string");
    let trees = text.lines().filter(|l| l.starts_with("Tree=")).count();
    assert_eq!(trees, best, "trees in the model string");
    let model = scoring_core::parse_lightgbm(&text).expect("parses");
    let raw = booster.predict_raw(&vx).expect("raw");
    for (i, row) in vx.chunks(N_FEATURES).enumerate() {
        let ours = model.predict_raw(row).expect("raw score");
        assert!(close(ours, raw[i]), "row {i}: {ours} vs {}", raw[i]);
    }
}

#[test]
fn shape_and_parameter_errors_are_typed() {
    let (x, y) = synthetic(100, 42);

    // Labels shorter than the rows.
    let err = train(&x, N_FEATURES, &y[..99], &valid(params()), None).expect_err("length mismatch");
    assert!(
        matches!(
            err,
            Error::LightGbmShape {
                what: "labels",
                expected: 100,
                found: 99
            }
        ),
        "{err:?}"
    );

    // Features not a multiple of n_features.
    let err = train(&x[..x.len() - 1], N_FEATURES, &y, &valid(params()), None).expect_err("ragged");
    assert!(
        matches!(
            err,
            Error::LightGbmShape {
                what: "features",
                ..
            }
        ),
        "{err:?}"
    );

    // Labels must be 0 or 1.
    let mut bad = y.clone();
    bad[5] = 0.5;
    let err = train(&x, N_FEATURES, &bad, &valid(params()), None).expect_err("bad label");
    assert!(
        matches!(err, Error::LightGbmInvalidLabel { index: 5, .. }),
        "{err:?}"
    );

    // Early stopping without a validation set.
    let es = LightGbmParams {
        early_stopping_rounds: Some(10),
        ..params()
    };
    let err = train(&x, N_FEATURES, &y, &valid(es), None).expect_err("no validation set");
    assert!(
        matches!(
            err,
            Error::LightGbmInvalidParameter {
                parameter: "early_stopping_rounds",
                ..
            }
        ),
        "{err:?}"
    );

    // Out-of-range hyper-parameter.
    let lr = LightGbmParams {
        learning_rate: f64::NAN,
        ..params()
    };
    let err = lr.check().expect_err("bad learning rate");
    assert!(
        matches!(
            err,
            Error::LightGbmInvalidParameter {
                parameter: "learning_rate",
                ..
            }
        ),
        "{err:?}"
    );

    // Validation set with the wrong number of labels.
    let err = train(&x, N_FEATURES, &y, &valid(params()), Some((&x, &y[..50]))).expect_err("valid");
    assert!(
        matches!(
            err,
            Error::LightGbmShape {
                what: "valid labels",
                ..
            }
        ),
        "{err:?}"
    );

    // Prediction on a ragged matrix.
    let small = LightGbmParams {
        num_iterations: 3,
        ..params()
    };
    let booster = train(&x, N_FEATURES, &y, &valid(small), None).expect("trains");
    let err = booster.predict_raw(&x[..15]).expect_err("ragged rows");
    assert!(
        matches!(err, Error::LightGbmShape { what: "rows", .. }),
        "{err:?}"
    );
    assert!(booster.predict_contrib(&[]).expect("empty").is_empty());
}

#[test]
fn check_refuses_each_parameter_out_of_range_by_name() {
    let cases: [(LightGbmParams, &str); 14] = [
        (
            LightGbmParams {
                num_leaves: 1,
                ..params()
            },
            "num_leaves",
        ),
        (
            LightGbmParams {
                num_leaves: 131_073,
                ..params()
            },
            "num_leaves",
        ),
        (
            LightGbmParams {
                max_depth: Some(0),
                ..params()
            },
            "max_depth",
        ),
        (
            LightGbmParams {
                learning_rate: 0.0,
                ..params()
            },
            "learning_rate",
        ),
        (
            LightGbmParams {
                learning_rate: f64::INFINITY,
                ..params()
            },
            "learning_rate",
        ),
        (
            LightGbmParams {
                num_iterations: 0,
                ..params()
            },
            "num_iterations",
        ),
        (
            LightGbmParams {
                min_data_in_leaf: u32::MAX,
                ..params()
            },
            "min_data_in_leaf",
        ),
        (
            LightGbmParams {
                feature_fraction: 0.0,
                ..params()
            },
            "feature_fraction",
        ),
        (
            LightGbmParams {
                bagging_fraction: 1.5,
                ..params()
            },
            "bagging_fraction",
        ),
        (
            LightGbmParams {
                lambda_l1: -1.0,
                ..params()
            },
            "lambda_l1",
        ),
        (
            LightGbmParams {
                lambda_l2: f64::NAN,
                ..params()
            },
            "lambda_l2",
        ),
        (
            LightGbmParams {
                class_weighting: ClassWeighting::ScalePosWeight(0.0),
                ..params()
            },
            "scale_pos_weight",
        ),
        (
            LightGbmParams {
                early_stopping_rounds: Some(0),
                ..params()
            },
            "early_stopping_rounds",
        ),
        (
            LightGbmParams {
                num_iterations: u32::MAX,
                ..params()
            },
            "num_iterations",
        ),
    ];
    for (bad, name) in cases {
        let err = bad.check().expect_err(name);
        assert!(
            matches!(&err, Error::LightGbmInvalidParameter { parameter, .. } if *parameter == name),
            "{name}: {err:?}"
        );
        assert!(err.to_string().contains(&format!("`{name}`")), "{err}");
    }
    assert_eq!(valid(params()).get(), &params());
}
