//! What is published beside each version of the dashboard's model: its
//! report and model card.
//!
//! The report is test data, as the trainer would have written it: its
//! measures, cost curve, confusion matrices and reliability diagram are
//! declared (figures of a weak but honest scorecard on 300 clients), not
//! computed here, since evaluating a model is the trainer's work and is
//! not written twice. What follows from the fixture's design is derived
//! from it: the acceptance rate at each threshold (the share of the
//! clients the version scores below it) and the global importance, each
//! feature's mean |contribution| over a population spread uniformly over
//! `centre ± 1.5 × spread`.

use std::collections::BTreeMap;

use scoring_core::Strategy;
use scoring_core::report::{
    CalibrationBin, CalibrationReport, CandidateSummary, CostPoint, CostReport, FeatureImportance,
    ModelReport, StrategyConfusion,
};

use super::{ADDED_IN_V2, FEATURES, N_CLIENTS, VERSIONS, model, population};
use scoring_core::FeatureKind;

/// The model card (Markdown; its raw HTML must show as text).
pub const MODEL_CARD: &str = "# Model card\n\n\
Gradient-boosted trees over twelve application features, one small tree \
per feature.\n\n<script>alert('x')</script>\n\n- **Use**: loan decisions\n";

/// A good payer's margin and a defaulter's loss, as shares of the credit.
pub(super) const GAIN: f64 = 0.2;
pub(super) const LOSS: f64 = 0.2;

/// `version`'s test measures (the manifest records them as `test_<name>`).
pub fn measures(version: &str) -> BTreeMap<String, f64> {
    let [roc_auc, ks, log_loss, brier] = match version {
        "v1" => [0.63, 0.26, 0.61, 0.208],
        _ => [0.65, 0.32, 0.60, 0.205],
    };
    BTreeMap::from([
        ("roc_auc".into(), roc_auc),
        ("ks".into(), ks),
        ("log_loss".into(), log_loss),
        ("brier".into(), brier),
    ])
}

/// The report of `version`; `v2`'s lists `v1`'s model among the
/// candidates it was chosen over.
pub fn report(version: &str) -> ModelReport {
    let candidate = |version: &str, published| CandidateSummary {
        model_kind: match version {
            "v1" => format!("lightgbm without {ADDED_IN_V2}"),
            _ => "lightgbm".into(),
        },
        published,
        metrics: BTreeMap::from([("roc_auc".into(), measures(version)["roc_auc"])]),
    };
    let older = VERSIONS.iter().take_while(|v| **v != version);
    ModelReport {
        evaluation: "test split, 30%".into(),
        model_kind: "lightgbm".into(),
        metrics: measures(version),
        cost: CostReport {
            gain_rate_good: GAIN,
            loss_rate_default: LOSS,
            strategy_rule: "fixed for the tests: 30 %, 50 % and 70 %".into(),
            curve: cost_curve(version),
        },
        confusion: [
            (Strategy::Prudent, [74, 103, 102, 21]),
            (Strategy::Normal, [12, 12, 193, 83]),
            (Strategy::Aggressive, [0, 0, 205, 95]),
        ]
        .map(|(strategy, [tp, fp, tn, fn_])| StrategyConfusion {
            strategy,
            threshold: crate::published::THRESHOLDS.get(strategy),
            true_positive: tp,
            false_positive: fp,
            true_negative: tn,
            false_negative: fn_,
        })
        .to_vec(),
        calibration: CalibrationReport {
            method: "none".into(),
            ece_uncalibrated: 0.058,
            ece: 0.058,
            bins: [
                (0.183, 0.2),
                (0.264, 0.133),
                (0.324, 0.367),
                (0.391, 0.433),
                (0.507, 0.45),
            ]
            .map(|(mean_predicted, observed_default_rate)| CalibrationBin {
                mean_predicted,
                observed_default_rate,
                count: (N_CLIENTS / 5) as u64,
            })
            .to_vec(),
        },
        importance: importance(version),
        candidates: std::iter::once(candidate(version, true))
            .chain(older.map(|v| candidate(v, false)))
            .collect(),
        fairness: super::fairness::fairness(),
    }
}

/// At thresholds 0.05, 0.10, ... 0.95: the share of the clients `version`
/// scores below (accepted), and the cost per client of accepting them when
/// a declared 5 % + 45 % × share² of the accepted default (the riskier
/// clients come in last): nothing when nobody is accepted, a profit in
/// between, nearly nothing again when everyone is.
fn cost_curve(version: &str) -> Vec<CostPoint> {
    let clients = population();
    let mut probabilities = vec![0.0; clients.len()];
    model(version)
        .predict_probability_batch(clients.values(), &mut probabilities)
        .expect("scores");
    (1..20)
        .map(|i| {
            let threshold = f64::from(i) / 20.0;
            let below = probabilities.iter().filter(|&&p| p < threshold).count();
            let accepted = below as f64 / clients.len() as f64;
            let defaulting = 0.05 + 0.45 * accepted * accepted;
            CostPoint {
                threshold,
                cost_per_client: accepted * (LOSS * defaulting - GAIN * (1.0 - defaulting)),
                acceptance_rate: accepted,
            }
        })
        .collect()
}

/// Each feature's mean |contribution| over the fixture's design population:
/// `|weight| × spread × 0.75` for a value uniform over `centre ± 1.5 ×
/// spread`, `|weight| / 2` for an indicator; nothing for a feature the
/// version has no tree for. Largest first.
fn importance(version: &str) -> Vec<FeatureImportance> {
    let mut importance: Vec<FeatureImportance> = FEATURES
        .iter()
        .map(|f| FeatureImportance {
            feature: f.name.into(),
            mean_abs_contribution: match f.kind {
                _ if version == "v1" && f.name == ADDED_IN_V2 => 0.0,
                FeatureKind::Indicator => f.weight.abs() / 2.0,
                _ => f.weight.abs() * f.spread * 0.75,
            },
        })
        .collect();
    importance.sort_by(|a, b| b.mean_abs_contribution.total_cmp(&a.mean_abs_contribution));
    importance
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_report_counts_the_fixture_s_clients() {
        for version in VERSIONS {
            let report = report(version);
            for c in &report.confusion {
                let total = c.true_positive + c.false_positive + c.true_negative + c.false_negative;
                assert_eq!(total, N_CLIENTS as u64, "{version} {:?}", c.strategy);
            }
            let binned: u64 = report.calibration.bins.iter().map(|b| b.count).sum();
            assert_eq!(binned, N_CLIENTS as u64);
            let accepted = |t: f64| {
                let point = report
                    .cost
                    .curve
                    .iter()
                    .find(|p| (p.threshold - t).abs() < 1e-9);
                point.expect("a threshold of the curve").acceptance_rate
            };
            assert!(accepted(0.3) < accepted(0.5) && accepted(0.5) <= accepted(0.7));
        }
        assert!(measures("v1")["roc_auc"] < measures(super::super::LIVE)["roc_auc"]);
    }
}
