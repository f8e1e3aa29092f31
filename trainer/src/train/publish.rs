//! Publishing a trained model: the release, its report and model card, the
//! reference statistics of the training part and the client snapshot, all
//! written into one new registry version.

use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

use scoring_core::reference::{DEFAULT_BINS, ReferenceStats};
use scoring_core::registry::Registry;
use scoring_core::report::{
    CalibrationReport, CandidateSummary, CostReport, FairnessReport, ModelReport,
};
use scoring_core::snapshot::ClientSnapshot;
use scoring_core::{Attachments, Release, write_artifact_with};
use sha2::{Digest, Sha256};

use scoring_core::{Model, Thresholds};

use super::assess::{cost_points, importance, probabilities_of};
use super::card::{CardContext, render};
use super::crossval::{CrossValidation, INNER_FRACTION};
use super::table::TrainingTable;
use super::{
    Candidate, IMPORTANCE_ROWS, ModelKind, Refit, SnapshotChoice, TrainArgs, TrainOutcome,
};
use crate::evaluation::CostParameters;
use crate::learners::sampling::Split;
use crate::{Error, Result};

/// The trainer's commit, recorded as each version's `code_version`.
pub(super) const CODE_VERSION: &str = env!("TRAINER_CODE_VERSION");

pub(super) struct Publication<'a> {
    pub args: &'a TrainArgs,
    pub table: &'a TrainingTable,
    pub split: &'a Split,
    pub test_rows: &'a [f64],
    pub candidates: &'a [Candidate],
    pub chosen: usize,
    /// The model published (the refit for LightGBM).
    pub published: &'a Model,
    pub thresholds: Thresholds,
    pub cv: Option<&'a CrossValidation>,
    /// Rounds of the LightGBM model fitted on the training part.
    pub evaluated_rounds: Option<u32>,
    pub refit: Option<Refit>,
    pub cost: CostParameters,
    pub fairness: FairnessReport,
}

/// The protocol, in the report's `evaluation` and the card.
fn protocol(p: &Publication<'_>) -> String {
    let args = p.args;
    let mut text = format!(
        "test split: {:.0}% of the labelled clients ({} clients), stratified, seed {}; it only measures. ",
        args.test_fraction * 100.0,
        p.split.test.len(),
        args.seed
    );
    if let (Some(cv), Some(rounds)) = (p.cv, p.evaluated_rounds) {
        text.push_str(&format!(
            "LightGBM settings chosen by {}-fold stratified cross-validation on the other {} clients ({} settings, by out-of-fold {}; early stopping on {:.0}% of each fold's training rows, never on the rows scored); the chosen setting fitted on those {} clients with {} rounds (the folds' mean best iteration {:.0} scaled to the rows) and calibrated on the out-of-fold probabilities is what the test split measures. ",
            cv.trials.first().map_or(0, |t| t.fold_best_iterations.len()),
            p.split.train.len(),
            cv.screening.as_ref().map_or(cv.trials.len(), |s| s.trials.len()),
            serde_json::to_value(args.select_by)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default(),
            INNER_FRACTION * 100.0,
            p.split.train.len(),
            rounds,
            cv.mean_best_iteration,
        ));
        if let Some(screening) = &cv.screening {
            text.push_str(&format!(
                "The {} settings were compared on a stratified sample of {} of those clients (same folds and early stopping); only the best was cross-validated on all of them. ",
                screening.trials.len(),
                screening.clients,
            ));
        }
    }
    match p.refit {
        Some(refit) => text.push_str(&format!(
            "The published model is the same setting refitted on all {} labelled clients with {} rounds, calibrated on out-of-fold probabilities of every client (the folds' on the training part, the measured model's on the test split). ",
            refit.clients, refit.rounds
        )),
        None => text.push_str("The published model is the one measured. "),
    }
    text.push_str(&format!(
        "Intervals: stratified bootstrap of the test split, {} resamples, 95% percentile intervals; compared models by paired bootstrap on the same resamples.",
        args.bootstrap
    ));
    text
}

fn model_error(stage: &'static str) -> impl FnOnce(scoring_core::Error) -> Error {
    move |source| Error::TrainModel { stage, source }
}

pub(super) fn publish(p: Publication<'_>) -> Result<TrainOutcome> {
    let (args, table) = (p.args, p.table);
    let chosen = &p.candidates[p.chosen];
    // Explanations start from the real population's mean raw score, not
    // from the (undersampled, re-weighted) sample the trees were grown on.
    let model = &p
        .published
        .with_population_covers(&table.labelled.values)
        .map_err(model_error("counting the covers on every labelled client"))?;
    let n = model.n_features();
    let mut metrics = chosen.assessment.metrics.clone();
    if let Some(cv) = p.cv.filter(|_| chosen.kind == ModelKind::Lightgbm) {
        let metric = serde_json::to_value(args.select_by)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        metrics.insert(format!("cv_{metric}"), cv.trials[0].score);
        let trials = cv.screening.as_ref().map_or(&cv.trials, |s| &s.trials);
        metrics.insert("cv_trials".to_owned(), trials.len() as f64);
        metrics.insert("cv_mean_best_iteration".to_owned(), cv.mean_best_iteration);
    }
    if let Some(rounds) = p
        .evaluated_rounds
        .filter(|_| chosen.kind == ModelKind::Lightgbm)
    {
        metrics.insert("evaluated_rounds".to_owned(), f64::from(rounds));
    }
    if let Some(refit) = p.refit {
        metrics.insert("refit_rounds".to_owned(), f64::from(refit.rounds));
        metrics.insert("refit_clients".to_owned(), refit.clients as f64);
    }
    metrics.insert("test_clients".to_owned(), p.split.test.len() as f64);
    metrics.insert("train_clients".to_owned(), p.split.train.len() as f64);
    metrics.insert(
        "base_rate".to_owned(),
        table.labels.iter().filter(|&&l| l == 1).count() as f64 / table.labels.len() as f64,
    );

    let report = ModelReport {
        evaluation: protocol(&p),
        model_kind: chosen.kind.name().to_owned(),
        metrics: metrics.clone(),
        cost: CostReport {
            gain_rate_good: p.cost.interest_rate,
            loss_rate_default: p.cost.loss_given_default,
            strategy_rule: format!(
                "each strategy refuses a client whose calibrated probability of default is at least the break-even r / (r + LGD) of the business cost, fixed before any client is scored: normal with the stated LGD ({:.0}%), prudent with an LGD {:.0}% higher, aggressive with an LGD {:.0}% lower",
                p.cost.loss_given_default * 100.0,
                args.lgd_stress * 100.0,
                args.lgd_stress * 100.0
            ),
            curve: cost_points(&chosen.assessment.curve),
        },
        confusion: chosen.assessment.confusion.clone(),
        calibration: CalibrationReport {
            method: chosen.calibration_method.to_owned(),
            ece_uncalibrated: chosen.ece_uncalibrated,
            ece: chosen.assessment.metrics["ece"],
            bins: chosen.assessment.calibration_bins.clone(),
        },
        importance: importance(model, p.test_rows, IMPORTANCE_ROWS)?,
        candidates: p
            .candidates
            .iter()
            .map(|c| CandidateSummary {
                model_kind: c.kind.name().to_owned(),
                published: c.kind == chosen.kind,
                metrics: c.assessment.metrics.clone(),
            })
            .collect(),
        fairness: p.fairness,
    };

    let (population, fitted): (&str, Vec<usize>) = match p.refit {
        Some(_) => ("every labelled client", (0..table.labels.len()).collect()),
        None => ("training split", p.split.train.clone()),
    };
    let fitted_rows = table.labelled.gather(&fitted, n);
    let fitted_p = probabilities_of(model, &fitted_rows)?;
    let reference = ReferenceStats::of_rows(
        population,
        model.feature_names(),
        &fitted_rows,
        &fitted_p,
        DEFAULT_BINS,
    )
    .map_err(model_error("computing the reference statistics"))?;
    drop(fitted_rows);
    let snapshot = match (args.snapshot, table.unlabelled.is_empty()) {
        (SnapshotChoice::None, _) => None,
        (SnapshotChoice::Unlabelled, _) | (SnapshotChoice::Auto, false) => {
            Some(ClientSnapshot::new(
                model.feature_names().to_vec(),
                table.unlabelled.ids.clone(),
                table.unlabelled.values.clone(),
            ))
        }
        (SnapshotChoice::Test, _) | (SnapshotChoice::Auto, true) => Some(ClientSnapshot::new(
            model.feature_names().to_vec(),
            p.split
                .test
                .iter()
                .map(|&i| table.labelled.ids[i])
                .collect(),
            p.test_rows.to_vec(),
        )),
    }
    .transpose()
    .map_err(model_error("building the client snapshot"))?;

    let registry = Registry::open(&args.registry)?;
    let version = match &args.version {
        Some(v) => scoring_core::registry::VersionId::parse(v)?,
        None => registry.next_version()?,
    };
    let setting =
        p.cv.filter(|_| chosen.kind == ModelKind::Lightgbm)
            .map(|cv| &cv.best);
    let parameters = serde_json::json!({
        "model": chosen.kind.name(),
        "lightgbm": setting.map(|s| &s.params),
        "imbalance": setting.map(|s| s.imbalance),
        "imbalance_searched": format!("{:?}", args.imbalance).to_lowercase(),
        "monotone": args.monotone,
        "seed": args.seed,
        "test_fraction": args.test_fraction,
        "folds": args.folds,
        "calibration": chosen.calibration_method,
        "search": args.search.as_ref().map(|p| p.display().to_string()),
        "select_by": args.select_by,
        "cost": p.cost,
        "lgd_stress": args.lgd_stress,
        "bootstrap_resamples": args.bootstrap,
        "exclude_features": args.exclude_features,
        "fairness_compare": args.fairness_compare,
    });
    let release = Release {
        model_version: version.to_string(),
        created_at: rfc3339_now(),
        code_version: CODE_VERSION.to_owned(),
        training_data_fingerprint: fingerprint(&table.path)?,
        training_parameters: parameters.clone(),
        metrics: metrics.clone(),
        thresholds: p.thresholds,
    };
    let card = render(&CardContext {
        release: &release,
        report: &report,
        deciles: &chosen.assessment.deciles,
        setting: setting.map(|s| s.imbalance.describe()),
        monotone: &args.monotone,
        data_description: format!(
            "{} labelled clients from `{}` ({} train, {} test; default rate {:.2}%); {} unlabelled clients{}.",
            table.labels.len(),
            table.path.display(),
            p.split.train.len(),
            p.split.test.len(),
            metrics["base_rate"] * 100.0,
            table.unlabelled.len(),
            snapshot.as_ref().map_or(String::new(), |s| format!(
                "; {} clients published in the snapshot",
                s.len()
            ))
        ),
        parameters: serde_json::to_string_pretty(&parameters).unwrap_or_default(),
        feature_count: n,
    });
    let attachments = Attachments {
        report: Some(&report),
        reference: Some(&reference),
        snapshot: snapshot.as_ref(),
        model_card: Some(&card),
    };
    let schema = &table.schema;
    let published = registry.publish(Some(version.as_str()), |dir| {
        write_artifact_with(dir, &release, model, schema, attachments).map(|_| ())
    })?;
    if args.promote {
        registry.promote(published.as_str(), "production")?;
        tracing::info!(version = %published, "promoted to production");
    }
    Ok(TrainOutcome {
        version: published,
        metrics,
        thresholds: p.thresholds,
        model: model.clone(),
        evaluated_model: chosen.model.clone(),
        setting: setting.cloned(),
        refit: p.refit,
        test_client_ids: p
            .split
            .test
            .iter()
            .map(|&i| table.labelled.ids[i])
            .collect(),
        test_probabilities: chosen.assessment.probabilities.clone(),
    })
}

/// `sha256:<hex>` of the training table file, streamed.
fn fingerprint(path: &Path) -> Result<String> {
    let io = |source| Error::Io {
        path: path.to_owned(),
        action: "reading the training table",
        source,
    };
    let mut file = std::fs::File::open(path).map_err(io)?;
    let mut hasher = Sha256::new();
    std::io::copy(&mut file, &mut hasher).map_err(|source| Error::Io {
        path: path.to_owned(),
        action: "reading the training table",
        source,
    })?;
    Ok(format!("sha256:{:x}", hasher.finalize()))
}

/// The current UTC time as `YYYY-MM-DDTHH:MM:SSZ`.
fn rfc3339_now() -> String {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let (days, rem) = ((secs / 86_400) as i64, secs % 86_400);
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rem / 3_600,
        rem % 3_600 / 60,
        rem % 60
    )
}
