//! The kernel: one tree, a block of rows, two passes over the splits per row.
//!
//! Values are kept at the `Q` quadrature nodes `t_k`, one `[f64; Q]` per
//! slot (see `tables.rs` for the layout). For the row being explained, the
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

/// Working values of one tree: `Q` per slot, and `o` per slot.
pub(super) struct Buffers<'a, const Q: usize> {
    pub(super) w: &'a mut [[f64; Q]],
    pub(super) f: &'a mut [[f64; Q]],
    pub(super) r: &'a mut [[f64; Q]],
    pub(super) e: &'a mut [[f64; Q]],
    pub(super) o: &'a mut [f64],
}

/// One tree's splits and leaves (in preorder) with its rule.
pub(super) struct TreeView<'a> {
    pub(super) tree: &'a Tree,
    pub(super) splits: &'a [Split],
    pub(super) leaves: &'a [Leaf],
    pub(super) rule: &'a Rule,
}

/// Adds the tree's SHAP values for every row of `rows` (row-major, `n ≥ 1`
/// features) to the same row of `phi`.
pub(super) fn add_tree<const Q: usize>(
    view: &TreeView<'_>,
    rows: &[f64],
    n: usize,
    phi: &mut [f64],
    buffers: Buffers<'_, Q>,
) {
    let rule = view.rule;
    let nodes = Nodes::<Q> {
        t: std::array::from_fn(|k| rule.t[k]),
        s: std::array::from_fn(|k| rule.s[k]),
    };
    let Buffers { w, f, r, e, o } = buffers;
    // Leaf values and the root's `W` do not depend on the row.
    for leaf in view.leaves {
        r[leaf.slot as usize] = [leaf.value; Q];
    }
    let weights: [f64; Q] = std::array::from_fn(|k| rule.w[k]);
    for (row, phi) in rows.chunks_exact(n).zip(phi.chunks_exact_mut(n)) {
        w[0] = weights;
        down(view, &nodes, row, w, f, e, o);
        up(view.splits, phi, w, f, r, e, o);
    }
}

struct Nodes<const Q: usize> {
    t: [f64; Q],
    /// `1 − t`.
    s: [f64; Q],
}

/// The preorder pass: `o`, `f` and `W` of every node below the root.
#[inline(always)]
fn down<const Q: usize>(
    view: &TreeView<'_>,
    nodes: &Nodes<Q>,
    row: &[f64],
    w: &mut [[f64; Q]],
    f: &mut [[f64; Q]],
    e: &mut [[f64; Q]],
    o: &mut [f64],
) {
    for split in view.splits {
        let slot = split.slot as usize;
        let (left, right) = (slot + 1, split.right as usize);
        let x = row[split.feature()];
        let go_left = view.tree.goes_left(split.decision(), split.threshold, x);
        let mut above = w[slot];
        let mut one = 1.0;
        if split.meta & REPEAT != 0 {
            let prev = split.prev as usize;
            let earlier = f[prev];
            for k in 0..Q {
                above[k] /= earlier[k];
            }
            w[slot] = above;
            one = o[prev];
        }
        let one_left = if go_left { one } else { 0.0 };
        let one_right = one - one_left;
        o[left] = one_left;
        o[right] = one_right;
        let f_left: [f64; Q] =
            std::array::from_fn(|k| nodes.t[k] * one_left + nodes.s[k] * split.zero_left);
        let f_right: [f64; Q] =
            std::array::from_fn(|k| nodes.t[k] * one_right + nodes.s[k] * split.zero_right);
        f[left] = f_left;
        f[right] = f_right;
        w[left] = std::array::from_fn(|k| above[k] * f_left[k]);
        w[right] = std::array::from_fn(|k| above[k] * f_right[k]);
        if split.meta & RESPLIT_LEFT != 0 {
            e[left] = [0.0; Q];
        }
        if split.meta & RESPLIT_RIGHT != 0 {
            e[right] = [0.0; Q];
        }
    }
}

/// The reverse-preorder pass: `R` of every split and the contributions.
#[inline(always)]
fn up<const Q: usize>(
    splits: &[Split],
    phi: &mut [f64],
    w: &[[f64; Q]],
    f: &[[f64; Q]],
    r: &mut [[f64; Q]],
    e: &mut [[f64; Q]],
    o: &[f64],
) {
    for split in splits.iter().rev() {
        let slot = split.slot as usize;
        let (left, right) = (slot + 1, split.right as usize);
        let (r_left, r_right) = (r[left], r[right]);
        let (f_left, f_right) = (f[left], f[right]);
        let c_left = o[left] - split.zero_left;
        let c_right = o[right] - split.zero_right;
        let above = w[slot];
        let mut below = [0.0; Q];
        let mut value = 0.0;
        for k in 0..Q {
            below[k] = f_left[k] * r_left[k] + f_right[k] * r_right[k];
            value += above[k] * (c_left * r_left[k] + c_right * r_right[k]);
        }
        if split.meta & RESPLIT_LEFT != 0 {
            value -= c_left * ratio_sum(&e[left], &f_left);
        }
        if split.meta & RESPLIT_RIGHT != 0 {
            value -= c_right * ratio_sum(&e[right], &f_right);
        }
        if split.meta & REPEAT != 0 {
            let prev = split.prev as usize;
            let earlier = f[prev];
            let excluded = &mut e[prev];
            for k in 0..Q {
                excluded[k] += above[k] * below[k];
                below[k] /= earlier[k];
            }
        }
        r[slot] = below;
        phi[split.feature()] += value;
    }
}

/// `Σ_k a_k / b_k`.
#[inline(always)]
fn ratio_sum<const Q: usize>(a: &[f64; Q], b: &[f64; Q]) -> f64 {
    (0..Q).fold(0.0, |sum, k| sum + a[k] / b[k])
}
