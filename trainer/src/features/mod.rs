//! `trainer features`: the per-client feature table.
//!
//! Reads a folder in the Home Credit Default Risk layout (real or synthetic)
//! and writes `features.parquet` (one row per applicant of the train and test
//! files: `SK_ID_CURR`, `TARGET` — missing for test applicants — and every
//! feature as f64) and `feature_schema.json` (name, kind, source table,
//! aggregation, description and the category vocabularies).
//!
//! The features are those of the public Kaggle kernel "LightGBM with simple
//! features" (Aguiar), with its names after its clean-up of
//! non-alphanumeric characters and its semantics: pandas-style reductions
//! (missing values skipped, sums of nothing are 0, variances are sample
//! variances), 365243 as a missing number of days, one-hot categories with a
//! `_nan` indicator where the kernel makes one. Only the columns the features
//! use are read; a table with no rows gives missing features.

mod aggregate;
mod application;
mod balances;
mod bureau;
mod describe;
mod encode;
mod load;
mod output;
mod previous;

use std::path::{Path, PathBuf};
use std::time::Instant;

use indicatif::{ProgressBar, ProgressStyle};
use polars::prelude::*;
use scoring_core::{FeatureKind, FeatureSchema, FeatureSpec};

use self::aggregate::{Agg, Family, family_aggregations};
use self::encode::{RowColumn, Vocabularies};
use crate::Result;

pub use self::output::{FEATURES_FILE, SCHEMA_FILE};

/// The client identifier every table is keyed on.
pub(crate) const CLIENT_ID: &str = "SK_ID_CURR";
/// The 0/1 default label of the training applicants.
pub(crate) const TARGET: &str = "TARGET";
/// Value of a DAYS_* column that stands for "no date".
pub(crate) const DAYS_SENTINEL: f64 = 365_243.0;

/// Options of `trainer features`.
#[derive(Debug, Clone, clap::Args)]
pub struct FeaturesArgs {
    /// Folder holding the Home Credit CSV files (and, optionally,
    /// HomeCredit_columns_description.csv for feature descriptions).
    #[arg(long, env = "CREDIT_DATA", default_value = "data/synth")]
    pub data: PathBuf,
    /// Folder to write `features.parquet` and `feature_schema.json` into.
    #[arg(long, env = "CREDIT_FEATURES", default_value = "data/features")]
    pub out: PathBuf,
    /// Reuse the category vocabularies of an existing feature schema, so the
    /// table has exactly that schema's columns (for scoring new clients).
    #[arg(long, env = "TRAINER_SCHEMA")]
    pub schema: Option<PathBuf>,
}

/// A feature table under construction: one row per client and its schema.
pub(crate) struct Built {
    pub(crate) frame: LazyFrame,
    pub(crate) specs: Vec<FeatureSpec>,
}

impl Built {
    /// Reduces `rows` per client into the family's features.
    pub(crate) fn aggregate(
        rows: LazyFrame,
        family: &Family,
        items: &[(&RowColumn, &[Agg])],
    ) -> Self {
        let (exprs, specs) = family_aggregations(family, items);
        Self {
            frame: rows.group_by([col(CLIENT_ID)]).agg(exprs),
            specs,
        }
    }

    /// As [`Built::aggregate`], plus `count`: the number of the client's rows.
    pub(crate) fn aggregate_counted(
        rows: LazyFrame,
        family: &Family,
        items: &[(&RowColumn, &[Agg])],
        count: &str,
    ) -> Self {
        let (mut exprs, mut specs) = family_aggregations(family, items);
        exprs.push(len().cast(DataType::Float64).alias(count));
        specs.push(FeatureSpec {
            name: count.to_owned(),
            kind: FeatureKind::Numeric,
            source_table: family.table.short_name().to_owned(),
            source_column: CLIENT_ID.to_owned(),
            aggregation: "count".to_owned(),
            category: None,
            description: format!("Number of the client's {}", family.rows),
        });
        Self {
            frame: rows.group_by([col(CLIENT_ID)]).agg(exprs),
            specs,
        }
    }

    /// Left-joins another family on the client id (clients without rows get
    /// missing features).
    pub(crate) fn join(self, other: Built) -> Self {
        let frame = self.frame.join(
            other.frame,
            [col(CLIENT_ID)],
            [col(CLIENT_ID)],
            left_join_keeping_order(),
        );
        let mut specs = self.specs;
        specs.extend(other.specs);
        Self { frame, specs }
    }
}

/// Runs `trainer features`.
pub fn run(args: &FeaturesArgs) -> Result<()> {
    let started = Instant::now();
    let fixed = args
        .schema
        .as_deref()
        .map(FeatureSchema::load)
        .transpose()?;
    let (mut table, schema) = build_feature_table(&args.data, fixed.as_ref())?;
    let written = Instant::now();
    let (features_path, schema_path) = output::write(&args.out, &mut table, &schema)?;
    tracing::info!(
        write_seconds = written.elapsed().as_secs_f64(),
        clients = table.height(),
        features = schema.features.len(),
        seconds = started.elapsed().as_secs_f64(),
        table = %features_path.display(),
        schema = %schema_path.display(),
        "feature table written"
    );
    Ok(())
}

/// Builds the feature table of the data in `data_dir`. With `fixed`, the
/// category vocabularies are that schema's and the result must have exactly
/// its features.
pub fn build_feature_table(
    data_dir: &Path,
    fixed: Option<&FeatureSchema>,
) -> Result<(DataFrame, FeatureSchema)> {
    let describer = describe::Describer::from_data_dir(data_dir)?;
    let mut vocabularies = Vocabularies::new(fixed.map(|s| s.vocabularies.clone()));
    let progress = ProgressBar::new(6).with_style(
        ProgressStyle::with_template("{spinner} [{elapsed_precise}] {bar:20} {pos}/{len} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let mut stage =
        |name: &'static str, build: &mut dyn FnMut(&mut Vocabularies) -> Result<Built>| {
            progress.set_message(name);
            let started = Instant::now();
            let built = build(&mut vocabularies)?;
            // Materialise each family's per-client rows so its source table is freed.
            let frame = collect_streaming(built.frame).map_err(|source| crate::Error::Polars {
                stage: name,
                source,
            })?;
            tracing::info!(
                stage = name,
                clients = frame.height(),
                seconds = started.elapsed().as_secs_f64(),
                "family built"
            );
            progress.inc(1);
            Ok::<_, crate::Error>(Built {
                frame: frame.lazy(),
                specs: built.specs,
            })
        };
    let mut table = stage("application", &mut |v| {
        application::build(data_dir, v, &describer)
    })?;
    table = table.join(stage("bureau and bureau_balance", &mut |v| {
        bureau::build(data_dir, v, &describer)
    })?);
    table = table.join(stage("previous_application", &mut |v| {
        previous::build(data_dir, v, &describer)
    })?);
    table = table.join(stage("POS_CASH_balance", &mut |v| {
        balances::pos_cash(data_dir, v, &describer)
    })?);
    table = table.join(stage("installments_payments", &mut |_| {
        balances::installments(data_dir, &describer)
    })?);
    table = table.join(stage("credit_card_balance", &mut |v| {
        balances::credit_card(data_dir, v, &describer)
    })?);
    progress.finish_and_clear();

    let schema = FeatureSchema {
        format_version: scoring_core::schema::SCHEMA_FORMAT_VERSION,
        id_column: CLIENT_ID.to_owned(),
        target_column: Some(TARGET.to_owned()),
        features: table.specs,
        vocabularies: vocabularies.into_used(),
    };
    if let Err(scoring_core::Error::DuplicateFeature { name }) = schema.validate() {
        return Err(crate::Error::DuplicateFeatureName { name });
    }
    if let Some(fixed) = fixed {
        output::ensure_same_features(fixed, &schema)?;
    }
    let mut columns = vec![col(CLIENT_ID), col(TARGET)];
    columns.extend(
        schema
            .feature_names()
            .map(|name| col(name).fill_nan(lit(NULL))),
    );
    let frame =
        collect_streaming(table.frame.select(columns)).map_err(|source| crate::Error::Polars {
            stage: "joining the families",
            source,
        })?;
    Ok((frame, schema))
}

/// Runs a plan on polars' streaming engine: several times faster than the
/// in-memory engine for these wide group-bys, and lighter on memory.
pub(crate) fn collect_streaming(plan: LazyFrame) -> PolarsResult<DataFrame> {
    // Only plans with several sinks give several frames; ours have one.
    Ok(plan.collect_with_engine(Engine::Streaming)?.unwrap_single())
}

/// A left join whose output keeps the left rows' order (the streaming engine
/// does not otherwise), so the table lists applicants as the files do.
pub(crate) fn left_join_keeping_order() -> JoinArgs {
    let mut args = JoinArgs::new(JoinType::Left);
    args.maintain_order = MaintainOrderJoin::Left;
    args
}
