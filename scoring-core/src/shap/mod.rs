//! Exact explanations on the raw-score scale.
//!
//! Trees get the Shapley values of the path-dependent game of TreeSHAP
//! (Lundberg, Erion & Lee 2018, covers as the background distribution), the
//! values LightGBM's `pred_contrib` computes; the logistic model gets its
//! exact linear SHAP values. For every row, `base_value + Σ contributions`
//! equals the raw score (log-odds for boosted trees and logistic regression,
//! the probability for a probability tree) up to rounding.
//!
//! # How trees are explained
//!
//! A leaf of value `v` whose path splits on the distinct features `U`
//! (`d = |U|`) gives feature `i ∈ U`
//! `v·(o_i − z_i)·Σ_{S ⊆ U∖{i}} |S|!·(d − 1 − |S|)!/d! · Π_{j∈S} o_j · Π_{j∉S} z_j`,
//! where `z_j` is the product of the cover fractions of the splits on `j`
//! along the path and `o_j` is 1 if the row follows all of them, else 0.
//! The Shapley weight is a Beta integral, `∫₀¹ t^|S|·(1 − t)^(d−1−|S|) dt`,
//! so the sum is `∫₀¹ Π_{j∈U∖{i}} (t·o_j + (1 − t)·z_j) dt`: a polynomial
//! of degree `d − 1`, which a Gauss–Legendre rule of `⌈d/2⌉` points
//! integrates exactly. Summing the integrands over the leaves below a node
//! before integrating, one tree costs two passes over its nodes per row,
//! `O(nodes · ⌈depth/2⌉)`, instead of the `O(leaves · depth²)` of the
//! classic EXTEND/UNWIND recursion. This is the reformulation of Linear
//! TreeShap (Yu, Bifet, Read & Xu, NeurIPS 2022) evaluated at quadrature
//! nodes: the weights are positive and every factor lies in [0, 1], so
//! nothing cancels except leaf values of opposite signs, as in any method
//! (results agree with LightGBM and with exact rational arithmetic to
//! ~1e-15).
//! `walk.rs` has the kernel, `tables.rs` the per-model layout.
//!
//! # Memory
//!
//! [`ShapTables`], built with the model and shared by all threads, take
//! `Σ_trees (56·leaves + 16)` bytes plus 3.5 KB ([`ShapTables::memory_bytes`];
//! 1.9 MB for 1,000 trees of 34 leaves) and nothing that grows with depth.
//! Each thread's [`ShapScratch`] takes `(4q + 2)·8` bytes per node of the
//! largest tree, `q = ⌈depth/2⌉` rounded up to 1, 2, 3, 4, 6, 8, 12, 16, 24
//! or 32, plus 256 bytes ([`ShapTables::scratch_bytes`]; 10 KB for 34
//! leaves at depth 8).
//! Trees deeper than [`MAX_TREE_DEPTH`](crate::model::MAX_TREE_DEPTH) are
//! refused when the model is built.
//!
//! # Batches
//!
//! [`Model::explain_batch_into`] walks each tree over a block of rows while
//! its tables are in cache; each row still adds the trees in model order
//! with the same operations as [`Model::explain_into`], so both give
//! bit-identical contributions. [`Model::explain_batch_parallel`] splits a
//! batch over scoped threads.

mod batch;
mod quadrature;
mod tables;
mod walk;

pub use tables::ShapTables;

use std::cell::RefCell;

use crate::error::{Error, Result};
use crate::model::{Estimator, Model, Tree};
use walk::{Buffers, TreeView};

/// Reusable working memory for explanations (one per thread).
#[derive(Debug, Clone, Default)]
pub struct ShapScratch {
    /// Per node: `W`, `f`, `R` at each quadrature point and `o` (see
    /// `walk.rs`).
    slots: Vec<f64>,
    /// Per node and quadrature point: `E`.
    e: Vec<f64>,
    /// Raw scores of a block of rows in batch explanations.
    raw: Vec<f64>,
}

impl ShapScratch {
    /// Scratch sized for `model`.
    pub fn for_model(model: &Model) -> Self {
        let mut scratch = Self::default();
        scratch.reserve(model.shap_tables());
        scratch
    }

    fn reserve(&mut self, tables: &ShapTables) {
        if self.slots.len() < tables.slots_len {
            self.slots.resize(tables.slots_len, 0.0);
        }
        if self.e.len() < tables.excluded_len {
            self.e.resize(tables.excluded_len, 0.0);
        }
        self.raw.resize(batch::ROWS_PER_BLOCK, 0.0);
    }
}

thread_local! {
    /// [`Model::explain`]'s scratch on each thread.
    static THREAD_SCRATCH: RefCell<ShapScratch> = RefCell::new(ShapScratch::default());
}

/// Runs `work` with this thread's [`ShapScratch`] (the one
/// [`Model::explain`] reuses), or with a fresh one if an explanation is
/// already running on this thread.
pub fn with_thread_scratch<R>(work: impl FnOnce(&mut ShapScratch) -> R) -> R {
    THREAD_SCRATCH.with(|scratch| match scratch.try_borrow_mut() {
        Ok(mut scratch) => work(&mut scratch),
        Err(_) => work(&mut ShapScratch::default()),
    })
}

/// Base value and raw score of one explained row.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Explanation {
    /// Expected raw score over the training data (the SHAP base value).
    pub base_value: f64,
    /// The row's raw score: `base_value + Σ contributions`.
    pub raw_score: f64,
}

impl Model {
    /// Expected raw score: the base score plus each tree's cover-weighted
    /// mean leaf value (or the logistic model's value at the mean input).
    pub fn base_value(&self) -> f64 {
        match self.estimator() {
            Estimator::BoostedTrees(b) => b
                .trees
                .iter()
                .fold(b.base_score, |sum, t| sum + t.expected_value()),
            Estimator::ProbabilityTree(p) => p.tree.expected_value(),
            Estimator::Logistic(l) => {
                let weighted = l.weights.iter().zip(&l.scaled_mean);
                weighted.fold(l.intercept, |sum, (w, m)| sum + w * m)
            }
        }
    }

    /// SHAP contribution of every feature for `row` into `contributions`
    /// (length `n_features`), without allocating once `scratch` is sized.
    pub fn explain_into(
        &self,
        row: &[f64],
        contributions: &mut [f64],
        scratch: &mut ShapScratch,
    ) -> Result<Explanation> {
        self.check_row(row)?;
        if contributions.len() != self.n_features() {
            return Err(Error::OutputLength {
                expected: self.n_features(),
                found: contributions.len(),
            });
        }
        scratch.reserve(self.shap_tables());
        let base_value = self.add_contributions(row, 1, contributions, scratch);
        Ok(Explanation {
            base_value,
            raw_score: self.raw_unchecked(row),
        })
    }

    /// The contributions and the explanation, in this thread's scratch
    /// (reused by every call on the thread, grown to the largest model it
    /// explained), so a call allocates only its contributions.
    pub fn explain(&self, row: &[f64]) -> Result<(Vec<f64>, Explanation)> {
        let mut contributions = vec![0.0; self.n_features()];
        let explanation =
            with_thread_scratch(|scratch| self.explain_into(row, &mut contributions, scratch))?;
        Ok((contributions, explanation))
    }

    /// Sets `phi` (row-major, `n_rows × n_features`) to the contributions of
    /// each row of `rows`, tree by tree over all the rows; returns the base
    /// value. Lengths must be checked and `scratch` sized.
    fn add_contributions(
        &self,
        rows: &[f64],
        n_rows: usize,
        phi: &mut [f64],
        scratch: &mut ShapScratch,
    ) -> f64 {
        let n = self.n_features();
        phi.fill(0.0);
        let trees = match self.estimator() {
            Estimator::BoostedTrees(b) => &b.trees[..],
            Estimator::ProbabilityTree(p) => std::slice::from_ref(&p.tree),
            Estimator::Logistic(l) => {
                for i in 0..n_rows {
                    l.explain(&rows[i * n..(i + 1) * n], &mut phi[i * n..(i + 1) * n]);
                }
                &[]
            }
        };
        if n > 0 {
            add_trees(self.shap_tables(), trees, rows, n, phi, scratch);
        }
        self.base_value()
    }
}

/// Adds every tree's SHAP values for each row of `rows` to `phi`.
fn add_trees(
    tables: &ShapTables,
    trees: &[Tree],
    rows: &[f64],
    n: usize,
    phi: &mut [f64],
    scratch: &mut ShapScratch,
) {
    for (tree, table) in trees.iter().zip(&tables.trees) {
        if table.points == 0 {
            continue; // a single leaf: all of it is in the base value
        }
        let view = TreeView {
            tree,
            splits: &tables.splits[table.splits.0..table.splits.1],
            leaves: &tables.leaves[table.leaves.0..table.leaves.1],
            rule: &tables.rules[table.rule],
        };
        macro_rules! dispatch {
            ($($q:literal => $s:literal),*) => {
                match table.points {
                    $($q => {
                        let buffers = buffers::<$q, $s>(scratch, table.slots);
                        walk::add_tree::<$q, $s>(&view, rows, n, phi, buffers)
                    })*
                    _ => {}
                }
            };
        }
        // Points `Q` => values per slot `S`: `3Q + 1`, rounded up to an even
        // count so that slots start on 16 bytes.
        dispatch!(
            1 => 4, 2 => 8, 3 => 10, 4 => 14, 6 => 20,
            8 => 26, 12 => 38, 16 => 50, 24 => 74, 32 => 98
        );
    }
}

/// The scratch of a tree of `slots` nodes, `Q` quadrature points.
fn buffers<const Q: usize, const S: usize>(
    scratch: &mut ShapScratch,
    slots: usize,
) -> Buffers<'_, Q, S> {
    Buffers {
        slots: scratch.slots[..slots * S].as_chunks_mut().0,
        e: scratch.e[..slots * Q].as_chunks_mut().0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn explain_reuses_its_threads_scratch() -> Result<()> {
        let text = "tree\nmax_feature_idx=1\nobjective=binary sigmoid:1\n\nTree=0\n\
                    num_leaves=3\nsplit_feature=0 1\nthreshold=0.5 1.5\ndecision_type=2 2\n\
                    left_child=-1 -2\nright_child=1 -3\nleaf_value=0.1 -0.2 0.3\n\
                    leaf_count=2 3 4\ninternal_count=9 7\n\nend of trees\n";
        let model = crate::parse_lightgbm(text)?;
        let slots = || THREAD_SCRATCH.with(|s| s.borrow().slots.as_ptr());
        let (first, _) = model.explain(&[1.0, 2.0])?;
        let reused = slots();
        assert!(THREAD_SCRATCH.with(|s| s.borrow().slots.len()) >= model.shap_tables().slots_len);
        for _ in 0..10 {
            let (again, _) = model.explain(&[1.0, 2.0])?;
            assert_eq!(again, first);
            assert_eq!(slots(), reused, "the same buffer, not a new one per call");
        }
        Ok(())
    }
}
