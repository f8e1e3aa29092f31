//! What the explainer's tables accept and cost: trees beyond the depth
//! limit are refused when the model is built (without deep recursion), and
//! the tables take the documented bytes per leaf and per tree at any depth.
#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use scoring_core::model::{Estimator, Model};
use scoring_core::{Error, MAX_TREE_DEPTH};
use test_support::{Rng, TreeShape, chain_tree_parts, ensemble_of, random_ensemble};

fn shape(n_features: usize, leaves: usize, max_depth: usize) -> TreeShape {
    TreeShape {
        n_features,
        leaves,
        max_depth,
        categorical: 0.2,
        nan_missing_only: false,
        leaf_scale: 1.0,
    }
}

#[test]
fn trees_deeper_than_the_limit_are_refused_naming_the_tree() {
    let mut rng = Rng::new(12);
    let ok = chain_tree_parts(&mut rng, MAX_TREE_DEPTH, shape(5, 2, 1));
    assert!(ensemble_of(vec![ok.clone()], 5).is_ok());
    for depth in [MAX_TREE_DEPTH + 1, 20_000] {
        let deep = chain_tree_parts(&mut rng, depth, shape(5, 2, 1));
        match ensemble_of(vec![ok.clone(), ok.clone(), deep], 5) {
            Err(Error::TreeTooDeep {
                tree,
                depth: d,
                limit,
            }) => {
                assert_eq!((tree, d, limit), (2, depth, MAX_TREE_DEPTH));
            }
            other => panic!("depth {depth}: {other:?}"),
        }
    }
    // A model read from JSON (as artifacts are) is checked the same way.
    let deep = chain_tree_parts(&mut rng, MAX_TREE_DEPTH + 1, shape(5, 2, 1));
    let names: Vec<String> = (0..5).map(|i| format!("f{i}")).collect();
    let json = serde_json::json!({
        "feature_names": names,
        "estimator": {"kind": "boosted_trees", "base_score": 0.0, "trees": [deep]},
    });
    let err = serde_json::from_value::<Model>(json).unwrap_err();
    assert!(
        err.to_string().contains("tree 0 is 65 splits deep"),
        "{err}"
    );
}

#[test]
fn tables_cost_56_bytes_per_leaf_and_16_per_tree_at_any_depth() {
    let mut rng = Rng::new(13);
    let bytes = |model: &Model| {
        let Estimator::BoostedTrees(b) = model.estimator() else {
            unreachable!()
        };
        let per_tree: usize = b.trees.iter().map(|t| 56 * t.num_leaves() + 16).sum();
        (model.shap_tables().memory_bytes(), per_tree)
    };
    let shallow = random_ensemble(&mut rng, 40, shape(20, 34, 8));
    let chains = (0..40)
        .map(|_| chain_tree_parts(&mut rng, MAX_TREE_DEPTH, shape(20, 2, 1)))
        .collect();
    let deep = ensemble_of(chains, 20).unwrap();
    for model in [&shallow, &deep] {
        let (total, per_tree) = bytes(model);
        assert!(
            total >= per_tree && total - per_tree < 4096,
            "{total} vs {per_tree}"
        );
    }
    let production = test_support::production_shaped_model(1000, 800);
    let total = production.shap_tables().memory_bytes();
    assert!((1_900_000..1_930_000).contains(&total), "{total}");
    assert!(production.shap_tables().scratch_bytes() < 16_384);
}
