//! The kernel: one tree, a block of rows, two passes over the splits per row.
//!
//! Values are kept at the `Q` quadrature nodes `t_k`: each slot (see
//! `tables.rs`) holds `W`, `f` and `R` (`Q` values each) and `o`, side by
//! side so that a node's values are one bounds check and a cache line or
//! two away; `E` has its own array. For the row being explained, the
//! factor of a feature on the way to a node is `f(t) = t·o + (1 − t)·z`,
//! with `o` its one fraction (1 if the row follows every split on it so
//! far, else 0) and `z` its merged zero fraction.
//! - Down (preorder): `o`, `f` and `W`, the product of the factors of the
//!   distinct features on the path, scaled by the quadrature weights (the
//!   root's `W` is the weights). At a split whose feature was split on
//!   higher up, that earlier factor is divided out of the split's `W` first.
//! - Up (reverse preorder): `R`, the sum over the leaves below a node of the
//!   leaf value times the factors added below it. The leaves whose deepest
//!   split on feature `i` is node `n` then contribute to `φ_i`
//!   `Σ_children (o_c − z_c) Σ_k W_n(t_k) R_c(t_k)` — the quadrature of the
//!   Shapley-weighted integral of the module documentation — less, for
//!   the leaves below a later split on `i`, their own term `E_c`, which that
//!   later split added (as its `W·R`) on the way up.

use super::quadrature::Rule;
use super::tables::{Leaf, REPEAT, RESPLIT_LEFT, RESPLIT_RIGHT, Split};
use crate::model::Tree;

/// Offsets in a slot, in units of `Q` values: `W`, `f`, `R`, then `o`.
const W: usize = 0;
const F: usize = 1;
const R: usize = 2;
const O: usize = 3;

/// Working values of one tree: a slot of `S ≥ 3Q + 1` values per node, and
/// `E` for the nodes below which a feature is split on again.
pub(super) struct Buffers<'a, const Q: usize, const S: usize> {
    pub(super) slots: &'a mut [[f64; S]],
    pub(super) e: &'a mut [[f64; Q]],
}

/// One tree's splits and leaves (in preorder) with its rule.
pub(super) struct TreeView<'a> {
    pub(super) tree: &'a Tree,
    pub(super) splits: &'a [Split],
    pub(super) leaves: &'a [Leaf],
    pub(super) rule: &'a Rule,
}

#[inline(always)]
fn get<const Q: usize, const S: usize>(slot: &[f64; S], part: usize) -> [f64; Q] {
    std::array::from_fn(|k| slot[part * Q + k])
}

#[inline(always)]
fn set<const Q: usize, const S: usize>(slot: &mut [f64; S], part: usize, values: [f64; Q]) {
    slot[part * Q..part * Q + Q].copy_from_slice(&values);
}

/// Adds the tree's SHAP values for every row of `rows` (row-major, `n ≥ 1`
/// features) to the same row of `phi`.
pub(super) fn add_tree<const Q: usize, const S: usize>(
    view: &TreeView<'_>,
    rows: &[f64],
    n: usize,
    phi: &mut [f64],
    buffers: Buffers<'_, Q, S>,
) {
    let rule = view.rule;
    let nodes = Nodes::<Q> {
        t: std::array::from_fn(|k| rule.t[k]),
        s: std::array::from_fn(|k| rule.s[k]),
    };
    let Buffers { slots, e } = buffers;
    // Leaf values do not depend on the row.
    for leaf in view.leaves {
        set(&mut slots[leaf.slot as usize], R, [leaf.value; Q]);
    }
    let weights: [f64; Q] = std::array::from_fn(|k| rule.w[k]);
    for (row, phi) in rows.chunks_exact(n).zip(phi.chunks_exact_mut(n)) {
        set(&mut slots[0], W, weights);
        down(view, &nodes, row, slots, e);
        up(view.splits, phi, slots, e);
    }
}

struct Nodes<const Q: usize> {
    t: [f64; Q],
    /// `1 − t`.
    s: [f64; Q],
}

/// The preorder pass: `o`, `f` and `W` of every node below the root.
#[inline(always)]
fn down<const Q: usize, const S: usize>(
    view: &TreeView<'_>,
    nodes: &Nodes<Q>,
    row: &[f64],
    slots: &mut [[f64; S]],
    e: &mut [[f64; Q]],
) {
    for split in view.splits {
        let x = row[split.feature()];
        let go_left = view.tree.goes_left(split.decision(), split.threshold, x);
        let slot = split.slot as usize;
        let mut one = 1.0;
        let mut above: [f64; Q] = get(&slots[slot], W);
        if split.meta & REPEAT != 0 {
            let prev = &slots[split.prev as usize];
            let earlier: [f64; Q] = get(prev, F);
            one = prev[O * Q];
            for k in 0..Q {
                above[k] /= earlier[k];
            }
            set(&mut slots[slot], W, above);
        }
        // Which way a row goes is data: a branch on it would be mispredicted
        // half of the time, and LLVM makes a select or a bit mask of floats
        // into a branch; a product it keeps.
        let one_left = one * f64::from(u8::from(go_left));
        let one_right = one - one_left;
        for (child, one, zero) in [
            (slot + 1, one_left, split.zero_left),
            (split.right as usize, one_right, split.zero_right),
        ] {
            let factor: [f64; Q] = std::array::from_fn(|k| nodes.t[k] * one + nodes.s[k] * zero);
            let child = &mut slots[child];
            set::<Q, S>(child, W, std::array::from_fn(|k| above[k] * factor[k]));
            set(child, F, factor);
            child[O * Q] = one;
        }
        if split.meta & RESPLIT_LEFT != 0 {
            e[slot + 1] = [0.0; Q];
        }
        if split.meta & RESPLIT_RIGHT != 0 {
            e[split.right as usize] = [0.0; Q];
        }
    }
}

/// The reverse-preorder pass: `R` of every split and the contributions.
#[inline(always)]
fn up<const Q: usize, const S: usize>(
    splits: &[Split],
    phi: &mut [f64],
    slots: &mut [[f64; S]],
    e: &mut [[f64; Q]],
) {
    for split in splits.iter().rev() {
        let slot = split.slot as usize;
        let (left, right) = (&slots[slot + 1], &slots[split.right as usize]);
        let (r_left, f_left): ([f64; Q], [f64; Q]) = (get(left, R), get(left, F));
        let (r_right, f_right): ([f64; Q], [f64; Q]) = (get(right, R), get(right, F));
        let c_left = left[O * Q] - split.zero_left;
        let c_right = right[O * Q] - split.zero_right;
        let above: [f64; Q] = get(&slots[slot], W);
        let mut below = [0.0; Q];
        let mut value = 0.0;
        for k in 0..Q {
            below[k] = f_left[k] * r_left[k] + f_right[k] * r_right[k];
            value += above[k] * (c_left * r_left[k] + c_right * r_right[k]);
        }
        if split.meta & RESPLIT_LEFT != 0 {
            value -= c_left * ratio_sum(&e[slot + 1], &f_left);
        }
        if split.meta & RESPLIT_RIGHT != 0 {
            value -= c_right * ratio_sum(&e[split.right as usize], &f_right);
        }
        if split.meta & REPEAT != 0 {
            let prev = split.prev as usize;
            let earlier: [f64; Q] = get(&slots[prev], F);
            let excluded = &mut e[prev];
            for k in 0..Q {
                excluded[k] += above[k] * below[k];
                below[k] /= earlier[k];
            }
        }
        set(&mut slots[slot], R, below);
        phi[split.feature()] += value;
    }
}

/// `Σ_k a_k / b_k`.
#[inline(always)]
fn ratio_sum<const Q: usize>(a: &[f64; Q], b: &[f64; Q]) -> f64 {
    (0..Q).fold(0.0, |sum, k| sum + a[k] / b[k])
}
