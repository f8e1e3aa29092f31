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
mod card;
pub mod fit;
mod publish;
pub mod search;
pub mod table;

use std::collections::BTreeMap;

use scoring_core::registry::VersionId;
use scoring_core::{Calibration, Model, Thresholds};

pub use self::args::{CalibrationChoice, ImbalanceChoice, ModelKind, SnapshotChoice, TrainArgs};
use self::assess::{Assessment, TestSet, assess, probabilities_of};
use self::fit::{Imbalance, Labelled, fit_lightgbm, probabilities};
use self::search::{SearchPlan, run_search};
use crate::evaluation::{CostParameters, expected_calibration_error};
use crate::learners::calibration::{IsotonicCalibrator, PlattCalibrator};
use crate::learners::lightgbm::{EarlyStoppingMetric, LightGbmParams};
use crate::learners::linfa::{FitRows, fit_logistic, fit_tree};
use crate::learners::sampling::{stratified_split, undersample};
use crate::{Error, Result};

/// Rounds without improvement before early stopping.
const EARLY_STOPPING_ROUNDS: u32 = 50;
/// Share of the training part held out for early stopping and calibration.
const HOLDOUT_FRACTION: f64 = 0.2;
/// Defaulters needed in the calibration set for `auto` to choose isotonic.
const ISOTONIC_MIN_DEFAULTERS: usize = 200;
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

/// Trains, evaluates and publishes; returns what was published.
pub fn train_and_publish(args: &TrainArgs) -> Result<TrainOutcome> {
    args.check()?;
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
    let mut params = LightGbmParams {
        num_leaves: args.num_leaves,
        learning_rate: args.learning_rate,
        num_iterations: args.trees,
        seed: args.seed,
        early_stopping_rounds: Some(EARLY_STOPPING_ROUNDS),
        // Rebalanced fits over-predict default on the real validation rows,
        // so their log-loss worsens from the first rounds: watch the ranking.
        metric: EarlyStoppingMetric::Auc,
        ..LightGbmParams::default()
    };
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
    let cost = CostParameters {
        interest_rate: args.interest_rate,
        loss_given_default: args.loss_given_default,
        ..CostParameters::default()
    }
    .check()?;

    let mut uncalibrated: Vec<(ModelKind, Model)> = Vec::new();
    let fitted = fit_lightgbm(data, &names, &fit, &valid, &params, imbalance, args.seed)?;
    tracing::info!(
        best_iteration = fitted.best_iteration,
        rows = fitted.rows_fitted,
        "fitted LightGBM"
    );
    uncalibrated.push((ModelKind::Lightgbm, fitted.model.clone()));
    if args.compare || args.model != ModelKind::Lightgbm {
        let sample = linfa_sample(data, &fit, args)?;
        let values = table.labelled.gather(&sample, n);
        let labels = data.labels_at(&sample);
        let rows = FitRows {
            values: &values,
            labels: &labels,
            n_features: n,
            base_rate: data.default_rate(&fit),
        };
        uncalibrated.push((ModelKind::Logistic, fit_logistic(rows, &names)?));
        uncalibrated.push((ModelKind::DecisionTree, fit_tree(rows, &names, 6, 50.0)?));
        tracing::info!(rows = sample.len(), "fitted the linfa comparison models");
    }

    let calib_labels = data.labels_at(&calib);
    let mut candidates = Vec::new();
    for (kind, model) in uncalibrated {
        if !args.compare && kind != args.model {
            continue;
        }
        let (model, method) = calibrate(model, data, &calib, &calib_labels, args.calibration)?;
        let raw_p = probabilities_of(&strip_calibration(&model)?, &test_rows)?;
        let assessment = assess(&model, test, &cost)?;
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

/// A stratified sample of the fitted rows for linfa: rebalanced as the
/// LightGBM rows are, then cut to `--linfa-rows`.
fn linfa_sample(data: Labelled<'_>, fit: &[usize], args: &TrainArgs) -> Result<Vec<usize>> {
    let rebalanced = match args.imbalance {
        ImbalanceChoice::Undersample => {
            undersample(fit, data.labels, args.undersample_ratio, args.seed)?
        }
        ImbalanceChoice::Weights => undersample(fit, data.labels, 1.0, args.seed)?,
        ImbalanceChoice::None => fit.to_vec(),
    };
    if rebalanced.len() <= args.linfa_rows {
        return Ok(rebalanced);
    }
    let labels = data.labels_at(&rebalanced);
    let keep = args.linfa_rows as f64 / rebalanced.len() as f64;
    let cut = stratified_split(&labels, 1.0 - keep, args.seed ^ 0x11fa)?;
    Ok(cut.train.iter().map(|&k| rebalanced[k]).collect())
}

fn strip_calibration(model: &Model) -> Result<Model> {
    Model::new(model.feature_names().to_vec(), model.estimator().clone()).map_err(|source| {
        Error::TrainModel {
            stage: "copying the model",
            source,
        }
    })
}

/// Fits the calibration on the held-out `calib` clients.
fn calibrate(
    model: Model,
    data: Labelled<'_>,
    calib: &[usize],
    labels: &[u8],
    choice: CalibrationChoice,
) -> Result<(Model, &'static str)> {
    let defaulters = labels.iter().filter(|&&l| l == 1).count();
    let choice = match choice {
        CalibrationChoice::Auto if defaulters >= ISOTONIC_MIN_DEFAULTERS => {
            CalibrationChoice::Isotonic
        }
        CalibrationChoice::Auto => CalibrationChoice::Platt,
        other => other,
    };
    let calibration = match choice {
        CalibrationChoice::None | CalibrationChoice::Auto => return Ok((model, "none")),
        CalibrationChoice::Isotonic => {
            let p = probabilities(&model, data, calib)?;
            let fitted = IsotonicCalibrator::fit(&p, labels)?;
            let (scores, probabilities): (Vec<f64>, Vec<f64>) = fitted.breakpoints().unzip();
            (
                Calibration::Isotonic {
                    scores,
                    probabilities,
                },
                "isotonic",
            )
        }
        CalibrationChoice::Platt => {
            let rows = data.rows.gather(calib, data.n_features);
            let mut raw = vec![0.0; calib.len()];
            model
                .predict_raw_batch(&rows, &mut raw)
                .map_err(|source| Error::TrainModel {
                    stage: "scoring the calibration set",
                    source,
                })?;
            let fitted = PlattCalibrator::fit(&raw, labels)?;
            (
                Calibration::Platt {
                    a: fitted.a,
                    b: fitted.b,
                },
                "platt",
            )
        }
    };
    let model = model
        .with_calibration(calibration.0)
        .map_err(|source| Error::TrainModel {
            stage: "calibrating",
            source,
        })?;
    Ok((model, calibration.1))
}
