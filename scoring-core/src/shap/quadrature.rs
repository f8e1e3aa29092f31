//! Gauss–Legendre rules on [0, 1].
//!
//! A rule of `q` points integrates every polynomial of degree up to
//! `2q − 1` exactly; its weights are positive, so a sum of positive values
//! loses nothing to cancellation.

/// Number of points of the rules the explainer is compiled for.
pub(super) const POINTS: [usize; 10] = [1, 2, 3, 4, 6, 8, 12, 16, 24, 32];

/// A Gauss–Legendre rule on [0, 1].
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Rule {
    /// Nodes `t_k` in (0, 1), ascending.
    pub(super) t: Vec<f64>,
    /// `1 − t_k`, computed without cancellation near 1.
    pub(super) s: Vec<f64>,
    /// Weights `w_k > 0`, summing to 1.
    pub(super) w: Vec<f64>,
}

impl Rule {
    /// The `q`-point rule (`q ≥ 1`).
    pub(super) fn new(q: usize) -> Self {
        let mut rule = Self {
            t: vec![0.0; q],
            s: vec![0.0; q],
            w: vec![0.0; q],
        };
        // Roots of the Legendre polynomial P_q on [-1, 1] by Newton's method
        // from Tricomi's estimate; the roots are symmetric about 0.
        for i in 0..q.div_ceil(2) {
            let mut x = if 2 * i + 1 == q {
                0.0 // the middle root of an odd rule
            } else {
                (std::f64::consts::PI * (i as f64 + 0.75) / (q as f64 + 0.5)).cos()
            };
            for _ in 0..100 {
                let (p, dp) = legendre(q, x);
                let step = p / dp;
                x -= step;
                if step.abs() <= 4.0 * f64::EPSILON {
                    break;
                }
            }
            let derivative = legendre(q, x).1;
            let w = 1.0 / ((1.0 - x * x) * derivative * derivative);
            // x_i > 0 is the i-th largest root; -x_i its mirror.
            let (hi, lo) = (q - 1 - i, i);
            rule.t[hi] = (1.0 + x) / 2.0;
            rule.s[hi] = (1.0 - x) / 2.0;
            rule.w[hi] = w;
            rule.t[lo] = (1.0 - x) / 2.0;
            rule.s[lo] = (1.0 + x) / 2.0;
            rule.w[lo] = w;
        }
        rule
    }
}

/// `P_q(x)` and `P_q'(x)` by the three-term recurrence.
fn legendre(q: usize, x: f64) -> (f64, f64) {
    let (mut p0, mut p1) = (1.0, x);
    for k in 1..q {
        let k = k as f64;
        let p2 = ((2.0 * k + 1.0) * x * p1 - k * p0) / (k + 1.0);
        p0 = p1;
        p1 = p2;
    }
    let q = q as f64;
    (p1, q * (x * p1 - p0) / (x * x - 1.0))
}

/// Index in [`POINTS`] of the smallest rule exact for polynomials of
/// degree `degree`.
pub(super) fn points_for_degree(degree: usize) -> Option<usize> {
    POINTS.iter().position(|&q| 2 * q > degree)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_integrate_polynomials_up_to_their_degree_exactly() {
        for q in POINTS {
            let rule = Rule::new(q);
            assert!(
                rule.t
                    .windows(2)
                    .all(|p| 0.0 < p[0] && p[0] < p[1] && p[1] < 1.0)
            );
            for k in 0..q {
                assert!((rule.t[k] + rule.s[k] - 1.0).abs() <= f64::EPSILON);
                assert!(rule.w[k] > 0.0);
            }
            // ∫₀¹ t^m (1 − t)^(d − m) dt = m! (d − m)! / (d + 1)!, the Shapley weights.
            for d in 0..2 * q {
                for m in 0..=d {
                    let exact = (1..=m).map(|i| i as f64).product::<f64>()
                        * (1..=d - m).map(|i| i as f64).product::<f64>()
                        / (1..=d + 1).map(|i| i as f64).product::<f64>();
                    let got: f64 = (0..q)
                        .map(|k| {
                            rule.w[k] * rule.t[k].powi(m as i32) * rule.s[k].powi((d - m) as i32)
                        })
                        .sum();
                    assert!(
                        (got - exact).abs() <= 1e-13 * exact,
                        "q {q}, t^{m} (1 - t)^{}: {got} vs {exact}",
                        d - m
                    );
                }
            }
        }
    }

    #[test]
    fn the_smallest_exact_rule_is_chosen() {
        assert_eq!(points_for_degree(0), Some(0));
        assert_eq!(POINTS[points_for_degree(7).unwrap()], 4);
        assert_eq!(POINTS[points_for_degree(8).unwrap()], 6);
        assert_eq!(POINTS[points_for_degree(63).unwrap()], 32);
        assert_eq!(points_for_degree(64), None);
    }
}
