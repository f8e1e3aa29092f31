//! Cross-validation on the training part: every setting of the search is
//! fitted on k stratified folds, and the best one is chosen on its
//! out-of-fold probabilities.
//!
//! Each fold's training rows are split once more (stratified,
//! [`INNER_FRACTION`] held out): LightGBM fits on the rest and early
//! stopping watches the inner held-out rows only. The fold's validation
//! rows are scored once, at the end, so the out-of-fold score is not
//! inflated by early stopping having picked the round that suits them.
//! The number of rounds a refit gets is the folds' mean best iteration
//! scaled by the rows it is fitted on over the rows a fold fitted on
//! ([`CrossValidation::rounds_for`]).
//!
//! On a large training part the settings are screened first
//! ([`cross_validate_screened`]): every setting on a stratified sample of
//! `search_rows` clients, then the winner alone on the whole training
//! part, which gives the out-of-fold probabilities and the rounds. The
//! settings' ranking is stable well below full size; the rounds are not,
//! so they come from the full run.

use super::fit::{Labelled, fit_lightgbm, probabilities};
use super::search::{SearchPlan, SelectionMetric, Setting, Trial, TrialLog, selection_score};
use crate::Result;
use crate::evaluation::ValidCostParameters;
use crate::learners::sampling::stratified_sample;
use crate::learners::sampling::{stratified_k_fold, stratified_split};

/// Share of a fold's training rows held out for early stopping.
pub const INNER_FRACTION: f64 = 0.15;

/// What the cross-validation chose, with its evidence.
#[derive(Debug, Clone)]
pub struct CrossValidation {
    /// Every trial, best first.
    pub trials: Vec<Trial>,
    /// The chosen setting (the first trial's).
    pub best: Setting,
    /// The chosen setting's out-of-fold probabilities (prior-corrected,
    /// uncalibrated), one per row of the training part, in its order.
    pub oof: Vec<f64>,
    /// Mean best iteration over the chosen setting's folds.
    pub mean_best_iteration: f64,
    /// Mean number of rows a fold was fitted on (before any undersampling).
    pub mean_fit_rows: f64,
    /// When the settings were screened on a sample: its clients and its
    /// trials (best first); `trials` then holds the winner's full run.
    pub screening: Option<Screening>,
}

/// The settings compared on a sample of the training part.
#[derive(Debug, Clone)]
pub struct Screening {
    pub clients: usize,
    pub trials: Vec<Trial>,
}

impl CrossValidation {
    /// Rounds for a refit on `rows` clients: the folds' mean best
    /// iteration times `rows` / the rows a fold was fitted on.
    pub fn rounds_for(&self, rows: usize) -> u32 {
        let scaled = self.mean_best_iteration * rows as f64 / self.mean_fit_rows.max(1.0);
        scaled.round().clamp(1.0, f64::from(u32::MAX)) as u32
    }
}

/// What the cross-validation runs on.
#[derive(Debug, Clone, Copy)]
pub struct CvInput<'a> {
    pub data: Labelled<'a>,
    pub feature_names: &'a [String],
    /// The training part: indices into `data`.
    pub rows: &'a [usize],
    /// Each labelled client's credit amount (for the cost).
    pub credit: &'a [f64],
    pub metric: SelectionMetric,
    pub cost: &'a ValidCostParameters,
    pub seed: u64,
}

/// The rows of one fold, as indices into the labelled clients.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoldRows {
    /// What LightGBM fits on.
    pub fit: Vec<usize>,
    /// What early stopping watches: held out of the fold's training rows.
    pub stop: Vec<usize>,
    /// What the out-of-fold probabilities are measured on.
    pub valid: Vec<usize>,
}

/// The k stratified folds of `rows` (indices into `data`), each fold's
/// training rows split again for early stopping.
pub fn fold_rows(
    data: Labelled<'_>,
    rows: &[usize],
    folds: usize,
    seed: u64,
) -> Result<Vec<FoldRows>> {
    let labels = data.labels_at(rows);
    stratified_k_fold(&labels, folds, seed)?
        .into_iter()
        .enumerate()
        .map(|(f, fold)| {
            let train: Vec<usize> = fold.train.iter().map(|&k| rows[k]).collect();
            let inner = stratified_split(
                &data.labels_at(&train),
                INNER_FRACTION,
                seed ^ 0x1_77e2 ^ f as u64,
            )?;
            Ok(FoldRows {
                fit: inner.train.iter().map(|&k| train[k]).collect(),
                stop: inner.test.iter().map(|&k| train[k]).collect(),
                valid: fold.valid.iter().map(|&k| rows[k]).collect(),
            })
        })
        .collect()
}

/// One setting's out-of-fold probabilities, best iterations and fit sizes.
struct FoldRun {
    oof: Vec<f64>,
    best_iterations: Vec<usize>,
    fit_rows: Vec<usize>,
}

/// Cross-validates the settings of `plan` on the training part; when it
/// has more than `search_rows` clients and there is more than one setting,
/// screens them on a stratified sample of that many first and
/// cross-validates only the winner on the whole part. One JSON line per
/// trial goes to `log_path` (the screening's, then the winner's full run).
pub fn cross_validate_screened(
    plan: &SearchPlan,
    input: CvInput<'_>,
    search_rows: usize,
    log_path: &std::path::Path,
) -> Result<CrossValidation> {
    let mut log = TrialLog::create(log_path)?;
    if plan.candidates.len() < 2 || input.rows.len() <= search_rows {
        return cross_validate(plan, input, &mut log);
    }
    let labels = input.data.labels_at(input.rows);
    let sample: Vec<usize> = stratified_sample(&labels, search_rows, input.seed ^ 0x5c_4ee7)?
        .into_iter()
        .map(|k| input.rows[k])
        .collect();
    tracing::info!(
        sample = sample.len(),
        training_part = input.rows.len(),
        settings = plan.candidates.len(),
        "screening the settings on a sample of the training part"
    );
    let screen = cross_validate(
        plan,
        CvInput {
            rows: &sample,
            ..input
        },
        &mut log,
    )?;
    let winner = SearchPlan {
        folds: plan.folds,
        candidates: vec![screen.best.clone()],
    };
    let mut full = cross_validate(&winner, input, &mut log)?;
    full.screening = Some(Screening {
        clients: sample.len(),
        trials: screen.trials,
    });
    Ok(full)
}

/// Cross-validates every setting of `plan` on `input.rows` and logs one
/// JSON line per trial into `log`.
pub fn cross_validate(
    plan: &SearchPlan,
    input: CvInput<'_>,
    log: &mut TrialLog,
) -> Result<CrossValidation> {
    let labels = input.data.labels_at(input.rows);
    let folds = fold_rows(input.data, input.rows, plan.folds, input.seed)?;
    let bar = indicatif::ProgressBar::new((plan.candidates.len() * folds.len()) as u64);
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "cross-validation {bar:30} {pos}/{len} fits, {elapsed} (eta {eta}) {msg}",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let fold_credit: Vec<f64> = input.rows.iter().map(|&i| input.credit[i]).collect();
    let mut trials: Vec<(Trial, FoldRun)> = Vec::with_capacity(plan.candidates.len());
    for (t, setting) in plan.candidates.iter().enumerate() {
        let run = run_folds(setting, &folds, input, &bar)?;
        let score = selection_score(input.metric, &run.oof, &labels, &fold_credit, input.cost)?;
        let trial = Trial {
            trial: t,
            params: setting.params.clone(),
            imbalance: setting.imbalance,
            metric: input.metric,
            score,
            fold_best_iterations: run.best_iterations.clone(),
        };
        log.write(&trial)?;
        tracing::info!(trial = t, score, imbalance = ?setting.imbalance, "cross-validated a setting");
        let best = trials.iter().map(|(t, _)| t.score).fold(score, f64::max);
        bar.set_message(format!("best {best:.4}"));
        trials.push((trial, run));
    }
    bar.finish_and_clear();
    // Stable: of equal scores, the first setting listed wins.
    trials.sort_by(|a, b| b.0.score.total_cmp(&a.0.score));
    let mut trials = trials.into_iter();
    let (first, run) = trials.next().ok_or(crate::Error::TrainInvalidSearchSpace {
        path: log.path().to_owned(),
        reason: "the search has no setting to try".to_owned(),
    })?;
    let mean = |v: &[usize]| v.iter().sum::<usize>() as f64 / v.len().max(1) as f64;
    let best = Setting {
        params: first.params.clone(),
        imbalance: first.imbalance,
    };
    let mut all = vec![first];
    all.extend(trials.map(|(t, _)| t));
    Ok(CrossValidation {
        trials: all,
        best,
        mean_best_iteration: mean(&run.best_iterations),
        mean_fit_rows: mean(&run.fit_rows),
        oof: run.oof,
        screening: None,
    })
}

fn run_folds(
    setting: &Setting,
    folds: &[FoldRows],
    input: CvInput<'_>,
    bar: &indicatif::ProgressBar,
) -> Result<FoldRun> {
    let position: std::collections::HashMap<usize, usize> = input
        .rows
        .iter()
        .enumerate()
        .map(|(k, &i)| (i, k))
        .collect();
    let mut run = FoldRun {
        oof: vec![f64::NAN; input.rows.len()],
        best_iterations: Vec::with_capacity(folds.len()),
        fit_rows: Vec::with_capacity(folds.len()),
    };
    for fold in folds {
        let fitted = fit_lightgbm(
            input.data,
            input.feature_names,
            &fold.fit,
            Some(&fold.stop),
            &setting.params,
            setting.imbalance,
            input.seed,
        )?;
        for (i, p) in fold
            .valid
            .iter()
            .zip(probabilities(&fitted.model, input.data, &fold.valid)?)
        {
            run.oof[position[i]] = p;
        }
        run.best_iterations.push(fitted.best_iteration);
        run.fit_rows.push(fold.fit.len());
        bar.inc(1);
    }
    Ok(run)
}
