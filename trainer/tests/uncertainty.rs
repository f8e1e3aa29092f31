//! The maths of the validation figures against cases worked by hand:
//! stratified bootstrap intervals, Wilson intervals, equal-count
//! calibration bins and the break-even thresholds.

use trainer::Error;
use trainer::evaluation::{
    BootstrapPlan, CostParameters, bootstrap, break_even, break_even_strategies, brier_score,
    calibration_by_quantile, expected_calibration_error_by_quantile, wilson_interval,
};

fn plan(resamples: usize) -> BootstrapPlan {
    BootstrapPlan {
        resamples,
        seed: 7,
        level: 0.95,
    }
}

#[test]
fn brier_interval_of_a_three_client_sample_is_worked_by_hand() {
    // Good payers at p = 0 and p = 1 (squared errors 0 and 1), one
    // defaulter at p = 1 (error 0). A stratified resample redraws the two
    // good payers and keeps the defaulter: the good payers' errors sum to
    // 0, 1 or 2 with probabilities 1/4, 1/2, 1/4, so the Brier score is 0,
    // 1/3 or 2/3. Both tails hold a quarter of the resamples, far more than
    // 2.5%: the 95% interval is exactly [0, 2/3] around the estimate 1/3.
    let p = [0.0, 1.0, 1.0];
    let labels = [0u8, 0, 1];
    let found = bootstrap(&labels, plan(2_000), |rows| {
        let q: Vec<f64> = rows.iter().map(|&i| p[i]).collect();
        let y: Vec<u8> = rows.iter().map(|&i| labels[i]).collect();
        Ok(vec![brier_score(&q, &y)?])
    })
    .expect("bootstrap");
    assert!((found[0].estimate - 1.0 / 3.0).abs() < 1e-15);
    assert_eq!(found[0].low, 0.0);
    assert!((found[0].high - 2.0 / 3.0).abs() < 1e-15, "{:?}", found[0]);
}

#[test]
fn stratified_resamples_keep_each_class_count() {
    // Refusing exactly the defaulters: every stratified resample accepts
    // the same share (the good payers' 7 of 10), so the interval is a point.
    let labels = [0u8, 0, 0, 0, 0, 0, 0, 1, 1, 1];
    let found = bootstrap(&labels, plan(500), |rows| {
        let accepted = rows.iter().filter(|&&i| labels[i] == 0).count();
        Ok(vec![accepted as f64 / rows.len() as f64])
    })
    .expect("bootstrap");
    assert_eq!((found[0].low, found[0].high), (0.7, 0.7));
}

#[test]
fn the_same_seed_gives_the_same_interval_and_another_seed_another() {
    let labels: Vec<u8> = (0..200).map(|i| u8::from(i % 5 == 0)).collect();
    let p: Vec<f64> = (0..200).map(|i| ((i * 37) % 101) as f64 / 100.0).collect();
    let run = |seed| {
        bootstrap(
            &labels,
            BootstrapPlan {
                resamples: 300,
                seed,
                level: 0.95,
            },
            |rows| {
                let q: Vec<f64> = rows.iter().map(|&i| p[i]).collect();
                let y: Vec<u8> = rows.iter().map(|&i| labels[i]).collect();
                Ok(vec![brier_score(&q, &y)?])
            },
        )
        .expect("bootstrap")
    };
    assert_eq!(run(1), run(1));
    assert_ne!(run(1), run(2));
}

#[test]
fn bootstrap_refuses_too_few_resamples_a_bad_level_and_a_single_class() {
    let ok = |_: &[usize]| Ok(vec![0.0]);
    let err = bootstrap(&[0u8, 1], plan(99), ok).expect_err("too few");
    assert!(err.to_string().contains("at least 100"), "{err}");
    let bad_level = BootstrapPlan {
        level: 1.0,
        ..plan(100)
    };
    let err = bootstrap(&[0u8, 1], bad_level, ok).expect_err("level");
    assert!(err.to_string().contains("bootstrap level"), "{err}");
    let err = bootstrap(&[0u8, 0], plan(100), ok).expect_err("one class");
    assert!(matches!(err, Error::SingleClass { .. }), "{err}");
    let err = bootstrap(&[0u8, 2], plan(100), ok).expect_err("label");
    assert!(
        matches!(err, Error::InvalidLabel { index: 1, value: 2 }),
        "{err}"
    );
}

#[test]
fn wilson_intervals_match_the_textbook_values() {
    // 5 of 10: 0.5 ± 0.2634, i.e. [0.2366, 0.7634] (Agresti & Coull 1998).
    let (lo, hi) = wilson_interval(5, 10);
    assert!(
        (lo - 0.2366).abs() < 5e-5 && (hi - 0.7634).abs() < 5e-5,
        "{lo} {hi}"
    );
    assert!((lo + hi - 1.0).abs() < 1e-15, "symmetric around 1/2");
    // 0 of 20: the lower bound is 0, the upper z² / (n + z²).
    let (lo, hi) = wilson_interval(0, 20);
    let z2 = 1.959_963_984_540_054_f64.powi(2);
    assert_eq!(lo, 0.0);
    assert!((hi - z2 / (20.0 + z2)).abs() < 1e-12, "{hi}");
    assert_eq!(wilson_interval(0, 0), (0.0, 1.0));
}

#[test]
fn equal_count_bins_cut_the_sorted_clients_into_deciles() {
    // 20 clients, probabilities 0.00..0.19, every fourth a defaulter: each of
    // 10 bins holds 2 clients.
    let p: Vec<f64> = (0..20).map(|i| f64::from(i) / 100.0).collect();
    let labels: Vec<u8> = (0..20).map(|i| u8::from(i % 4 == 3)).collect();
    let bins = calibration_by_quantile(&p, &labels, 10).expect("bins");
    assert_eq!(bins.len(), 10);
    assert!(bins.iter().all(|b| b.count == 2));
    assert_eq!((bins[1].lowest, bins[1].highest), (0.02, 0.03));
    assert_eq!(bins[1].defaulters, 1);
    assert!((bins[1].mean_predicted - 0.025).abs() < 1e-15);
    // ECE: mean over bins of |mean p - observed|, bins alternate 0 and 1/2
    // defaulters.
    let expected: f64 = bins
        .iter()
        .map(|b| (b.mean_predicted - b.observed_rate).abs() / 10.0)
        .sum();
    let ece = expected_calibration_error_by_quantile(&p, &labels, 10).expect("ece");
    assert!((ece - expected).abs() < 1e-15);
    // Fewer clients than bins: one bin each.
    assert_eq!(
        calibration_by_quantile(&[0.1, 0.2], &[0u8, 1], 10)
            .expect("bins")
            .len(),
        2
    );
    assert!(matches!(
        calibration_by_quantile(&[0.1], &[0u8], 0),
        Err(Error::InvalidBinCount { bins: 0 })
    ));
}

#[test]
fn break_even_is_interest_over_interest_plus_loss() {
    assert!((break_even(0.05, 0.8) - 0.058_823_529_411_764_7).abs() < 1e-15);
    assert_eq!(break_even(0.0, 0.0), 1.0);
    let cost = CostParameters::default().check().expect("cost");
    let t = break_even_strategies(&cost, 0.25).expect("strategies");
    assert!(t.prudent < t.normal && t.normal < t.aggressive, "{t:?}");
    assert!((t.prudent - 0.05 / (0.05 + 1.0)).abs() < 1e-15);
    assert!((t.aggressive - 0.05 / (0.05 + 0.6)).abs() < 1e-15);
    let err = break_even_strategies(&cost, 1.0).expect_err("stress 1");
    assert!(err.to_string().contains("lgd_stress"), "{err}");
}
