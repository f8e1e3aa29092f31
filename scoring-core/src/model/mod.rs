//! The served model: our own representation, independent of the library
//! that trained it.
//!
//! A [`Model`] is the ordered feature names plus one [`Estimator`]:
//! - [`BoostedTrees`]: gradient boosting, a base score plus the sum of the
//!   trees' leaf values on the log-odds scale;
//! - [`ProbabilityTree`]: one tree whose leaves are probabilities of default;
//! - [`LogisticModel`]: logistic regression with its stored imputation and
//!   scaling.
//!
//! All arithmetic is in `f64`; a missing value is `NaN`. A model is checked
//! once when it is built or deserialised, so scoring never indexes out of
//! bounds. Boosted trees are scored in lockstep groups of trees without
//! data-dependent branches (see `forest.rs`). Scoring a batch walks the
//! groups group-major over blocks of rows, so each group's nodes stay in
//! cache, yet adds the trees of every row in the same order as single-row
//! scoring (and as `Σ Tree::predict`): all give bit-identical scores.

mod calibration;
mod covers;
mod float_json;
mod forest;
mod logistic;
mod split;
mod tree;

use serde::{Deserialize, Serialize};

pub use calibration::{Calibration, interpolate_clipped};
pub use covers::UNREACHED_COVER;
pub use logistic::LogisticModel;
pub use tree::{
    CATEGORICAL_MASK, DEFAULT_LEFT_MASK, MissingType, Tree, TreeParts, numerical_decision,
};

use crate::error::{Error, Result};
use crate::shap::ShapTables;
use forest::Forest;

/// Rows scored together per group of trees in batch scoring.
const BATCH_BLOCK: usize = 64;

/// Deepest tree a model may have, in splits from the root to a leaf.
///
/// LightGBM grows trees of a few dozen levels at most (31 leaves by default);
/// a deeper tree is almost certainly a corrupt or hostile file. The limit
/// bounds the explainer's quadrature (32 points) and its working memory.
pub const MAX_TREE_DEPTH: usize = 64;

/// The logistic function, from log-odds to a probability: the one every
/// served probability goes through (the [`Link::Logit`] link and Platt
/// calibration) and that the trainer fits with.
#[inline]
pub fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

/// The log-odds of a probability, the inverse of [`sigmoid`]: ±∞ at 1 and 0,
/// NaN outside [0, 1].
#[inline]
pub fn logit(p: f64) -> f64 {
    (p / (1.0 - p)).ln()
}

/// How a raw score becomes a probability of default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Link {
    /// Raw score is log-odds: probability = [`sigmoid`]`(raw)`.
    Logit,
    /// Raw score is already the probability.
    Identity,
}

impl Link {
    /// Probability of default for a raw score.
    #[inline]
    pub fn probability(self, raw: f64) -> f64 {
        match self {
            Self::Logit => sigmoid(raw),
            Self::Identity => raw,
        }
    }
}

/// Gradient-boosted trees: `base_score + Σ tree(x)` on the log-odds scale.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BoostedTrees {
    pub base_score: f64,
    pub trees: Vec<Tree>,
}

/// One tree whose leaf values are probabilities of default.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProbabilityTree {
    pub tree: Tree,
}

/// The kinds of model the platform serves.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Estimator {
    BoostedTrees(BoostedTrees),
    ProbabilityTree(ProbabilityTree),
    Logistic(LogisticModel),
}

/// A checked model: feature names in input order and the estimator.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "ModelParts", into = "ModelParts")]
pub struct Model {
    feature_names: Vec<String>,
    estimator: Estimator,
    /// Deepest tree, in splits (0 for the logistic model).
    max_depth: usize,
    /// Boosted trees in the lockstep scoring layout (empty otherwise).
    forest: Forest,
    /// The trees laid out for explanations.
    shap: ShapTables,
    /// Applied after the link when the probabilities were calibrated.
    calibration: Option<Calibration>,
}

#[derive(Serialize, Deserialize)]
struct ModelParts {
    feature_names: Vec<String>,
    estimator: Estimator,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    calibration: Option<Calibration>,
}

impl TryFrom<ModelParts> for Model {
    type Error = Error;
    fn try_from(parts: ModelParts) -> Result<Self> {
        let model = Self::new(parts.feature_names, parts.estimator)?;
        match parts.calibration {
            Some(calibration) => model.with_calibration(calibration),
            None => Ok(model),
        }
    }
}

impl From<Model> for ModelParts {
    fn from(model: Model) -> Self {
        Self {
            feature_names: model.feature_names,
            estimator: model.estimator,
            calibration: model.calibration,
        }
    }
}

impl Model {
    /// Checks the estimator against the feature count and builds the model.
    pub fn new(feature_names: Vec<String>, estimator: Estimator) -> Result<Self> {
        let n = feature_names.len();
        let trees: &[Tree] = match &estimator {
            Estimator::BoostedTrees(b) => {
                if !b.base_score.is_finite() {
                    return Err(Error::invalid_model("base score is not finite"));
                }
                &b.trees
            }
            Estimator::ProbabilityTree(p) => {
                if p.tree.leaf_value.iter().any(|v| !(0.0..=1.0).contains(v)) {
                    return Err(Error::invalid_model(
                        "a probability tree has a leaf value outside [0, 1]",
                    ));
                }
                std::slice::from_ref(&p.tree)
            }
            Estimator::Logistic(l) => {
                l.check(n)?;
                &[]
            }
        };
        if let Some((i, t)) = trees.iter().enumerate().find(|(_, t)| t.feature_bound > n) {
            return Err(Error::invalid_model(format!(
                "tree {i} splits on feature {} but the model has {n} features",
                t.feature_bound - 1
            )));
        }
        if let Some((i, t)) = trees
            .iter()
            .enumerate()
            .find(|(_, t)| t.max_depth() > MAX_TREE_DEPTH)
        {
            return Err(Error::TreeTooDeep {
                tree: i,
                depth: t.max_depth(),
                limit: MAX_TREE_DEPTH,
            });
        }
        let max_depth = trees.iter().map(Tree::max_depth).max().unwrap_or(0);
        let shap = ShapTables::new(trees)?;
        let forest = match &estimator {
            Estimator::BoostedTrees(b) => Forest::new(&b.trees),
            _ => Forest::default(),
        };
        Ok(Self {
            feature_names,
            estimator,
            max_depth,
            forest,
            shap,
            calibration: None,
        })
    }

    /// The same model, publishing probabilities through `calibration`.
    pub fn with_calibration(mut self, calibration: Calibration) -> Result<Self> {
        calibration.validate()?;
        self.calibration = Some(calibration);
        Ok(self)
    }

    pub fn calibration(&self) -> Option<&Calibration> {
        self.calibration.as_ref()
    }

    /// The published probability of default for a raw score: the link,
    /// then the calibration if there is one.
    #[inline]
    pub fn probability(&self, raw: f64) -> f64 {
        let p = self.link().probability(raw);
        match &self.calibration {
            Some(c) => c.apply(raw, p),
            None => p,
        }
    }

    pub fn feature_names(&self) -> &[String] {
        &self.feature_names
    }

    pub fn n_features(&self) -> usize {
        self.feature_names.len()
    }

    pub fn estimator(&self) -> &Estimator {
        &self.estimator
    }

    /// Deepest tree in splits (0 for the logistic model).
    pub fn max_depth(&self) -> usize {
        self.max_depth
    }

    /// The trees laid out for explanations (see [`ShapTables::memory_bytes`]).
    pub fn shap_tables(&self) -> &ShapTables {
        &self.shap
    }

    /// How the raw score maps to a probability of default.
    pub fn link(&self) -> Link {
        match self.estimator {
            Estimator::BoostedTrees(_) | Estimator::Logistic(_) => Link::Logit,
            Estimator::ProbabilityTree(_) => Link::Identity,
        }
    }

    pub(crate) fn check_row(&self, row: &[f64]) -> Result<()> {
        if row.len() == self.n_features() {
            Ok(())
        } else {
            Err(Error::FeatureCountMismatch {
                expected: self.n_features(),
                found: row.len(),
            })
        }
    }

    /// Raw score of one applicant (log-odds, or probability for a
    /// probability tree). `row` holds the features in model order, NaN for
    /// a missing value.
    pub fn predict_raw(&self, row: &[f64]) -> Result<f64> {
        self.check_row(row)?;
        Ok(self.raw_unchecked(row))
    }

    /// Probability of default of one applicant.
    pub fn predict_probability(&self, row: &[f64]) -> Result<f64> {
        Ok(self.probability(self.predict_raw(row)?))
    }

    #[inline]
    pub(crate) fn raw_unchecked(&self, row: &[f64]) -> f64 {
        match &self.estimator {
            Estimator::BoostedTrees(b) => self.forest.add_predictions(&b.trees, row, b.base_score),
            Estimator::ProbabilityTree(p) => p.tree.predict(row),
            Estimator::Logistic(l) => l.raw(row),
        }
    }

    /// Raw scores of a row-major matrix (`n_features` columns, NaN missing)
    /// into `out`, one per row, without allocating.
    pub fn predict_raw_batch(&self, rows: &[f64], out: &mut [f64]) -> Result<()> {
        let n = self.n_features();
        let n_rows = self.check_batch(rows, out)?;
        match &self.estimator {
            Estimator::BoostedTrees(b) if n > 0 => {
                let blocks = rows
                    .chunks(BATCH_BLOCK * n)
                    .zip(out.chunks_mut(BATCH_BLOCK));
                for (block, out) in blocks {
                    out.fill(b.base_score);
                    self.forest.add_predictions_block(&b.trees, block, n, out);
                }
            }
            _ => {
                for i in 0..n_rows {
                    out[i] = self.raw_unchecked(&rows[i * n..(i + 1) * n]);
                }
            }
        }
        Ok(())
    }

    /// Probabilities of default of a row-major matrix into `out`.
    pub fn predict_probability_batch(&self, rows: &[f64], out: &mut [f64]) -> Result<()> {
        self.predict_raw_batch(rows, out)?;
        for o in out.iter_mut() {
            *o = self.probability(*o);
        }
        Ok(())
    }

    fn check_batch(&self, rows: &[f64], out: &[f64]) -> Result<usize> {
        let n = self.n_features();
        let n_rows = match n {
            0 if rows.is_empty() => out.len(),
            0 => usize::MAX,
            _ => rows.len() / n,
        };
        if n_rows == usize::MAX || n_rows * n != rows.len() {
            return Err(Error::RaggedBatch {
                len: rows.len(),
                n_features: n,
            });
        }
        if out.len() != n_rows {
            return Err(Error::OutputLength {
                expected: n_rows,
                found: out.len(),
            });
        }
        Ok(n_rows)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logit_inverts_sigmoid() {
        assert_eq!(sigmoid(0.0), 0.5);
        assert_eq!(logit(0.5), 0.0);
        for x in [-30.0, -4.0, -0.3, 0.7, 5.0, 15.0] {
            assert!(
                (logit(sigmoid(x)) - x).abs() < 1e-8 * x.abs().max(1.0),
                "{x}"
            );
        }
        assert_eq!(Link::Logit.probability(1.25), sigmoid(1.25));
    }
}
