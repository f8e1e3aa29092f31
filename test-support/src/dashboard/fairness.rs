//! The fairness section of the dashboard model's report: declared test
//! data as the trainer would write it (two genders, one of them flagged at
//! the prudent strategy, and the effect of excluding gender), so that the
//! model page shows the table and its flagged ratio.

use scoring_core::Strategy;
use scoring_core::backtest::Estimate;
use scoring_core::report::{
    ExclusionEffect, FairnessAttribute, FairnessGroup, FairnessReport, GroupStrategy,
};

use crate::published::THRESHOLDS;

/// The group flagged at the prudent strategy.
pub const FLAGGED_GROUP: &str = "M";

fn around(estimate: f64, half: f64) -> Estimate {
    Estimate {
        estimate,
        low: estimate - half,
        high: estimate + half,
    }
}

/// One gender's group: acceptance rates per strategy, the reference's first.
fn group(name: &str, clients: u64, acceptance: [f64; 3], reference: [f64; 3]) -> FairnessGroup {
    FairnessGroup {
        group: name.to_owned(),
        clients,
        defaulters: clients / 3,
        mean_probability: 0.34,
        observed_default_rate: 0.33,
        roc_auc: Some(around(0.7, 0.05)),
        strategies: Strategy::ALL
            .into_iter()
            .enumerate()
            .map(|(s, strategy)| {
                let ratio = acceptance[s] / reference[s];
                GroupStrategy {
                    strategy,
                    threshold: THRESHOLDS.get(strategy),
                    reference_group: "F".to_owned(),
                    accepted: (acceptance[s] * clients as f64).round() as u64,
                    acceptance_rate: around(acceptance[s], 0.05),
                    default_rate_among_accepted: Some(around(0.2, 0.04)),
                    adverse_impact_ratio: Some(around(ratio, 0.1)),
                    flagged: ratio < scoring_core::report::FOUR_FIFTHS,
                }
            })
            .collect(),
    }
}

/// The fairness section every dashboard version publishes.
pub fn fairness() -> FairnessReport {
    let reference = [0.5, 0.7, 0.9];
    FairnessReport {
        method: "declared test data".to_owned(),
        excluded_columns: Vec::new(),
        attributes: vec![FairnessAttribute {
            attribute: "gender".to_owned(),
            source_column: "CODE_GENDER".to_owned(),
            groups: vec![
                group("F", 180, reference, reference),
                group(FLAGGED_GROUP, 120, [0.35, 0.63, 0.88], reference),
            ],
        }],
        gender_exclusion: Some(ExclusionEffect {
            features: vec!["CODE_GENDER".to_owned()],
            roc_auc_published: 0.71,
            roc_auc_without: 0.7,
            roc_auc_difference: around(0.01, 0.01),
            cost_per_client_published: -0.02,
            cost_per_client_without: -0.019,
            cost_difference: around(0.001, 0.002),
        }),
        exclusion_note: "declared test data".to_owned(),
    }
}
