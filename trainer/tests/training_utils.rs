//! Splits, class-imbalance sampling and calibration, checked against counts
//! and values worked out by hand, plus every error path.

use trainer::Error;
use trainer::training::calibration::{IsotonicCalibrator, PlattCalibrator};
use trainer::training::sampling::{
    DEFAULT_TEST_FRACTION, class_weights, correct_probability, stratified_k_fold, stratified_split,
    undersample,
};

const TOLERANCE: f64 = 1e-12;

fn close(actual: f64, expected: f64) {
    assert!(
        (actual - expected).abs() < TOLERANCE,
        "expected {expected}, got {actual}"
    );
}

/// 20 good payers and 10 defaulters, interleaved: rows 0, 3, 6, … default.
fn labels_20_10() -> Vec<u8> {
    (0..30).map(|row| u8::from(row % 3 == 0)).collect()
}

fn count_defaulters(rows: &[usize], labels: &[u8]) -> usize {
    rows.iter().filter(|&&row| labels[row] == 1).count()
}

fn is_sorted_strictly(rows: &[usize]) -> bool {
    rows.windows(2).all(|w| w[0] < w[1])
}

#[test]
fn split_is_stratified_exactly() {
    let labels = labels_20_10();
    // 30% of 20 good payers = 6, of 10 defaulters = 3.
    let split = stratified_split(&labels, DEFAULT_TEST_FRACTION, 7).expect("valid");
    assert_eq!(split.test.len(), 9);
    assert_eq!(count_defaulters(&split.test, &labels), 3);
    assert_eq!(split.train.len(), 21);
    assert_eq!(count_defaulters(&split.train, &labels), 7);
    assert!(is_sorted_strictly(&split.train) && is_sorted_strictly(&split.test));
    // Disjoint and covering: merged, they are exactly 0..30.
    let mut all = [split.train.clone(), split.test.clone()].concat();
    all.sort_unstable();
    assert_eq!(all, (0..30).collect::<Vec<_>>());
    // 0.25: round(5) good payers, round(2.5) = 3 defaulters.
    let quarter = stratified_split(&labels, 0.25, 7).expect("valid");
    assert_eq!(quarter.test.len(), 8);
    assert_eq!(count_defaulters(&quarter.test, &labels), 3);
}

#[test]
fn split_is_deterministic_per_seed() {
    let labels = labels_20_10();
    let a = stratified_split(&labels, 0.3, 42).expect("valid");
    assert_eq!(a, stratified_split(&labels, 0.3, 42).expect("valid"));
    assert_ne!(a, stratified_split(&labels, 0.3, 43).expect("valid"));
}

#[test]
fn k_fold_is_stratified_disjoint_and_covering() {
    let labels = labels_20_10();
    // k = 4: 20 good payers → 5 per fold; 10 defaulters → 3, 3, 2, 2
    // (dealt on from fold 20 mod 4 = 0).
    let folds = stratified_k_fold(&labels, 4, 11).expect("valid");
    assert_eq!(folds.len(), 4);
    let mut seen = vec![0; labels.len()];
    let mut defaulters = Vec::new();
    for fold in &folds {
        assert!(is_sorted_strictly(&fold.train) && is_sorted_strictly(&fold.valid));
        assert_eq!(fold.train.len() + fold.valid.len(), labels.len());
        assert!(fold.valid.iter().all(|row| !fold.train.contains(row)));
        for &row in &fold.valid {
            seen[row] += 1;
        }
        defaulters.push(count_defaulters(&fold.valid, &labels));
        assert_eq!(
            fold.valid.len() - defaulters.last().copied().unwrap_or(0),
            5
        );
    }
    assert!(seen.iter().all(|&n| n == 1), "each row validated once");
    assert_eq!(defaulters, [3, 3, 2, 2]);
    // k = 3 with 7 good payers and 4 defaulters: good 3, 2, 2 over folds
    // 0, 1, 2; defaulters continue at fold 7 mod 3 = 1: 1, 2, 1. Sizes 4, 4, 3.
    let labels: Vec<u8> = [0u8; 7].into_iter().chain([1u8; 4]).collect();
    let folds = stratified_k_fold(&labels, 3, 5).expect("valid");
    let shares: Vec<(usize, usize)> = folds
        .iter()
        .map(|f| (f.valid.len(), count_defaulters(&f.valid, &labels)))
        .collect();
    assert_eq!(shares, [(4, 1), (4, 2), (3, 1)]);
}

#[test]
fn k_fold_is_deterministic_per_seed() {
    let labels = labels_20_10();
    let a = stratified_k_fold(&labels, 5, 1).expect("valid");
    assert_eq!(a, stratified_k_fold(&labels, 5, 1).expect("valid"));
    assert_ne!(a, stratified_k_fold(&labels, 5, 2).expect("valid"));
}

#[test]
fn undersampling_keeps_every_defaulter_at_the_ratio() {
    // 100 defaulters, 1,000 good payers; ratio 2 → 100 + 200 = 300 rows.
    let labels: Vec<u8> = (0..1100).map(|row| u8::from(row % 11 == 0)).collect();
    let indices: Vec<usize> = (0..labels.len()).collect();
    let rows = undersample(&indices, &labels, 2.0, 3).expect("valid");
    assert_eq!(rows.len(), 300);
    assert_eq!(count_defaulters(&rows, &labels), 100);
    assert!(is_sorted_strictly(&rows));
    assert_eq!(rows, undersample(&indices, &labels, 2.0, 3).expect("valid"));
    assert_ne!(rows, undersample(&indices, &labels, 2.0, 4).expect("valid"));
    // Only rows among `indices`: the first 550 hold 50 defaulters → 50 + 75.
    let rows = undersample(&indices[..550], &labels, 1.5, 3).expect("valid");
    assert_eq!(rows.len(), 125);
    assert!(rows.iter().all(|&row| row < 550));
    // A ratio above what is there keeps every good payer.
    assert_eq!(
        undersample(&indices, &labels, 50.0, 3).expect("valid"),
        indices
    );
}

#[test]
fn probability_correction_by_hand() {
    // Sampled at 1:2, the defaulters' share is 1/3 (odds 1/2); the real base
    // rate 0.08 has odds 0.08 / 0.92 = 2/23. p = 0.5 has odds 1, so
    // odds' = 1 · (2/23) / (1/2) = 4/23 and p' = (4/23) / (27/23) = 4/27.
    close(
        correct_probability(0.5, 0.08, 1.0 / 3.0).expect("valid"),
        4.0 / 27.0,
    );
    // The ends stay put; equal rates change nothing.
    close(
        correct_probability(0.0, 0.08, 1.0 / 3.0).expect("valid"),
        0.0,
    );
    close(
        correct_probability(1.0, 0.08, 1.0 / 3.0).expect("valid"),
        1.0,
    );
    close(correct_probability(0.3, 0.2, 0.2).expect("valid"), 0.3);
    // Swapping the rates inverts the map.
    for p in [0.01, 0.2, 0.5, 0.77, 0.999] {
        let real = correct_probability(p, 0.08, 1.0 / 3.0).expect("valid");
        assert!(real < p);
        close(
            correct_probability(real, 1.0 / 3.0, 0.08).expect("valid"),
            p,
        );
    }
}

#[test]
fn balanced_class_weights_by_hand() {
    // 30 rows, 20 good / 10 bad: 30 / 40 and 30 / 20.
    let (w0, w1) = class_weights(&labels_20_10()).expect("valid");
    close(w0, 0.75);
    close(w1, 1.5);
}

#[test]
fn isotonic_pools_adjacent_violators_by_hand() {
    // Labels 1 0 0 1 0 1 at scores 1..6. PAV: (1, 0) → 1/2, then with the
    // next 0 → 1/3 over scores 1–3; 1 then 0 → 1/2 over 4–5; 1 at 6.
    let scores = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
    let labels = [1u8, 0, 0, 1, 0, 1];
    let fitted = IsotonicCalibrator::fit(&scores, &labels).expect("valid");
    let third = 1.0 / 3.0;
    let expected = [
        (1.0, third),
        (3.0, third),
        (4.0, 0.5),
        (5.0, 0.5),
        (6.0, 1.0),
    ];
    assert_eq!(fitted.breakpoints().collect::<Vec<_>>(), expected);
    let at_training = fitted.predict_all(&scores);
    for (actual, want) in at_training.iter().zip([third, third, third, 0.5, 0.5, 1.0]) {
        close(*actual, want);
    }
    // Linear between breakpoints, clipped outside.
    close(fitted.predict(3.5), (third + 0.5) / 2.0);
    close(fitted.predict(5.5), 0.75);
    close(fitted.predict(-10.0), third);
    close(fitted.predict(10.0), 1.0);
    assert!(fitted.predict(f64::NAN).is_nan());
    // Monotone on a fine grid; the order of the input does not matter.
    let grid: Vec<f64> = (0..=70).map(|i| f64::from(i) / 10.0).collect();
    let on_grid = fitted.predict_all(&grid);
    assert!(on_grid.windows(2).all(|w| w[0] <= w[1]));
    let shuffled = IsotonicCalibrator::fit(&[6.0, 2.0, 4.0, 1.0, 5.0, 3.0], &[1, 0, 1, 1, 0, 0])
        .expect("valid");
    assert_eq!(shuffled, fitted);
}

#[test]
fn isotonic_pools_ties_first() {
    // Scores 0.1, 0.2, 0.2, 0.3 with labels 0, 1, 0, 1: the tie is one point
    // at 1/2, so 0, 1/2, 1 is already increasing. Taken row by row, the
    // 1 then 0 would have been pooled with its neighbours instead.
    let fitted = IsotonicCalibrator::fit(&[0.2, 0.1, 0.3, 0.2], &[1, 0, 1, 0]).expect("valid");
    assert_eq!(
        fitted.breakpoints().collect::<Vec<_>>(),
        [(0.1, 0.0), (0.2, 0.5), (0.3, 1.0)]
    );
    // A tied point whose mean breaks the order pools with the one before:
    // labels 1, 1, 0 at score 1 give 2/3 (weight 3), labels 1, 0 at score 2
    // give 1/2 (weight 2); 2/3 > 1/2, so both pool to 3/5 over scores 1–2.
    let fitted =
        IsotonicCalibrator::fit(&[1.0, 1.0, 1.0, 2.0, 2.0], &[1, 1, 0, 1, 0]).expect("valid");
    assert_eq!(
        fitted.breakpoints().collect::<Vec<_>>(),
        [(1.0, 0.6), (2.0, 0.6)]
    );
}

#[test]
fn calibrators_round_trip_through_json() {
    let scores = [0.1, 0.4, 0.35, 0.8, 0.2];
    let labels = [0u8, 0, 1, 1, 0];
    let isotonic = IsotonicCalibrator::fit(&scores, &labels).expect("valid");
    let json = serde_json::to_string(&isotonic).expect("serialises");
    let back: IsotonicCalibrator = serde_json::from_str(&json).expect("deserialises");
    assert_eq!(back, isotonic);
    let platt = PlattCalibrator::fit(&scores, &labels).expect("valid");
    let json = serde_json::to_string(&platt).expect("serialises");
    let back: PlattCalibrator = serde_json::from_str(&json).expect("deserialises");
    assert_eq!(back, platt);
    for s in scores {
        assert_eq!(back.predict(s).to_bits(), platt.predict(s).to_bits());
    }
}

#[test]
fn platt_recovers_a_known_logistic() {
    // At each of 9 scores, 10,000 clients of whom round(10,000 · sigmoid(2s −
    // 1)) default: the maximum-likelihood fit is a = 2, b = −1 up to the
    // rounding and Platt's smoothing (both about 1e-4 here).
    let (a, b) = (2.0, -1.0);
    let mut scores = Vec::new();
    let mut labels = Vec::new();
    for i in -4..=4 {
        let s = f64::from(i) / 2.0;
        let defaulters = (10_000.0 / (1.0 + (-(a * s + b)).exp())).round() as usize;
        for k in 0..10_000 {
            scores.push(s);
            labels.push(u8::from(k < defaulters));
        }
    }
    let fitted = PlattCalibrator::fit(&scores, &labels).expect("valid");
    assert!((fitted.a - a).abs() < 1e-3, "a = {}", fitted.a);
    assert!((fitted.b - b).abs() < 1e-3, "b = {}", fitted.b);
    assert!((fitted.predict(0.5) - 0.5).abs() < 1e-3);
}

#[test]
fn platt_stays_finite_on_degenerate_input() {
    // One class, or one score: the smoothed targets keep the fit finite.
    let one_class = PlattCalibrator::fit(&[0.1, 0.5, 0.9], &[0, 0, 0]).expect("valid");
    assert!(one_class.a.is_finite() && one_class.b.is_finite());
    assert!(one_class.predict(0.5) < 0.5);
    let one_score = PlattCalibrator::fit(&[0.3; 4], &[0, 1, 1, 0]).expect("valid");
    close_enough(one_score.predict(0.3), 0.5);
}

fn close_enough(actual: f64, expected: f64) {
    assert!(
        (actual - expected).abs() < 1e-6,
        "expected {expected}, got {actual}"
    );
}

#[test]
fn sampling_errors_name_the_parameter() {
    let labels = labels_20_10();
    assert!(matches!(
        stratified_split(&[], 0.3, 0),
        Err(Error::TrainingEmpty {
            parameter: "labels"
        })
    ));
    assert!(matches!(
        stratified_split(&[0, 2, 1], 0.3, 0),
        Err(Error::TrainingInvalidLabel {
            parameter: "labels",
            index: 1,
            value: 2
        })
    ));
    for fraction in [0.0, 1.0, -0.1, f64::NAN] {
        let err = stratified_split(&labels, fraction, 0).expect_err("invalid fraction");
        assert!(matches!(
            err,
            Error::TrainingInvalidParameter {
                parameter: "test_fraction",
                ..
            }
        ));
        assert!(err.to_string().contains("test_fraction"));
    }
    assert!(matches!(
        stratified_k_fold(&[], 2, 0),
        Err(Error::TrainingEmpty { .. })
    ));
    assert!(matches!(
        stratified_k_fold(&[0, 3], 2, 0),
        Err(Error::TrainingInvalidLabel { value: 3, .. })
    ));
    for k in [0, 1, 11] {
        let err = stratified_k_fold(&labels, k, 0).expect_err("invalid k");
        assert!(matches!(
            err,
            Error::TrainingInvalidFoldCount {
                smaller_class_rows: 10,
                ..
            }
        ));
        assert!(err.to_string().starts_with("`k` is"));
    }
    assert!(matches!(
        stratified_k_fold(&[0, 0, 0], 2, 0),
        Err(Error::TrainingInvalidFoldCount {
            k: 2,
            smaller_class_rows: 0
        })
    ));

    let all: Vec<usize> = (0..labels.len()).collect();
    assert!(matches!(
        undersample(&all, &[], 2.0, 0),
        Err(Error::TrainingEmpty {
            parameter: "labels"
        })
    ));
    assert!(matches!(
        undersample(&[], &labels, 2.0, 0),
        Err(Error::TrainingEmpty {
            parameter: "indices"
        })
    ));
    assert!(matches!(
        undersample(&[0], &[1, 7], 2.0, 0),
        Err(Error::TrainingInvalidLabel { index: 1, .. })
    ));
    for ratio in [0.0, -1.0, f64::INFINITY, f64::NAN] {
        assert!(matches!(
            undersample(&all, &labels, ratio, 0),
            Err(Error::TrainingInvalidParameter {
                parameter: "majority_per_minority",
                ..
            })
        ));
    }
    assert!(matches!(
        undersample(&[0, 30], &labels, 2.0, 0),
        Err(Error::TrainingIndexOutOfRange {
            position: 1,
            index: 30,
            len: 30
        })
    ));
    assert!(matches!(
        undersample(&[1, 2], &labels, 2.0, 0),
        Err(Error::TrainingSingleClass {
            parameter: "indices",
            class: 0
        })
    ));

    for p in [-0.1, 1.1, f64::NAN] {
        assert!(matches!(
            correct_probability(p, 0.08, 0.5),
            Err(Error::TrainingInvalidParameter {
                parameter: "p_sampled",
                ..
            })
        ));
    }
    for rate in [0.0, 1.0, f64::NAN] {
        assert!(matches!(
            correct_probability(0.5, rate, 0.5),
            Err(Error::TrainingInvalidParameter {
                parameter: "base_rate",
                ..
            })
        ));
        assert!(matches!(
            correct_probability(0.5, 0.08, rate),
            Err(Error::TrainingInvalidParameter {
                parameter: "sampled_rate",
                ..
            })
        ));
    }

    assert!(matches!(
        class_weights(&[]),
        Err(Error::TrainingEmpty { .. })
    ));
    assert!(matches!(
        class_weights(&[0, 9]),
        Err(Error::TrainingInvalidLabel { value: 9, .. })
    ));
    assert!(matches!(
        class_weights(&[0, 0]),
        Err(Error::TrainingSingleClass { class: 0, .. })
    ));
    assert!(matches!(
        class_weights(&[1, 1]),
        Err(Error::TrainingSingleClass { class: 1, .. })
    ));
}

#[test]
fn calibration_errors_name_the_input() {
    type Fit<T> = fn(&[f64], &[u8]) -> trainer::Result<T>;
    fn check<T: std::fmt::Debug>(fit: Fit<T>) {
        assert!(matches!(
            fit(&[], &[]),
            Err(Error::TrainingEmpty {
                parameter: "scores"
            })
        ));
        assert!(matches!(
            fit(&[0.1, 0.2], &[1]),
            Err(Error::TrainingLengthMismatch {
                expected_len: 2,
                found_len: 1,
                ..
            })
        ));
        assert!(matches!(
            fit(&[0.1, f64::NAN], &[0, 1]),
            Err(Error::CalibrationNonFiniteScore { index: 1, .. })
        ));
        assert!(matches!(
            fit(&[0.1, f64::INFINITY], &[0, 1]),
            Err(Error::CalibrationNonFiniteScore { index: 1, .. })
        ));
        assert!(matches!(
            fit(&[0.1, 0.2], &[0, 2]),
            Err(Error::TrainingInvalidLabel {
                parameter: "labels",
                index: 1,
                value: 2
            })
        ));
    }
    check::<IsotonicCalibrator>(IsotonicCalibrator::fit);
    check::<PlattCalibrator>(PlattCalibrator::fit);
}
