//! The LightGBM side of `trainer train`: the cross-validation on the
//! training part, the chosen setting fitted on all of it (what the test
//! split measures), and the refit on every labelled client (what is
//! published).

use scoring_core::Model;

use super::assess::probabilities_of;
use super::calibrate::calibrate_scores;
use super::crossval::{CrossValidation, CvInput, cross_validate_screened};
use super::fit::{Imbalance, Labelled, fit_lightgbm, monotone_params};
use super::search::SearchPlan;
use super::{CalibrationChoice, ImbalanceChoice, Refit, ValidTrainArgs};
use crate::Result;
use crate::learners::sampling::Split;

/// The LightGBM side of a run: the cross-validation and the model fitted
/// on the training part.
pub(super) struct LightgbmRun {
    pub(super) cv: CrossValidation,
    /// Fitted on the training part, before calibration.
    pub(super) uncalibrated: Model,
    pub(super) rounds: u32,
}

/// The cross-validation on the training part and the chosen setting fitted
/// on all of it.
pub(super) fn run_lightgbm(
    checked: &ValidTrainArgs,
    data: Labelled<'_>,
    names: &[String],
    split: &Split,
    credit: &[f64],
) -> Result<LightgbmRun> {
    let args = checked.get();
    let base = monotone_params(checked.lightgbm(), checked.monotone(), names)?;
    let imbalances = match args.imbalance {
        ImbalanceChoice::Auto => vec![Imbalance::None, Imbalance::ClassWeights],
        ImbalanceChoice::Weights => vec![Imbalance::ClassWeights],
        ImbalanceChoice::None => vec![Imbalance::None],
        ImbalanceChoice::Undersample => vec![Imbalance::Undersample {
            majority_per_minority: args.undersample_ratio,
        }],
    };
    let plan = match &args.search {
        Some(path) => SearchPlan::load(
            path,
            &base,
            &imbalances,
            args.folds,
            args.undersample_ratio,
            args.seed,
        )?,
        None => SearchPlan::built_in(&base, &imbalances, args.folds),
    };
    let cv = cross_validate_screened(
        &plan,
        CvInput {
            data,
            feature_names: names,
            rows: &split.train,
            credit,
            metric: args.select_by,
            cost: checked.cost(),
            seed: args.seed,
        },
        args.search_rows,
        &args.trials_log,
    )?;
    let rounds = cv.rounds_for(split.train.len());
    tracing::info!(
        score = cv.trials[0].score,
        imbalance = ?cv.best.imbalance,
        mean_best_iteration = cv.mean_best_iteration,
        rounds,
        "cross-validation chose a setting"
    );
    let fitted = fit_lightgbm(
        data,
        names,
        &split.train,
        None,
        &cv.best.params.with_rounds(rounds),
        cv.best.imbalance,
        args.seed,
    )?;
    Ok(LightgbmRun {
        cv,
        uncalibrated: fitted.model,
        rounds,
    })
}

/// The chosen setting refitted on every labelled client, calibrated (with
/// `method`) on out-of-fold probabilities of every client: the folds' on
/// the training part, the training-part model's on the test split.
pub(super) fn refit_on_every_client(
    run: &LightgbmRun,
    data: Labelled<'_>,
    names: &[String],
    split: &Split,
    test_rows: &[f64],
    method: &str,
    seed: u64,
) -> Result<(Model, Refit)> {
    let every: Vec<usize> = (0..data.labels.len()).collect();
    let rounds = run.cv.rounds_for(every.len());
    let fitted = fit_lightgbm(
        data,
        names,
        &every,
        None,
        &run.cv.best.params.with_rounds(rounds),
        run.cv.best.imbalance,
        seed,
    )?;
    let mut held_out = vec![f64::NAN; every.len()];
    for (&i, &p) in split.train.iter().zip(&run.cv.oof) {
        held_out[i] = p;
    }
    for (&i, p) in split
        .test
        .iter()
        .zip(probabilities_of(&run.uncalibrated, test_rows)?)
    {
        held_out[i] = p;
    }
    let choice = match method {
        "isotonic" => CalibrationChoice::Isotonic,
        "platt" => CalibrationChoice::Platt,
        _ => CalibrationChoice::None,
    };
    let (model, _) = calibrate_scores(fitted.model, &held_out, data.labels, choice)?;
    tracing::info!(
        rounds,
        clients = every.len(),
        "refitted on every labelled client"
    );
    Ok((
        model,
        Refit {
            rounds,
            clients: every.len(),
        },
    ))
}
