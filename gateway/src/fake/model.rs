//! The fake service's model and population: a linear model whose
//! contributions are `weight * (value - reference)`, so every number on a
//! page can be worked out by hand in a test.

use std::collections::HashMap;

use scoring_proto::scoring::v1::{self as pb, ComparisonOperator, Decision, FeatureKind, Strategy};

/// The client whose values are set by hand: probability of default ≈ 0.47,
/// refused under PRUDENT (0.30), accepted under NORMAL (0.50) and AGGRESSIVE.
pub const KNOWN_CLIENT: i64 = 100002;
/// The live version.
pub const LIVE: &str = "v2";
/// Published versions, newest first.
pub const VERSIONS: &[&str] = &["v2", "v1"];
/// The model's base value (log-odds).
pub const BASE: f64 = -0.7;
/// PRUDENT, NORMAL and AGGRESSIVE thresholds.
pub const THRESHOLDS: [(Strategy, f64); 3] = [
    (Strategy::Prudent, 0.30),
    (Strategy::Normal, 0.50),
    (Strategy::Aggressive, 0.70),
];

/// (name, description, weight, reference, spread, value of [`KNOWN_CLIENT`]).
#[rustfmt::skip]
pub const FEATURES: &[(&str, &str, f64, f64, f64, f64)] = &[
    ("EXT_SOURCE_2", "Normalised score from external source 2", -2.0, 0.5, 0.2, 0.3),
    ("EXT_SOURCE_3", "Normalised score from external source 3", -1.5, 0.5, 0.2, 0.6),
    ("DAYS_BIRTH", "Age in days at application (negative)", 0.00005, -15000.0, 4000.0, -12000.0),
    ("AMT_CREDIT", "Credit amount of the loan", 0.000001, 500000.0, 200000.0, 400000.0),
    ("AMT_ANNUITY", "Loan annuity", 0.00002, 25000.0, 8000.0, 24000.0),
    ("DAYS_EMPLOYED", "Days employed before the application (negative)", 0.0001, -2000.0, 1500.0, -1000.0),
    ("CODE_GENDER", "Applicant is a man (1) or a woman (0)", 0.2, 0.5, 0.5, 1.0),
    ("PAYMENT_RATE", "Annuity as a share of the credit", 10.0, 0.05, 0.02, 0.06),
    ("AMT_INCOME_TOTAL", "Income of the applicant", -0.000001, 170000.0, 60000.0, 150000.0),
    ("OWN_CAR_AGE", "Age of the applicant's car", 0.01, 10.0, 5.0, 12.0),
    ("INSTAL_DPD_MEAN", "Mean days past due on previous instalments", 0.05, 1.0, 1.0, 1.5),
    ("ANNUITY_INCOME_PERC", "Annuity as a share of income", 1.0, 0.18, 0.08, 0.16),
];

/// Position of a feature by name.
pub fn index(name: &str) -> Option<usize> {
    FEATURES.iter().position(|f| f.0 == name)
}

/// The logistic function.
pub fn sigmoid(raw: f64) -> f64 {
    1.0 / (1.0 + (-raw).exp())
}

/// A strategy's threshold (NORMAL for UNSPECIFIED).
pub fn threshold(strategy: Strategy) -> f64 {
    THRESHOLDS
        .iter()
        .find(|t| t.0 == strategy)
        .map_or(0.5, |t| t.1)
}

/// Per-feature contributions; a missing value contributes nothing.
pub fn contributions(values: &[Option<f64>]) -> Vec<f64> {
    FEATURES
        .iter()
        .zip(values)
        .map(|(f, v)| v.map_or(0.0, |v| f.2 * (v - f.3)))
        .collect()
}

/// `x op value`.
pub fn compare(x: f64, op: ComparisonOperator, value: f64) -> bool {
    match op {
        ComparisonOperator::Equal => x == value,
        ComparisonOperator::NotEqual => x != value,
        ComparisonOperator::Less => x < value,
        ComparisonOperator::LessOrEqual => x <= value,
        ComparisonOperator::Greater => x > value,
        ComparisonOperator::GreaterOrEqual => x >= value,
        ComparisonOperator::Unspecified => false,
    }
}

/// `n` clients from 100001 with values spread around the references (a
/// fixed linear congruential sequence, so the same every run), one in
/// seven missing OWN_CAR_AGE.
pub fn population(n: usize) -> Vec<(i64, Vec<Option<f64>>)> {
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = move || {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((state >> 11) as f64 / (1u64 << 53) as f64) * 2.0 - 1.0
    };
    (0..n)
        .map(|i| {
            let id = 100_001 + i as i64;
            let values = FEATURES
                .iter()
                .enumerate()
                .map(|(j, f)| {
                    if id == KNOWN_CLIENT {
                        Some(f.5)
                    } else if f.0 == "OWN_CAR_AGE" && i % 7 == 3 {
                        None
                    } else if f.0 == "CODE_GENDER" {
                        Some(if next() > 0.0 { 1.0 } else { 0.0 })
                    } else {
                        let v = f.3 + 1.5 * f.4 * next();
                        Some(if j < 2 {
                            v.clamp(0.0, 1.0)
                        } else {
                            (v * 1000.0).round() / 1000.0
                        })
                    }
                })
                .collect();
            (id, values)
        })
        .collect()
}

/// A client's line in a list: probability and decision under NORMAL.
pub fn summary(id: i64, values: &[Option<f64>]) -> pb::ClientSummary {
    let p = sigmoid(BASE + contributions(values).iter().sum::<f64>());
    let decision = if p >= threshold(Strategy::Normal) {
        Decision::Refuse
    } else {
        Decision::Accept
    };
    pb::ClientSummary {
        client_id: id,
        probability_of_default: p,
        decision: decision as i32,
    }
}

/// Feature indices by decreasing |weight| × spread.
pub fn importance_order() -> Vec<usize> {
    let mut order: Vec<usize> = (0..FEATURES.len()).collect();
    order.sort_by(|a, b| {
        (FEATURES[*b].2 * FEATURES[*b].4)
            .abs()
            .total_cmp(&(FEATURES[*a].2 * FEATURES[*a].4).abs())
    });
    order
}

/// Scaled Euclidean distance on `idx`; a missing side counts as 3 spreads.
pub fn distance(a: &[Option<f64>], b: &[Option<f64>], idx: &[usize]) -> f64 {
    idx.iter()
        .map(|i| match (a[*i], b[*i]) {
            (Some(x), Some(y)) => ((x - y) / FEATURES[*i].4).powi(2),
            _ => 9.0,
        })
        .sum::<f64>()
        .sqrt()
}

/// The values of `idx` as a FeatureValues (missing ones left out).
pub fn pick(values: &[Option<f64>], idx: &[usize]) -> pb::FeatureValues {
    let values: HashMap<String, f64> = idx
        .iter()
        .filter_map(|i| values[*i].map(|v| (FEATURES[*i].0.to_owned(), v)))
        .collect();
    pb::FeatureValues { values }
}

/// A histogram of `values` in `bins` equal bins.
pub fn histogram(values: &[f64], bins: usize, missing: u64) -> pb::Histogram {
    let lo = values.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if !lo.is_finite() {
        return pb::Histogram {
            bin_edges: vec![],
            counts: vec![],
            missing_count: missing,
        };
    }
    let width = if hi > lo {
        (hi - lo) / bins as f64
    } else {
        1.0
    };
    let bin_edges = (0..=bins).map(|i| lo + width * i as f64).collect();
    let mut counts = vec![0u64; bins];
    for v in values {
        let b = (((v - lo) / width) as usize).min(bins - 1);
        counts[b] += 1;
    }
    pb::Histogram {
        bin_edges,
        counts,
        missing_count: missing,
    }
}

/// The spec of feature `i`.
pub fn spec(i: usize) -> pb::FeatureSpec {
    let f = FEATURES[i];
    pb::FeatureSpec {
        name: f.0.into(),
        kind: if f.0 == "CODE_GENDER" {
            FeatureKind::Indicator
        } else {
            FeatureKind::Numeric
        } as i32,
        source_table: "application".into(),
        source_column: f.0.into(),
        aggregation: "none".into(),
        category: None,
        description: f.1.into(),
    }
}

/// The manifest of `version`.
pub fn info(version: &str) -> pb::ModelInfo {
    pb::ModelInfo {
        version: version.into(),
        aliases: if version == LIVE {
            vec!["live".into()]
        } else {
            vec![]
        },
        created_at: Some(prost_types::Timestamp {
            seconds: 1_764_000_000,
            nanos: 0,
        }),
        code_version: "abc1234".into(),
        data_fingerprint: "sha256:feed".into(),
        metrics: Some(pb::ModelMetrics {
            evaluation: "test split, 30%".into(),
            roc_auc: Some(0.78),
            pr_auc: Some(0.27),
            log_loss: Some(0.25),
            brier_score: Some(0.07),
            ks: Some(0.42),
            other: HashMap::new(),
        }),
        default_strategy: Strategy::Normal as i32,
        thresholds: THRESHOLDS
            .iter()
            .map(|(s, t)| pb::StrategyThreshold {
                strategy: *s as i32,
                threshold: *t,
                expected_cost: Some(0.1 + (t - 0.5).powi(2)),
                acceptance_rate: Some(0.5 + t / 2.0),
            })
            .collect(),
        cost: Some(pb::CostParameters {
            false_negative_cost: 10.0,
            false_positive_cost: 1.0,
            unit: "share of AMT_CREDIT".into(),
        }),
        features: (0..FEATURES.len()).map(spec).collect(),
        schema_hash: "0123abcd".into(),
    }
}

/// The published report.
pub fn report() -> pb::ModelReport {
    pb::ModelReport {
        evaluation: "test split, 30%".into(),
        model_kind: "lightgbm".into(),
        cost_curve: (1..20)
            .map(|i| {
                let t = i as f64 / 20.0;
                pb::CostCurvePoint { threshold: t, cost_per_client: 0.1 + (t - 0.5).powi(2), acceptance_rate: 0.5 + t / 2.0 }
            })
            .collect(),
        strategy_rule: "prudent and aggressive: cost within 5% of the minimum".into(),
        confusion: THRESHOLDS
            .iter()
            .map(|(s, t)| pb::StrategyConfusion {
                strategy: *s as i32,
                threshold: *t,
                true_positive: (100.0 * (1.0 - t)) as u64,
                false_positive: (400.0 * (1.0 - t)) as u64,
                true_negative: (400.0 * t) as u64 + 500,
                false_negative: (100.0 * t) as u64,
            })
            .collect(),
        calibration_method: "isotonic".into(),
        ece_uncalibrated: 0.05,
        ece: 0.01,
        calibration_curve: [(0.02, 0.018, 600), (0.06, 0.065, 250), (0.15, 0.13, 120), (0.35, 0.4, 30)]
            .into_iter()
            .map(|(mean_predicted, observed_default_rate, count)| pb::CalibrationBin {
                mean_predicted,
                observed_default_rate,
                count,
            })
            .collect(),
        importance: importance_order()
            .into_iter()
            .map(|i| pb::FeatureImportance {
                feature: FEATURES[i].0.into(),
                description: FEATURES[i].1.into(),
                mean_abs_contribution: (FEATURES[i].2 * FEATURES[i].4).abs(),
            })
            .collect(),
        candidates: vec![
            pb::CandidateModel { model_kind: "lightgbm".into(), published: true, metrics: HashMap::from([("roc_auc".into(), 0.78)]) },
            pb::CandidateModel { model_kind: "logistic".into(), published: false, metrics: HashMap::from([("roc_auc".into(), 0.74)]) },
        ],
        model_card_markdown: "# Model card\n\nGradient-boosted trees.\n\n<script>alert('x')</script>\n\n- **Use**: loan decisions\n".into(),
    }
}
