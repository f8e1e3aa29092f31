//! Random valid tree ensembles and applicant rows (seeded), and three
//! oracles to check explanations against: brute-force Shapley values (few
//! features, here), the classic TreeSHAP recursion ([`crate::classic`]) and
//! the path formula evaluated without subtractions
//! ([`crate::path_formula`], long paths).

use crate::Rng;
use scoring_core::model::{
    BoostedTrees, CATEGORICAL_MASK, Estimator, MissingType, Model, Tree, TreeParts,
    numerical_decision,
};

/// Shape of the random trees.
#[derive(Clone, Copy)]
pub struct TreeShape {
    pub n_features: usize,
    pub leaves: usize,
    pub max_depth: usize,
    /// Share of splits that are categorical.
    pub categorical: f64,
    /// Use only NaN-missing splits (as production models do).
    pub nan_missing_only: bool,
    pub leaf_scale: f64,
}

struct Builder<'a> {
    rng: &'a mut Rng,
    shape: TreeShape,
    parts: TreeParts,
}

impl Builder<'_> {
    /// Grows a subtree with exactly `leaves` leaves; returns (child ref, cover).
    fn grow(&mut self, depth: usize, leaves: usize) -> (i32, f64) {
        if leaves == 1 {
            let leaf = self.parts.leaf_value.len();
            let value = self.rng.range(-1.0, 1.0) * self.shape.leaf_scale;
            let cover = (1 + self.rng.below(100)) as f64;
            self.parts.leaf_value.push(value);
            self.parts.leaf_count.push(cover);
            return (!(leaf as i32), cover);
        }
        let cap = 1_usize << (self.shape.max_depth - depth - 1);
        let lo = leaves.saturating_sub(cap).max(1);
        let hi = (leaves - 1).min(cap);
        let left_leaves = lo + self.rng.below(hi - lo + 1);
        let node = self.parts.split_feature.len();
        let feature = self.rng.below(self.shape.n_features) as u32;
        self.parts.split_feature.push(feature);
        let (threshold, decision) = self.split_rule();
        self.parts.threshold.push(threshold);
        self.parts.decision_type.push(decision);
        self.parts.left_child.push(0);
        self.parts.right_child.push(0);
        self.parts.internal_count.push(0.0);
        let (left, left_cover) = self.grow(depth + 1, left_leaves);
        let (right, right_cover) = self.grow(depth + 1, leaves - left_leaves);
        self.parts.left_child[node] = left;
        self.parts.right_child[node] = right;
        self.parts.internal_count[node] = left_cover + right_cover;
        (node as i32, left_cover + right_cover)
    }

    fn split_rule(&mut self) -> (f64, u8) {
        if self.rng.uniform() < self.shape.categorical {
            let index = self.parts.cat_boundaries.len() - 1;
            let words = 1 + self.rng.below(2);
            for _ in 0..words {
                self.parts.cat_threshold.push(self.rng.next_u64() as u32);
            }
            let end = self.parts.cat_threshold.len() as u32;
            self.parts.cat_boundaries.push(end);
            return (index as f64, CATEGORICAL_MASK);
        }
        let missing = if self.shape.nan_missing_only {
            MissingType::NaN
        } else {
            [MissingType::None, MissingType::Zero, MissingType::NaN][self.rng.below(3)]
        };
        let threshold = match self.rng.below(16) {
            0 | 1 => 0.0,
            2 => f64::INFINITY, // LightGBM writes `inf`: every present value goes left
            _ => self.rng.range(-1.5, 1.5),
        };
        (
            threshold,
            numerical_decision(missing, self.rng.below(2) == 0),
        )
    }
}

fn builder(rng: &mut Rng, shape: TreeShape) -> Builder<'_> {
    Builder {
        rng,
        shape,
        parts: TreeParts {
            split_feature: vec![],
            threshold: vec![],
            decision_type: vec![],
            left_child: vec![],
            right_child: vec![],
            leaf_value: vec![],
            internal_count: vec![],
            leaf_count: vec![],
            cat_boundaries: vec![0],
            cat_threshold: vec![],
        },
    }
}

pub fn random_tree_parts(rng: &mut Rng, shape: TreeShape) -> TreeParts {
    let mut builder = builder(rng, shape);
    builder.grow(0, shape.leaves);
    builder.parts
}

/// A chain-shaped tree `depth` splits deep: split `i` has leaf `i` on a
/// random side and split `i + 1` (the last one: a second leaf) on the
/// other; splits use `shape`'s rules and features.
pub fn chain_tree_parts(rng: &mut Rng, depth: usize, shape: TreeShape) -> TreeParts {
    let mut b = builder(rng, shape);
    for i in 0..depth {
        let feature = b.rng.below(shape.n_features) as u32;
        let (threshold, decision) = b.split_rule();
        let deeper = if i + 1 < depth {
            i as i32 + 1
        } else {
            !(depth as i32)
        };
        let leaf = !(i as i32);
        let (left, right) = if b.rng.below(2) == 0 {
            (leaf, deeper)
        } else {
            (deeper, leaf)
        };
        b.parts.split_feature.push(feature);
        b.parts.threshold.push(threshold);
        b.parts.decision_type.push(decision);
        b.parts.left_child.push(left);
        b.parts.right_child.push(right);
    }
    for _ in 0..=depth {
        let value = b.rng.range(-1.0, 1.0) * shape.leaf_scale;
        b.parts.leaf_value.push(value);
        b.parts.leaf_count.push((1 + b.rng.below(100)) as f64);
    }
    let mut below = b.parts.leaf_count[depth];
    b.parts.internal_count = vec![0.0; depth];
    for i in (0..depth).rev() {
        below += b.parts.leaf_count[i];
        b.parts.internal_count[i] = below;
    }
    b.parts
}

/// A boosted model of the given trees over `n_features` features.
pub fn ensemble_of(trees: Vec<TreeParts>, n_features: usize) -> scoring_core::Result<Model> {
    let trees = trees
        .into_iter()
        .map(Tree::new)
        .collect::<scoring_core::Result<Vec<_>>>()?;
    let names = (0..n_features).map(|i| format!("f{i}")).collect();
    let estimator = Estimator::BoostedTrees(BoostedTrees {
        base_score: 0.1,
        trees,
    });
    Model::new(names, estimator)
}

pub fn random_ensemble(rng: &mut Rng, n_trees: usize, shape: TreeShape) -> Model {
    let trees = (0..n_trees)
        .map(|_| {
            let leaves = 1 + rng.below(shape.leaves);
            let parts = random_tree_parts(rng, TreeShape { leaves, ..shape });
            Tree::new(parts).expect("generated trees are valid")
        })
        .collect();
    let names = (0..shape.n_features).map(|i| format!("f{i}")).collect();
    let estimator = Estimator::BoostedTrees(BoostedTrees {
        base_score: rng.range(-1.0, 1.0),
        trees,
    });
    Model::new(names, estimator).expect("generated models are valid")
}

/// A random ensemble shaped like production: `n_trees` full trees of 34
/// leaves, depth at most 8, over `n_features` features (the benches' model).
pub fn production_shaped_model(n_trees: usize, n_features: usize) -> Model {
    let shape = TreeShape {
        n_features,
        leaves: 34,
        max_depth: 8,
        categorical: 0.0,
        nan_missing_only: true,
        leaf_scale: 0.05,
    };
    let mut rng = Rng::new(2024);
    let trees = (0..n_trees)
        .map(|_| Tree::new(random_tree_parts(&mut rng, shape)).expect("valid tree"))
        .collect();
    let names = (0..n_features).map(|i| format!("f{i}")).collect();
    let estimator = Estimator::BoostedTrees(BoostedTrees {
        base_score: -2.4,
        trees,
    });
    Model::new(names, estimator).expect("valid model")
}

/// Row-major rows: values in [-2, 2], some exact zeros and small category
/// codes, `missing` share of NaN.
pub fn random_rows(rng: &mut Rng, n_rows: usize, n_features: usize, missing: f64) -> Vec<f64> {
    (0..n_rows * n_features)
        .map(|_| {
            let u = rng.uniform();
            if u < missing {
                f64::NAN
            } else if u < missing + 0.1 {
                0.0
            } else if u < missing + 0.2 {
                rng.below(40) as f64
            } else {
                rng.range(-2.0, 2.0)
            }
        })
        .collect()
}

/// Brute-force SHAP values of a boosted-trees model: the sum of
/// [`brute_force_shap`] over its trees.
pub fn brute_force_ensemble_shap(model: &Model, row: &[f64]) -> Vec<f64> {
    let scoring_core::model::Estimator::BoostedTrees(boosted) = model.estimator() else {
        panic!("brute-force SHAP of an ensemble needs a boosted-trees model");
    };
    let mut total = vec![0.0; model.n_features()];
    for tree in &boosted.trees {
        for (t, b) in total.iter_mut().zip(brute_force_shap(model, tree, row)) {
            *t += b;
        }
    }
    total
}

/// Brute-force SHAP values of one tree: Shapley values of the
/// path-dependent expectation, by enumerating every feature subset.
pub fn brute_force_shap(model: &Model, tree: &Tree, row: &[f64]) -> Vec<f64> {
    let m = model.n_features();
    let parts = TreeParts::from(tree.clone());
    let value = |subset: u32| expectation(&parts, row, subset, 0);
    let mut factorial = vec![1.0_f64; m + 1];
    for i in 1..=m {
        factorial[i] = factorial[i - 1] * i as f64;
    }
    let mut phi = vec![0.0; m];
    for (i, phi_i) in phi.iter_mut().enumerate() {
        for subset in 0..(1_u32 << m) {
            if subset & (1 << i) != 0 {
                continue;
            }
            let s = subset.count_ones() as usize;
            let weight = factorial[s] * factorial[m - s - 1] / factorial[m];
            *phi_i += weight * (value(subset | (1 << i)) - value(subset));
        }
    }
    phi
}

/// Path-dependent expectation of a subtree given the features in `subset`.
fn expectation(parts: &TreeParts, row: &[f64], subset: u32, node: i32) -> f64 {
    if parts.split_feature.is_empty() {
        return parts.leaf_value[0];
    }
    if node < 0 {
        return parts.leaf_value[!node as usize];
    }
    let n = node as usize;
    let feature = parts.split_feature[n] as usize;
    let (left, right) = (parts.left_child[n], parts.right_child[n]);
    if subset & (1 << feature) != 0 {
        let next = if goes_left(parts, n, row[feature]) {
            left
        } else {
            right
        };
        return expectation(parts, row, subset, next);
    }
    let cover = |c: i32| {
        if c >= 0 {
            parts.internal_count[c as usize]
        } else {
            parts.leaf_count[!c as usize]
        }
    };
    (cover(left) * expectation(parts, row, subset, left)
        + cover(right) * expectation(parts, row, subset, right))
        / parts.internal_count[n]
}

/// LightGBM's decision rules, written out independently of the crate.
pub fn goes_left(parts: &TreeParts, n: usize, x: f64) -> bool {
    let decision = parts.decision_type[n];
    let threshold = parts.threshold[n];
    if decision & 1 != 0 {
        if x.is_nan() {
            return false;
        }
        let code = x as i32;
        if code < 0 {
            return false;
        }
        let cat = threshold as usize;
        let (start, end) = (
            parts.cat_boundaries[cat] as usize,
            parts.cat_boundaries[cat + 1] as usize,
        );
        let word = code as usize / 32;
        return word < end - start && (parts.cat_threshold[start + word] >> (code % 32)) & 1 == 1;
    }
    let default_left = decision & 2 != 0;
    let missing = decision >> 2;
    let x = if x.is_nan() && missing != 2 { 0.0 } else { x };
    let is_missing = (missing == 1 && x.abs() <= 1e-35_f32 as f64) || (missing == 2 && x.is_nan());
    if is_missing {
        default_left
    } else {
        x <= threshold
    }
}

pub fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol * 1.0_f64.max(a.abs()).max(b.abs())
}

/// A logistic model over three features (`income`, `ratio`, `age`) with
/// imputation and scaling, for the tests of linear explanations.
pub fn small_logistic_model() -> Model {
    let logistic = scoring_core::model::LogisticModel {
        intercept: -1.5,
        weights: vec![0.8, -1.2, 0.3],
        fill_value: vec![10.0, 0.5, -2.0],
        mean: vec![12.0, 0.4, -1.0],
        std: vec![4.0, 0.2, 3.0],
        scaled_mean: vec![0.0, 0.1, -0.05],
    };
    let names = vec!["income".into(), "ratio".into(), "age".into()];
    Model::new(names, Estimator::Logistic(logistic)).expect("valid logistic model")
}
