//! The model card: one Markdown page a model-risk reviewer can read without
//! the code, written from the same numbers as `report.json`.

use std::fmt::Write as _;

use scoring_core::Release;
use scoring_core::report::ModelReport;

use crate::evaluation::QuantileBin;

/// What the card needs besides the report.
#[derive(Debug, Clone)]
pub(super) struct CardContext<'a> {
    pub release: &'a Release,
    pub report: &'a ModelReport,
    /// The published setting's reliability on PD deciles of the test split.
    pub deciles: &'a [QuantileBin],
    /// The imbalance treatment cross-validation chose (LightGBM only).
    pub setting: Option<String>,
    /// The `--monotone` directions as given.
    pub monotone: &'a [String],
    pub data_description: String,
    pub parameters: String,
    pub feature_count: usize,
}

/// `value [low, high]` from `name`, `name_low` and `name_high` of `metrics`.
fn with_interval(metrics: &std::collections::BTreeMap<String, f64>, name: &str) -> String {
    let get = |k: &str| metrics.get(k).copied();
    match (
        get(name),
        get(&format!("{name}_low")),
        get(&format!("{name}_high")),
    ) {
        (Some(v), Some(lo), Some(hi)) => format!("{v:.4} [{lo:.4}, {hi:.4}]"),
        (Some(v), _, _) => format!("{v:.4}"),
        _ => "n/a".to_owned(),
    }
}

/// The reliability table: one row per PD decile of the test split.
fn calibration_table(md: &mut String, deciles: &[QuantileBin]) {
    if deciles.is_empty() {
        return;
    }
    let _ = writeln!(
        md,
        "Reliability on PD deciles of the test split (observed default rate with its Wilson 95% interval):\n\n| decile | PD range | mean PD | observed [95%] | clients |\n|---|---|---|---|---|"
    );
    for (i, b) in deciles.iter().enumerate() {
        let _ = writeln!(
            md,
            "| {} | {:.4}–{:.4} | {:.4} | {:.4} [{:.4}, {:.4}] | {} |",
            i + 1,
            b.lowest,
            b.highest,
            b.mean_predicted,
            b.observed_rate,
            b.observed_low,
            b.observed_high,
            b.count
        );
    }
    md.push('\n');
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
        "## Model and parameters\n\nKind: **{}**.",
        report.model_kind
    );
    if let Some(setting) = &ctx.setting {
        let _ = writeln!(
            md,
            "Imbalance treatment chosen by cross-validation: {setting}."
        );
    }
    if !ctx.monotone.is_empty() {
        let _ = writeln!(
            md,
            "Monotone constraints (LightGBM; +1: the PD may only rise with the feature): {}.",
            ctx.monotone.join(", ")
        );
    }
    let _ = writeln!(md, "\n```json\n{}\n```\n", ctx.parameters);
    let _ = writeln!(md, "## Validation protocol\n\n{}\n", report.evaluation);
    let _ = writeln!(md, "## Performance on the test split\n");
    let _ = writeln!(md, "| measure | value [95% interval] |\n|---|---|");
    for name in [
        "roc_auc", "pr_auc", "ks", "brier", "log_loss", "f1", "mcc", "ece",
    ] {
        let _ = writeln!(md, "| {name} | {} |", with_interval(&report.metrics, name));
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
        "\nF1 and MCC are at the normal threshold. ECE on PD deciles (equal-count bins); resampling noise inflates it, so its interval may lie above it: the per-decile intervals below are the test of calibration. Calibration: {} (ECE {:.4} before, {:.4} after).\n",
        report.calibration.method, report.calibration.ece_uncalibrated, report.calibration.ece
    );
    calibration_table(&mut md, ctx.deciles);
    if !report.candidates.is_empty() {
        let _ = writeln!(
            md,
            "### Compared models (same split)\n\nGain of the published setting over each model, by paired bootstrap on the same resampled clients (ROC AUC: published minus model; Brier: model minus published; positive favours the published setting).\n\n| model | ROC AUC | PR AUC | Brier | ROC AUC gain [95%] | Brier gain [95%] | published |\n|---|---|---|---|---|---|---|"
        );
        for c in &report.candidates {
            let get = |k: &str| {
                c.metrics
                    .get(k)
                    .map_or("n/a".to_owned(), |v| format!("{v:.4}"))
            };
            let gain = |k: &str| {
                if c.published {
                    String::new()
                } else {
                    with_interval(&c.metrics, k)
                }
            };
            let _ = writeln!(
                md,
                "| {} | {} | {} | {} | {} | {} | {} |",
                c.model_kind,
                get("roc_auc"),
                get("pr_auc"),
                get("brier"),
                gain("roc_auc_gain"),
                gain("brier_gain"),
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
        "Cost per client in AMT_CREDIT (negative: a gain) and acceptance rate on the test split, with 95% bootstrap intervals.\n\n| strategy | threshold | acceptance rate | cost per client | refused defaulters | refused good payers | accepted defaulters |\n|---|---|---|---|---|---|---|"
    );
    for c in &report.confusion {
        let _ = writeln!(
            md,
            "| {} | {:.4} | {} | {} | {} | {} | {} |",
            c.strategy,
            release.thresholds.get(c.strategy),
            with_interval(&report.metrics, &format!("acceptance_rate_{}", c.strategy)),
            with_interval(&report.metrics, &format!("cost_per_client_{}", c.strategy)),
            c.true_positive,
            c.false_positive,
            c.false_negative
        );
    }
    md.push('\n');
    let _ = writeln!(
        md,
        "## Most important features (mean |SHAP|, log-odds)\n\n| feature | importance |\n|---|---|"
    );
    for f in report.importance.iter().take(15) {
        let _ = writeln!(md, "| {} | {:.4} |", f.feature, f.mean_abs_contribution);
    }
    md.push('\n');
    super::fairness::card::fairness_section(&mut md, &report.fairness);
    let _ = writeln!(md, "## Limitations\n");
    for line in [
        "Measured on one held-out split of the same population and period, on the setting fitted without that split; the published refit on every client cannot be measured on clients it has not seen and is expected to do at least as well. Performance on later applications must be watched (the published reference histograms are the drift baseline).",
        "The thresholds assume calibrated probabilities: the break-even holds only as far as the reliability table above shows the PDs to be right.",
        "The business cost uses fixed rates of AMT_CREDIT; actual losses depend on recoveries, fees and loan duration.",
        "Probabilities are calibrated on held-out clients; calibration degrades when the default rate moves.",
        "Explanations are exact TreeSHAP values of the model, not causal effects: a feature's contribution says what the model used, not what would change the outcome.",
        "Features the client cannot act on (external scores, age, gender) contribute to the score (protected ones are never given as reasons); the fairness section above measures the decisions by gender and age band on one split, with intervals that widen for small groups.",
    ] {
        let _ = writeln!(md, "- {line}");
    }
    md
}
