//! SHAP values of one tree straight from the path formula, as an oracle
//! that stays exact on long paths.
//!
//! For each leaf of value `v`, the distinct features `U` of its path get
//! their merged zero fraction `z_j` (product of cover fractions) and one
//! fraction `o_j` (1 if the row follows all their splits); feature `i`
//! receives `v (o_i − z_i) Σ_k c_k · k! (d − 1 − k)! / d!`, where `c_k` are
//! the coefficients of `Π_{j ∈ U∖{i}} (z_j + o_j·y)`. Every coefficient
//! and weight is positive, so unlike UNWIND nothing is subtracted: the
//! result is exact to a few ulps at any depth, at O(leaves · depth³).

use scoring_core::model::{Tree, TreeParts};

use crate::goes_left;

/// The path-dependent SHAP values of `tree` for `row` (length of `row`).
pub fn path_formula_shap(tree: &Tree, row: &[f64]) -> Vec<f64> {
    let parts = TreeParts::from(tree.clone());
    let mut phi = vec![0.0; row.len()];
    if parts.split_feature.is_empty() {
        return phi;
    }
    let cover = |c: i32| {
        if c >= 0 {
            parts.internal_count[c as usize]
        } else {
            parts.leaf_count[!c as usize]
        }
    };
    // (node, the path to it as (split, went left))
    let mut stack = vec![(0_i32, Vec::<(usize, bool)>::new())];
    while let Some((node, path)) = stack.pop() {
        if node >= 0 {
            let n = node as usize;
            for left in [true, false] {
                let mut longer = path.clone();
                longer.push((n, left));
                let child = if left {
                    parts.left_child[n]
                } else {
                    parts.right_child[n]
                };
                stack.push((child, longer));
            }
            continue;
        }
        // Distinct features in order of first split, with z and o.
        let mut features: Vec<(usize, f64, f64)> = Vec::new();
        for &(n, left) in &path {
            let feature = parts.split_feature[n] as usize;
            let child = if left {
                parts.left_child[n]
            } else {
                parts.right_child[n]
            };
            let zero = cover(child) / parts.internal_count[n];
            let one = f64::from(u8::from(goes_left(&parts, n, row[feature]) == left));
            match features.iter_mut().find(|(f, _, _)| *f == feature) {
                Some((_, z, o)) => {
                    *z *= zero;
                    *o *= one;
                }
                None => features.push((feature, zero, one)),
            }
        }
        let value = parts.leaf_value[!node as usize];
        let d = features.len();
        // weight[k] = k! (d − 1 − k)! / d!, by positive ratios.
        let mut weight = vec![1.0 / d as f64; d];
        for k in 1..d {
            weight[k] = weight[k - 1] * k as f64 / (d - k) as f64;
        }
        for (i, &(feature, z_i, o_i)) in features.iter().enumerate() {
            let mut poly = vec![1.0];
            for (j, &(_, z, o)) in features.iter().enumerate() {
                if j != i {
                    poly = times_linear(&poly, z, o);
                }
            }
            let sum: f64 = poly.iter().zip(&weight).map(|(c, w)| c * w).sum();
            phi[feature] += value * (o_i - z_i) * sum;
        }
    }
    phi
}

/// `poly(y) · (z + o·y)`, coefficients by increasing degree.
fn times_linear(poly: &[f64], z: f64, o: f64) -> Vec<f64> {
    let mut out = vec![0.0; poly.len() + 1];
    for (k, c) in poly.iter().enumerate() {
        out[k] += c * z;
        out[k + 1] += c * o;
    }
    out
}
