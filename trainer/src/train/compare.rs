//! The comparison models of the model card: linfa's logistic regression and
//! decision tree, fitted on a sample of the rows LightGBM was fitted on.

use scoring_core::Model;

use super::fit::Labelled;
use super::table::TrainingTable;
use super::{ImbalanceChoice, ModelKind, TrainArgs};
use crate::Result;
use crate::learners::linfa::{FitRows, fit_logistic, fit_tree};
use crate::learners::sampling::{stratified_split, undersample};

/// Depth of the comparison tree.
const TREE_MAX_DEPTH: usize = 6;
/// Fewest fitted rows in a leaf of the comparison tree.
const TREE_MIN_LEAF_ROWS: f32 = 50.0;

/// The logistic regression and the decision tree, fitted on a sample of the
/// `fit` rows and corrected to their default rate.
pub(super) fn fit_comparison_models(
    table: &TrainingTable,
    names: &[String],
    fit: &[usize],
    args: &TrainArgs,
) -> Result<Vec<(ModelKind, Model)>> {
    let data = Labelled::of(table);
    let sample = linfa_sample(data, fit, args)?;
    let values = table.labelled.gather(&sample, data.n_features);
    let labels = data.labels_at(&sample);
    let rows = FitRows {
        values: &values,
        labels: &labels,
        n_features: data.n_features,
        base_rate: data.default_rate(fit),
    };
    let models = vec![
        (ModelKind::Logistic, fit_logistic(rows, names)?),
        (
            ModelKind::DecisionTree,
            fit_tree(rows, names, TREE_MAX_DEPTH, TREE_MIN_LEAF_ROWS)?,
        ),
    ];
    tracing::info!(rows = sample.len(), "fitted the linfa comparison models");
    Ok(models)
}

/// A stratified sample of the fitted rows for linfa: rebalanced as the
/// LightGBM rows are, then cut to `--linfa-rows`.
fn linfa_sample(data: Labelled<'_>, fit: &[usize], args: &TrainArgs) -> Result<Vec<usize>> {
    let rebalanced = match args.imbalance {
        ImbalanceChoice::Undersample => {
            undersample(fit, data.labels, args.undersample_ratio, args.seed)?
        }
        ImbalanceChoice::Auto | ImbalanceChoice::Weights => {
            undersample(fit, data.labels, 1.0, args.seed)?
        }
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
