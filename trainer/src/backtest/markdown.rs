//! The Markdown rendering of a backtest (`backtest.md`), one section per
//! version, for people reading the registry or a review.

use std::fmt::Write;

use scoring_core::backtest::{Backtest, Estimate};

fn percent(e: &Estimate) -> String {
    format!(
        "{:.2} % [{:.2}, {:.2}]",
        e.estimate * 100.0,
        e.low * 100.0,
        e.high * 100.0
    )
}

fn plain(e: &Estimate) -> String {
    format!("{:.4} [{:.4}, {:.4}]", e.estimate, e.low, e.high)
}

/// One version's section.
pub fn version_markdown(b: &Backtest) -> String {
    let mut out = String::new();
    // Writing into a String cannot fail.
    let _ = write_section(&mut out, b);
    out
}

fn write_section(out: &mut String, b: &Backtest) -> std::fmt::Result {
    writeln!(out, "## Backtest of model version {}\n", b.model_version)?;
    writeln!(
        out,
        "Computed {} on {} clients ({} defaulted), decided from {} to {}.\n",
        b.created_at, b.clients, b.defaulters, b.first_decision, b.last_decision
    )?;
    writeln!(out, "Decisions: {}\n", b.decision_rule)?;
    writeln!(
        out,
        "Thresholds from the {}. Realized ROC AUC: {} (95 % intervals throughout).\n",
        b.thresholds_source,
        plain(&b.roc_auc)
    )?;
    writeln!(
        out,
        "Business cost per client: a repaid loan earns {} and a default loses {} of the credit \
         ({}); negative is a profit.\n",
        b.cost.interest_rate, b.cost.loss_given_default, b.cost.credit
    )?;
    writeln!(
        out,
        "| strategy | threshold | accepted | acceptance rate | default rate among accepted | cost per client |"
    )?;
    writeln!(out, "| --- | --- | --- | --- | --- | --- |")?;
    for s in &b.strategies {
        let default_rate = s
            .default_rate_among_accepted
            .as_ref()
            .map_or_else(|| "none accepted".to_owned(), percent);
        writeln!(
            out,
            "| {} | {:.4} | {} | {} | {} | {} |",
            s.strategy,
            s.threshold,
            s.accepted,
            percent(&s.acceptance_rate),
            default_rate,
            plain(&s.cost_per_client)
        )?;
    }
    writeln!(
        out,
        "\nCalibration (equal-count bins, observed rate with its Wilson interval):\n"
    )?;
    writeln!(out, "| clients | mean predicted | observed |")?;
    writeln!(out, "| --- | --- | --- |")?;
    for bin in &b.calibration {
        let observed = Estimate {
            estimate: bin.observed_rate,
            low: bin.observed_low,
            high: bin.observed_high,
        };
        writeln!(
            out,
            "| {} | {:.2} % | {} |",
            bin.count,
            bin.mean_predicted * 100.0,
            percent(&observed)
        )?;
    }
    Ok(())
}
