//! The comparison models of the model card, fitted with linfa: a logistic
//! regression (linfa-logistic) and a single decision tree (linfa-trees),
//! both converted to scoring-core models so either can be published and
//! served. linfa 0.8 works on ndarray 0.16: the row-major buffer is copied
//! into an `Array2` here, the only place the trainer touches ndarray.
//!
//! linfa takes no missing values: both are fitted on rows whose missing
//! values are imputed with the fitted rows' medians (infinities: the
//! logistic model imputes them too; the tree sees ±f64::MAX). The served
//! logistic model stores the same imputation and scaling; the served tree
//! sends a missing value the way its median went. linfa's leaves hold a
//! class, not a probability: each leaf's default rate is counted by routing
//! the fitted rows through the converted tree, and corrected, like every
//! model here, for the rebalanced default rate.

use linfa::prelude::*;
use linfa_logistic::LogisticRegression;
use linfa_trees::{DecisionTree, TreeNode};
use ndarray::{Array1, Array2};
use scoring_core::model::{
    LogisticModel, MissingType, ProbabilityTree, Tree, TreeParts, numerical_decision,
};
use scoring_core::{Estimator, Model};

use crate::training::sampling::correct_probability;
use crate::{Error, Result};

/// Rows to fit on: row-major values, labels and the real default rate the
/// model must predict on.
#[derive(Debug, Clone, Copy)]
pub struct FitRows<'a> {
    pub values: &'a [f64],
    pub labels: &'a [u8],
    pub n_features: usize,
    /// The population's default rate (before rebalancing).
    pub base_rate: f64,
}

impl FitRows<'_> {
    fn n_rows(&self) -> usize {
        self.labels.len()
    }

    fn fitted_rate(&self) -> f64 {
        self.labels.iter().filter(|&&l| l == 1).count() as f64 / self.n_rows().max(1) as f64
    }

    fn medians(&self) -> Vec<f64> {
        (0..self.n_features)
            .map(|j| {
                let mut v: Vec<f64> = (0..self.n_rows())
                    .map(|i| self.values[i * self.n_features + j])
                    .filter(|x| x.is_finite())
                    .collect();
                v.sort_by(f64::total_cmp);
                if v.is_empty() {
                    0.0
                } else {
                    scoring_core::reference::quantile_sorted(&v, 0.5)
                }
            })
            .collect()
    }

    /// The one copy into ndarray 0.16, with `fill` applied per value.
    fn matrix(&self, fill: impl Fn(usize, f64) -> f64) -> Result<Array2<f64>> {
        let values: Vec<f64> = self
            .values
            .iter()
            .enumerate()
            .map(|(k, &x)| fill(k % self.n_features, x))
            .collect();
        Array2::from_shape_vec((self.n_rows(), self.n_features), values)
            .map_err(|e| candidate("linfa", e.to_string()))
    }
}

fn candidate(model: &'static str, reason: impl Into<String>) -> Error {
    Error::TrainCandidate {
        model,
        reason: reason.into(),
    }
}

fn logit(p: f64) -> f64 {
    (p / (1.0 - p)).ln()
}

/// L2-regularised logistic regression on standardised, imputed features.
pub fn fit_logistic(rows: FitRows<'_>, feature_names: &[String]) -> Result<Model> {
    let fill_value = rows.medians();
    let n = rows.n_features;
    let imputed = rows.matrix(|j, x| if x.is_finite() { x } else { fill_value[j] })?;
    let mean: Vec<f64> = (0..n)
        .map(|j| imputed.column(j).mean().unwrap_or(0.0))
        .collect();
    let std: Vec<f64> = (0..n)
        .map(|j| {
            let s = imputed.column(j).std(0.0);
            if s.is_finite() && s > 1e-12 { s } else { 1.0 }
        })
        .collect();
    let mut scaled = imputed;
    for (j, mut column) in scaled.columns_mut().into_iter().enumerate() {
        column.mapv_inplace(|x| (x - mean[j]) / std[j]);
    }
    let targets = Array1::from_iter(rows.labels.iter().map(|&l| usize::from(l)));
    let dataset = Dataset::new(scaled, targets);
    let fitted = LogisticRegression::default()
        .alpha(1.0)
        .max_iterations(200)
        .fit(&dataset)
        .map_err(|e| candidate("logistic", e.to_string()))?;
    // linfa-logistic models the probability of whichever class is the
    // larger in the fitted rows (the first seen on a tie): turned around
    // when that is the good clients', so the model always gives the
    // probability of default.
    let orientation = if fitted.labels().pos.class == 1 {
        1.0
    } else {
        -1.0
    };
    let shift = logit(rows.base_rate) - logit(rows.fitted_rate());
    let logistic = LogisticModel {
        intercept: orientation * fitted.intercept() + shift,
        weights: fitted.params().iter().map(|w| orientation * w).collect(),
        fill_value,
        mean,
        std,
        scaled_mean: vec![0.0; n],
    };
    Model::new(feature_names.to_vec(), Estimator::Logistic(logistic))
        .map_err(|e| candidate("logistic", e.to_string()))
}

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
        .map_err(|e| candidate("decision_tree", e.to_string()))?;

    let mut parts = empty_parts();
    flatten(fitted.root_node(), &medians, &mut parts);
    // Route the fitted rows through the converted tree for covers and rates.
    let shape = Tree::new(with_unit_covers(&parts))
        .map_err(|e| candidate("decision_tree", e.to_string()))?;
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
    let tree = Tree::new(parts).map_err(|e| candidate("decision_tree", e.to_string()))?;
    Model::new(
        feature_names.to_vec(),
        Estimator::ProbabilityTree(ProbabilityTree { tree }),
    )
    .map_err(|e| candidate("decision_tree", e.to_string()))
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Rows of one feature that raises the risk: defaulters near +1,
    /// good clients near -1 (with overlap), `defaulters` of `n`.
    fn risky_rows(n: usize, defaulters: usize) -> (Vec<f64>, Vec<u8>) {
        let labels: Vec<u8> = (0..n).map(|i| u8::from(i < defaulters)).collect();
        let values = labels
            .iter()
            .enumerate()
            .map(|(i, &l)| {
                let noise = ((i * 7919) % 100) as f64 / 50.0 - 1.0;
                if l == 1 { 1.0 + noise } else { -1.0 + noise }
            })
            .collect();
        (values, labels)
    }

    #[test]
    fn the_logistic_gives_the_probability_of_default_whichever_class_is_larger() {
        let names = vec!["risk".to_owned()];
        // Defaulters the minority (as after a partial undersampling), the
        // majority, and first on a tie.
        for defaulters in [100, 300, 200] {
            let (values, labels) = risky_rows(400, defaulters);
            let rows = FitRows {
                values: &values,
                labels: &labels,
                n_features: 1,
                base_rate: 0.08,
            };
            let model = fit_logistic(rows, &names).expect("fit");
            let high = model.predict_probability(&[1.5]).expect("score");
            let low = model.predict_probability(&[-1.5]).expect("score");
            assert!(
                high > low,
                "{defaulters} defaulters of 400: p(+1.5) = {high} <= p(-1.5) = {low}"
            );
        }
    }
}
