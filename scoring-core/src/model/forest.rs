//! The lockstep layout a boosted ensemble is scored with.
//!
//! Walking one tree at a time, each level waits for the previous load and
//! mispredicts about half of its branches. Here runs of [`LANES`]
//! consecutive trees are walked together, one level of every tree per step,
//! and a step picks the child with a select instead of a branch. Leaves are
//! absorbing (flagged so they never go left, and their right child is
//! themselves), so the group's deepest path length in steps reaches every
//! leaf, and the loads of the trees overlap. A leaf keeps its value in the
//! threshold slot, so a walk reads nothing but the 16-byte nodes.
//!
//! This needs splits whose rule is one comparison plus where NaN goes:
//! numerical splits with missing type NaN (NaN goes the default way) or None
//! (NaN is read as 0, so it goes left exactly when `0 <= threshold`). Trees
//! with a Zero missing type or a categorical split, and the trees left over
//! after the last full group of a run, are walked on their own with the
//! general rule. The trees' values are added in index order either way, so
//! scores are bit-identical to summing [`Tree::predict`].

use super::split::NodeRule;
use super::tree::Tree;

/// Trees walked together.
const LANES: usize = 8;
/// `FastNode::feature` bit: a missing (NaN) value goes left.
const NAN_LEFT: u32 = 1 << 31;
/// `FastNode::feature` bit: the node is a leaf, its threshold its value.
const LEAF: u32 = 1 << 30;
const FEATURE_MASK: u32 = !(NAN_LEFT | LEAF);

/// A split (or absorbing leaf) reduced to a comparison.
#[derive(Debug, Clone, Copy, PartialEq)]
struct FastNode {
    /// Go left when `x <= threshold`; the leaf value for a leaf.
    threshold: f64,
    /// Split feature (0 for a leaf), [`NAN_LEFT`] and [`LEAF`].
    feature: u32,
    /// Index of the right child (itself for a leaf).
    right: u32,
}

#[derive(Debug, Clone, PartialEq)]
enum Segment {
    /// `LANES` consecutive trees, by root index, walked `depth` steps.
    Group { roots: [u32; LANES], depth: u32 },
    /// One tree walked with the general rule.
    Single(u32),
}

/// Boosted trees in lockstep groups; see the module documentation.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct Forest {
    nodes: Vec<FastNode>,
    segments: Vec<Segment>,
}

impl Forest {
    pub(crate) fn new(trees: &[Tree]) -> Self {
        let mut forest = Self::default();
        let mut run: Vec<(u32, u32, usize)> = Vec::with_capacity(LANES);
        for (t, tree) in trees.iter().enumerate() {
            match forest.push_fast(tree) {
                Some(root) => run.push((t as u32, root, tree.max_depth())),
                None => {
                    forest.flush(&mut run);
                    forest.segments.push(Segment::Single(t as u32));
                }
            }
            if run.len() == LANES {
                let mut roots = [0; LANES];
                for (root, &(_, r, _)) in roots.iter_mut().zip(&run) {
                    *root = r;
                }
                let depth = run.iter().map(|&(_, _, d)| d).max().unwrap_or(0) as u32;
                forest.segments.push(Segment::Group { roots, depth });
                run.clear();
            }
        }
        forest.flush(&mut run);
        forest
    }

    /// Walks the leftover trees of a run on their own.
    fn flush(&mut self, run: &mut Vec<(u32, u32, usize)>) {
        let singles = run.drain(..).map(|(t, _, _)| Segment::Single(t));
        self.segments.extend(singles);
    }

    /// Appends a tree's nodes if all its splits reduce to a comparison;
    /// returns its root index.
    fn push_fast(&mut self, tree: &Tree) -> Option<u32> {
        let flat = tree.flat();
        let offset = self.nodes.len();
        let mut nodes = Vec::with_capacity(flat.len());
        for (i, node) in flat.iter().enumerate() {
            let i = u32::try_from(offset + i).ok()?;
            nodes.push(match node.rule() {
                NodeRule::Leaf(value) => FastNode {
                    threshold: value,
                    feature: LEAF,
                    right: i,
                },
                NodeRule::Split {
                    feature,
                    threshold,
                    nan_left: Some(nan_left),
                    right,
                } => FastNode {
                    threshold,
                    feature: feature | if nan_left { NAN_LEFT } else { 0 },
                    right: u32::try_from(offset).ok()?.checked_add(right)?,
                },
                NodeRule::Split { nan_left: None, .. } => return None,
            });
        }
        self.nodes.extend(nodes);
        Some(offset as u32)
    }

    /// `sum` plus the value of every tree for `row`, added in tree order.
    /// `row` must have every feature the trees split on.
    #[inline]
    pub(crate) fn add_predictions(&self, trees: &[Tree], row: &[f64], mut sum: f64) -> f64 {
        for segment in &self.segments {
            sum = self.add_segment(segment, trees, row, sum);
        }
        sum
    }

    /// Adds every tree to the score of each row of a row-major block
    /// (`n > 0` features), segment by segment so each segment's nodes stay
    /// in cache; each row's trees are still added in tree order.
    pub(crate) fn add_predictions_block(
        &self,
        trees: &[Tree],
        rows: &[f64],
        n: usize,
        out: &mut [f64],
    ) {
        for segment in &self.segments {
            for (row, o) in rows.chunks_exact(n).zip(out.iter_mut()) {
                *o = self.add_segment(segment, trees, row, *o);
            }
        }
    }

    #[inline(always)]
    fn add_segment(&self, segment: &Segment, trees: &[Tree], row: &[f64], mut sum: f64) -> f64 {
        match segment {
            Segment::Group { roots, depth } => {
                let mut index = *roots;
                for _ in 0..*depth {
                    for i in &mut index {
                        *i = self.step(row, *i);
                    }
                }
                for i in index {
                    sum += self.nodes[i as usize].threshold;
                }
                sum
            }
            Segment::Single(t) => sum + trees[*t as usize].predict(row),
        }
    }

    /// The child of node `i` that `row` goes to.
    #[inline(always)]
    fn step(&self, row: &[f64], i: u32) -> u32 {
        let node = &self.nodes[i as usize];
        let x = row[(node.feature & FEATURE_MASK) as usize];
        let left = ((x <= node.threshold) | (x.is_nan() & (node.feature & NAN_LEFT != 0)))
            & (node.feature & LEAF == 0);
        std::hint::select_unpredictable(left, i + 1, node.right)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{CATEGORICAL_MASK, TreeParts};

    /// xorshift64*: enough randomness for shapes and values.
    struct Rng(u64);
    impl Rng {
        fn below(&mut self, n: usize) -> usize {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            (self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 33) as usize % n
        }
        fn finite(&mut self) -> f64 {
            match self.below(8) {
                0 => 0.0,
                1 => -0.0,
                _ => self.below(2001) as f64 / 500.0 - 2.0,
            }
        }
        fn value(&mut self) -> f64 {
            if self.below(5) == 0 {
                f64::NAN
            } else {
                self.finite()
            }
        }
    }

    /// A random tree of at most `splits` splits using `decisions`.
    fn tree(rng: &mut Rng, splits: usize, decisions: &[u8]) -> Tree {
        let mut p = TreeParts {
            split_feature: vec![],
            threshold: vec![],
            decision_type: vec![],
            left_child: vec![],
            right_child: vec![],
            leaf_value: vec![rng.finite() + 0.5],
            internal_count: vec![],
            leaf_count: vec![1.0],
            cat_boundaries: vec![0, 1],
            cat_threshold: vec![0b1011],
        };
        for node in 0..rng.below(splits + 1) {
            // Split a random leaf: it becomes this node's left child.
            let leaf = rng.below(node + 1) as i32;
            let slot = (0..node).find_map(|n| {
                (p.left_child[n] == !leaf)
                    .then_some((n, true))
                    .or_else(|| (p.right_child[n] == !leaf).then_some((n, false)))
            });
            if let Some((n, left)) = slot {
                *if left {
                    &mut p.left_child[n]
                } else {
                    &mut p.right_child[n]
                } = node as i32;
            }
            let decision = decisions[rng.below(decisions.len())];
            let cat = decision & CATEGORICAL_MASK != 0;
            p.split_feature.push(rng.below(5) as u32);
            p.threshold.push(if cat { 0.0 } else { rng.finite() });
            p.decision_type.push(decision);
            p.left_child.push(!leaf);
            p.right_child.push(!(node as i32 + 1));
            p.internal_count.push(1.0);
            p.leaf_value.push(rng.finite() - 0.7);
            p.leaf_count.push(1.0);
        }
        Tree::new(p).expect("valid random tree")
    }

    #[test]
    fn lockstep_sums_equal_tree_by_tree_sums_bit_for_bit() {
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        let fast = [0b1000, 0b1010, 0b0000, 0b0010];
        let all = [0b1000, 0b1010, 0b0000, 0b0010, 0b0100, 0b0110, 1, 3];
        for case in 0..300 {
            let decisions: &[u8] = if case % 3 == 0 { &all } else { &fast };
            let n_trees = rng.below(40);
            let trees: Vec<Tree> = (0..n_trees)
                .map(|_| tree(&mut rng, 12, decisions))
                .collect();
            let forest = Forest::new(&trees);
            let rows: Vec<f64> = (0..5 * 20).map(|_| rng.value()).collect();
            let mut block = vec![0.25; 20];
            forest.add_predictions_block(&trees, &rows, 5, &mut block);
            for (row, batch) in rows.chunks_exact(5).zip(block) {
                let expected = trees.iter().fold(0.25, |s, t| s + t.predict(row));
                let got = forest.add_predictions(&trees, row, 0.25);
                assert_eq!(got.to_bits(), expected.to_bits(), "case {case}");
                assert_eq!(batch.to_bits(), expected.to_bits(), "case {case}");
            }
        }
    }
}
