//! What the explainer precomputes once per model.
//!
//! Each tree is laid out in preorder. Every node (split or leaf) gets a
//! *slot*, the index of its working values in [`ShapScratch`]; the left
//! child of the split in slot `i` is in slot `i + 1`. A split records, for
//! each child, the zero fraction of its feature on the way to that child,
//! merged (multiplied) with the earlier splits on the same feature above it,
//! and, when the feature was split on higher up the path, the slot of the
//! child taken at that nearest earlier split. A tree's quadrature rule is the
//! smallest one exact for its paths: `q` points with `2q ≥` the most distinct
//! features on a root-to-leaf path.
//!
//! [`ShapScratch`]: super::ShapScratch

use std::mem::size_of;

use super::quadrature::{POINTS, Rule, points_for_degree};
use crate::error::{Error, Result};
use crate::model::Tree;

/// `Split::meta` bits 0–23: the split feature (trees have fewer features).
const FEATURE_MASK: u32 = (1 << 24) - 1;
/// `Split::meta` bits 24–27 hold the decision type.
const DECISION_SHIFT: u32 = 24;
/// `Split::meta` bit: the feature was split on higher up the path.
pub(super) const REPEAT: u32 = 1 << 28;
/// `Split::meta` bit: below the left child the feature is split on again.
pub(super) const RESPLIT_LEFT: u32 = 1 << 29;
/// `Split::meta` bit: below the right child the feature is split on again.
pub(super) const RESPLIT_RIGHT: u32 = 1 << 30;

/// A split in the explainer's preorder layout (40 bytes).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Split {
    /// As in the tree: the numerical threshold or the category-set index.
    pub(super) threshold: f64,
    /// Merged zero fraction of the feature at the left child.
    pub(super) zero_left: f64,
    /// Merged zero fraction of the feature at the right child.
    pub(super) zero_right: f64,
    /// Feature, decision type and the flags above.
    pub(super) meta: u32,
    /// This split's slot (its left child is in `slot + 1`).
    pub(super) slot: u32,
    /// The right child's slot.
    pub(super) right: u32,
    /// With [`REPEAT`]: slot of the child taken at the nearest split above
    /// on the same feature.
    pub(super) prev: u32,
}

impl Split {
    #[inline(always)]
    pub(super) fn feature(&self) -> usize {
        (self.meta & FEATURE_MASK) as usize
    }

    #[inline(always)]
    pub(super) fn decision(&self) -> u8 {
        ((self.meta >> DECISION_SHIFT) & 0b1111) as u8
    }
}

/// A leaf: its value and slot (16 bytes).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Leaf {
    pub(super) value: f64,
    pub(super) slot: u32,
}

/// Where one tree's splits and leaves are, and its rule.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct TreeTable {
    pub(super) splits: (usize, usize),
    pub(super) leaves: (usize, usize),
    /// Nodes (splits and leaves) in the tree.
    pub(super) slots: usize,
    /// Quadrature points (one of [`POINTS`]; 0 for a single leaf).
    pub(super) points: usize,
    /// Index of the rule in `ShapTables::rules`.
    pub(super) rule: usize,
}

/// The per-model precomputation of the explainer, built once when the model
/// is built and shared read-only by every thread.
///
/// It costs [`ShapTables::memory_bytes`]: for a model of `T` trees with
/// `L_t` leaves each, `Σ_t (56·L_t + 16)` bytes plus 3.5 KB of quadrature
/// rules — 40 bytes per split, 16 per leaf, 56 per tree, and nothing that
/// grows with depth (1.9 MB for 1,000 trees of 34 leaves).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ShapTables {
    pub(super) trees: Vec<TreeTable>,
    pub(super) splits: Vec<Split>,
    pub(super) leaves: Vec<Leaf>,
    /// The rule of `POINTS[i]` points at index `i`.
    pub(super) rules: Vec<Rule>,
    /// Most `slots × (3·points + 2)` of any tree: the scratch's slots
    /// (`3·points + 1` values each, rounded up to an even count).
    pub(super) slots_len: usize,
    /// Most `slots × points` of any tree: the scratch's `E`.
    pub(super) excluded_len: usize,
}

/// One edge of the path from the root to the node being laid out.
struct Edge {
    feature: usize,
    /// The split the edge leaves from, and whether it goes right.
    split: usize,
    right: bool,
    /// Slot of the child the edge leads to.
    slot: u32,
    /// Merged zero fraction of `feature` at that child.
    zero: f64,
    /// Distinct features on the path down to that child.
    unique: usize,
}

impl ShapTables {
    /// Lays out `trees` (each at most [`crate::model::MAX_TREE_DEPTH`] deep).
    pub(crate) fn new(trees: &[Tree]) -> Result<Self> {
        let mut tables = Self::default();
        for (i, tree) in trees.iter().enumerate() {
            let table = tables.push_tree(tree).ok_or(Error::TreeTooDeep {
                tree: i,
                depth: tree.max_depth(),
                limit: crate::model::MAX_TREE_DEPTH,
            })?;
            let slots_len = table.slots * (3 * table.points + 2);
            tables.slots_len = tables.slots_len.max(slots_len);
            tables.excluded_len = tables.excluded_len.max(table.slots * table.points);
            tables.trees.push(table);
        }
        if !trees.is_empty() {
            tables.rules = POINTS.iter().map(|&q| Rule::new(q)).collect();
        }
        tables.trees.shrink_to_fit();
        tables.splits.shrink_to_fit();
        tables.leaves.shrink_to_fit();
        Ok(tables)
    }

    /// Heap and inline bytes held by the tables.
    pub fn memory_bytes(&self) -> usize {
        let rules: usize = self
            .rules
            .iter()
            .map(|r| size_of::<Rule>() + 3 * r.t.capacity() * size_of::<f64>())
            .sum();
        size_of::<Self>()
            + self.trees.capacity() * size_of::<TreeTable>()
            + self.splits.capacity() * size_of::<Split>()
            + self.leaves.capacity() * size_of::<Leaf>()
            + rules
    }

    /// Bytes of the working memory one [`super::ShapScratch`] needs for
    /// this model (one per thread).
    pub fn scratch_bytes(&self) -> usize {
        (self.slots_len + self.excluded_len + super::batch::ROWS_PER_BLOCK) * size_of::<f64>()
    }

    /// Appends one tree; `None` if its paths need more quadrature points
    /// than compiled (deeper than the depth limit).
    fn push_tree(&mut self, tree: &Tree) -> Option<TreeTable> {
        let splits_start = self.splits.len();
        let leaves_start = self.leaves.len();
        if tree.nodes.is_empty() {
            let none = (splits_start, splits_start);
            return Some(TreeTable {
                splits: none,
                leaves: (leaves_start, leaves_start),
                slots: 0,
                points: 0,
                rule: 0,
            });
        }
        let mut path: Vec<Edge> = Vec::with_capacity(tree.max_depth());
        // (child reference, depth, the split it hangs from and whether right)
        let mut stack = vec![(0_i32, 0_usize, None::<(usize, bool)>)];
        let mut slots = 0_u32;
        let mut most_unique = 0;
        while let Some((child, depth, parent)) = stack.pop() {
            let slot = slots;
            slots += 1;
            path.truncate(depth.saturating_sub(1));
            if let Some((split, right)) = parent {
                let s = &mut self.splits[split];
                let zero = if right {
                    s.right = slot;
                    s.zero_right
                } else {
                    s.zero_left
                };
                let feature = s.feature();
                let seen = path.iter().any(|e| e.feature == feature);
                let unique = path.last().map_or(0, |e| e.unique) + usize::from(!seen);
                path.push(Edge {
                    feature,
                    split,
                    right,
                    slot,
                    zero,
                    unique,
                });
            }
            if child < 0 {
                most_unique = most_unique.max(path.last().map_or(0, |e| e.unique));
                self.leaves.push(Leaf {
                    value: tree.leaf_value[!child as usize],
                    slot,
                });
                continue;
            }
            let node = &tree.nodes[child as usize];
            let feature = node.feature as usize;
            let (prev_zero, prev, mut meta) = match path.iter().rposition(|e| e.feature == feature)
            {
                Some(k) => {
                    let e = &path[k];
                    self.splits[e.split].meta |= if e.right { RESPLIT_RIGHT } else { RESPLIT_LEFT };
                    (e.zero, e.slot, REPEAT)
                }
                None => (1.0, 0, 0),
            };
            meta |= node.feature | u32::from(node.decision) << DECISION_SHIFT;
            let cover = tree.internal_cover[child as usize];
            let index = self.splits.len();
            self.splits.push(Split {
                threshold: node.threshold,
                zero_left: tree.cover(node.left) / cover * prev_zero,
                zero_right: tree.cover(node.right) / cover * prev_zero,
                meta,
                slot,
                right: 0,
                prev,
            });
            stack.push((node.right, depth + 1, Some((index, true))));
            stack.push((node.left, depth + 1, Some((index, false))));
        }
        let rule = points_for_degree(most_unique.saturating_sub(1))?;
        Some(TreeTable {
            splits: (splits_start, self.splits.len()),
            leaves: (leaves_start, self.leaves.len()),
            slots: slots as usize,
            points: POINTS[rule],
            rule,
        })
    }
}
