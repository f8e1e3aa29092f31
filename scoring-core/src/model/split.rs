//! Split rules and the flat layout trees are scored with.
//!
//! [`goes_left`] is LightGBM's `NumericalDecision`/`CategoricalDecision` for
//! a `decision_type` byte: numerical splits are written without
//! data-dependent branches (the branch on the missing type is predictable,
//! the comparison becomes a select). For scoring, a tree is also laid out as
//! one array of 16-byte [`FlatNode`]s in preorder — the left child of node
//! `i` is node `i + 1`, leaves are nodes holding their value — so a walk
//! reads one small record per level, mostly from the same cache line.

use super::tree::{CATEGORICAL_MASK, DEFAULT_LEFT_MASK, Node};

/// LightGBM's `kZeroThreshold` (a `float` constant widened to `double`).
const ZERO_THRESHOLD: f64 = 1e-35_f32 as f64;
/// `FlatNode::meta` bit: the node is a leaf.
const LEAF: u32 = 1 << 31;
/// Bits of `FlatNode::meta` holding the split feature.
pub(crate) const FEATURE_BITS: u32 = 24;
const FEATURE_MASK: u32 = (1 << FEATURE_BITS) - 1;

/// Category bitsets of a tree's categorical splits.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct Categories {
    pub(crate) boundaries: Vec<u32>,
    pub(crate) bits: Vec<u32>,
}

/// Whether `x` goes to the left child of a split.
#[inline(always)]
pub(crate) fn goes_left(decision: u8, threshold: f64, x: f64, cats: &Categories) -> bool {
    let default_left = decision & DEFAULT_LEFT_MASK != 0;
    let nan = x.is_nan();
    match decision >> 2 {
        _ if decision & CATEGORICAL_MASK != 0 => category_goes_left(threshold, x, cats),
        2 => (x <= threshold) | (nan & default_left),
        1 => {
            let x = if nan { 0.0 } else { x };
            let zero = x.abs() <= ZERO_THRESHOLD;
            (zero & default_left) | (!zero & (x <= threshold))
        }
        _ => (if nan { 0.0 } else { x }) <= threshold,
    }
}

/// LightGBM's `CategoricalDecision`: NaN and negative codes go right, a code
/// goes left when its bit is set in the split's bitset.
#[inline(never)]
fn category_goes_left(cat_index: f64, x: f64, cats: &Categories) -> bool {
    if x.is_nan() {
        return false;
    }
    let code = x as i32; // truncates towards zero like LightGBM's cast
    if code < 0 {
        return false;
    }
    let cat = cat_index as usize;
    let (Some(&start), Some(&end)) = (cats.boundaries.get(cat), cats.boundaries.get(cat + 1))
    else {
        return false;
    };
    let word = code as usize / 32;
    if word >= end.saturating_sub(start) as usize {
        return false;
    }
    cats.bits
        .get(start as usize + word)
        .is_some_and(|bits| (bits >> (code as u32 % 32)) & 1 == 1)
}

/// A split or a leaf in the preorder scoring layout.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct FlatNode {
    /// Threshold (category-set index for categorical splits) or leaf value.
    value: f64,
    /// Split feature (low 24 bits), decision type (bits 24–27), leaf bit 31.
    meta: u32,
    /// Index of the right child.
    right: u32,
}

/// Lays out a tree (nodes, leaf values) in preorder.
pub(crate) fn flatten(nodes: &[Node], leaf_value: &[f64]) -> Vec<FlatNode> {
    let mut flat = Vec::with_capacity(nodes.len() + leaf_value.len());
    if nodes.is_empty() {
        flat.push(leaf(leaf_value[0]));
        return flat;
    }
    // (child reference, slot in `flat` whose `right` must point to it)
    let mut stack = vec![(0_i32, None::<usize>)];
    while let Some((child, parent)) = stack.pop() {
        if let Some(parent) = parent {
            flat[parent].right = flat.len() as u32;
        }
        if child < 0 {
            flat.push(leaf(leaf_value[!child as usize]));
            continue;
        }
        let node = &nodes[child as usize];
        let slot = flat.len();
        flat.push(FlatNode {
            value: node.threshold,
            meta: node.feature | (u32::from(node.decision) << FEATURE_BITS),
            right: 0,
        });
        stack.push((node.right, Some(slot)));
        stack.push((node.left, None));
    }
    flat
}

/// What a [`FlatNode`] does, for the lockstep layout (`forest.rs`).
pub(crate) enum NodeRule {
    Leaf(f64),
    Split {
        feature: u32,
        threshold: f64,
        /// Whether NaN goes left, for numerical splits whose rule is
        /// `x <= threshold` for every other value (missing type NaN or None);
        /// `None` for zero-missing and categorical splits.
        nan_left: Option<bool>,
        right: u32,
    },
}

impl FlatNode {
    pub(crate) fn rule(&self) -> NodeRule {
        if self.meta & LEAF != 0 {
            return NodeRule::Leaf(self.value);
        }
        let decision = (self.meta >> FEATURE_BITS) as u8;
        let default_left = decision & DEFAULT_LEFT_MASK != 0;
        let nan_left = match decision >> 2 {
            _ if decision & CATEGORICAL_MASK != 0 => None,
            2 => Some(default_left),
            0 => Some(0.0 <= self.value),
            _ => None,
        };
        NodeRule::Split {
            feature: self.meta & FEATURE_MASK,
            threshold: self.value,
            nan_left,
            right: self.right,
        }
    }
}

fn leaf(value: f64) -> FlatNode {
    FlatNode {
        value,
        meta: LEAF,
        right: 0,
    }
}

/// The leaf value `row` reaches in a flattened tree.
#[inline]
pub(crate) fn predict_flat(flat: &[FlatNode], cats: &Categories, row: &[f64]) -> f64 {
    let mut i = 0;
    loop {
        let node = &flat[i];
        let meta = node.meta;
        if meta & LEAF != 0 {
            return node.value;
        }
        let x = row[(meta & FEATURE_MASK) as usize];
        let decision = (meta >> FEATURE_BITS) as u8;
        i = if goes_left(decision, node.value, x, cats) {
            i + 1
        } else {
            node.right as usize
        };
    }
}
