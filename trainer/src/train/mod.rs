//! `trainer train`: chooses the model's settings by cross-validation,
//! measures them on a held-out split, fixes the business thresholds
//! without that split, refits on every labelled client and publishes a
//! version to the registry.
//!
//! ```text
//! trainer train --features data/features --registry registry --promote
//! ```
//!
//! Steps:
//! 1. read the table ([`table`]): labelled clients train and evaluate,
//!    unlabelled ones (applications to decide) can become the snapshot;
//! 2. stratified test split (30%), seeded; it only measures;
//! 3. stratified k-fold cross-validation on the training part ([`crossval`])
//!    of every setting of the search ([`search`]: by default the imbalance
//!    treatment × two regularisation strengths), early stopping on an inner
//!    split of each fold's training rows; the best out-of-fold score wins;
//! 4. the chosen setting is fitted on the whole training part with the
//!    folds' rounds scaled to its size, calibrated on the out-of-fold
//!    probabilities (`calibrate`); the comparison models
//!    ([`crate::learners::linfa`]) are fitted on a sample of the training
//!    part and calibrated on a held-out part of it;
//! 5. the thresholds are the break-even of the business cost under the
//!    stated, a stressed and a relaxed loss given default
//!    ([`crate::evaluation::break_even_strategies`]): no split is used;
//! 6. every candidate is evaluated on the test split as it is served
//!    ([`assess`](mod@assess)), with stratified bootstrap intervals and
//!    paired comparisons ([`uncertainty`]);
//! 7. the chosen setting is refitted on every labelled client (rounds
//!    scaled again), calibrated on out-of-fold probabilities of every
//!    client (the folds' on the training part, the step-4 model's on the
//!    test split), and published with its report, model card (`card`),
//!    reference statistics and client snapshot.

mod args;
pub mod assess;
mod calibrate;
mod card;
mod compare;
pub mod crossval;
pub mod fairness;
pub mod fit;
mod lightgbm_run;
mod publish;
pub mod search;
pub mod table;
pub mod uncertainty;

use std::collections::BTreeMap;

use scoring_core::registry::VersionId;
use scoring_core::{Model, Thresholds};

pub use self::args::{
    CalibrationChoice, ImbalanceChoice, ModelKind, SnapshotChoice, TrainArgs, ValidTrainArgs,
};
use self::assess::{Assessment, TestSet, assess, probabilities_of, published_thresholds};
use self::calibrate::{calibrate, calibrate_scores};
use self::compare::fit_comparison_models;
use self::fit::Labelled;
use self::lightgbm_run::{refit_on_every_client, run_lightgbm};
use self::search::Setting;
use crate::evaluation::{
    BootstrapPlan, break_even_strategies, expected_calibration_error_by_quantile,
};
use crate::learners::sampling::stratified_split;
use crate::{Error, Result};

/// Share of the training part held out to calibrate the comparison models.
const HOLDOUT_FRACTION: f64 = 0.2;
/// Test rows explained for the global importance.
const IMPORTANCE_ROWS: usize = 2_000;

/// What one training run produced.
#[derive(Debug, Clone)]
pub struct TrainOutcome {
    pub version: VersionId,
    /// Test-split metrics of the published setting, with their intervals.
    pub metrics: BTreeMap<String, f64>,
    pub thresholds: Thresholds,
    /// The published model.
    pub model: Model,
    /// The model the test split measured: the published setting fitted on
    /// the training part only (the published model itself for a linfa kind).
    pub evaluated_model: Model,
    /// SK_ID_CURR of each test-split client.
    pub test_client_ids: Vec<i64>,
    /// The evaluated model's probability for each test-split client.
    pub test_probabilities: Vec<f64>,
    /// The LightGBM setting chosen by cross-validation (when LightGBM ran).
    pub setting: Option<Setting>,
    /// The rounds and clients of the published LightGBM refit.
    pub refit: Option<Refit>,
}

/// How the published LightGBM model was refitted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refit {
    pub rounds: u32,
    pub clients: usize,
}

/// Runs `trainer train` and prints a short summary.
pub fn run(args: &TrainArgs) -> Result<()> {
    let outcome = train_and_publish(args)?;
    let t = outcome.thresholds;
    let m = |k: &str| outcome.metrics.get(k).copied().unwrap_or(f64::NAN);
    println!(
        "published {}: test ROC AUC {:.4} (95% {:.4}-{:.4}); thresholds prudent {:.4}, normal {:.4}, aggressive {:.4}",
        outcome.version,
        m("roc_auc"),
        m("roc_auc_low"),
        m("roc_auc_high"),
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
    let read = table::read_training_table(&args.features, &args.id_column, &args.target_column)?;
    // The groups come from the table as read: a model trained without
    // gender is still measured by gender.
    let groupings = fairness::groups::protected_groupings(&read.schema, &read.labelled);
    let table = if args.exclude_features.is_empty() {
        read
    } else {
        let kept = fairness::exclude::without_columns(&read, &args.exclude_features)?;
        tracing::info!(columns = ?args.exclude_features, features = read.schema.features.len() - kept.schema.features.len(), "left out the features of the excluded columns");
        kept
    };
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
    let cost = checked.cost();
    let thresholds = published_thresholds(break_even_strategies(cost, args.lgd_stress)?);
    let test_rows = table.labelled.gather(&split.test, n);
    let test_labels = data.labels_at(&split.test);
    let test_credit: Vec<f64> = split.test.iter().map(|&i| credit[i]).collect();
    let test = TestSet {
        rows: &test_rows,
        labels: &test_labels,
        credit: &test_credit,
    };

    let mut candidates = Vec::new();
    let mut lightgbm = None;
    if args.compare || args.model == ModelKind::Lightgbm {
        let run = run_lightgbm(checked, data, &names, &split, &credit)?;
        let train_labels = data.labels_at(&split.train);
        let (model, method) = calibrate_scores(
            run.uncalibrated.clone(),
            &run.cv.oof,
            &train_labels,
            args.calibration,
        )?;
        candidates.push(candidate(
            ModelKind::Lightgbm,
            model,
            &run.uncalibrated,
            method,
            test,
            checked,
            thresholds,
        )?);
        lightgbm = Some(run);
    }
    if args.compare || args.model != ModelKind::Lightgbm {
        let train_labels = data.labels_at(&split.train);
        let holdout = stratified_split(&train_labels, HOLDOUT_FRACTION, args.seed ^ 0x5eed)?;
        let fit: Vec<usize> = holdout.train.iter().map(|&k| split.train[k]).collect();
        let calib: Vec<usize> = holdout.test.iter().map(|&k| split.train[k]).collect();
        let calib_labels = data.labels_at(&calib);
        for (kind, model) in fit_comparison_models(&table, &names, &fit, args)? {
            if !args.compare && kind != args.model {
                continue;
            }
            let raw = model.clone();
            let (model, method) = calibrate(model, data, &calib, &calib_labels, args.calibration)?;
            candidates.push(candidate(
                kind, model, &raw, method, test, checked, thresholds,
            )?);
        }
    }
    let chosen = candidates
        .iter()
        .position(|c| c.kind == args.model)
        .ok_or(Error::TrainUnexpectedModel)?;

    let bootstrap = BootstrapPlan {
        resamples: args.bootstrap,
        seed: args.seed ^ 0xb007_57a9,
        level: uncertainty::LEVEL,
    };
    let published_p = candidates[chosen].assessment.probabilities.clone();
    let intervals = uncertainty::intervals(&published_p, test, cost, thresholds, bootstrap)?;
    candidates[chosen].assessment.metrics.extend(intervals);
    for (i, c) in candidates.iter_mut().enumerate() {
        if i != chosen {
            let gains = uncertainty::paired_gains(
                &published_p,
                &c.assessment.probabilities,
                &test_labels,
                bootstrap,
            )?;
            c.assessment.metrics.extend(gains);
        }
    }
    tracing::info!(resamples = args.bootstrap, "bootstrapped the test split");
    let (gender_exclusion, exclusion_note) =
        fairness::effect::gender_effect(&fairness::effect::EffectInput {
            checked,
            table: &table,
            lightgbm: lightgbm.as_ref(),
            measured: &candidates[chosen].model,
            probabilities: &published_p,
            split: &split,
            test,
            thresholds,
            plan: bootstrap,
        })?;
    let fairness = fairness::fairness_report(
        fairness::FairnessInput {
            groupings: &groupings,
            test_clients: &split.test,
            probabilities: &published_p,
            labels: &test_labels,
            thresholds,
            plan: bootstrap,
            excluded_columns: &args.exclude_features,
        },
        gender_exclusion,
        exclusion_note,
    )?;
    tracing::info!("measured fairness by group");

    let (published, refit) = match (&lightgbm, args.model) {
        (Some(run), ModelKind::Lightgbm) => {
            let method = candidates[chosen].calibration_method;
            let (model, refit) =
                refit_on_every_client(run, data, &names, &split, &test_rows, method, args.seed)?;
            (model, Some(refit))
        }
        _ => (candidates[chosen].model.clone(), None),
    };
    publish::publish(publish::Publication {
        args,
        table: &table,
        split: &split,
        test_rows: &test_rows,
        candidates: &candidates,
        chosen,
        published: &published,
        thresholds,
        cv: lightgbm.as_ref().map(|run| &run.cv),
        evaluated_rounds: lightgbm.as_ref().map(|run| run.rounds),
        refit,
        cost: *cost.get(),
        fairness,
    })
}

/// Evaluates one calibrated candidate; `uncalibrated` gives the error
/// before calibration.
fn candidate(
    kind: ModelKind,
    model: Model,
    uncalibrated: &Model,
    calibration_method: &'static str,
    test: TestSet<'_>,
    checked: &ValidTrainArgs,
    thresholds: Thresholds,
) -> Result<Candidate> {
    let raw_p = probabilities_of(uncalibrated, test.rows)?;
    let assessment = assess(&model, test, checked.cost(), thresholds)?;
    tracing::info!(
        model = kind.name(),
        auc = assessment.metrics["roc_auc"],
        "evaluated on the test split"
    );
    Ok(Candidate {
        kind,
        model,
        assessment,
        calibration_method,
        ece_uncalibrated: expected_calibration_error_by_quantile(
            &raw_p,
            test.labels,
            assess::CALIBRATION_BINS,
        )?,
    })
}
