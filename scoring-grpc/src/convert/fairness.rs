//! A published report's fairness section on the wire (GetModel's
//! `report.fairness`), naming every field.

use scoring_core::report::{
    ExclusionEffect, FairnessAttribute, FairnessGroup, FairnessReport, GroupStrategy,
};
use scoring_proto::scoring::v1 as pb;

use super::ToWire;
use super::backtest::estimate;

pub(super) fn fairness_to_wire(report: &FairnessReport) -> pb::FairnessReport {
    let FairnessReport {
        method,
        excluded_columns,
        attributes,
        gender_exclusion,
        exclusion_note,
    } = report;
    pb::FairnessReport {
        method: method.clone(),
        excluded_columns: excluded_columns.clone(),
        attributes: attributes.iter().map(attribute).collect(),
        gender_exclusion: gender_exclusion.as_ref().map(effect),
        exclusion_note: exclusion_note.clone(),
    }
}

fn attribute(a: &FairnessAttribute) -> pb::FairnessAttribute {
    let FairnessAttribute {
        attribute,
        source_column,
        groups,
    } = a;
    pb::FairnessAttribute {
        attribute: attribute.clone(),
        source_column: source_column.clone(),
        groups: groups.iter().map(group).collect(),
    }
}

fn group(g: &FairnessGroup) -> pb::FairnessGroup {
    let FairnessGroup {
        group,
        clients,
        defaulters,
        mean_probability,
        observed_default_rate,
        roc_auc,
        strategies,
    } = g;
    pb::FairnessGroup {
        group: group.clone(),
        clients: *clients,
        defaulters: *defaulters,
        mean_probability: *mean_probability,
        observed_default_rate: *observed_default_rate,
        roc_auc: roc_auc.as_ref().map(estimate),
        strategies: strategies.iter().map(strategy).collect(),
    }
}

fn strategy(s: &GroupStrategy) -> pb::GroupStrategy {
    let GroupStrategy {
        strategy,
        threshold,
        reference_group,
        accepted,
        acceptance_rate,
        default_rate_among_accepted,
        adverse_impact_ratio,
        flagged,
    } = s;
    pb::GroupStrategy {
        strategy: strategy.to_wire().into(),
        threshold: *threshold,
        reference_group: reference_group.clone(),
        accepted: *accepted,
        acceptance_rate: Some(estimate(acceptance_rate)),
        default_rate_among_accepted: default_rate_among_accepted.as_ref().map(estimate),
        adverse_impact_ratio: adverse_impact_ratio.as_ref().map(estimate),
        flagged: *flagged,
    }
}

fn effect(e: &ExclusionEffect) -> pb::ExclusionEffect {
    let ExclusionEffect {
        features,
        roc_auc_published,
        roc_auc_without,
        roc_auc_difference,
        cost_per_client_published,
        cost_per_client_without,
        cost_difference,
    } = e;
    pb::ExclusionEffect {
        features: features.clone(),
        roc_auc_published: *roc_auc_published,
        roc_auc_without: *roc_auc_without,
        roc_auc_difference: Some(estimate(roc_auc_difference)),
        cost_per_client_published: *cost_per_client_published,
        cost_per_client_without: *cost_per_client_without,
        cost_difference: Some(estimate(cost_difference)),
    }
}
