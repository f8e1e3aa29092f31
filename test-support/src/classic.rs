//! The classic path-dependent TreeSHAP: Lundberg, Erion & Lee (2018),
//! Algorithm 2 (EXTEND/UNWIND over the unique path with zero and one
//! fractions, covers as the background distribution), with the shortcuts of
//! scoring-core's own implementation (one shared sum for the elements the
//! row does not follow, the others two at a time, reciprocals instead of
//! divisions), which the crate served until it moved to quadrature. It
//! reads the stored tree arrays ([`TreeParts`]) and the decision rules
//! written out in `ensemble.rs`, so it shares no code with the crate:
//! explanations are compared with it, and the inference benchmark measures
//! it as the baseline.

use scoring_core::model::{Estimator, Model, TreeParts};

use crate::goes_left;

/// The classic explainer of one model, with its working memory.
pub struct ClassicShap {
    trees: Vec<ClassicTree>,
    path: Vec<PathElement>,
    /// `inv[k] = 1 / k` for every path length `k`.
    inv: Vec<f64>,
}

impl ClassicShap {
    /// The explainer of a tree model (none of a logistic one).
    pub fn new(model: &Model) -> Self {
        let trees: Vec<ClassicTree> = match model.estimator() {
            Estimator::BoostedTrees(b) => b
                .trees
                .iter()
                .map(|t| ClassicTree::new(t.clone().into()))
                .collect(),
            Estimator::ProbabilityTree(p) => vec![ClassicTree::new(p.tree.clone().into())],
            Estimator::Logistic(_) => vec![],
        };
        let depth = trees.iter().map(|t| t.depth).max().unwrap_or(0);
        // Unique paths of lengths 1..=depth + 1, stacked one per recursion level.
        let needed = (depth + 1) * (depth + 2) / 2 + 1;
        Self {
            trees,
            path: vec![PathElement::default(); needed],
            inv: (0..depth + 3).map(|k| 1.0 / k as f64).collect(),
        }
    }

    /// Sets `phi` to the SHAP values of `row` (without the base value).
    pub fn explain_into(&mut self, row: &[f64], phi: &mut [f64]) {
        phi.fill(0.0);
        for tree in &self.trees {
            if tree.parts.split_feature.is_empty() {
                continue; // a single leaf: all in the expected value
            }
            let mut walk = Walk {
                tree,
                row,
                phi,
                inv: &self.inv,
            };
            walk.recurse(&mut self.path, 0, 0, 0, 1.0, 1.0, NO_FEATURE);
        }
    }

    /// Allocating convenience.
    pub fn explain(&mut self, row: &[f64]) -> Vec<f64> {
        let mut phi = vec![0.0; row.len()];
        self.explain_into(row, &mut phi);
        phi
    }
}

/// A tree's stored arrays and its depth in splits.
struct ClassicTree {
    parts: TreeParts,
    depth: usize,
}

impl ClassicTree {
    fn new(parts: TreeParts) -> Self {
        let mut depth = 0;
        let mut stack = vec![(0_i32, 0_usize)];
        while let Some((node, d)) = stack.pop() {
            if node < 0 || parts.split_feature.is_empty() {
                depth = depth.max(d);
                continue;
            }
            let n = node as usize;
            stack.push((parts.left_child[n], d + 1));
            stack.push((parts.right_child[n], d + 1));
        }
        Self { parts, depth }
    }

    fn cover(&self, child: i32) -> f64 {
        if child >= 0 {
            self.parts.internal_count[child as usize]
        } else {
            self.parts.leaf_count[!child as usize]
        }
    }
}

/// No feature: the root element of a unique path.
const NO_FEATURE: u32 = u32::MAX;

#[derive(Debug, Clone, Copy, Default)]
struct PathElement {
    feature: u32,
    zero_fraction: f64,
    one_fraction: f64,
    weight: f64,
}

/// One tree walk: the fixed inputs of the recursion.
struct Walk<'a> {
    tree: &'a ClassicTree,
    row: &'a [f64],
    phi: &'a mut [f64],
    /// `inv[k] = 1 / k`: multiplications instead of divisions in the loops.
    inv: &'a [f64],
}

impl Walk<'_> {
    /// One step of Algorithm 2. The parent's unique path is
    /// `path[parent..parent + depth]`; this call's is stored right after it.
    #[allow(clippy::too_many_arguments)]
    fn recurse(
        &mut self,
        path: &mut [PathElement],
        node: i32,
        parent: usize,
        depth: usize,
        zero_fraction: f64,
        one_fraction: f64,
        feature: u32,
    ) {
        let start = parent + depth;
        path.copy_within(parent..start, start);
        let unique = &mut path[start..];
        extend(
            unique,
            depth,
            zero_fraction,
            one_fraction,
            feature,
            self.inv,
        );

        let tree = self.tree;
        if node < 0 {
            let leaf_value = tree.parts.leaf_value[!node as usize];
            // For an element the row does not follow (one fraction 0), the
            // unwound sum is (depth + 1) / zero · Σ_j weight_j / (depth − j)
            // and its zero fraction cancels: one O(depth) sum serves them all.
            let cold: f64 = (0..depth)
                .map(|j| unique[j].weight * self.inv[depth - j])
                .sum();
            let cold_contribution = -((depth + 1) as f64) * cold * leaf_value;
            let contribution =
                |el: &PathElement, w: f64| w * (el.one_fraction - el.zero_fraction) * leaf_value;
            // Hot elements (one fraction ≠ 0) need the full recurrence; two
            // are run side by side so their dependency chains overlap.
            let mut pending: Option<PathElement> = None;
            for el in &unique[1..=depth] {
                let f = el.feature as usize;
                if el.one_fraction == 0.0 {
                    if el.zero_fraction != 0.0 {
                        self.phi[f] += cold_contribution;
                    }
                } else if let Some(first) = pending.take() {
                    let (w1, w2) = unwound_sums_hot([&first, el], unique, depth, self.inv);
                    self.phi[first.feature as usize] += contribution(&first, w1);
                    self.phi[f] += contribution(el, w2);
                } else {
                    pending = Some(*el);
                }
            }
            if let Some(el) = pending {
                let (w, _) = unwound_sums_hot([&el, &el], unique, depth, self.inv);
                self.phi[el.feature as usize] += contribution(&el, w);
            }
            return;
        }

        let n = node as usize;
        let parts = &tree.parts;
        let split_feature = parts.split_feature[n];
        let (left, right) = (parts.left_child[n], parts.right_child[n]);
        let (hot, cold) = if goes_left(parts, n, self.row[split_feature as usize]) {
            (left, right)
        } else {
            (right, left)
        };
        let cover = parts.internal_count[n];
        let hot_zero = tree.cover(hot) / cover;
        let cold_zero = tree.cover(cold) / cover;
        let (mut incoming_zero, mut incoming_one) = (1.0, 1.0);
        let mut depth = depth;
        // A feature already on the path is unwound and split on again here.
        if let Some(k) = (0..=depth).find(|&k| unique[k].feature == split_feature) {
            incoming_zero = unique[k].zero_fraction;
            incoming_one = unique[k].one_fraction;
            unwind(unique, depth, k, self.inv);
            depth -= 1;
        }
        let f = split_feature;
        let (d, z) = (depth + 1, incoming_zero);
        self.recurse(path, hot, start, d, hot_zero * z, incoming_one, f);
        self.recurse(path, cold, start, d, cold_zero * z, 0.0, f);
    }
}

/// EXTEND: adds a split with the given fractions to a path of `depth` + 1
/// elements (the new element goes at index `depth`).
#[inline]
fn extend(path: &mut [PathElement], depth: usize, zero: f64, one: f64, feature: u32, inv: &[f64]) {
    path[depth] = PathElement {
        feature,
        zero_fraction: zero,
        one_fraction: one,
        weight: if depth == 0 { 1.0 } else { 0.0 },
    };
    let inv_d1 = inv[depth + 1];
    for i in (0..depth).rev() {
        path[i + 1].weight += one * path[i].weight * (i + 1) as f64 * inv_d1;
        path[i].weight = zero * path[i].weight * (depth - i) as f64 * inv_d1;
    }
}

/// UNWIND: removes element `index` from a path of `depth` + 1 elements.
#[inline]
fn unwind(path: &mut [PathElement], depth: usize, index: usize, inv: &[f64]) {
    let one = path[index].one_fraction;
    let zero = path[index].zero_fraction;
    let d1 = (depth + 1) as f64;
    let inv_d1 = inv[depth + 1];
    let mut next_one_portion = path[depth].weight;
    if one != 0.0 {
        let d1_over_one = d1 / one;
        for i in (0..depth).rev() {
            let tmp = path[i].weight;
            path[i].weight = next_one_portion * d1_over_one * inv[i + 1];
            next_one_portion = tmp - path[i].weight * zero * (depth - i) as f64 * inv_d1;
        }
    } else {
        let d1_over_zero = d1 / zero;
        for i in (0..depth).rev() {
            path[i].weight *= d1_over_zero * inv[depth - i];
        }
    }
    for i in index..depth {
        path[i].feature = path[i + 1].feature;
        path[i].zero_fraction = path[i + 1].zero_fraction;
        path[i].one_fraction = path[i + 1].one_fraction;
    }
}

/// Sums of the path weights once either of two elements (one fraction ≠ 0)
/// is unwound, without changing the path.
#[inline]
fn unwound_sums_hot(
    el: [&PathElement; 2],
    path: &[PathElement],
    depth: usize,
    inv: &[f64],
) -> (f64, f64) {
    // Each loop carries `next_one_portion`; keep that chain to one multiply
    // and one subtraction, the coefficients are off the chain.
    let d1 = (depth + 1) as f64;
    let (c1, c2) = (d1 / el[0].one_fraction, d1 / el[1].one_fraction);
    let (z1, z2) = (
        el[0].zero_fraction * inv[depth + 1],
        el[1].zero_fraction * inv[depth + 1],
    );
    let (mut n1, mut n2) = (path[depth].weight, path[depth].weight);
    let (mut t1, mut t2) = (0.0, 0.0);
    for i in (0..depth).rev() {
        let (a1, a2) = (c1 * inv[i + 1], c2 * inv[i + 1]);
        let k = (depth - i) as f64;
        let (ab1, ab2) = (a1 * (z1 * k), a2 * (z2 * k));
        t1 += n1 * a1;
        t2 += n2 * a2;
        n1 = path[i].weight - n1 * ab1;
        n2 = path[i].weight - n2 * ab2;
    }
    (t1, t2)
}
