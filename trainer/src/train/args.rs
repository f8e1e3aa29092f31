//! The options of `trainer train`, with their defaults, checked once into
//! [`ValidTrainArgs`], the only form the training accepts.

use std::path::PathBuf;

use super::search::SelectionMetric;
use crate::evaluation::{CostParameters, ValidCostParameters};
use crate::learners::lightgbm::{EarlyStoppingMetric, LightGbmParams, ValidLightGbmParams};
use crate::{Error, Result};

/// The LightGBM settings not exposed as flags, a practitioner's defaults
/// for a few thousand to a few hundred thousand clients: depth-limited
/// trees on half the columns and 87% of the rows per tree, leaves needing
/// a hessian of 39 (about 500 clients at an 8% default rate), light L1/L2
/// and a minimum gain so that noise splits are not made.
const MAX_DEPTH: u32 = 8;
const FEATURE_FRACTION: f64 = 0.5;
const BAGGING_FRACTION: f64 = 0.87;
const MIN_SUM_HESSIAN_IN_LEAF: f64 = 39.0;
const LAMBDA_L1: f64 = 0.04;
const LAMBDA_L2: f64 = 0.07;
const MIN_GAIN_TO_SPLIT: f64 = 0.02;

/// Which kind of model is published.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ModelKind {
    /// Gradient-boosted trees (LightGBM).
    Lightgbm,
    /// Logistic regression (linfa-logistic).
    Logistic,
    /// One decision tree (linfa-trees).
    DecisionTree,
}

impl ModelKind {
    pub fn name(self) -> &'static str {
        match self {
            Self::Lightgbm => "lightgbm",
            Self::Logistic => "logistic",
            Self::DecisionTree => "decision_tree",
        }
    }
}

/// How the class imbalance is treated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ImbalanceChoice {
    /// Cross-validation chooses between `none` and `weights`.
    Auto,
    /// Random undersampling of good payers (`--undersample-ratio` per defaulter).
    Undersample,
    /// Class weights (LightGBM `is_unbalance`); every row kept.
    Weights,
    /// Neither.
    None,
}

/// How the published probabilities are calibrated on held-out clients.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CalibrationChoice {
    /// Platt scaling: strictly increasing, so the calibrated model ranks
    /// clients exactly as the raw one (isotonic regression's steps tie the
    /// clients within each step, which costs ROC AUC).
    Auto,
    Isotonic,
    Platt,
    None,
}

/// Which clients' features are published as the service's snapshot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SnapshotChoice {
    /// The clients without a target if there are any, else the test split.
    Auto,
    Unlabelled,
    Test,
    None,
}

/// Options of `trainer train`.
#[derive(Debug, Clone, clap::Args)]
pub struct TrainArgs {
    /// A folder made by `trainer features`, or any .csv / .parquet table with
    /// an id column and a 0/1 target column.
    #[arg(long, env = "CREDIT_FEATURES", default_value = "data/features")]
    pub features: PathBuf,
    /// Model registry to publish into (created if missing).
    #[arg(long, env = "CREDIT_REGISTRY", default_value = "registry")]
    pub registry: PathBuf,
    /// Column identifying a client.
    #[arg(long, env = "TRAINER_ID_COLUMN", default_value = "SK_ID_CURR")]
    pub id_column: String,
    /// Column holding the 0/1 default label (missing = a client to decide).
    #[arg(long, env = "TRAINER_TARGET_COLUMN", default_value = "TARGET")]
    pub target_column: String,
    /// Feature holding the credit amount the business cost is counted on;
    /// when the table lacks it every client counts 1.
    #[arg(long, env = "TRAINER_CREDIT_COLUMN", default_value = "AMT_CREDIT")]
    pub credit_column: String,
    /// Seed of the splits, the sampling, the search and LightGBM.
    #[arg(long, env = "TRAINER_SEED", default_value_t = 42)]
    pub seed: u64,
    /// Share of the labelled clients held out for evaluation, in (0, 1).
    #[arg(long, env = "TRAINER_TRAIN_TEST_FRACTION", default_value_t = 0.3)]
    pub test_fraction: f64,
    /// Class-imbalance treatment (`auto`: chosen by cross-validation).
    #[arg(long, env = "TRAINER_IMBALANCE", value_enum, default_value_t = ImbalanceChoice::Auto)]
    pub imbalance: ImbalanceChoice,
    /// Good payers kept per defaulter when undersampling (> 0).
    #[arg(long, env = "TRAINER_UNDERSAMPLE_RATIO", default_value_t = 2.0)]
    pub undersample_ratio: f64,
    /// Maximum boosting rounds of a cross-validation fit (early stopping
    /// picks the best; the refits use the folds' best, scaled to their rows).
    #[arg(long, env = "TRAINER_TREES", default_value_t = 5000)]
    pub trees: u32,
    /// Rounds without improvement before early stopping (>= 1).
    #[arg(long, env = "TRAINER_PATIENCE", default_value_t = 100)]
    pub patience: u32,
    /// LightGBM learning rate.
    #[arg(long, env = "TRAINER_LEARNING_RATE", default_value_t = 0.03)]
    pub learning_rate: f64,
    /// LightGBM maximum leaves per tree.
    #[arg(long, env = "TRAINER_NUM_LEAVES", default_value_t = 34)]
    pub num_leaves: u32,
    /// Stratified folds of the cross-validation on the training part (>= 2).
    #[arg(long, env = "TRAINER_FOLDS", default_value_t = 5)]
    pub folds: usize,
    /// Above this many clients in the training part, the settings are
    /// compared on a stratified sample of this many and only the winner is
    /// cross-validated on the whole part (>= 1,000).
    #[arg(long, env = "TRAINER_SEARCH_ROWS", default_value_t = 40_000)]
    pub search_rows: usize,
    /// TOML file of a cross-validated hyperparameter search (see `search`);
    /// without it, the built-in search over the imbalance treatment and the
    /// regularisation.
    #[arg(long, env = "TRAINER_SEARCH")]
    pub search: Option<PathBuf>,
    /// Monotone directions, `FEATURE=+1` (the PD may only rise with the
    /// feature) or `FEATURE=-1`, comma-separated.
    #[arg(long, env = "TRAINER_MONOTONE", value_delimiter = ',')]
    pub monotone: Vec<String>,
    /// Metric the search selects on.
    #[arg(long, env = "TRAINER_SELECT_BY", value_enum, default_value_t = SelectionMetric::Auc)]
    pub select_by: SelectionMetric,
    /// Where the search writes one JSON line per trial.
    #[arg(
        long,
        env = "TRAINER_TRIALS_LOG",
        default_value = "search-trials.jsonl"
    )]
    pub trials_log: PathBuf,
    /// Calibration of the published probabilities.
    #[arg(long, env = "TRAINER_CALIBRATION", value_enum, default_value_t = CalibrationChoice::Auto)]
    pub calibration: CalibrationChoice,
    /// The kind of model to publish.
    #[arg(long, env = "TRAINER_TRAIN_MODEL", value_enum, default_value_t = ModelKind::Lightgbm)]
    pub model: ModelKind,
    /// Also fit the other kinds, for the model card's comparison.
    #[arg(long, env = "TRAINER_COMPARE", default_value_t = true, action = clap::ArgAction::Set)]
    pub compare: bool,
    /// Source columns left out of the model's inputs, comma-separated
    /// (e.g. `CODE_GENDER`): every feature derived from them is dropped
    /// before cross-validation; the card and the report record them.
    #[arg(long, env = "TRAINER_EXCLUDE_FEATURES", value_delimiter = ',')]
    pub exclude_features: Vec<String>,
    /// Fit one more model without the gender features (the chosen setting,
    /// same clients and rounds) to report what excluding gender costs.
    #[arg(long, env = "TRAINER_FAIRNESS_COMPARE", default_value_t = true, action = clap::ArgAction::Set)]
    pub fairness_compare: bool,
    /// At most this many rows fit the linfa models (a stratified sample).
    #[arg(long, env = "TRAINER_LINFA_ROWS", default_value_t = 20_000)]
    pub linfa_rows: usize,
    /// Interest earned on a repaid loan, as a share of AMT_CREDIT.
    #[arg(long, env = "TRAINER_INTEREST_RATE", default_value_t = 0.05)]
    pub interest_rate: f64,
    /// Share of AMT_CREDIT lost on a default.
    #[arg(long, env = "TRAINER_LOSS_GIVEN_DEFAULT", default_value_t = 0.8)]
    pub loss_given_default: f64,
    /// The prudent and aggressive strategies break even when the loss given
    /// default is this share higher or lower than `--loss-given-default`, in [0, 1).
    #[arg(long, env = "TRAINER_LGD_STRESS", default_value_t = 0.25)]
    pub lgd_stress: f64,
    /// Stratified bootstrap resamples of the test split behind every
    /// interval (>= 100).
    #[arg(long, env = "TRAINER_BOOTSTRAP", default_value_t = 1000)]
    pub bootstrap: usize,
    /// Clients whose features are published for scoring by id.
    #[arg(long, env = "TRAINER_SNAPSHOT", value_enum, default_value_t = SnapshotChoice::Auto)]
    pub snapshot: SnapshotChoice,
    /// Version id to publish as (default: v{N+1}).
    #[arg(long, env = "TRAINER_VERSION")]
    pub version: Option<String>,
    /// Point the `production` alias at the new version.
    #[arg(long, env = "TRAINER_PROMOTE")]
    pub promote: bool,
}

impl TrainArgs {
    /// The defaults of the command line, reading `features` and publishing
    /// into `registry`; the trial log goes beside the registry.
    pub fn new(features: impl Into<PathBuf>, registry: impl Into<PathBuf>) -> Self {
        let registry: PathBuf = registry.into();
        Self {
            features: features.into(),
            trials_log: registry.with_file_name("search-trials.jsonl"),
            registry,
            id_column: "SK_ID_CURR".to_owned(),
            target_column: "TARGET".to_owned(),
            credit_column: "AMT_CREDIT".to_owned(),
            seed: 42,
            test_fraction: 0.3,
            imbalance: ImbalanceChoice::Auto,
            undersample_ratio: 2.0,
            trees: 5000,
            patience: 100,
            learning_rate: 0.03,
            num_leaves: 34,
            folds: 5,
            search_rows: 40_000,
            search: None,
            monotone: Vec::new(),
            select_by: SelectionMetric::Auc,
            calibration: CalibrationChoice::Auto,
            model: ModelKind::Lightgbm,
            compare: true,
            exclude_features: Vec::new(),
            fairness_compare: true,
            linfa_rows: 20_000,
            interest_rate: 0.05,
            loss_given_default: 0.8,
            lgd_stress: 0.25,
            bootstrap: 1000,
            snapshot: SnapshotChoice::Auto,
            version: None,
            promote: false,
        }
    }

    /// Checks the values clap cannot, naming the flag of the first one out
    /// of range, and derives the LightGBM and cost parameters from them.
    pub fn check(mut self) -> Result<ValidTrainArgs> {
        let invalid =
            |flag: &'static str, message: String| Error::InvalidArgument { flag, message };
        if !(self.test_fraction > 0.0 && self.test_fraction < 1.0) {
            return Err(invalid(
                "--test-fraction",
                format!("must be in (0, 1), got {}", self.test_fraction),
            ));
        }
        if !(self.undersample_ratio.is_finite() && self.undersample_ratio > 0.0) {
            return Err(invalid(
                "--undersample-ratio",
                format!(
                    "must be a finite number > 0, got {}",
                    self.undersample_ratio
                ),
            ));
        }
        if self.linfa_rows < 100 {
            return Err(invalid(
                "--linfa-rows",
                format!("must be at least 100, got {}", self.linfa_rows),
            ));
        }
        if self.folds < 2 {
            return Err(invalid(
                "--folds",
                format!("must be at least 2, got {}", self.folds),
            ));
        }
        if self.search_rows < 1_000 {
            return Err(invalid(
                "--search-rows",
                format!("must be at least 1000, got {}", self.search_rows),
            ));
        }
        if !(self.lgd_stress.is_finite() && (0.0..1.0).contains(&self.lgd_stress)) {
            return Err(invalid(
                "--lgd-stress",
                format!("must be in [0, 1), got {}", self.lgd_stress),
            ));
        }
        if self.bootstrap < 100 {
            return Err(invalid(
                "--bootstrap",
                format!("must be at least 100 resamples, got {}", self.bootstrap),
            ));
        }
        let monotone = parse_monotone(&self.monotone)?;
        self.exclude_features = parse_columns(&self.exclude_features)?;
        let lightgbm = LightGbmParams {
            num_leaves: self.num_leaves,
            max_depth: Some(MAX_DEPTH),
            learning_rate: self.learning_rate,
            num_iterations: self.trees,
            feature_fraction: FEATURE_FRACTION,
            bagging_fraction: BAGGING_FRACTION,
            bagging_freq: 1,
            min_sum_hessian_in_leaf: MIN_SUM_HESSIAN_IN_LEAF,
            min_gain_to_split: MIN_GAIN_TO_SPLIT,
            lambda_l1: LAMBDA_L1,
            lambda_l2: LAMBDA_L2,
            seed: self.seed,
            early_stopping_rounds: Some(self.patience),
            // Rebalanced fits over-predict default on the real validation rows,
            // so their log-loss worsens from the first rounds: watch the ranking.
            metric: EarlyStoppingMetric::Auc,
            ..LightGbmParams::default()
        }
        .check()
        .map_err(as_flag_error)?;
        let cost = CostParameters {
            interest_rate: self.interest_rate,
            loss_given_default: self.loss_given_default,
            ..CostParameters::default()
        }
        .check()
        .map_err(as_flag_error)?;
        Ok(ValidTrainArgs {
            args: self,
            lightgbm,
            cost,
            monotone,
        })
    }
}

/// `FEATURE=+1` / `FEATURE=-1` pairs, in the order given; a feature named
/// twice is refused.
fn parse_monotone(items: &[String]) -> Result<Vec<(String, i8)>> {
    let invalid = |message: String| Error::InvalidArgument {
        flag: "--monotone",
        message,
    };
    let mut out: Vec<(String, i8)> = Vec::new();
    for item in items.iter().map(|i| i.trim()).filter(|i| !i.is_empty()) {
        let (feature, direction) = item
            .rsplit_once('=')
            .ok_or_else(|| invalid(format!("expected FEATURE=+1 or FEATURE=-1, got `{item}`")))?;
        let direction = match direction.trim() {
            "+1" | "1" => 1,
            "-1" => -1,
            other => {
                return Err(invalid(format!(
                    "the direction of `{feature}` must be +1 or -1, got `{other}`"
                )));
            }
        };
        let feature = feature.trim().to_owned();
        if out.iter().any(|(f, _)| *f == feature) {
            return Err(invalid(format!(
                "one direction per feature, got `{feature}` twice"
            )));
        }
        out.push((feature, direction));
    }
    Ok(out)
}

/// `--exclude-features`: the column names trimmed, empty items dropped; a
/// column named twice is refused (whether the table has them is checked
/// when it is read).
fn parse_columns(items: &[String]) -> Result<Vec<String>> {
    let mut out: Vec<String> = Vec::new();
    for column in items.iter().map(|i| i.trim()).filter(|i| !i.is_empty()) {
        if out.iter().any(|c| c == column) {
            return Err(Error::InvalidArgument {
                flag: "--exclude-features",
                message: format!("`{column}` is named twice"),
            });
        }
        out.push(column.to_owned());
    }
    Ok(out)
}

/// A LightGBM or cost parameter's error as an error of the flag it comes
/// from; other errors as they are.
fn as_flag_error(error: Error) -> Error {
    let (parameter, message) = match &error {
        Error::LightGbmInvalidParameter {
            parameter,
            value,
            expected,
        } => (*parameter, format!("must be {expected}, got {value}")),
        Error::InvalidCostParameter { parameter, value } => (
            *parameter,
            format!("must be a finite number >= 0, got {value}"),
        ),
        _ => return error,
    };
    let flag = match parameter {
        "num_leaves" => "--num-leaves",
        "learning_rate" => "--learning-rate",
        "num_iterations" => "--trees",
        "early_stopping_rounds" => "--patience",
        "interest_rate" => "--interest-rate",
        "loss_given_default" => "--loss-given-default",
        _ => return error,
    };
    Error::InvalidArgument { flag, message }
}

/// Options that passed [`TrainArgs::check`], with the LightGBM and cost
/// parameters they give.
#[derive(Debug, Clone)]
pub struct ValidTrainArgs {
    args: TrainArgs,
    lightgbm: ValidLightGbmParams,
    cost: ValidCostParameters,
    monotone: Vec<(String, i8)>,
}

impl ValidTrainArgs {
    /// The checked options.
    pub fn get(&self) -> &TrainArgs {
        &self.args
    }

    /// The LightGBM parameters of `--trees`, `--learning-rate`,
    /// `--num-leaves` and `--seed`, before any search.
    pub fn lightgbm(&self) -> &ValidLightGbmParams {
        &self.lightgbm
    }

    /// The business cost of `--interest-rate` and `--loss-given-default`.
    pub fn cost(&self) -> &ValidCostParameters {
        &self.cost
    }

    /// The `--monotone` directions, by feature name.
    pub fn monotone(&self) -> &[(String, i8)] {
        &self.monotone
    }
}
