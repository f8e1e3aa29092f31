//! The model card: one Markdown page a model-risk reviewer can read without
//! the code, written from the same numbers as `report.json`.

use std::fmt::Write as _;

use scoring_core::report::ModelReport;
use scoring_core::{Release, Strategy};

/// What the card needs besides the report.
#[derive(Debug, Clone)]
pub(super) struct CardContext<'a> {
    pub release: &'a Release,
    pub report: &'a ModelReport,
    pub data_description: String,
    pub parameters: String,
    pub feature_count: usize,
}

fn metric(report: &ModelReport, name: &str) -> String {
    report
        .metrics
        .get(name)
        .map_or_else(|| "n/a".to_owned(), |v| format!("{v:.4}"))
}

/// Renders the card.
pub(super) fn render(ctx: &CardContext<'_>) -> String {
    let (release, report) = (ctx.release, ctx.report);
    let mut md = String::new();
    let _ = writeln!(md, "# Model card: {}\n", release.model_version);
    let _ = writeln!(
        md,
        "Probability-of-default model for consumer-credit applications, published {} by trainer {}.\n",
        release.created_at, release.code_version
    );
    let _ = writeln!(md, "## Data\n\n{}\n", ctx.data_description);
    let _ = writeln!(
        md,
        "Training data fingerprint: `{}`. Features: {}.\n",
        release.training_data_fingerprint, ctx.feature_count
    );
    let _ = writeln!(
        md,
        "## Model and parameters\n\nKind: **{}**.\n\n```json\n{}\n```\n",
        report.model_kind, ctx.parameters
    );
    let _ = writeln!(md, "## Performance ({})\n", report.evaluation);
    let _ = writeln!(md, "| measure | value |\n|---|---|");
    for name in [
        "roc_auc",
        "pr_auc",
        "ks",
        "brier",
        "log_loss",
        "f1",
        "mcc",
        "ece",
        "cost_per_client",
    ] {
        let _ = writeln!(md, "| {name} | {} |", metric(report, name));
    }
    for (name, value) in report
        .metrics
        .iter()
        .filter(|(k, _)| k.starts_with("cv_") || k.starts_with("true_pd"))
    {
        let _ = writeln!(md, "| {name} | {value:.4} |");
    }
    let _ = writeln!(
        md,
        "\nF1 and MCC are at the normal threshold. Calibration: {} (ECE {:.4} before, {:.4} after).\n",
        report.calibration.method, report.calibration.ece_uncalibrated, report.calibration.ece
    );
    if !report.candidates.is_empty() {
        let _ = writeln!(
            md,
            "### Compared models (same split)\n\n| model | ROC AUC | PR AUC | Brier | published |\n|---|---|---|---|---|"
        );
        for c in &report.candidates {
            let get = |k: &str| {
                c.metrics
                    .get(k)
                    .map_or("n/a".to_owned(), |v| format!("{v:.4}"))
            };
            let _ = writeln!(
                md,
                "| {} | {} | {} | {} | {} |",
                c.model_kind,
                get("roc_auc"),
                get("pr_auc"),
                get("brier"),
                if c.published { "yes" } else { "" }
            );
        }
        md.push('\n');
    }
    let _ = writeln!(md, "## Business cost and thresholds\n");
    let _ = writeln!(
        md,
        "Per client: accepting a good payer gains {:.1}% of AMT_CREDIT, accepting a defaulter loses {:.1}% of it, refusing costs nothing. {}\n",
        report.cost.gain_rate_good * 100.0,
        report.cost.loss_rate_default * 100.0,
        report.cost.strategy_rule
    );
    let _ = writeln!(
        md,
        "| strategy | threshold | refused defaulters | refused good payers | accepted defaulters |\n|---|---|---|---|---|"
    );
    for c in &report.confusion {
        let _ = writeln!(
            md,
            "| {} | {:.3} | {} | {} | {} |",
            c.strategy, c.threshold, c.true_positive, c.false_positive, c.false_negative
        );
    }
    let normal = release.thresholds.get(Strategy::Normal);
    if let Some(point) = report.cost.curve.iter().min_by(|a, b| {
        (a.threshold - normal)
            .abs()
            .total_cmp(&(b.threshold - normal).abs())
    }) {
        let _ = writeln!(
            md,
            "\nAt the normal threshold the cost is {:.4} × AMT_CREDIT per client and {:.1}% of clients are accepted.\n",
            point.cost_per_client,
            point.acceptance_rate * 100.0
        );
    }
    let _ = writeln!(
        md,
        "## Most important features (mean |SHAP|, log-odds)\n\n| feature | importance |\n|---|---|"
    );
    for f in report.importance.iter().take(15) {
        let _ = writeln!(md, "| {} | {:.4} |", f.feature, f.mean_abs_contribution);
    }
    let _ = writeln!(md, "\n## Limitations\n");
    for line in [
        "Measured on one held-out split of the same population and period; performance on later applications must be watched (the published reference histograms are the drift baseline).",
        "The business cost uses fixed rates of AMT_CREDIT; actual losses depend on recoveries, fees and loan duration.",
        "Probabilities are calibrated on held-out clients; calibration degrades when the default rate moves.",
        "Explanations are exact TreeSHAP values of the model, not causal effects: a feature's contribution says what the model used, not what would change the outcome.",
        "Features the client cannot act on (external scores, age, gender) contribute to the score; review them for fairness before use in decisions.",
    ] {
        let _ = writeln!(md, "- {line}");
    }
    md
}
