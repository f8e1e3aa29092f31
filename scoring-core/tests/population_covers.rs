//! Explanations against the real population: once the covers are counted on
//! a sample, the base value is that sample's mean raw score (1e-9), the
//! predictions do not move, and TreeSHAP stays additive and equal to
//! brute-force Shapley values under the new covers — also when the sample
//! leaves parts of a tree unreached.
#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use proptest::prelude::*;
use scoring_core::{Model, ShapScratch};
use test_support::{
    Rng, TreeShape, brute_force_ensemble_shap, close, random_ensemble, random_rows,
    small_logistic_model,
};

fn shape(n_features: usize, leaves: usize) -> TreeShape {
    TreeShape {
        n_features,
        leaves,
        max_depth: 5,
        categorical: 0.2,
        nan_missing_only: false,
        leaf_scale: 1.0,
    }
}

fn mean_raw_score(model: &Model, rows: &[f64]) -> f64 {
    let n = model.n_features();
    let total: f64 = rows
        .chunks(n)
        .map(|row| model.predict_raw(row).unwrap())
        .sum();
    total / (rows.len() / n) as f64
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(100))]

    #[test]
    fn base_value_is_the_populations_mean_raw_score(
        seed in any::<u64>(),
        n_features in 1_usize..=8,
        n_trees in 1_usize..=20,
        leaves in 1_usize..=16,
        population in 1_usize..=400,
    ) {
        let mut rng = Rng::new(seed);
        let model = random_ensemble(&mut rng, n_trees, shape(n_features, leaves));
        let sample = random_rows(&mut rng, population, n_features, 0.2);
        let real = model.with_population_covers(&sample).unwrap();
        let mean = mean_raw_score(&model, &sample);
        prop_assert!((real.base_value() - mean).abs() <= 1e-9,
            "base value {} against mean raw score {}", real.base_value(), mean);

        let rows = random_rows(&mut rng, 8, n_features, 0.3);
        let mut phi = vec![0.0; n_features];
        let mut scratch = ShapScratch::for_model(&real);
        for row in rows.chunks(n_features) {
            let raw = model.predict_raw(row).unwrap();
            prop_assert_eq!(real.predict_raw(row).unwrap().to_bits(), raw.to_bits());
            let e = real.explain_into(row, &mut phi, &mut scratch).unwrap();
            prop_assert!((e.base_value - real.base_value()).abs() <= 1e-12);
            let sum: f64 = phi.iter().sum();
            prop_assert!(close(e.base_value + sum, raw, 1e-9),
                "base {} + sum {} != raw {}", e.base_value, sum, raw);
        }
    }

    #[test]
    fn recounted_tree_shap_equals_brute_force_shapley(
        seed in any::<u64>(),
        n_features in 1_usize..=6,
        leaves in 1_usize..=10,
        population in 1_usize..=60,
    ) {
        let mut rng = Rng::new(seed);
        let model = random_ensemble(&mut rng, 2, shape(n_features, leaves));
        let sample = random_rows(&mut rng, population, n_features, 0.2);
        let real = model.with_population_covers(&sample).unwrap();
        for row in random_rows(&mut rng, 4, n_features, 0.3).chunks(n_features) {
            let (phi, _) = real.explain(row).unwrap();
            let expected = brute_force_ensemble_shap(&real, row);
            for (j, (a, b)) in phi.iter().zip(&expected).enumerate() {
                prop_assert!(close(*a, *b, 1e-9), "feature {}: TreeSHAP {} brute force {}", j, a, b);
            }
        }
    }
}

#[test]
fn a_population_unlike_the_training_sample_moves_the_base_value() {
    let mut rng = Rng::new(7);
    let model = random_ensemble(&mut rng, 30, shape(4, 12));
    // Every row far on one side of most splits.
    let sample: Vec<f64> = (0..200 * 4).map(|i| 5.0 + (i % 7) as f64).collect();
    let real = model.with_population_covers(&sample).unwrap();
    let mean = mean_raw_score(&model, &sample);
    assert!((real.base_value() - mean).abs() <= 1e-9);
    assert!(
        (real.base_value() - model.base_value()).abs() > 1e-6,
        "the base value should follow the population"
    );
}

#[test]
fn the_logistic_background_is_the_populations_mean_input() {
    let model = small_logistic_model();
    let sample = vec![0.5, 1.0, f64::NAN, 2.0, -1.0, 3.0, 1.5, 0.0, 4.0];
    let real = model.with_population_covers(&sample).unwrap();
    let mean = mean_raw_score(&model, &sample);
    assert!((real.base_value() - mean).abs() <= 1e-12);
    let row = [1.0, 2.0, 3.0];
    assert_eq!(
        real.predict_raw(&row).unwrap().to_bits(),
        model.predict_raw(&row).unwrap().to_bits()
    );
}

#[test]
fn a_ragged_or_empty_population_is_refused_with_its_size() {
    let mut rng = Rng::new(3);
    let model = random_ensemble(&mut rng, 3, shape(4, 6));
    for values in [vec![1.0; 7], Vec::new()] {
        let error = model
            .with_population_covers(&values)
            .unwrap_err()
            .to_string();
        assert!(
            error.contains(&format!("{} values", values.len())) && error.contains("4 features"),
            "{error}"
        );
    }
}
