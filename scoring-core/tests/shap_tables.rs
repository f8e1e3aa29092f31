//! Trees beyond the depth limit are refused when the model is built, by
//! name, without deep recursion.
#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

mod common;

use common::{Rng, TreeShape, chain_tree_parts, ensemble_of};
use scoring_core::model::Model;
use scoring_core::{Error, MAX_TREE_DEPTH};

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
