//! The fairness section of the model card: one table per protected
//! attribute, a sentence per flagged ratio, the excluded columns and the
//! effect of excluding gender.

use std::fmt::Write as _;

use scoring_core::backtest::Estimate;
use scoring_core::report::{FOUR_FIFTHS, FairnessReport};

fn interval(e: &Estimate) -> String {
    format!("{:.4} [{:.4}, {:.4}]", e.estimate, e.low, e.high)
}

fn optional(e: Option<&Estimate>) -> String {
    e.map_or_else(|| "n/a".to_owned(), interval)
}

/// Appends the section to `md`.
pub(in crate::train) fn fairness_section(md: &mut String, report: &FairnessReport) {
    let _ = writeln!(md, "## Fairness by group\n\n{}\n", report.method);
    if report.excluded_columns.is_empty() {
        let _ = writeln!(md, "Excluded source columns: none.\n");
    } else {
        let _ = writeln!(
            md,
            "Excluded source columns (`--exclude-features`; every feature derived from them was left out of the inputs): {}.\n",
            report.excluded_columns.join(", ")
        );
    }
    let mut flagged = Vec::new();
    for attribute in &report.attributes {
        let _ = writeln!(
            md,
            "### By {} ({})\n\n| group | clients | defaulters | mean PD | observed default rate | ROC AUC [95%] | strategy | acceptance rate [95%] | default rate among accepted [95%] | ratio to the most favoured [95%] |\n|---|---|---|---|---|---|---|---|---|---|",
            attribute.attribute.replace('_', " "),
            attribute.source_column
        );
        for g in &attribute.groups {
            for (k, s) in g.strategies.iter().enumerate() {
                let first = k == 0;
                let cell = |text: String| if first { text } else { String::new() };
                let ratio = match &s.adverse_impact_ratio {
                    Some(r) if s.flagged => format!("**{}** (flagged)", interval(r)),
                    Some(r) => interval(r),
                    None => "n/a".to_owned(),
                };
                let _ = writeln!(
                    md,
                    "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
                    cell(g.group.clone()),
                    cell(g.clients.to_string()),
                    cell(g.defaulters.to_string()),
                    cell(format!("{:.4}", g.mean_probability)),
                    cell(format!("{:.4}", g.observed_default_rate)),
                    cell(optional(g.roc_auc.as_ref())),
                    s.strategy,
                    interval(&s.acceptance_rate),
                    optional(s.default_rate_among_accepted.as_ref()),
                    ratio,
                );
                if let (true, Some(ratio)) = (s.flagged, &s.adverse_impact_ratio) {
                    let favoured = attribute
                        .groups
                        .iter()
                        .find(|r| r.group == s.reference_group)
                        .and_then(|r| r.strategies.get(k))
                        .map_or(f64::NAN, |r| r.acceptance_rate.estimate);
                    flagged.push(format!(
                        "At the {} strategy, group {} ({}) is accepted at {:.1}% against {:.1}% for group {}: a ratio of {:.2} [{:.2}, {:.2}], below the four-fifths rule's {FOUR_FIFTHS}.",
                        s.strategy,
                        g.group,
                        attribute.attribute.replace('_', " "),
                        s.acceptance_rate.estimate * 100.0,
                        favoured * 100.0,
                        s.reference_group,
                        ratio.estimate,
                        ratio.low,
                        ratio.high,
                    ));
                }
            }
        }
        md.push('\n');
    }
    if flagged.is_empty() {
        let _ = writeln!(
            md,
            "No acceptance-rate ratio is below {FOUR_FIFTHS} (four-fifths rule).\n"
        );
    } else {
        for sentence in &flagged {
            let _ = writeln!(md, "- {sentence}");
        }
        md.push('\n');
    }
    let _ = writeln!(md, "### Excluding gender\n");
    if let Some(e) = &report.gender_exclusion {
        let _ = writeln!(
            md,
            "| model | ROC AUC | cost per client at the normal threshold |\n|---|---|---|\n| published | {:.4} | {:.4} |\n| without gender | {:.4} | {:.4} |\n| difference [95%] | {} (published minus without) | {} (without minus published) |\n",
            e.roc_auc_published,
            e.cost_per_client_published,
            e.roc_auc_without,
            e.cost_per_client_without,
            interval(&e.roc_auc_difference),
            interval(&e.cost_difference),
        );
    }
    let _ = writeln!(md, "{}\n", report.exclusion_note);
}

#[cfg(test)]
mod tests {
    use scoring_core::Strategy;
    use scoring_core::report::{FairnessAttribute, FairnessGroup, GroupStrategy};

    use super::*;

    fn group(name: &str, acceptance: f64, ratio: f64) -> FairnessGroup {
        let point = |v: f64| Estimate {
            estimate: v,
            low: v - 0.05,
            high: v + 0.05,
        };
        FairnessGroup {
            group: name.to_owned(),
            clients: 100,
            defaulters: 8,
            mean_probability: 0.08,
            observed_default_rate: 0.08,
            roc_auc: None,
            strategies: vec![GroupStrategy {
                strategy: Strategy::Normal,
                threshold: 0.06,
                reference_group: "F".to_owned(),
                accepted: (acceptance * 100.0) as u64,
                acceptance_rate: point(acceptance),
                default_rate_among_accepted: None,
                adverse_impact_ratio: Some(point(ratio)),
                flagged: ratio < FOUR_FIFTHS,
            }],
        }
    }

    #[test]
    fn a_flagged_ratio_gets_a_sentence_naming_both_groups() {
        let report = FairnessReport {
            method: "method".to_owned(),
            excluded_columns: vec!["CODE_GENDER".to_owned()],
            attributes: vec![FairnessAttribute {
                attribute: "gender".to_owned(),
                source_column: "CODE_GENDER".to_owned(),
                groups: vec![group("F", 0.9, 1.0), group("M", 0.63, 0.7)],
            }],
            gender_exclusion: None,
            exclusion_note: "CODE_GENDER is excluded".to_owned(),
        };
        let mut md = String::new();
        fairness_section(&mut md, &report);
        assert!(
            md.contains("At the normal strategy, group M (gender) is accepted at 63.0% against 90.0% for group F: a ratio of 0.70 [0.65, 0.75], below the four-fifths rule's 0.8."),
            "{md}"
        );
        assert!(md.contains("**0.7000 [0.6500, 0.7500]** (flagged)"), "{md}");
        assert_eq!(md.matches("(flagged)").count(), 1, "{md}");
        assert!(md.contains("Excluded source columns (`--exclude-features`"));
        assert!(md.contains("CODE_GENDER is excluded"));
    }
}
