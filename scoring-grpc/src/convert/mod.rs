//! Conversions between the wire messages and scoring-core's types, naming
//! every field so that a new proto field breaks the build until someone
//! decides what it means. Loan applications have their own module,
//! [`application`], published backtests and drift theirs.

pub mod application;
mod backtest;
pub mod drift;
mod fairness;

pub use backtest::backtest_to_wire;

use std::str::FromStr;

use scoring_core::report::{CostPoint, ModelReport};
use scoring_core::schema::CategoryVocabulary;
use scoring_core::wording::Bilingual;
use scoring_core::{
    FeatureKind, FeatureSchema, FeatureSpec, Manifest, Outcome, ReasonCode, ReasonPolicy, Strategy,
};

use crate::error::ServiceError;
use crate::state::DEFAULT_STRATEGY;
use scoring_proto::scoring::v1 as pb;

/// A request's strategy field: UNSPECIFIED is the default strategy; a
/// number outside the enum is refused naming `field`.
pub fn strategy_from_wire(value: i32, field: &str) -> Result<Strategy, ServiceError> {
    match pb::Strategy::try_from(value) {
        Ok(pb::Strategy::Unspecified) => Ok(DEFAULT_STRATEGY),
        Ok(pb::Strategy::Prudent) => Ok(Strategy::Prudent),
        Ok(pb::Strategy::Normal) => Ok(Strategy::Normal),
        Ok(pb::Strategy::Aggressive) => Ok(Strategy::Aggressive),
        Err(_) => Err(ServiceError::invalid(
            field,
            format!("{value} is not a Strategy value"),
        )),
    }
}

/// A request's reason policy: UNSPECIFIED is the server's default
/// (reasons for refusals only); a number outside the enum is refused naming
/// `field`.
pub fn reason_policy_from_wire(value: i32, field: &str) -> Result<ReasonPolicy, ServiceError> {
    match pb::ReasonPolicy::try_from(value) {
        Ok(pb::ReasonPolicy::Unspecified) => Ok(ReasonPolicy::default()),
        Ok(pb::ReasonPolicy::Always) => Ok(ReasonPolicy::Always),
        Ok(pb::ReasonPolicy::ForRefusals) => Ok(ReasonPolicy::ForRefusals),
        Ok(pb::ReasonPolicy::Never) => Ok(ReasonPolicy::Never),
        Err(_) => Err(ServiceError::invalid(
            field,
            format!("{value} is not a ReasonPolicy value"),
        )),
    }
}

/// A scoring-core value in its wire form. (The domain and the wire types
/// live in two other crates, so this is a trait of ours rather than `From`.)
pub trait ToWire {
    /// The wire message or enum.
    type Wire;
    /// The wire form of `self`.
    fn to_wire(&self) -> Self::Wire;
}

impl ToWire for Strategy {
    type Wire = pb::Strategy;
    fn to_wire(&self) -> pb::Strategy {
        match self {
            Strategy::Prudent => pb::Strategy::Prudent,
            Strategy::Normal => pb::Strategy::Normal,
            Strategy::Aggressive => pb::Strategy::Aggressive,
        }
    }
}

impl ToWire for Outcome {
    type Wire = pb::Decision;
    fn to_wire(&self) -> pb::Decision {
        match self {
            Outcome::Accept => pb::Decision::Accept,
            Outcome::Refuse => pb::Decision::Refuse,
        }
    }
}

impl ToWire for FeatureKind {
    type Wire = pb::FeatureKind;
    fn to_wire(&self) -> pb::FeatureKind {
        match self {
            FeatureKind::Numeric => pb::FeatureKind::Numeric,
            FeatureKind::Indicator => pb::FeatureKind::Indicator,
            FeatureKind::CategoryCode => pb::FeatureKind::CategoryCode,
        }
    }
}

impl ToWire for FeatureSpec {
    type Wire = pb::FeatureSpec;
    fn to_wire(&self) -> pb::FeatureSpec {
        let FeatureSpec {
            name,
            kind,
            source_table,
            source_column,
            aggregation,
            category,
            description,
        } = self;
        pb::FeatureSpec {
            name: name.clone(),
            kind: kind.to_wire().into(),
            source_table: source_table.clone(),
            source_column: source_column.clone(),
            aggregation: aggregation.clone(),
            category: category.clone(),
            description: description.clone(),
            // Set from the model's column policy and the wording catalogue
            // by the caller, which has them.
            actionable: false,
            protected_attribute: false,
            description_fr: String::new(),
        }
    }
}

/// A reason code with the feature's English label.
pub fn reason_to_wire(reason: &ReasonCode, description: &str) -> pb::ReasonCode {
    let ReasonCode {
        feature,
        value,
        contribution,
        text,
        text_fr,
    } = reason;
    pb::ReasonCode {
        feature: feature.clone(),
        description: description.to_owned(),
        contribution: *contribution,
        value: *value,
        reason: text.clone(),
        reason_fr: text_fr.clone(),
    }
}

/// Metric names of the manifest that have a typed field.
fn typed_metric(metrics: &mut pb::ModelMetrics, name: &str, value: f64) -> bool {
    let bare = name.strip_prefix("test_").unwrap_or(name);
    let slot = match bare {
        "roc_auc" => &mut metrics.roc_auc,
        "pr_auc" => &mut metrics.pr_auc,
        "log_loss" => &mut metrics.log_loss,
        "brier" | "brier_score" => &mut metrics.brier_score,
        "ks" => &mut metrics.ks,
        _ => return false,
    };
    *slot = Some(value);
    true
}

/// The training-time measure of `threshold` on the report's cost curve.
fn nearest_point(report: Option<&ModelReport>, threshold: f64) -> Option<CostPoint> {
    report?
        .cost
        .curve
        .iter()
        .min_by(|a, b| {
            (a.threshold - threshold)
                .abs()
                .total_cmp(&(b.threshold - threshold).abs())
        })
        .copied()
}

/// ModelInfo from a manifest; `features` is empty when `specs` is.
pub fn model_info(
    manifest: &Manifest,
    aliases: Vec<String>,
    specs: &[FeatureSpec],
    report: Option<&ModelReport>,
) -> pb::ModelInfo {
    let Manifest {
        format_version: _,
        model_version,
        created_at,
        code_version,
        training_data_fingerprint,
        training_parameters: _,
        metrics,
        thresholds,
        feature_schema_sha256,
        files: _,
        points_scale,
    } = manifest;
    let mut typed = pb::ModelMetrics {
        evaluation: report.map(|r| r.evaluation.clone()).unwrap_or_default(),
        ..Default::default()
    };
    for (name, &value) in metrics {
        if !typed_metric(&mut typed, name, value) {
            typed.other.insert(name.clone(), value);
        }
    }
    let thresholds = Strategy::ALL
        .into_iter()
        .map(|strategy| {
            let threshold = thresholds.get(strategy);
            let point = nearest_point(report, threshold);
            pb::StrategyThreshold {
                strategy: strategy.to_wire().into(),
                threshold,
                expected_cost: point.map(|p| p.cost_per_client),
                acceptance_rate: point.map(|p| p.acceptance_rate),
            }
        })
        .collect();
    pb::ModelInfo {
        version: model_version.clone(),
        aliases,
        created_at: prost_types::Timestamp::from_str(created_at).ok(),
        code_version: code_version.clone(),
        data_fingerprint: training_data_fingerprint.clone(),
        metrics: Some(typed),
        default_strategy: DEFAULT_STRATEGY.to_wire().into(),
        thresholds,
        cost: report.map(|r| pb::CostParameters {
            false_negative_cost: r.cost.loss_rate_default,
            false_positive_cost: r.cost.gain_rate_good,
            unit: "share of AMT_CREDIT".to_owned(),
        }),
        features: specs.iter().map(ToWire::to_wire).collect(),
        schema_hash: feature_schema_sha256.clone(),
        // Set from the schema by the caller that has it, as the features.
        vocabularies: Vec::new(),
        points_scale: Some(pb::PointsScale {
            base_points: points_scale.base_points,
            base_odds: points_scale.base_odds,
            pdo: points_scale.pdo,
        }),
    }
}

impl ToWire for CategoryVocabulary {
    type Wire = pb::CategoryVocabulary;
    fn to_wire(&self) -> pb::CategoryVocabulary {
        let CategoryVocabulary {
            table,
            column,
            // The encoding is how the trainer turns a category into numbers;
            // a caller only needs the categories.
            encoding: _,
            values,
        } = self;
        pb::CategoryVocabulary {
            table: table.clone(),
            column: column.clone(),
            values: values.clone(),
        }
    }
}

/// The published report and model card; `None` when neither exists.
pub fn report_to_wire(
    report: Option<&ModelReport>,
    model_card: Option<&str>,
    schema: &FeatureSchema,
    labels: &[Bilingual],
) -> Option<pb::ModelReport> {
    let card = model_card.unwrap_or_default().to_owned();
    let Some(report) = report else {
        return model_card.map(|_| pb::ModelReport {
            model_card_markdown: card,
            ..Default::default()
        });
    };
    let ModelReport {
        evaluation,
        model_kind,
        metrics: _,
        cost,
        confusion,
        calibration,
        importance,
        candidates,
        fairness,
    } = report;
    let label = |feature: &str| {
        schema
            .position(feature)
            .and_then(|j| labels.get(j))
            .cloned()
            .unwrap_or_default()
    };
    Some(pb::ModelReport {
        evaluation: evaluation.clone(),
        model_kind: model_kind.clone(),
        cost_curve: cost
            .curve
            .iter()
            .map(|p| pb::CostCurvePoint {
                threshold: p.threshold,
                cost_per_client: p.cost_per_client,
                acceptance_rate: p.acceptance_rate,
            })
            .collect(),
        strategy_rule: cost.strategy_rule.clone(),
        confusion: confusion
            .iter()
            .map(|c| pb::StrategyConfusion {
                strategy: c.strategy.to_wire().into(),
                threshold: c.threshold,
                true_positive: c.true_positive,
                false_positive: c.false_positive,
                true_negative: c.true_negative,
                false_negative: c.false_negative,
            })
            .collect(),
        calibration_method: calibration.method.clone(),
        ece_uncalibrated: calibration.ece_uncalibrated,
        ece: calibration.ece,
        calibration_curve: calibration
            .bins
            .iter()
            .map(|b| pb::CalibrationBin {
                mean_predicted: b.mean_predicted,
                observed_default_rate: b.observed_default_rate,
                count: b.count,
            })
            .collect(),
        importance: importance
            .iter()
            .map(|i| {
                let Bilingual { en, fr } = label(&i.feature);
                pb::FeatureImportance {
                    feature: i.feature.clone(),
                    description: en,
                    mean_abs_contribution: i.mean_abs_contribution,
                    description_fr: fr,
                }
            })
            .collect(),
        candidates: candidates
            .iter()
            .map(|c| pb::CandidateModel {
                model_kind: c.model_kind.clone(),
                published: c.published,
                metrics: c.metrics.iter().map(|(k, v)| (k.clone(), *v)).collect(),
            })
            .collect(),
        model_card_markdown: card,
        fairness: Some(fairness::fairness_to_wire(fairness)),
    })
}
