//! `trainer train`: fits a LightGBM model on the feature table, evaluates it
//! on a held-out split and publishes it to the model registry.
//!
//! ```text
//! trainer train --features data/features --registry registry --promote
//! ```
//!
//! Steps: read `features.parquet` (rows without TARGET are test applicants
//! and are skipped); stratified train/test split; a 15% stratified slice of
//! the training part is kept, un-sampled, for early stopping; the rest is
//! undersampled (good payers per defaulter, `--undersample-ratio`, 0 keeps
//! every row); LightGBM with early stopping (50 rounds); the model is
//! converted to scoring-core with the prior-shift correction of the
//! undersampling folded into its base score, so the published model is the
//! one evaluated; ROC AUC, PR AUC, Brier and KS on the test split; the cost
//! sweep on the test split (AMT_CREDIT per client) gives the prudent /
//! normal / aggressive thresholds; all of it is published as a new version.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use polars::prelude::*;
use scoring_core::model::BoostedTrees;
use scoring_core::{Estimator, FeatureSchema, Model, Release, Thresholds, write_artifact};
use sha2::{Digest, Sha256};

use crate::evaluation::{
    CostParameters, average_precision, brier_score, default_grid, ks_statistic, roc_auc, sweep,
};
use crate::features::{FEATURES_FILE, SCHEMA_FILE};
use crate::training::lightgbm::{LightGbmParams, train};
use crate::training::sampling::{correct_probability, stratified_split, undersample};
use crate::{Error, Result};
use scoring_core::registry::{Registry, VersionId};

/// Share of the training part kept un-sampled for early stopping.
const EARLY_STOPPING_FRACTION: f64 = 0.15;
/// Rounds without improvement before early stopping.
const EARLY_STOPPING_ROUNDS: u32 = 50;
/// The feature holding the credit amount the business cost is counted on.
const CREDIT_FEATURE: &str = "AMT_CREDIT";
/// Lowest threshold published: a threshold of 0 would refuse everyone and is
/// not a valid policy threshold.
const MIN_THRESHOLD: f64 = 0.005;

/// Options of `trainer train`.
#[derive(Debug, Clone, clap::Args)]
pub struct TrainArgs {
    /// Folder holding `features.parquet` and `feature_schema.json`.
    #[arg(long, env = "TRAIN_FEATURES", default_value = "data/features")]
    pub features: PathBuf,
    /// Model registry to publish into (created if missing).
    #[arg(long, env = "TRAIN_REGISTRY", default_value = "registry")]
    pub registry: PathBuf,
    /// Seed of the splits, the undersampling and LightGBM.
    #[arg(long, env = "TRAIN_SEED", default_value_t = 42)]
    pub seed: u64,
    /// Share of the labelled clients held out for evaluation, in (0, 1).
    #[arg(long, env = "TRAIN_TEST_FRACTION", default_value_t = 0.3)]
    pub test_fraction: f64,
    /// Good payers kept per defaulter in the training rows; 0 keeps every row.
    #[arg(long, env = "TRAIN_UNDERSAMPLE_RATIO", default_value_t = 2.0)]
    pub undersample_ratio: f64,
    /// Maximum boosting rounds.
    #[arg(long, env = "TRAIN_TREES", default_value_t = 500)]
    pub trees: u32,
    /// LightGBM learning rate.
    #[arg(long, env = "TRAIN_LEARNING_RATE", default_value_t = 0.05)]
    pub learning_rate: f64,
    /// LightGBM maximum leaves per tree.
    #[arg(long, env = "TRAIN_NUM_LEAVES", default_value_t = 34)]
    pub num_leaves: u32,
    /// Version id to publish as (default: v{N+1}).
    #[arg(long, env = "TRAIN_VERSION")]
    pub version: Option<String>,
    /// Point the `production` alias at the new version.
    #[arg(long, env = "TRAIN_PROMOTE")]
    pub promote: bool,
}

impl TrainArgs {
    /// The defaults of the command line, reading `features` and publishing
    /// into `registry`.
    pub fn new(features: impl Into<PathBuf>, registry: impl Into<PathBuf>) -> Self {
        Self {
            features: features.into(),
            registry: registry.into(),
            seed: 42,
            test_fraction: 0.3,
            undersample_ratio: 2.0,
            trees: 500,
            learning_rate: 0.05,
            num_leaves: 34,
            version: None,
            promote: false,
        }
    }
}

/// What one training run produced.
#[derive(Debug, Clone)]
pub struct TrainOutcome {
    /// The version published.
    pub version: VersionId,
    /// Metrics as written to the manifest.
    pub metrics: BTreeMap<String, f64>,
    /// Thresholds as written to the manifest.
    pub thresholds: Thresholds,
    /// SK_ID_CURR of each test-split client.
    pub test_client_ids: Vec<i64>,
    /// Corrected probability of default the trainer computed for each
    /// test-split client (same order as `test_client_ids`).
    pub test_probabilities: Vec<f64>,
}

/// The labelled rows of the feature table.
struct Labelled {
    ids: Vec<i64>,
    labels: Vec<u8>,
    /// Row-major, one row per client, NaN = missing.
    rows: Vec<f64>,
    n_features: usize,
}

impl Labelled {
    fn gather(&self, indices: &[usize]) -> Vec<f64> {
        let n = self.n_features;
        let mut out = Vec::with_capacity(indices.len() * n);
        for &i in indices {
            out.extend_from_slice(&self.rows[i * n..(i + 1) * n]);
        }
        out
    }

    fn labels_f64(&self, indices: &[usize]) -> Vec<f64> {
        indices.iter().map(|&i| f64::from(self.labels[i])).collect()
    }
}

/// Runs `trainer train` and prints a short summary.
pub fn run(args: &TrainArgs) -> Result<()> {
    let outcome = train_and_publish(args)?;
    let auc = outcome
        .metrics
        .get("test_roc_auc")
        .copied()
        .unwrap_or(f64::NAN);
    let t = outcome.thresholds;
    println!(
        "published {}: test ROC AUC {auc:.4}; thresholds prudent {:.3}, normal {:.3}, aggressive {:.3}",
        outcome.version, t.prudent, t.normal, t.aggressive
    );
    Ok(())
}

fn invalid(flag: &'static str, message: String) -> Error {
    Error::InvalidArgument { flag, message }
}

fn check(args: &TrainArgs) -> Result<()> {
    if !(args.test_fraction > 0.0 && args.test_fraction < 1.0) {
        return Err(invalid(
            "--test-fraction",
            format!("must be in (0, 1), got {}", args.test_fraction),
        ));
    }
    if !(args.undersample_ratio.is_finite() && args.undersample_ratio >= 0.0) {
        return Err(invalid(
            "--undersample-ratio",
            format!(
                "must be a finite number >= 0, got {}",
                args.undersample_ratio
            ),
        ));
    }
    Ok(())
}

/// Trains, evaluates and publishes; returns what was published.
pub fn train_and_publish(args: &TrainArgs) -> Result<TrainOutcome> {
    check(args)?;
    let table_path = args.features.join(FEATURES_FILE);
    let schema = FeatureSchema::load(&args.features.join(SCHEMA_FILE))?;
    let names: Vec<String> = schema.feature_names().map(str::to_owned).collect();
    let data = read_labelled(&table_path, &names)?;
    let credit_column =
        schema
            .position(CREDIT_FEATURE)
            .ok_or_else(|| Error::TrainMissingFeature {
                path: args.features.join(SCHEMA_FILE),
                feature: CREDIT_FEATURE,
            })?;
    tracing::info!(clients = data.labels.len(), features = names.len(), path = %table_path.display(), "read the labelled feature table");

    // Splits: test / (early-stopping validation, fit); the fit part is undersampled.
    let split = stratified_split(&data.labels, args.test_fraction, args.seed)?;
    let train_labels: Vec<u8> = split.train.iter().map(|&i| data.labels[i]).collect();
    let inner = stratified_split(&train_labels, EARLY_STOPPING_FRACTION, args.seed ^ 0x5eed)?;
    let valid: Vec<usize> = inner.test.iter().map(|&k| split.train[k]).collect();
    let fit: Vec<usize> = inner.train.iter().map(|&k| split.train[k]).collect();
    let sampled = if args.undersample_ratio > 0.0 {
        undersample(&fit, &data.labels, args.undersample_ratio, args.seed)?
    } else {
        fit.clone()
    };
    let base_rate = default_rate(&data.labels, &fit);
    let sampled_rate = default_rate(&data.labels, &sampled);
    tracing::info!(
        test = split.test.len(),
        valid = valid.len(),
        fit = sampled.len(),
        base_rate,
        sampled_rate,
        "split the clients"
    );

    let params = LightGbmParams {
        num_leaves: args.num_leaves,
        learning_rate: args.learning_rate,
        num_iterations: args.trees,
        seed: args.seed,
        early_stopping_rounds: Some(EARLY_STOPPING_ROUNDS),
        ..LightGbmParams::default()
    };
    let valid_rows = data.gather(&valid);
    let valid_labels = data.labels_f64(&valid);
    let booster = train(
        &data.gather(&sampled),
        data.n_features,
        &data.labels_f64(&sampled),
        &params,
        Some((&valid_rows, &valid_labels)),
    )?;
    tracing::info!(
        best_iteration = booster.best_iteration(),
        "trained LightGBM"
    );

    // Convert, name the features as the schema does, and fold the prior correction.
    let parsed = scoring_core::parse_lightgbm(&booster.model_string()?)
        .map_err(model_error("converting the LightGBM model"))?;
    let Estimator::BoostedTrees(trees) = parsed.estimator().clone() else {
        return Err(Error::TrainUnexpectedModel);
    };
    let shift = log_odds(base_rate) - log_odds(sampled_rate);
    let uncorrected = Model::new(names.clone(), Estimator::BoostedTrees(trees.clone()))
        .map_err(model_error("naming the model's features"))?;
    let model = Model::new(
        names,
        Estimator::BoostedTrees(BoostedTrees {
            base_score: trees.base_score + shift,
            trees: trees.trees,
        }),
    )
    .map_err(model_error(
        "folding the prior correction into the base score",
    ))?;

    // Evaluate on the test split.
    let test_rows = data.gather(&split.test);
    let test_labels: Vec<u8> = split.test.iter().map(|&i| data.labels[i]).collect();
    let mut raw = vec![0.0; split.test.len()];
    uncorrected
        .predict_raw_batch(&test_rows, &mut raw)
        .map_err(model_error("scoring the test split"))?;
    let probabilities = raw
        .iter()
        .map(|&r| correct_probability(sigmoid(r), base_rate, sampled_rate))
        .collect::<Result<Vec<f64>>>()?;
    let credit: Vec<f64> = split
        .test
        .iter()
        .map(|&i| data.rows[i * data.n_features + credit_column])
        .collect();
    let metrics = BTreeMap::from([
        (
            "test_roc_auc".to_owned(),
            roc_auc(&probabilities, &test_labels)?,
        ),
        (
            "test_pr_auc".to_owned(),
            average_precision(&probabilities, &test_labels)?,
        ),
        (
            "test_brier".to_owned(),
            brier_score(&probabilities, &test_labels)?,
        ),
        (
            "test_ks".to_owned(),
            ks_statistic(&probabilities, &test_labels)?,
        ),
        ("best_iteration".to_owned(), booster.best_iteration() as f64),
        ("base_rate".to_owned(), base_rate),
        ("sampled_rate".to_owned(), sampled_rate),
        ("test_clients".to_owned(), split.test.len() as f64),
        ("fit_clients".to_owned(), sampled.len() as f64),
    ]);
    let cost = CostParameters::default();
    let curve = sweep(
        &probabilities,
        &test_labels,
        &credit,
        &cost.check()?,
        &default_grid(),
    )?;
    let strategy = curve.strategy_thresholds();
    let clamp = |t: f64| t.clamp(MIN_THRESHOLD, 1.0);
    let thresholds = Thresholds {
        prudent: clamp(strategy.prudent),
        normal: clamp(strategy.normal),
        aggressive: clamp(strategy.aggressive),
    };
    tracing::info!(
        auc = metrics["test_roc_auc"],
        ?thresholds,
        "evaluated on the test split"
    );

    // Publish.
    let registry = Registry::open(&args.registry)?;
    let version = match &args.version {
        Some(v) => VersionId::parse(v)?,
        None => registry.next_version()?,
    };
    let release = Release {
        model_version: version.to_string(),
        created_at: rfc3339_now(),
        code_version: env!("CARGO_PKG_VERSION").to_owned(),
        training_data_fingerprint: fingerprint(&table_path)?,
        training_parameters: serde_json::json!({
            "lightgbm": params,
            "seed": args.seed,
            "test_fraction": args.test_fraction,
            "undersample_ratio": args.undersample_ratio,
            "early_stopping_fraction": EARLY_STOPPING_FRACTION,
            "cost": cost,
        }),
        metrics: metrics.clone(),
        thresholds,
    };
    let published = registry.publish(Some(version.as_str()), |dir| {
        write_artifact(dir, &release, &model, &schema).map(|_| ())
    })?;
    if args.promote {
        registry.promote(published.as_str(), "production")?;
        tracing::info!(version = %published, "promoted to production");
    }
    Ok(TrainOutcome {
        version: published,
        metrics,
        thresholds,
        test_client_ids: split.test.iter().map(|&i| data.ids[i]).collect(),
        test_probabilities: probabilities,
    })
}

fn model_error(stage: &'static str) -> impl FnOnce(scoring_core::Error) -> Error {
    move |source| Error::TrainModel { stage, source }
}

fn default_rate(labels: &[u8], indices: &[usize]) -> f64 {
    let defaults = indices.iter().filter(|&&i| labels[i] == 1).count();
    defaults as f64 / indices.len().max(1) as f64
}

fn log_odds(p: f64) -> f64 {
    (p / (1.0 - p)).ln()
}

fn sigmoid(raw: f64) -> f64 {
    1.0 / (1.0 + (-raw).exp())
}

/// Reads the labelled rows (TARGET not null) of the feature table.
fn read_labelled(path: &Path, names: &[String]) -> Result<Labelled> {
    let file = std::fs::File::open(path).map_err(|source| Error::Io {
        path: path.to_owned(),
        action: "opening the feature table",
        source,
    })?;
    let table = ParquetReader::new(file)
        .finish()
        .map_err(|source| Error::TrainFeatureTable {
            path: path.to_owned(),
            source,
        })?;
    let column_error = |column: &str| {
        let path = path.to_owned();
        let column = column.to_owned();
        move |source| Error::TrainColumn {
            path,
            column,
            source,
        }
    };
    let target = table
        .column("TARGET")
        .and_then(|c| c.i32().cloned())
        .map_err(column_error("TARGET"))?;
    let ids = table
        .column("SK_ID_CURR")
        .and_then(|c| c.i64().cloned())
        .map_err(column_error("SK_ID_CURR"))?;
    let keep: Vec<usize> = (0..table.height())
        .filter(|&i| target.get(i).is_some())
        .collect();
    let mut labels = Vec::with_capacity(keep.len());
    for &i in &keep {
        match target.get(i) {
            Some(0) => labels.push(0),
            Some(1) => labels.push(1),
            other => {
                return Err(Error::TrainInvalidTarget {
                    path: path.to_owned(),
                    row: i,
                    value: other.unwrap_or_default(),
                });
            }
        }
    }
    if labels.is_empty() {
        return Err(Error::TrainNoLabelledRows {
            path: path.to_owned(),
        });
    }
    let n_features = names.len();
    let mut rows = vec![f64::NAN; keep.len() * n_features];
    for (j, name) in names.iter().enumerate() {
        let values = table
            .column(name)
            .and_then(|c| c.f64().cloned())
            .map_err(column_error(name))?;
        for (r, &i) in keep.iter().enumerate() {
            if let Some(v) = values.get(i) {
                rows[r * n_features + j] = v;
            }
        }
    }
    Ok(Labelled {
        ids: keep
            .iter()
            .map(|&i| ids.get(i).unwrap_or_default())
            .collect(),
        labels,
        rows,
        n_features,
    })
}

/// `sha256:<hex>` of the feature table file.
fn fingerprint(path: &Path) -> Result<String> {
    let bytes = std::fs::read(path).map_err(|source| Error::Io {
        path: path.to_owned(),
        action: "reading the feature table",
        source,
    })?;
    Ok(format!("sha256:{:x}", Sha256::digest(&bytes)))
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
