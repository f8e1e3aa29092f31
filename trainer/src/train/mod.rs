//! `trainer train`: fits the models, evaluates them on a held-out split,
//! derives the business thresholds and publishes a version to the registry.
//!
//! ```text
//! trainer train --features data/features --registry registry --promote
//! ```
//!
//! Steps:
//! 1. read the table ([`table`]): labelled clients train and evaluate,
//!    unlabelled ones (applications to decide) can become the snapshot;
//! 2. stratified test split (30%), seeded;
//! 3. optionally, a cross-validated hyperparameter search on the training
//!    part ([`search`]);
//! 4. 20% of the training part is held out, half for early stopping, half
//!    for calibration; the rest is rebalanced (undersampling or class
//!    weights, [`fit`]) and fitted; the prior shift is folded into the model
//!    so its probabilities are on the real default rate;
//! 5. the comparison models ([`crate::learners::linfa`]) are fitted on a
//!    sample of the same rows;
//! 6. each model is calibrated on the calibration half (isotonic or Platt)
//!    and evaluated on the test split as it will be served ([`assess`](mod@assess));
//! 7. the chosen kind is published with its report, model card (`card`),
//!    reference histograms of the training part and the client snapshot.

mod args;
pub mod assess;
mod calibrate;
mod card;
mod compare;
pub mod fit;
mod publish;
pub mod search;
pub mod table;

use std::collections::BTreeMap;

use scoring_core::registry::VersionId;
use scoring_core::{Model, Thresholds};

pub use self::args::{
    CalibrationChoice, ImbalanceChoice, ModelKind, SnapshotChoice, TrainArgs, ValidTrainArgs,
};
use self::assess::{Assessment, TestSet, assess, probabilities_of};
use self::calibrate::{calibrate, strip_calibration};
use self::compare::fit_comparison_models;
use self::fit::{Imbalance, Labelled, fit_lightgbm};
use self::search::{SearchPlan, run_search};
use crate::evaluation::expected_calibration_error;
use crate::learners::sampling::stratified_split;
use crate::{Error, Result};

/// Share of the training part held out for early stopping and calibration.
const HOLDOUT_FRACTION: f64 = 0.2;
/// Test rows explained for the global importance.
const IMPORTANCE_ROWS: usize = 2_000;

/// What one training run produced.
#[derive(Debug, Clone)]
pub struct TrainOutcome {
    pub version: VersionId,
    /// Test-split metrics of the published model.
    pub metrics: BTreeMap<String, f64>,
    pub thresholds: Thresholds,
    /// The published model, as evaluated.
    pub model: Model,
    /// SK_ID_CURR of each test-split client.
    pub test_client_ids: Vec<i64>,
    /// The published model's probability for each test-split client.
    pub test_probabilities: Vec<f64>,
}

/// Runs `trainer train` and prints a short summary.
pub fn run(args: &TrainArgs) -> Result<()> {
    let outcome = train_and_publish(args)?;
    let t = outcome.thresholds;
    println!(
        "published {}: test ROC AUC {:.4}; thresholds prudent {:.3}, normal {:.3}, aggressive {:.3}",
        outcome.version,
        outcome.metrics.get("roc_auc").copied().unwrap_or(f64::NAN),
        t.prudent,
        t.normal,
        t.aggressive
    );
    Ok(())
}

/// One model kind, calibrated and evaluated.
struct Candidate {
    kind: ModelKind,
    model: Model,
    assessment: Assessment,
    calibration_method: &'static str,
    ece_uncalibrated: f64,
}

/// Checks the options, then trains, evaluates and publishes; returns what
/// was published.
pub fn train_and_publish(args: &TrainArgs) -> Result<TrainOutcome> {
    train_checked(&args.clone().check()?)
}

fn train_checked(checked: &ValidTrainArgs) -> Result<TrainOutcome> {
    let args = checked.get();
    let table = table::read_training_table(&args.features, &args.id_column, &args.target_column)?;
    let names: Vec<String> = table.schema.feature_names().map(str::to_owned).collect();
    let n = names.len();
    let data = Labelled::of(&table);
    let credit: Vec<f64> = match table.schema.position(&args.credit_column) {
        Some(j) => (0..table.labels.len())
            .map(|i| table.labelled.values[i * n + j])
            .map(|c| if c.is_finite() && c >= 0.0 { c } else { 0.0 })
            .collect(),
        None => {
            tracing::warn!(column = %args.credit_column, "no credit column: every client counts 1 in the business cost");
            vec![1.0; table.labels.len()]
        }
    };
    tracing::info!(clients = table.labels.len(), unlabelled = table.unlabelled.len(), features = n, path = %table.path.display(), "read the training table");

    let split = stratified_split(&table.labels, args.test_fraction, args.seed)?;
    let imbalance = match args.imbalance {
        ImbalanceChoice::Undersample => Imbalance::Undersample {
            majority_per_minority: args.undersample_ratio,
        },
        ImbalanceChoice::Weights => Imbalance::ClassWeights,
        ImbalanceChoice::None => Imbalance::None,
    };
    let mut params = checked.lightgbm().clone();
    let mut cv_metrics = BTreeMap::new();
    if let Some(path) = &args.search {
        let plan = SearchPlan::load(path, &params, args.seed)?;
        let trials = run_search(
            &plan,
            data,
            &names,
            &split.train,
            &credit,
            args.select_by,
            imbalance,
            args.seed,
            &args.trials_log,
        )?;
        if let Some(best) = trials.first() {
            tracing::info!(score = best.score, trials = trials.len(), log = %args.trials_log.display(), "search done");
            cv_metrics.insert(
                format!(
                    "cv_{}",
                    serde_json::to_value(args.select_by)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_owned))
                        .unwrap_or_default()
                ),
                best.score,
            );
            cv_metrics.insert("cv_trials".to_owned(), trials.len() as f64);
            params = best.params.clone();
        }
    }

    let train_labels = data.labels_at(&split.train);
    let holdout = stratified_split(&train_labels, HOLDOUT_FRACTION, args.seed ^ 0x5eed)?;
    let fit: Vec<usize> = holdout.train.iter().map(|&k| split.train[k]).collect();
    let held: Vec<usize> = holdout.test.iter().map(|&k| split.train[k]).collect();
    let halves = stratified_split(&data.labels_at(&held), 0.5, args.seed ^ 0xca1)?;
    let valid: Vec<usize> = halves.train.iter().map(|&k| held[k]).collect();
    let calib: Vec<usize> = halves.test.iter().map(|&k| held[k]).collect();
    tracing::info!(
        test = split.test.len(),
        fit = fit.len(),
        early_stopping = valid.len(),
        calibration = calib.len(),
        "split the clients"
    );

    let test_rows = table.labelled.gather(&split.test, n);
    let test_labels = data.labels_at(&split.test);
    let test_credit: Vec<f64> = split.test.iter().map(|&i| credit[i]).collect();
    let test = TestSet {
        rows: &test_rows,
        labels: &test_labels,
        credit: &test_credit,
    };
    let cost = checked.cost();

    let mut uncalibrated: Vec<(ModelKind, Model)> = Vec::new();
    let fitted = fit_lightgbm(data, &names, &fit, &valid, &params, imbalance, args.seed)?;
    tracing::info!(
        best_iteration = fitted.best_iteration,
        rows = fitted.rows_fitted,
        "fitted LightGBM"
    );
    uncalibrated.push((ModelKind::Lightgbm, fitted.model.clone()));
    if args.compare || args.model != ModelKind::Lightgbm {
        uncalibrated.extend(fit_comparison_models(&table, &names, &fit, args)?);
    }

    let calib_labels = data.labels_at(&calib);
    let mut candidates = Vec::new();
    for (kind, model) in uncalibrated {
        if !args.compare && kind != args.model {
            continue;
        }
        let (model, method) = calibrate(model, data, &calib, &calib_labels, args.calibration)?;
        let raw_p = probabilities_of(&strip_calibration(&model)?, &test_rows)?;
        let assessment = assess(&model, test, cost)?;
        tracing::info!(
            model = kind.name(),
            auc = assessment.metrics["roc_auc"],
            "evaluated on the test split"
        );
        candidates.push(Candidate {
            kind,
            model,
            assessment,
            calibration_method: method,
            ece_uncalibrated: expected_calibration_error(
                &raw_p,
                &test_labels,
                assess::CALIBRATION_BINS,
            )?,
        });
    }
    let chosen = candidates
        .iter()
        .position(|c| c.kind == args.model)
        .ok_or(Error::TrainUnexpectedModel)?;
    publish::publish(publish::Publication {
        args,
        table: &table,
        split: &split,
        test_rows: &test_rows,
        candidates: &candidates,
        chosen,
        params: &params,
        fitted_best_iteration: fitted.best_iteration,
        cv_metrics,
        cost: *cost.get(),
    })
}
