//! Isotonic and Platt calibration.

use super::*;

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
