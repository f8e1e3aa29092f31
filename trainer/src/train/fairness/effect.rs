//! What leaving gender out of the inputs costs: the chosen LightGBM
//! setting fitted once more on the same training clients with the same
//! rounds but without the features derived from `CODE_GENDER` (no new
//! search), given the published setting's calibration, and compared with
//! the measured model on the same test clients by a paired bootstrap.

use scoring_core::Thresholds;
use scoring_core::report::ExclusionEffect;

use super::exclude::{keep_columns, kept_features};
use super::groups::GENDER_COLUMN;
use crate::Result;
use crate::evaluation::{BootstrapPlan, portfolio_cost, roc_auc};
use crate::learners::sampling::Split;
use crate::train::assess::{TestSet, probabilities_of};
use crate::train::fit::{Labelled, fit_lightgbm};
use crate::train::lightgbm_run::LightgbmRun;
use crate::train::table::{Rows, TrainingTable};
use crate::train::{ModelKind, ValidTrainArgs, uncertainty};

/// What the effect is measured from.
pub(in crate::train) struct EffectInput<'a> {
    pub checked: &'a ValidTrainArgs,
    /// The table the published model was trained on.
    pub table: &'a TrainingTable,
    pub lightgbm: Option<&'a LightgbmRun>,
    /// The measured model (the published setting on the training part).
    pub measured: &'a scoring_core::Model,
    /// Its probabilities on the test split.
    pub probabilities: &'a [f64],
    pub split: &'a Split,
    pub test: TestSet<'a>,
    pub thresholds: Thresholds,
    pub plan: BootstrapPlan,
}

/// The effect of excluding gender, or why it was not measured.
pub(in crate::train) fn gender_effect(
    input: &EffectInput<'_>,
) -> Result<(Option<ExclusionEffect>, String)> {
    let args = input.checked.get();
    let not = |why: String| Ok((None, why));
    if args.exclude_features.iter().any(|c| c == GENDER_COLUMN) {
        return not(format!(
            "{GENDER_COLUMN} is excluded from this model's inputs (--exclude-features): the published model is the one without gender."
        ));
    }
    if !args.fairness_compare {
        return not(
            "The effect of excluding gender was not measured (--fairness-compare false)."
                .to_owned(),
        );
    }
    let Some(run) = input.lightgbm.filter(|_| args.model == ModelKind::Lightgbm) else {
        return not(format!(
            "The effect of excluding gender is measured for a published LightGBM model only (this one is {}).",
            args.model.name()
        ));
    };
    let schema = &input.table.schema;
    let n = schema.features.len();
    let kept = kept_features(schema, &[GENDER_COLUMN.to_owned()]);
    if kept.len() == n {
        return not(format!(
            "The table has no feature derived from {GENDER_COLUMN}: there is no gender to exclude."
        ));
    }
    let features: Vec<String> = (0..n)
        .filter(|j| !kept.contains(j))
        .map(|j| schema.features[j].name.clone())
        .collect();
    let names: Vec<String> = kept
        .iter()
        .map(|&j| schema.features[j].name.clone())
        .collect();
    let rows = Rows {
        ids: Vec::new(),
        values: keep_columns(&input.table.labelled.values, n, &kept),
    };
    let data = Labelled {
        rows: &rows,
        labels: &input.table.labels,
        n_features: kept.len(),
    };
    let params = run
        .cv
        .best
        .params
        .with_rounds(run.rounds)
        .for_features(&kept);
    let fitted = fit_lightgbm(
        data,
        &names,
        &input.split.train,
        None,
        &params,
        run.cv.best.imbalance,
        args.seed,
    )?;
    let model = match input.measured.calibration() {
        Some(calibration) => {
            fitted
                .model
                .with_calibration(calibration.clone())
                .map_err(|source| crate::Error::TrainModel {
                    stage: "calibrating the model without gender",
                    source,
                })?
        }
        None => fitted.model,
    };
    let without = probabilities_of(&model, &keep_columns(input.test.rows, n, &kept))?;
    let test = input.test;
    let cost = input.checked.cost();
    let normal = input.thresholds.normal;
    let cost_of = |p: &[f64]| -> Result<f64> {
        Ok(portfolio_cost(p, test.labels, test.credit, cost, normal)?.cost_per_client)
    };
    let [auc, money] = uncertainty::paired_exclusion(
        input.probabilities,
        &without,
        test,
        cost,
        normal,
        input.plan,
    )?;
    tracing::info!(
        auc_difference = auc.estimate,
        cost_difference = money.estimate,
        "measured the effect of excluding gender"
    );
    let note = format!(
        "Without gender: the chosen setting fitted on the same {} training clients with the same {} rounds without the {} features derived from {GENDER_COLUMN} (no new search), with the published setting's calibration, scored on the same test clients; differences by paired bootstrap ({} resamples).",
        input.split.train.len(),
        run.rounds,
        features.len(),
        input.plan.resamples,
    );
    Ok((
        Some(ExclusionEffect {
            features,
            roc_auc_published: roc_auc(input.probabilities, test.labels)?,
            roc_auc_without: roc_auc(&without, test.labels)?,
            roc_auc_difference: auc.into(),
            cost_per_client_published: cost_of(input.probabilities)?,
            cost_per_client_without: cost_of(&without)?,
            cost_difference: money.into(),
        }),
        note,
    ))
}
