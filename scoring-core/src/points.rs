//! The scorecard points scale lenders read beside a probability of default.
//!
//! Points grow with the odds of repaying: `points = offset + factor ·
//! ln(odds)`, where `odds = (1 − p) / p` is good:bad, `factor = PDO / ln 2`
//! and `offset = base_points − factor · ln(base_odds)`. So `base_points` is
//! scored at `base_odds` (600 at 50:1 by default), and every `PDO` points
//! (points to double the odds, 20 by default) the odds of repaying double.
//! The scale is published in each version's manifest; a manifest without
//! one (older versions) reads as [`PointsScale::default`].

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// A points scale: `base_points` at `base_odds`, `pdo` points to double the odds.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PointsScale {
    /// Points scored at `base_odds`.
    pub base_points: f64,
    /// Odds of repaying (good:bad) scored `base_points`, e.g. 50 for 50:1.
    pub base_odds: f64,
    /// Points to double the odds.
    pub pdo: f64,
}

impl Default for PointsScale {
    /// 600 points at 50:1, 20 points to double the odds.
    fn default() -> Self {
        Self {
            base_points: 600.0,
            base_odds: 50.0,
            pdo: 20.0,
        }
    }
}

/// Probabilities are kept this far from 0 and 1, so that a certain (0 or
/// 1) probability still has a finite number of points.
const EDGE: f64 = 1e-9;

impl PointsScale {
    /// Checks that the odds and the points to double them are positive and
    /// every number finite.
    pub fn validate(&self) -> Result<()> {
        let ok = self.base_points.is_finite()
            && self.base_odds.is_finite()
            && self.base_odds > 0.0
            && self.pdo.is_finite()
            && self.pdo > 0.0;
        if ok {
            Ok(())
        } else {
            Err(Error::InvalidManifest {
                reason: format!(
                    "points scale {self:?}: expected finite base points, base odds > 0 and points to double the odds > 0"
                ),
            })
        }
    }

    /// The points of a probability of default `p` (clamped to
    /// [1e-9, 1 − 1e-9]).
    pub fn points(&self, p: f64) -> f64 {
        let p = p.clamp(EDGE, 1.0 - EDGE);
        let factor = self.pdo / std::f64::consts::LN_2;
        let offset = self.base_points - factor * self.base_odds.ln();
        offset + factor * ((1.0 - p) / p).ln()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Worked by hand: factor = 20 / ln 2 = 28.8539; offset = 600 −
    /// 28.8539 · ln 50 = 600 − 112.8771 = 487.1229.
    #[test]
    fn points_follow_the_hand_worked_scale() {
        let scale = PointsScale::default();
        // 50:1 is p = 1/51: the base points.
        assert!((scale.points(1.0 / 51.0) - 600.0).abs() < 1e-9);
        // 100:1 doubles the odds: 20 points more.
        assert!((scale.points(1.0 / 101.0) - 620.0).abs() < 1e-9);
        // 25:1 halves them: 20 points fewer.
        assert!((scale.points(1.0 / 26.0) - 580.0).abs() < 1e-9);
        // p = 0.5, odds 1:1: the offset, 487.1229.
        assert!((scale.points(0.5) - 487.122_876_2).abs() < 1e-6);
        // p = 0.2, odds 4:1: 487.1229 + 28.8539 · ln 4 = 527.1229.
        assert!((scale.points(0.2) - 527.122_876_2).abs() < 1e-6);
        assert!(scale.points(0.0).is_finite() && scale.points(1.0).is_finite());
    }

    #[test]
    fn a_scale_that_cannot_double_odds_is_refused() {
        for bad in [
            PointsScale {
                pdo: 0.0,
                ..PointsScale::default()
            },
            PointsScale {
                base_odds: -1.0,
                ..PointsScale::default()
            },
            PointsScale {
                base_points: f64::NAN,
                ..PointsScale::default()
            },
        ] {
            let error = bad.validate().unwrap_err().to_string();
            assert!(error.contains("points to double the odds > 0"), "{error}");
        }
        assert!(PointsScale::default().validate().is_ok());
    }
}
