//! Explanations measured against the real population.
//!
//! TreeSHAP's background distribution is the trees' covers: the rows that
//! went through each node when the tree was grown. When training re-weighted
//! or undersampled the rows (one defaulter in three instead of one in
//! twelve), the covers, and with them the base value every explanation
//! starts from, describe that sample and not the clients the lender meets.
//! [`Model::with_population_covers`] counts the covers again on a sample of
//! the real population (the publisher uses every labelled training row), so
//! that the base value is that population's mean raw score; the logistic
//! model's background (the mean scaled input) is measured on it the same way.
//!
//! A node no row of the population reaches gets a cover of
//! [`UNREACHED_COVER`] times the population's size, split evenly down to its
//! leaves, so that every cover stays positive and every parent's cover is
//! its children's sum (path-dependent TreeSHAP stays exact and additive);
//! this moves the base value from the mean raw score by at most
//! `UNREACHED_COVER · Σ |unreached leaf values|`, far below 1e-9.

use super::{Estimator, Model, Tree, TreeParts};
use crate::error::{Error, Result};

/// Cover of a node no row reaches, as a fraction of the population's size.
pub const UNREACHED_COVER: f64 = 1e-13;

impl Model {
    /// The same model with its explanation background measured on `rows`
    /// (row-major, `n_features` values each): tree covers recounted, the
    /// logistic model's mean scaled input recomputed. Predictions are
    /// unchanged; the base value becomes the mean raw score of `rows`.
    pub fn with_population_covers(&self, rows: &[f64]) -> Result<Self> {
        let n = self.n_features();
        let n_rows = rows.len().checked_div(n).unwrap_or(0);
        if n_rows == 0 || n_rows * n != rows.len() {
            return Err(Error::invalid_model(format!(
                "a population of {} values cannot be cut into rows of {n} features (at least one row)",
                rows.len()
            )));
        }
        let rows: Vec<&[f64]> = rows.chunks_exact(n).collect();
        let estimator = match self.estimator() {
            Estimator::BoostedTrees(b) => {
                let mut b = b.clone();
                b.trees = b
                    .trees
                    .iter()
                    .map(|t| t.recounted(&rows))
                    .collect::<Result<_>>()?;
                Estimator::BoostedTrees(b)
            }
            Estimator::ProbabilityTree(p) => {
                let mut p = p.clone();
                p.tree = p.tree.recounted(&rows)?;
                Estimator::ProbabilityTree(p)
            }
            Estimator::Logistic(l) => {
                let mut l = l.clone();
                l.scaled_mean = (0..n)
                    .map(|j| rows.iter().map(|r| l.scaled(j, r[j])).sum::<f64>() / n_rows as f64)
                    .collect();
                Estimator::Logistic(l)
            }
        };
        let model = Self::new(self.feature_names().to_vec(), estimator)?;
        match self.calibration() {
            Some(c) => model.with_calibration(c.clone()),
            None => Ok(model),
        }
    }
}

impl Tree {
    /// The same tree with its covers counted on `rows`.
    fn recounted(&self, rows: &[&[f64]]) -> Result<Self> {
        let mut parts = TreeParts::from(self.clone());
        let mut internal = vec![0.0; parts.internal_count.len()];
        let mut leaves = vec![0.0; parts.leaf_count.len()];
        for row in rows {
            let mut index = 0_i32;
            if self.nodes.is_empty() {
                leaves[0] += 1.0;
                continue;
            }
            loop {
                internal[index as usize] += 1.0;
                let node = &self.nodes[index as usize];
                index = self.next(node, row[node.feature as usize]);
                if index < 0 {
                    leaves[!index as usize] += 1.0;
                    break;
                }
            }
        }
        if !self.nodes.is_empty() {
            let floor = UNREACHED_COVER * rows.len() as f64;
            fill_unreached(self, 0, floor, &mut internal, &mut leaves);
        }
        parts.internal_count = internal;
        parts.leaf_count = leaves;
        Tree::new(parts)
    }
}

/// Gives the unreached part of the subtree under `node` the cover `floor`
/// (halved at each split below an unreached node) and returns the subtree's
/// cover, keeping each parent's cover equal to its children's sum.
fn fill_unreached(
    tree: &Tree,
    node: i32,
    floor: f64,
    internal: &mut [f64],
    leaves: &mut [f64],
) -> f64 {
    if node < 0 {
        let leaf = &mut leaves[!node as usize];
        if *leaf == 0.0 {
            *leaf = floor;
        }
        return *leaf;
    }
    let i = node as usize;
    let unreached = internal[i] == 0.0;
    let below = if unreached { floor / 2.0 } else { floor };
    let (left, right) = (tree.nodes[i].left, tree.nodes[i].right);
    let total = fill_unreached(tree, left, below, internal, leaves)
        + fill_unreached(tree, right, below, internal, leaves);
    internal[i] = total;
    total
}
