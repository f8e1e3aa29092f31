//! The served explainer against the classic TreeSHAP recursion
//! (`common/classic.rs`): the same Shapley values to 1e-9 on random
//! ensembles with every split rule, missing values, stumps, deep chains and
//! features split on several times along a path. On paths of many distinct
//! features the classic recursion itself drifts (its UNWIND subtracts:
//! 6e-9 at 63 distinct features, against exact rational arithmetic), so
//! there the reference is the path formula summed without subtractions
//! (`common/path_formula.rs`), to 1e-12.
#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use proptest::prelude::*;
use scoring_core::model::{Estimator, Model, ProbabilityTree, Tree};
use scoring_core::{MAX_TREE_DEPTH, ShapScratch};
use test_support::classic::ClassicShap;
use test_support::path_formula::path_formula_shap;
use test_support::{
    Rng, TreeShape, brute_force_shap, chain_tree_parts, close, ensemble_of, random_ensemble,
    random_rows, random_tree_parts,
};

fn shape(n_features: usize, leaves: usize, max_depth: usize, categorical: f64) -> TreeShape {
    TreeShape {
        n_features,
        leaves,
        max_depth,
        categorical,
        nan_missing_only: false,
        leaf_scale: 1.0,
    }
}

/// Asserts every contribution is within 1e-9 of the classic one, and
/// additivity; returns the largest |new − classic|.
fn assert_matches_classic(model: &Model, rows: &[f64]) -> f64 {
    let n = model.n_features();
    let mut classic = ClassicShap::new(model);
    let mut scratch = ShapScratch::for_model(model);
    let (mut phi, mut expected) = (vec![0.0; n], vec![0.0; n]);
    let mut worst = 0.0_f64;
    for (r, row) in rows.chunks(n).enumerate() {
        let e = model.explain_into(row, &mut phi, &mut scratch).unwrap();
        classic.explain_into(row, &mut expected);
        for (j, (a, b)) in phi.iter().zip(&expected).enumerate() {
            assert!(
                close(*a, *b, 1e-9),
                "row {r} feature {j}: {a} vs classic {b}"
            );
            worst = worst.max((a - b).abs());
        }
        let sum = e.base_value + phi.iter().sum::<f64>();
        assert!((sum - e.raw_score).abs() <= 1e-9, "row {r}: additivity");
    }
    worst
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn equals_classic_tree_shap_on_random_ensembles(
        seed in any::<u64>(),
        n_features in 1_usize..=10,
        n_trees in 1_usize..=8,
        leaves in 1_usize..=40,
        max_depth in 1_usize..=12,
        categorical in prop_oneof![Just(0.0), Just(0.3)],
    ) {
        let mut rng = Rng::new(seed);
        let leaves = leaves.min(1 << max_depth);
        let model = random_ensemble(&mut rng, n_trees, shape(n_features, leaves, max_depth, categorical));
        let rows = random_rows(&mut rng, 12, n_features, 0.3);
        assert_matches_classic(&model, &rows);
    }
}

#[test]
fn stumps_equal_classic() {
    let mut rng = Rng::new(1);
    for n_features in [1, 3] {
        let model = random_ensemble(&mut rng, 50, shape(n_features, 2, 1, 0.2));
        let rows = random_rows(&mut rng, 50, n_features, 0.3);
        assert_matches_classic(&model, &rows);
    }
}

/// Asserts every contribution is within 1e-12 of the path formula's.
fn assert_matches_path_formula(model: &Model, rows: &[f64]) {
    let trees = match model.estimator() {
        Estimator::BoostedTrees(b) => &b.trees[..],
        _ => unreachable!(),
    };
    let n = model.n_features();
    for (r, row) in rows.chunks(n).enumerate() {
        let (phi, _) = model.explain(row).unwrap();
        let mut expected = vec![0.0; n];
        for tree in trees {
            let exact = path_formula_shap(tree, row);
            expected.iter_mut().zip(exact).for_each(|(e, x)| *e += x);
        }
        for (j, (a, b)) in phi.iter().zip(&expected).enumerate() {
            assert!(
                (a - b).abs() <= 1e-12,
                "row {r} feature {j}: {a} vs path formula {b}"
            );
        }
    }
}

#[test]
fn deep_chains_with_repeated_features_equal_classic() {
    let mut rng = Rng::new(2);
    for (depth, n_features) in [
        (8, 2),
        (20, 3),
        (40, 40),
        (MAX_TREE_DEPTH, 5),
        (MAX_TREE_DEPTH, 80),
    ] {
        let trees = (0..4)
            .map(|_| chain_tree_parts(&mut rng, depth, shape(n_features, 2, 1, 0.2)))
            .collect();
        let model = ensemble_of(trees, n_features).unwrap();
        assert_eq!(model.max_depth(), depth);
        let rows = random_rows(&mut rng, 30, n_features, 0.3);
        assert_matches_path_formula(&model, &rows);
        if n_features <= 40 {
            assert_matches_classic(&model, &rows);
        }
        if n_features <= 8 {
            let Estimator::BoostedTrees(boosted) = model.estimator() else {
                unreachable!()
            };
            for row in rows.chunks(n_features) {
                let (phi, _) = model.explain(row).unwrap();
                let mut expected = vec![0.0; n_features];
                for tree in &boosted.trees {
                    let exact = brute_force_shap(&model, tree, row);
                    expected.iter_mut().zip(exact).for_each(|(e, b)| *e += b);
                }
                for (a, b) in phi.iter().zip(&expected) {
                    assert!(
                        (a - b).abs() <= 1e-13,
                        "depth {depth}: {a} vs brute force {b}"
                    );
                }
            }
        }
    }
}

#[test]
fn paths_of_1_to_64_distinct_features_equal_the_path_formula() {
    // Every quadrature rule the explainer is compiled with gets used.
    let mut rng = Rng::new(7);
    for depth in 1..=MAX_TREE_DEPTH {
        let mut parts = chain_tree_parts(&mut rng, depth, shape(depth, 2, 1, 0.2));
        for (i, f) in parts.split_feature.iter_mut().enumerate() {
            *f = i as u32;
        }
        let model = ensemble_of(vec![parts], depth).unwrap();
        let rows = random_rows(&mut rng, 3, depth, 0.3);
        assert_matches_path_formula(&model, &rows);
        if depth <= 40 {
            assert_matches_classic(&model, &rows);
        }
    }
}

#[test]
fn bushy_deep_trees_equal_classic() {
    let mut rng = Rng::new(3);
    for n_features in [2, 6, 30] {
        let model = random_ensemble(&mut rng, 6, shape(n_features, 300, 24, 0.1));
        let rows = random_rows(&mut rng, 20, n_features, 0.3);
        assert_matches_classic(&model, &rows);
    }
}

#[test]
fn every_split_rule_alone_equals_classic() {
    // One missing type (with both default directions) or categories only.
    let mut rng = Rng::new(4);
    for rule in 0..4_u8 {
        for _ in 0..20 {
            let n_features = 1 + rng.below(5);
            let mut parts = random_tree_parts(&mut rng, shape(n_features, 20, 8, 0.0));
            for (d, t) in parts.decision_type.iter_mut().zip(&mut parts.threshold) {
                *d = match rule {
                    0..=2 => (rule << 2) | (*d & 2),
                    _ => 1,
                };
                if rule == 3 {
                    *t = 0.0;
                }
            }
            if rule == 3 {
                parts.cat_boundaries = vec![0, 2];
                parts.cat_threshold = vec![0x5555_5555, 0x0f0f_0f0f];
            }
            let model = ensemble_of(vec![parts], n_features).unwrap();
            let rows = random_rows(&mut rng, 20, n_features, 0.3);
            assert_matches_classic(&model, &rows);
        }
    }
}

#[test]
fn probability_tree_equals_classic() {
    let mut rng = Rng::new(5);
    let mut parts = random_tree_parts(&mut rng, shape(4, 30, 8, 0.2));
    for v in &mut parts.leaf_value {
        *v = (*v + 1.0) / 2.0;
    }
    let tree = Tree::new(parts).unwrap();
    let names = (0..4).map(|i| format!("f{i}")).collect();
    let model = Model::new(names, Estimator::ProbabilityTree(ProbabilityTree { tree })).unwrap();
    let rows = random_rows(&mut rng, 40, 4, 0.3);
    assert_matches_classic(&model, &rows);
}

#[test]
fn production_shaped_model_equals_classic() {
    let model = test_support::production_shaped_model(50, 200);
    let rows = random_rows(&mut Rng::new(6), 20, 200, 0.2);
    let worst = assert_matches_classic(&model, &rows);
    assert!(worst <= 1e-13, "largest difference {worst}");
}
