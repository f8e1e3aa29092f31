//! Evaluation metrics and the business-cost threshold, checked against
//! values worked out by hand on small fixtures, plus every error path.

use trainer::Error;
use trainer::evaluation::{
    ACCEPT_EVERYONE, CostParameters, StrategyThresholds, ValidCostParameters, average_precision,
    brier_score, calibration_curve, confusion_matrix, default_grid, expected_calibration_error,
    f1_score, ks_statistic, log_loss, matthews_correlation, portfolio_cost, roc_auc, sweep,
};

const TOLERANCE: f64 = 1e-12;

fn close(actual: f64, expected: f64) {
    assert!(
        (actual - expected).abs() < TOLERANCE,
        "expected {expected}, got {actual}"
    );
}

// Four clients: good payers at 0.1 and 0.4, defaulters at 0.35 and 0.8.
const P: [f64; 4] = [0.1, 0.4, 0.35, 0.8];
const Y: [u8; 4] = [0, 0, 1, 1];

#[test]
fn roc_auc_by_hand() {
    // Pairs (defaulter, good payer) ranked right: (0.35,0.1), (0.8,0.1),
    // (0.8,0.4); wrong: (0.35,0.4). 3/4.
    close(roc_auc(&P, &Y).expect("valid"), 0.75);
    let as_bool: Vec<bool> = Y.iter().map(|&y| y == 1).collect();
    close(roc_auc(&P, &as_bool).expect("valid"), 0.75);
}

#[test]
fn roc_auc_with_ties() {
    // Defaulters 0.5, 0.9; good payers 0.2, 0.5. Pairs: (0.5,0.2)=1,
    // (0.5,0.5)=1/2, (0.9,0.2)=1, (0.9,0.5)=1 → 3.5/4.
    close(
        roc_auc(&[0.2, 0.5, 0.5, 0.9], &[0u8, 1, 0, 1]).expect("valid"),
        0.875,
    );
}

#[test]
fn average_precision_by_hand() {
    // Descending: 0.8 (D) P=1 R=1/2; 0.4 (G) P=1/2 R=1/2; 0.35 (D) P=2/3
    // R=1; 0.1 (G) P=1/2 R=1. AP = 1/2·1 + 1/2·2/3 = 5/6.
    close(average_precision(&P, &Y).expect("valid"), 5.0 / 6.0);
    // With a tie: 0.9 (D) P=1 R=1/2; the 0.5 pair (D, G) P=2/3 R=1 → 5/6.
    close(
        average_precision(&[0.2, 0.5, 0.5, 0.9], &[0u8, 1, 0, 1]).expect("valid"),
        5.0 / 6.0,
    );
}

#[test]
fn brier_ks_and_log_loss_by_hand() {
    // (0.1² + 0.4² + 0.65² + 0.2²) / 4 = 0.6325 / 4.
    close(brier_score(&P, &Y).expect("valid"), 0.158_125);
    // Descending, |TPR − FPR|: 0.8 → 1/2, 0.4 → 0, 0.35 → 1/2, 0.1 → 0.
    close(ks_statistic(&P, &Y).expect("valid"), 0.5);
    let expected = -(0.9_f64.ln() + 0.6_f64.ln() + 0.35_f64.ln() + 0.8_f64.ln()) / 4.0;
    close(log_loss(&P, &Y).expect("valid"), expected);
    // A confident mistake is clipped, not infinite.
    assert!(log_loss(&[0.0], &[1u8]).expect("valid").is_finite());
}

#[test]
fn confusion_f1_and_mcc_by_hand() {
    // Threshold 0.3 refuses 0.4 (G), 0.35 (D), 0.8 (D); accepts 0.1 (G).
    let m = confusion_matrix(&P, &Y, 0.3).expect("valid");
    assert_eq!(
        (
            m.true_positives,
            m.false_positives,
            m.true_negatives,
            m.false_negatives
        ),
        (2, 1, 1, 0)
    );
    // F1 = 2·2 / (2·2 + 1 + 0) = 0.8.
    close(f1_score(&P, &Y, 0.3).expect("valid"), 0.8);
    // MCC = (2·1 − 1·0) / √(3·2·2·1) = 2 / √12.
    close(
        matthews_correlation(&P, &Y, 0.3).expect("valid"),
        2.0 / 12.0_f64.sqrt(),
    );
    // Threshold 0 refuses everyone, ACCEPT_EVERYONE accepts even p = 1.
    let all_refused = confusion_matrix(&[0.0, 1.0], &[0u8, 1], 0.0).expect("valid");
    assert_eq!(all_refused.true_negatives + all_refused.false_negatives, 0);
    let all_accepted = confusion_matrix(&[0.0, 1.0], &[0u8, 1], ACCEPT_EVERYONE).expect("valid");
    assert_eq!(
        all_accepted.true_positives + all_accepted.false_positives,
        0
    );
}

#[test]
fn calibration_by_hand_on_two_bins() {
    // Bin [0, 0.5): 0.1 (G), 0.3 (D) → mean 0.2, observed 0.5.
    // Bin [0.5, 1]: 0.6 (D), 0.8 (D) → mean 0.7, observed 1.
    // ECE = 2/4·0.3 + 2/4·0.3 = 0.3.
    let p = [0.1, 0.3, 0.6, 0.8];
    let y = [0u8, 1, 1, 1];
    let curve = calibration_curve(&p, &y, 2).expect("valid");
    assert_eq!(curve.len(), 2);
    close(curve[0].mean_predicted, 0.2);
    close(curve[0].observed_rate, 0.5);
    assert_eq!(curve[0].count, 2);
    close(curve[1].mean_predicted, 0.7);
    close(curve[1].observed_rate, 1.0);
    close(expected_calibration_error(&p, &y, 2).expect("valid"), 0.3);
}

// Portfolio: A p=0.05 repays 100k; B p=0.20 defaults 50k; C p=0.40 repays
// 200k; D p=0.70 defaults 100k. Cost of accepting: A −5k, B +40k, C −10k,
// D +80k. By accepted set: none 0; {A} −5k (0.05 < t ≤ 0.2); {A,B} +35k
// (0.2 < t ≤ 0.4); {A,B,C} +25k (0.4 < t ≤ 0.7); all +105k (t > 0.7).
const PORTFOLIO_P: [f64; 4] = [0.05, 0.20, 0.40, 0.70];
const PORTFOLIO_Y: [u8; 4] = [0, 1, 0, 1];
const CREDITS: [f64; 4] = [100_000.0, 50_000.0, 200_000.0, 100_000.0];

fn params() -> ValidCostParameters {
    CostParameters::default()
        .check()
        .expect("default parameters")
}

#[test]
fn portfolio_cost_by_hand() {
    // Threshold 0.3 accepts A and B: −5,000 + 40,000 = 35,000.
    let point =
        portfolio_cost(&PORTFOLIO_P, &PORTFOLIO_Y, &CREDITS, &params(), 0.3).expect("valid");
    close(point.total_cost, 35_000.0);
    close(point.cost_per_client, 8_750.0);
    close(point.acceptance_rate, 0.5);
    assert_eq!(point.accepted, 2);
    assert_eq!(point.default_rate_among_accepted, Some(0.5));
    let none = portfolio_cost(&PORTFOLIO_P, &PORTFOLIO_Y, &CREDITS, &params(), 0.0).expect("valid");
    assert_eq!(
        (none.total_cost, none.default_rate_among_accepted),
        (0.0, None)
    );
}

#[test]
fn sweep_optimum_and_strategies_by_hand() {
    let curve = sweep(
        &PORTFOLIO_P,
        &PORTFOLIO_Y,
        &CREDITS,
        &params(),
        &default_grid(),
    )
    .expect("valid");
    let points = curve.points();
    assert_eq!(points.len(), 202, "201 grid points plus ACCEPT_EVERYONE");
    assert_eq!((points[0].threshold, points[0].accepted), (0.0, 0));
    let last = points[points.len() - 1];
    assert_eq!((last.threshold, last.accepted), (ACCEPT_EVERYONE, 4));
    close(last.total_cost, 105_000.0);
    // Minimum −5k on 0.05 < t ≤ 0.2; ties go to the lowest grid point 0.055.
    let optimum = curve.cost_optimal();
    assert_eq!(optimum.threshold, 0.055);
    close(optimum.total_cost, -5_000.0);
    // Budget −5,000 + 5%·5,000 = −4,750: 0.05 costs 0 (over), so the band
    // has nothing below the optimum and prudent takes the next grid point
    // down, 0.05; 0.2 still accepts only A, 0.205 costs 35k (over).
    assert_eq!(
        curve.strategy_thresholds(),
        StrategyThresholds {
            prudent: 0.05,
            normal: 0.055,
            aggressive: 0.2,
        }
    );
    // Tolerance 1000%: budget 45k reaches down to 0 and up to 0.7 (+25k),
    // not beyond (+105k).
    let loose = CostParameters {
        strategy_tolerance: 10.0,
        ..CostParameters::default()
    }
    .check()
    .expect("valid");
    let curve = sweep(
        &PORTFOLIO_P,
        &PORTFOLIO_Y,
        &CREDITS,
        &loose,
        &default_grid(),
    )
    .expect("valid");
    let s = curve.strategy_thresholds();
    assert_eq!((s.prudent, s.normal, s.aggressive), (0.0, 0.055, 0.7));
}

#[test]
fn sweep_agrees_with_portfolio_cost_and_orders_strategies() {
    // A deterministic pseudo-random portfolio of 500 clients, ~8% defaults.
    let mut state: u64 = 42;
    let mut next = || {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1);
        (state >> 11) as f64 / (1u64 << 53) as f64
    };
    let (mut p, mut y, mut credits) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..500 {
        let pd = (next() * 0.3).min(1.0);
        p.push((pd * 200.0).round() / 200.0); // many ties, some on grid points
        y.push(next() < pd);
        credits.push(50_000.0 + next() * 1_000_000.0);
    }
    p[0] = 1.0;
    let curve = sweep(&p, &y, &credits, &params(), &default_grid()).expect("valid");
    for point in curve.points() {
        let direct = portfolio_cost(&p, &y, &credits, &params(), point.threshold).expect("valid");
        assert_eq!(direct.accepted, point.accepted);
        assert!(
            (direct.total_cost - point.total_cost).abs() < 1e-6 * (1.0 + direct.total_cost.abs())
        );
    }
    let last = curve.points()[curve.points().len() - 1];
    assert_eq!(last.accepted, 500, "p = 1 is accepted at ACCEPT_EVERYONE");
    let s = curve.strategy_thresholds();
    assert!(s.prudent <= s.normal && s.normal <= s.aggressive, "{s:?}");
    assert_eq!(s.normal, curve.cost_optimal().threshold);
    assert!(
        curve
            .points()
            .iter()
            .all(|q| q.total_cost >= curve.cost_optimal().total_cost)
    );
}

#[test]
fn equal_costs_choose_the_lowest_threshold() {
    // Zero credit: every threshold costs 0.
    let curve = sweep(&[0.3, 0.6], &[0u8, 1], &[0.0, 0.0], &params(), &[0.5]).expect("valid");
    assert_eq!(curve.cost_optimal().threshold, 0.0);
}

// --- error paths: each names what was wrong ---

#[test]
fn empty_input_is_refused() {
    let err = roc_auc::<u8>(&[], &[]).expect_err("empty");
    assert!(
        matches!(err, Error::EvaluationEmpty { metric: "ROC AUC" }),
        "{err:?}"
    );
    assert!(err.to_string().contains("no clients"));
    assert!(matches!(
        brier_score::<bool>(&[], &[]),
        Err(Error::EvaluationEmpty { .. })
    ));
}

#[test]
fn length_mismatch_is_refused() {
    let err = log_loss(&[0.1, 0.2], &[0u8]).expect_err("mismatch");
    assert!(
        matches!(
            err,
            Error::EvaluationLengthMismatch {
                expected_len: 2,
                found: "labels",
                found_len: 1,
                ..
            }
        ),
        "{err:?}"
    );
    let err = portfolio_cost(&[0.1], &[0u8], &[1.0, 2.0], &params(), 0.5).expect_err("mismatch");
    assert!(err.to_string().contains("credit amounts has 2"), "{err}");
}

#[test]
fn bad_probabilities_are_refused() {
    for bad in [f64::NAN, f64::INFINITY, -0.1, 1.5] {
        let err = brier_score(&[0.2, bad], &[0u8, 1]).expect_err("bad probability");
        assert!(
            matches!(err, Error::InvalidProbability { index: 1, .. }),
            "{err:?}"
        );
    }
}

#[test]
fn labels_other_than_zero_or_one_are_refused() {
    let err = roc_auc(&[0.2, 0.3], &[0u8, 2]).expect_err("bad label");
    assert!(
        matches!(err, Error::InvalidLabel { index: 1, value: 2 }),
        "{err:?}"
    );
    assert!(err.to_string().contains("index 1 is 2"));
}

#[test]
fn a_single_class_is_refused_where_undefined() {
    let good = [0u8, 0];
    let bad = [1u8, 1];
    let p = [0.2, 0.3];
    assert!(matches!(
        roc_auc(&p, &good),
        Err(Error::SingleClass {
            metric: "ROC AUC",
            class: 0
        })
    ));
    assert!(matches!(
        roc_auc(&p, &bad),
        Err(Error::SingleClass { class: 1, .. })
    ));
    assert!(matches!(
        ks_statistic(&p, &bad),
        Err(Error::SingleClass { .. })
    ));
    assert!(matches!(
        average_precision(&p, &good),
        Err(Error::SingleClass { class: 0, .. })
    ));
    // Defined with a single class.
    close(average_precision(&p, &bad).expect("all defaulters"), 1.0);
    assert!(brier_score(&p, &good).is_ok());
    assert!(confusion_matrix(&p, &good, 0.5).is_ok());
}

#[test]
fn bad_thresholds_and_bins_are_refused() {
    for bad in [f64::NAN, -0.1, 1.5] {
        assert!(matches!(
            confusion_matrix(&P, &Y, bad),
            Err(Error::InvalidThreshold { .. })
        ));
        assert!(matches!(
            sweep(&PORTFOLIO_P, &PORTFOLIO_Y, &CREDITS, &params(), &[0.5, bad]),
            Err(Error::InvalidThreshold { .. })
        ));
    }
    assert!(matches!(
        calibration_curve(&P, &Y, 0),
        Err(Error::InvalidBinCount { bins: 0 })
    ));
}

#[test]
fn bad_credit_amounts_are_refused() {
    for bad in [f64::NAN, -1.0, f64::INFINITY] {
        let err = sweep(
            &[0.1, 0.2],
            &[0u8, 1],
            &[1.0, bad],
            &params(),
            &default_grid(),
        )
        .expect_err("bad credit");
        assert!(
            matches!(err, Error::InvalidCreditAmount { index: 1, .. }),
            "{err:?}"
        );
        assert!(err.to_string().contains("AMT_CREDIT"));
    }
}

#[test]
fn bad_cost_parameters_name_the_parameter() {
    let cases = [
        (
            CostParameters {
                interest_rate: -0.05,
                ..CostParameters::default()
            },
            "interest_rate",
        ),
        (
            CostParameters {
                loss_given_default: f64::NAN,
                ..CostParameters::default()
            },
            "loss_given_default",
        ),
        (
            CostParameters {
                strategy_tolerance: f64::INFINITY,
                ..CostParameters::default()
            },
            "strategy_tolerance",
        ),
    ];
    for (params, name) in cases {
        let err = params.check().expect_err("invalid");
        assert!(
            matches!(err, Error::InvalidCostParameter { parameter, .. } if parameter == name),
            "{err:?}"
        );
        assert!(err.to_string().contains(name));
    }
}
