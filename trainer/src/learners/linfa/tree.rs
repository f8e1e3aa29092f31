//! The decision tree (linfa-trees), as a served [`ProbabilityTree`] whose
//! leaves are default rates.

use linfa::prelude::*;
use linfa_trees::{DecisionTree, TreeNode};
use ndarray::Array1;
use scoring_core::model::{MissingType, ProbabilityTree, Tree, TreeParts, numerical_decision};
use scoring_core::{Estimator, Model};

use super::{FitRows, model_error};
use crate::learners::sampling::correct_probability;
use crate::{Error, Result};

/// A depth-limited decision tree whose leaves are default rates.
pub fn fit_tree(
    rows: FitRows<'_>,
    feature_names: &[String],
    max_depth: usize,
    min_leaf_rows: f32,
) -> Result<Model> {
    let medians = rows.medians();
    let bounded = |j: usize, x: f64| {
        if x.is_nan() {
            medians[j]
        } else {
            x.clamp(f64::MIN, f64::MAX)
        }
    };
    let targets = Array1::from_iter(rows.labels.iter().map(|&l| usize::from(l)));
    let dataset = Dataset::new(rows.matrix(bounded)?, targets);
    let fitted = DecisionTree::params()
        .max_depth(Some(max_depth))
        .min_weight_leaf(min_leaf_rows)
        .fit(&dataset)
        .map_err(|source| Error::LinfaTree { source })?;

    let mut parts = empty_parts();
    flatten(fitted.root_node(), &medians, &mut parts);
    // Route the fitted rows through the converted tree for covers and rates.
    let shape =
        Tree::new(with_unit_covers(&parts)).map_err(model_error("converting the decision tree"))?;
    let leaves = parts.leaf_value.len();
    let (mut count, mut defaults) = (vec![0.0; leaves], vec![0.0; leaves]);
    for (i, &label) in rows.labels.iter().enumerate() {
        let row = &rows.values[i * rows.n_features..(i + 1) * rows.n_features];
        let leaf = shape.leaf_index(row);
        count[leaf] += 1.0;
        defaults[leaf] += f64::from(label);
    }
    let fitted_rate = rows.fitted_rate();
    for leaf in 0..leaves {
        let rate = if count[leaf] > 0.0 {
            defaults[leaf] / count[leaf]
        } else {
            fitted_rate
        };
        parts.leaf_value[leaf] = correct_probability(rate, rows.base_rate, fitted_rate)?;
        parts.leaf_count[leaf] = count[leaf].max(1e-9);
    }
    parts.internal_count = vec![0.0; parts.split_feature.len()];
    fill_internal_counts(&mut parts, 0);
    let tree = Tree::new(parts).map_err(model_error("converting the decision tree"))?;
    Model::new(
        feature_names.to_vec(),
        Estimator::ProbabilityTree(ProbabilityTree { tree }),
    )
    .map_err(model_error("converting the decision tree"))
}

fn empty_parts() -> TreeParts {
    TreeParts {
        split_feature: Vec::new(),
        threshold: Vec::new(),
        decision_type: Vec::new(),
        left_child: Vec::new(),
        right_child: Vec::new(),
        leaf_value: Vec::new(),
        internal_count: Vec::new(),
        leaf_count: Vec::new(),
        cat_boundaries: Vec::new(),
        cat_threshold: Vec::new(),
    }
}

fn with_unit_covers(parts: &TreeParts) -> TreeParts {
    let mut p = parts.clone();
    p.internal_count = vec![1.0; p.split_feature.len()];
    p.leaf_count = vec![1.0; p.leaf_value.len()];
    p
}

/// Appends `node` in LightGBM's layout; returns its child reference
/// (internal index, or `!leaf`).
fn flatten(node: &TreeNode<f64, usize>, medians: &[f64], parts: &mut TreeParts) -> i32 {
    let children = node.children();
    let (Some(left), Some(right)) = (children[0].as_deref(), children[1].as_deref()) else {
        parts.leaf_value.push(0.0);
        parts.leaf_count.push(0.0);
        return !(parts.leaf_value.len() as i32 - 1);
    };
    let (feature, threshold, _) = node.split();
    let index = parts.split_feature.len();
    parts.split_feature.push(feature as u32);
    parts.threshold.push(threshold);
    // A missing value goes where its imputed median went in training.
    parts.decision_type.push(numerical_decision(
        MissingType::NaN,
        medians[feature] <= threshold,
    ));
    parts.left_child.push(0);
    parts.right_child.push(0);
    let l = flatten(left, medians, parts);
    let r = flatten(right, medians, parts);
    parts.left_child[index] = l;
    parts.right_child[index] = r;
    index as i32
}

/// Fills `internal_count` bottom-up from the leaf counts; returns the count
/// under `child`.
fn fill_internal_counts(parts: &mut TreeParts, child: i32) -> f64 {
    if child < 0 {
        return parts
            .leaf_count
            .get((!child) as usize)
            .copied()
            .unwrap_or(0.0);
    }
    let i = child as usize;
    if i >= parts.split_feature.len() {
        return 0.0;
    }
    let total = fill_internal_counts(parts, parts.left_child[i])
        + fill_internal_counts(parts, parts.right_child[i]);
    parts.internal_count[i] = total;
    total
}
