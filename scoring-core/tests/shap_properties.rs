//! Property tests of the explanations: additivity and equality with
//! brute-force Shapley values, on random small ensembles with missing values.
#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use proptest::prelude::*;
use scoring_core::model::{Estimator, Model, ProbabilityTree, Tree};
use scoring_core::{Link, ShapScratch};
use test_support::{
    Rng, TreeShape, brute_force_ensemble_shap, close, random_ensemble, random_rows,
};

fn shape(n_features: usize, leaves: usize, categorical: bool) -> TreeShape {
    TreeShape {
        n_features,
        leaves,
        max_depth: 4,
        categorical: if categorical { 0.2 } else { 0.0 },
        nan_missing_only: false,
        leaf_scale: 1.0,
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn base_plus_contributions_is_the_raw_score(
        seed in any::<u64>(),
        n_features in 1_usize..=8,
        n_trees in 1_usize..=12,
        leaves in 1_usize..=12,
        categorical in any::<bool>(),
    ) {
        let mut rng = Rng::new(seed);
        let model = random_ensemble(&mut rng, n_trees, shape(n_features, leaves, categorical));
        let rows = random_rows(&mut rng, 8, n_features, 0.3);
        let mut phi = vec![0.0; n_features];
        let mut scratch = ShapScratch::for_model(&model);
        for row in rows.chunks(n_features) {
            let e = model.explain_into(row, &mut phi, &mut scratch).unwrap();
            let raw = model.predict_raw(row).unwrap();
            prop_assert_eq!(e.raw_score.to_bits(), raw.to_bits());
            prop_assert!((e.base_value + phi.iter().sum::<f64>() - raw).abs() <= 1e-9,
                "base {} + sum {:?} != raw {}", e.base_value, phi, raw);
        }
    }

    #[test]
    fn tree_shap_equals_brute_force_shapley(
        seed in any::<u64>(),
        n_features in 1_usize..=6,
        n_trees in 1_usize..=3,
        leaves in 1_usize..=10,
        categorical in any::<bool>(),
    ) {
        let mut rng = Rng::new(seed);
        let model = random_ensemble(&mut rng, n_trees, shape(n_features, leaves, categorical));
        let rows = random_rows(&mut rng, 4, n_features, 0.3);
        for row in rows.chunks(n_features) {
            let (phi, _) = model.explain(row).unwrap();
            let expected = brute_force_ensemble_shap(&model, row);
            for (j, (a, b)) in phi.iter().zip(&expected).enumerate() {
                prop_assert!(close(*a, *b, 1e-9), "feature {}: TreeSHAP {} brute force {}", j, a, b);
            }
        }
    }

    #[test]
    fn batch_scores_equal_single_row_scores_bit_for_bit(
        seed in any::<u64>(),
        n_rows in 0_usize..150,
    ) {
        let mut rng = Rng::new(seed);
        let model = random_ensemble(&mut rng, 20, shape(5, 8, true));
        let rows = random_rows(&mut rng, n_rows, 5, 0.2);
        let mut out = vec![0.0; n_rows];
        model.predict_probability_batch(&rows, &mut out).unwrap();
        for (row, p) in rows.chunks(5).zip(&out) {
            prop_assert_eq!(model.predict_probability(row).unwrap().to_bits(), p.to_bits());
        }
    }
}

#[test]
fn probability_tree_explains_on_the_probability_scale() {
    let mut rng = Rng::new(11);
    let mut parts = test_support::random_tree_parts(&mut rng, shape(4, 7, false));
    for v in &mut parts.leaf_value {
        *v = (*v + 1.0) / 2.0;
    }
    let estimator = Estimator::ProbabilityTree(ProbabilityTree {
        tree: Tree::new(parts).unwrap(),
    });
    let names = (0..4).map(|i| format!("f{i}")).collect();
    let model = Model::new(names, estimator).unwrap();
    assert_eq!(model.link(), Link::Identity);
    let rows = random_rows(&mut rng, 20, 4, 0.3);
    for row in rows.chunks(4) {
        let (phi, e) = model.explain(row).unwrap();
        let p = model.predict_probability(row).unwrap();
        assert!((0.0..=1.0).contains(&p));
        assert!((e.base_value + phi.iter().sum::<f64>() - p).abs() <= 1e-12);
    }
}

#[test]
fn logistic_shap_is_exact_and_linear() {
    let model = test_support::small_logistic_model();
    let row = [20.0, f64::NAN, 5.0];
    let (phi, e) = model.explain(&row).unwrap();
    let z = [(20.0 - 12.0) / 4.0, (0.5 - 0.4) / 0.2, (5.0 - -1.0) / 3.0];
    let expected = [
        0.8 * (z[0] - 0.0),
        -1.2 * (z[1] - 0.1),
        0.3 * (z[2] - -0.05),
    ];
    for (a, b) in phi.iter().zip(expected) {
        assert!((a - b).abs() <= 1e-15);
    }
    let base = -1.5 + 0.8 * 0.0 + -1.2 * 0.1 + 0.3 * -0.05;
    assert!((e.base_value - base).abs() <= 1e-15);
    let raw = -1.5 + 0.8 * z[0] - 1.2 * z[1] + 0.3 * z[2];
    assert!((model.predict_raw(&row).unwrap() - raw).abs() <= 1e-12);
    assert!((e.base_value + phi.iter().sum::<f64>() - e.raw_score).abs() <= 1e-12);
    let p = model.predict_probability(&row).unwrap();
    assert!((p - 1.0 / (1.0 + (-raw).exp())).abs() <= 1e-15);
}

#[test]
fn wrong_row_length_and_buffer_length_are_errors() {
    let mut rng = Rng::new(3);
    let model = random_ensemble(&mut rng, 3, shape(4, 5, false));
    assert!(matches!(
        model.predict_raw(&[1.0; 3]),
        Err(scoring_core::Error::FeatureCountMismatch {
            expected: 4,
            found: 3
        })
    ));
    let mut out = [0.0; 2];
    assert!(matches!(
        model.predict_raw_batch(&[0.0; 7], &mut out),
        Err(scoring_core::Error::RaggedBatch { .. })
    ));
    assert!(matches!(
        model.predict_raw_batch(&[0.0; 12], &mut out),
        Err(scoring_core::Error::OutputLength {
            expected: 3,
            found: 2
        })
    ));
    let mut phi = [0.0; 3];
    let mut scratch = ShapScratch::default();
    assert!(matches!(
        model.explain_into(&[0.0; 4], &mut phi, &mut scratch),
        Err(scoring_core::Error::OutputLength { .. })
    ));
}
