//! One decision tree, in flat arrays.
//!
//! Internal nodes live in one array of 24-byte `Node`s (threshold, split
//! feature, both children and the decision bits); children are node indices
//! when `>= 0` and leaves as `!leaf` (that is `-(leaf + 1)`) when negative, as
//! in LightGBM. Leaf values and the covers TreeSHAP needs (training rows
//! through each node and leaf) sit in arrays beside them. Scoring uses a
//! second, preorder layout built from these (see `split.rs`). The decision
//! bits follow LightGBM's `decision_type`: bit 0 categorical, bit 1 missing
//! goes left, bits 2–3 the missing type (0 none, 1 zero, 2 NaN). On disk a
//! tree is the same arrays under LightGBM's field names ([`TreeParts`]).
//! Every tree is checked when it is built (array lengths, one tree reaching
//! every node once, finite values, covers > 0, category bitsets present), so
//! a tree that exists can be walked without bounds surprises.

use serde::{Deserialize, Serialize};

use super::split::{Categories, FEATURE_BITS, FlatNode, flatten, goes_left, predict_flat};
use crate::error::{Error, Result};

/// `decision_type` bit: the split is on a category bitset.
pub const CATEGORICAL_MASK: u8 = 1;
/// `decision_type` bit: a missing value goes to the left child.
pub const DEFAULT_LEFT_MASK: u8 = 2;

/// Which values a numerical split treats as missing (LightGBM's `MissingType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MissingType {
    /// Nothing is missing: NaN is read as 0 and compared with the threshold.
    None,
    /// Zero (and NaN, read as zero) goes the default way.
    Zero,
    /// NaN goes the default way.
    NaN,
}

impl MissingType {
    fn bits(self) -> u8 {
        match self {
            Self::None => 0,
            Self::Zero => 1,
            Self::NaN => 2,
        }
    }
}

/// The `decision_type` byte of a numerical split.
pub fn numerical_decision(missing: MissingType, default_left: bool) -> u8 {
    (missing.bits() << 2) | if default_left { DEFAULT_LEFT_MASK } else { 0 }
}

/// A tree as stored: LightGBM's arrays, `n` internal nodes and `n + 1` leaves.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TreeParts {
    pub split_feature: Vec<u32>,
    /// Numerical: go left when `x <= threshold` (LightGBM writes `inf` for
    /// "every present value"; stored in JSON as the string `"inf"`).
    /// Categorical: index into `cat_boundaries` of the bitset of categories
    /// that go left.
    #[serde(with = "super::float_json")]
    pub threshold: Vec<f64>,
    pub decision_type: Vec<u8>,
    pub left_child: Vec<i32>,
    pub right_child: Vec<i32>,
    pub leaf_value: Vec<f64>,
    /// Training rows (or weight) through each internal node.
    pub internal_count: Vec<f64>,
    /// Training rows (or weight) in each leaf.
    pub leaf_count: Vec<f64>,
    #[serde(default)]
    pub cat_boundaries: Vec<u32>,
    #[serde(default)]
    pub cat_threshold: Vec<u32>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Node {
    pub(crate) threshold: f64,
    pub(crate) feature: u32,
    pub(crate) left: i32,
    pub(crate) right: i32,
    pub(crate) decision: u8,
}

/// A validated tree; see the module documentation for the layout.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "TreeParts", into = "TreeParts")]
pub struct Tree {
    pub(crate) nodes: Vec<Node>,
    pub(crate) leaf_value: Vec<f64>,
    pub(crate) internal_cover: Vec<f64>,
    pub(crate) leaf_cover: Vec<f64>,
    categories: Categories,
    /// The preorder layout used for scoring.
    flat: Vec<FlatNode>,
    /// Most splits on a path from the root to a leaf.
    max_depth: usize,
    /// Cover-weighted mean leaf value (the tree's SHAP base value).
    expected_value: f64,
    /// Largest split feature index plus one (0 for a single leaf).
    pub(crate) feature_bound: usize,
}

impl Tree {
    /// Checks and builds a tree from its stored arrays.
    pub fn new(parts: TreeParts) -> Result<Self> {
        let n = parts.split_feature.len();
        let lens = [
            ("threshold", parts.threshold.len()),
            ("decision_type", parts.decision_type.len()),
            ("left_child", parts.left_child.len()),
            ("right_child", parts.right_child.len()),
            ("internal_count", parts.internal_count.len()),
        ];
        for (name, len) in lens {
            if len != n {
                return Err(Error::invalid_model(format!(
                    "tree has {n} split features but {len} values of `{name}`"
                )));
            }
        }
        for (name, len) in [
            ("leaf_value", parts.leaf_value.len()),
            ("leaf_count", parts.leaf_count.len()),
        ] {
            if len != n + 1 {
                return Err(Error::invalid_model(format!(
                    "tree with {n} splits needs {} values of `{name}`, found {len}",
                    n + 1
                )));
            }
        }
        check_values(&parts)?;
        let nodes: Vec<Node> = (0..n)
            .map(|i| Node {
                threshold: parts.threshold[i],
                feature: parts.split_feature[i],
                left: parts.left_child[i],
                right: parts.right_child[i],
                decision: parts.decision_type[i],
            })
            .collect();
        for (i, node) in nodes.iter().enumerate() {
            check_decision(i, node, &parts.cat_boundaries, &parts.cat_threshold)?;
        }
        if let Some(node) = nodes.iter().find(|n| n.feature >= 1 << FEATURE_BITS) {
            return Err(Error::invalid_model(format!(
                "split feature {} is beyond the {} features supported",
                node.feature,
                1_u32 << FEATURE_BITS
            )));
        }
        let max_depth = check_shape(&nodes)?;
        let feature_bound = nodes
            .iter()
            .map(|n| n.feature as usize + 1)
            .max()
            .unwrap_or(0);
        let expected_value = if n == 0 {
            parts.leaf_value[0]
        } else {
            let total = parts.internal_count[0];
            parts
                .leaf_value
                .iter()
                .zip(&parts.leaf_count)
                .map(|(v, c)| (c / total) * v)
                .sum()
        };
        Ok(Self {
            flat: flatten(&nodes, &parts.leaf_value),
            nodes,
            leaf_value: parts.leaf_value,
            internal_cover: parts.internal_count,
            leaf_cover: parts.leaf_count,
            categories: Categories {
                boundaries: parts.cat_boundaries,
                bits: parts.cat_threshold,
            },
            max_depth,
            expected_value,
            feature_bound,
        })
    }

    /// Number of leaves.
    pub fn num_leaves(&self) -> usize {
        self.leaf_value.len()
    }

    /// Most splits on any root-to-leaf path.
    pub fn max_depth(&self) -> usize {
        self.max_depth
    }

    /// Cover-weighted mean of the leaf values.
    pub fn expected_value(&self) -> f64 {
        self.expected_value
    }

    /// Leaf value for `row` (indexed by split feature; NaN is missing).
    #[inline]
    pub fn predict(&self, row: &[f64]) -> f64 {
        predict_flat(&self.flat, &self.categories, row)
    }

    /// The preorder scoring layout.
    pub(crate) fn flat(&self) -> &[FlatNode] {
        &self.flat
    }

    /// Index of the leaf `row` falls into.
    #[inline]
    pub fn leaf_index(&self, row: &[f64]) -> usize {
        if self.nodes.is_empty() {
            return 0;
        }
        let mut index = 0_i32;
        loop {
            let node = &self.nodes[index as usize];
            index = self.next(node, row[node.feature as usize]);
            if index < 0 {
                return !index as usize;
            }
        }
    }

    /// The child of `node` that a value `x` of its split feature goes to.
    #[inline(always)]
    pub(crate) fn next(&self, node: &Node, x: f64) -> i32 {
        if goes_left(node.decision, node.threshold, x, &self.categories) {
            node.left
        } else {
            node.right
        }
    }

    /// Whether `x` goes left at a split with this tree's category sets.
    #[inline(always)]
    pub(crate) fn goes_left(&self, decision: u8, threshold: f64, x: f64) -> bool {
        goes_left(decision, threshold, x, &self.categories)
    }

    /// Cover of a child reference (node index or `!leaf`).
    #[inline(always)]
    pub(crate) fn cover(&self, child: i32) -> f64 {
        if child >= 0 {
            self.internal_cover[child as usize]
        } else {
            self.leaf_cover[!child as usize]
        }
    }
}

impl TryFrom<TreeParts> for Tree {
    type Error = Error;
    fn try_from(parts: TreeParts) -> Result<Self> {
        Self::new(parts)
    }
}

impl From<Tree> for TreeParts {
    fn from(tree: Tree) -> Self {
        Self {
            split_feature: tree.nodes.iter().map(|n| n.feature).collect(),
            threshold: tree.nodes.iter().map(|n| n.threshold).collect(),
            decision_type: tree.nodes.iter().map(|n| n.decision).collect(),
            left_child: tree.nodes.iter().map(|n| n.left).collect(),
            right_child: tree.nodes.iter().map(|n| n.right).collect(),
            leaf_value: tree.leaf_value,
            internal_count: tree.internal_cover,
            leaf_count: tree.leaf_cover,
            cat_boundaries: tree.categories.boundaries,
            cat_threshold: tree.categories.bits,
        }
    }
}

fn check_values(parts: &TreeParts) -> Result<()> {
    if parts.threshold.iter().any(|v| v.is_nan()) {
        return Err(Error::invalid_model("a threshold is NaN"));
    }
    if let Some(v) = parts.leaf_value.iter().find(|v| !v.is_finite()) {
        return Err(Error::invalid_model(format!(
            "leaf value {v} is not finite"
        )));
    }
    let covers = parts.internal_count.iter().chain(&parts.leaf_count);
    if let Some(v) = covers.into_iter().find(|v| !(v.is_finite() && **v > 0.0)) {
        return Err(Error::invalid_model(format!(
            "node cover {v} is not a positive number (TreeSHAP needs every cover > 0)"
        )));
    }
    Ok(())
}

fn check_decision(i: usize, node: &Node, bounds: &[u32], bits: &[u32]) -> Result<()> {
    if node.decision > 0b1111 || node.decision >> 2 == 3 {
        return Err(Error::invalid_model(format!(
            "node {i}: decision type {} is not a LightGBM decision type",
            node.decision
        )));
    }
    if node.decision & CATEGORICAL_MASK == 0 {
        return Ok(());
    }
    let cat = node.threshold;
    // Compared as floats first: a threshold beyond usize (2^64, or any huge
    // value) would saturate in `as usize` and overflow the `+ 1`.
    let ok = cat >= 0.0 && cat.fract() == 0.0 && cat + 1.0 < bounds.len() as f64 && {
        let (start, end) = (bounds[cat as usize], bounds[cat as usize + 1]);
        start <= end && end as usize <= bits.len()
    };
    if ok {
        Ok(())
    } else {
        Err(Error::invalid_model(format!(
            "node {i}: categorical split {cat} has no bitset in cat_boundaries/cat_threshold"
        )))
    }
}

/// Checks that the children form one tree rooted at node 0 that reaches every
/// node and leaf exactly once; returns its depth in splits.
fn check_shape(nodes: &[Node]) -> Result<usize> {
    let n = nodes.len();
    if n == 0 {
        return Ok(0);
    }
    let mut node_seen = vec![false; n];
    let mut leaf_seen = vec![false; n + 1];
    let mut stack = vec![(0_i32, 0_usize)];
    let mut max_depth = 0;
    node_seen[0] = true;
    while let Some((index, depth)) = stack.pop() {
        let node = &nodes[index as usize];
        for child in [node.left, node.right] {
            let seen = if child >= 0 {
                node_seen.get_mut(child as usize)
            } else {
                leaf_seen.get_mut(!child as usize)
            };
            match seen {
                Some(seen) if !*seen => *seen = true,
                _ => {
                    return Err(Error::invalid_model(format!(
                        "node {index}: child {child} is out of range or reached twice"
                    )));
                }
            }
            if child >= 0 {
                stack.push((child, depth + 1));
            } else {
                max_depth = max_depth.max(depth + 1);
            }
        }
    }
    Ok(max_depth)
}
