//! The evidence published with a model (`report.json`): how it was
//! evaluated, the cost curve behind its thresholds, its calibration, its
//! global feature importance, the candidates it was chosen over and its
//! fairness by group ([`FairnessReport`]). The trainer fills it; the service and
//! the dashboard only read it.

mod fairness;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub use self::fairness::{
    ExclusionEffect, FOUR_FIFTHS, FairnessAttribute, FairnessGroup, FairnessReport, GroupStrategy,
};

/// File name of the report in a model artifact.
pub const REPORT_FILE: &str = "report.json";
/// File name of the Markdown model card in a model artifact.
pub const MODEL_CARD_FILE: &str = "model_card.md";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelReport {
    /// What the measures were computed on, e.g. "test split, 30%, 6,000 clients".
    pub evaluation: String,
    /// The kind of model (`lightgbm`, `logistic`, `decision_tree`).
    pub model_kind: String,
    /// Test-split measures: roc_auc, pr_auc, f1, mcc, ks, brier, log_loss,
    /// ece; plus cv_* measures of the hyperparameter search.
    pub metrics: BTreeMap<String, f64>,
    pub cost: CostReport,
    /// Confusion matrix at each strategy's threshold.
    pub confusion: Vec<StrategyConfusion>,
    pub calibration: CalibrationReport,
    /// Mean |SHAP| per feature over the test split, largest first.
    pub importance: Vec<FeatureImportance>,
    /// Every model kind trained in the same run, for comparison.
    pub candidates: Vec<CandidateSummary>,
    /// Acceptance, default and calibration by gender and age band; empty in
    /// reports published before it existed.
    #[serde(default)]
    pub fairness: FairnessReport,
}

/// The business cost per client: accepting a good payer gains
/// `gain_rate_good × AMT_CREDIT`, accepting a defaulter loses
/// `loss_rate_default × AMT_CREDIT`, refusing costs nothing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CostReport {
    pub gain_rate_good: f64,
    pub loss_rate_default: f64,
    /// How prudent and aggressive were derived from the cost curve.
    pub strategy_rule: String,
    pub curve: Vec<CostPoint>,
}

/// The portfolio outcome of refusing every client at or above `threshold`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct CostPoint {
    pub threshold: f64,
    /// Mean cost per client (negative: a profit).
    pub cost_per_client: f64,
    pub acceptance_rate: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StrategyConfusion {
    pub strategy: crate::Strategy,
    pub threshold: f64,
    /// Refused defaulters.
    pub true_positive: u64,
    /// Refused good payers.
    pub false_positive: u64,
    /// Accepted good payers.
    pub true_negative: u64,
    /// Accepted defaulters.
    pub false_negative: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CalibrationReport {
    /// `isotonic`, `platt` or `none`.
    pub method: String,
    /// Expected calibration error on the test split, before and after.
    pub ece_uncalibrated: f64,
    pub ece: f64,
    /// Reliability curve on the test split after calibration.
    pub bins: Vec<CalibrationBin>,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct CalibrationBin {
    pub mean_predicted: f64,
    pub observed_default_rate: f64,
    pub count: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeatureImportance {
    pub feature: String,
    pub mean_abs_contribution: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CandidateSummary {
    pub model_kind: String,
    /// Whether this candidate is the published model.
    pub published: bool,
    pub metrics: BTreeMap<String, f64>,
}
