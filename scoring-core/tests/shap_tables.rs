//! What the explainer's tables accept and cost: trees beyond the depth
//! limit are refused when the model is built (without deep recursion), and
//! the tables take the documented bytes per leaf and per tree at any depth.
#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use scoring_core::model::{Estimator, Model};
use scoring_core::{Error, MAX_TREE_DEPTH, parse_lightgbm};
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

/// LightGBM model text of one tree: a chain of `depth` splits.
fn lightgbm_chain(depth: usize) -> String {
    let joined =
        |f: &dyn Fn(usize) -> String, n: usize| (0..n).map(f).collect::<Vec<_>>().join(" ");
    let right = |i: usize| {
        if i + 1 < depth {
            (i + 1).to_string()
        } else {
            (-(depth as i64) - 1).to_string()
        }
    };
    format!(
        "tree\nversion=v4\nnum_class=1\nnum_tree_per_iteration=1\nmax_feature_idx=1\n\
         objective=binary sigmoid:1\nfeature_names=a b\ntree_sizes=1\n\nTree=0\n\
         num_leaves={leaves}\nnum_cat=0\nsplit_feature={features}\nthreshold={thresholds}\n\
         decision_type={decisions}\nleft_child={left}\nright_child={right}\n\
         leaf_value={values}\nleaf_count={counts}\ninternal_count={internal}\n\
         is_linear=0\nshrinkage=1\n\nend of trees\n",
        leaves = depth + 1,
        features = joined(&|i| (i % 2).to_string(), depth),
        thresholds = joined(&|i| format!("{i}.5"), depth),
        decisions = joined(&|_| "2".to_owned(), depth),
        left = joined(&|i| (-(i as i64) - 1).to_string(), depth),
        right = joined(&right, depth),
        values = joined(&|i| format!("0.{}", i % 10), depth + 1),
        counts = joined(&|_| "1".to_owned(), depth + 1),
        internal = joined(&|i| (depth + 1 - i).to_string(), depth),
    )
}

/// Finding M2: a chain-shaped tree once loaded, and the first Score
/// overflowed the stack. A chain of 100,000 splits is refused at load, from
/// LightGBM text and from an artifact's JSON, on a thread with a 256 KiB
/// stack (any recursion over the chain would overflow it).
#[test]
fn chains_of_100_000_splits_are_refused_at_load_without_recursion() {
    const DEPTH: usize = 100_000;
    let loaded = std::thread::Builder::new()
        .stack_size(256 << 10)
        .spawn(|| {
            let from_text = parse_lightgbm(&lightgbm_chain(DEPTH));
            let mut rng = Rng::new(14);
            let deep = chain_tree_parts(&mut rng, DEPTH, shape(2, 2, 1));
            let json = serde_json::json!({
                "feature_names": ["f0", "f1"],
                "estimator": {"kind": "boosted_trees", "base_score": 0.0, "trees": [deep]},
            });
            let from_json = serde_json::from_value::<Model>(json).map_err(|e| e.to_string());
            (from_text, from_json)
        })
        .unwrap();
    let (from_text, from_json) = loaded.join().expect("no stack overflow");
    assert!(
        matches!(
            from_text,
            Err(Error::TreeTooDeep {
                tree: 0,
                depth: DEPTH,
                limit: MAX_TREE_DEPTH
            })
        ),
        "{from_text:?}"
    );
    let err = from_json.unwrap_err();
    assert!(err.contains("tree 0 is 100000 splits deep"), "{err}");
    // The same chain at the limit loads and scores.
    let ok = parse_lightgbm(&lightgbm_chain(MAX_TREE_DEPTH)).unwrap();
    assert_eq!(ok.max_depth(), MAX_TREE_DEPTH);
    assert!(ok.predict_raw(&[1.0, 2.0]).unwrap().is_finite());
}
