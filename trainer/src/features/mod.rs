//! `trainer features`: the per-client feature table.
//!
//! Reads a folder in the Home Credit Default Risk layout (real or synthetic)
//! and writes `features.parquet` (one row per applicant of the train and test
//! files: `SK_ID_CURR`, `TARGET` — missing for test applicants — and every
//! feature as f64) and `feature_schema.json` (name, kind, source table,
//! aggregation, description and the category vocabularies).
//!
//! The features are those of the public Kaggle kernel "LightGBM with simple
//! features" (Aguiar), described once in
//! [`scoring_core::features::kernel_definition`]; this is the batch engine
//! that interprets that definition with polars (`batch`), and the service's
//! online engine interprets the same one for a single applicant. Only the
//! columns the features use are read, from CSV or parquet; a table with no
//! rows gives missing features. Each table's features are built and aligned
//! on the applicants while the next table is read (`readahead`), then
//! handed to the output, which encodes them into compressed parquet pages
//! on a thread of its own (`output`): memory holds two input tables and
//! the pages of the features so far, a fifth of their size as values.

mod align;
mod batch;
mod codes;
mod csv;
mod describe;
mod dictionary;
mod family;
mod groups;
mod load;
mod output;
mod readahead;
mod reduce;
mod shares;
mod translate;
mod vocabularies;

use std::path::{Path, PathBuf};
use std::time::Instant;

use indicatif::{ProgressBar, ProgressStyle};
use polars::prelude::*;
use scoring_core::features::{CLIENT_ID, TARGET, Table, kernel_definition};
use scoring_core::{FeatureSchema, FeatureSpec};

use self::align::Applicants;
use self::vocabularies::Vocabularies;
use crate::Result;

pub use self::output::{FEATURES_FILE, SCHEMA_FILE};

/// Options of `trainer features`.
#[derive(Debug, Clone, clap::Args)]
pub struct FeaturesArgs {
    /// Folder holding the Home Credit tables, each as its CSV file or, when
    /// there is none, as a parquet file of the same name (`bureau.parquet`);
    /// optionally HomeCredit_columns_description.csv for feature descriptions.
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

/// One table's features, in parts keyed by the client identifier (one row
/// per client with rows in that part), and their specs. The application's
/// first part is its rows, the target included.
pub(crate) struct Built {
    pub(crate) parts: Vec<DataFrame>,
    pub(crate) specs: Vec<FeatureSpec>,
}

/// Runs `trainer features`.
pub fn run(args: &FeaturesArgs) -> Result<()> {
    let started = Instant::now();
    let fixed = args
        .schema
        .as_deref()
        .map(FeatureSchema::load)
        .transpose()?;
    let mut writer = output::TableWriter::start(&args.out)?;
    let mut clients = 0;
    let schema = build_features(&args.data, fixed.as_ref(), |columns| {
        clients = columns.first().map_or(clients, Column::len);
        writer.add(columns)
    })?;
    let written = Instant::now();
    let (features_path, schema_path) = writer.finish(&schema)?;
    tracing::info!(
        write_seconds = written.elapsed().as_secs_f64(),
        peak_rss_mib = peak_rss_mib(),
        clients,
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
    let mut table: Option<DataFrame> = None;
    let schema = build_features(data_dir, fixed, |columns| {
        let failed = |source| crate::Error::Polars {
            stage: "assembling the feature table",
            source,
        };
        match &mut table {
            Some(table) => table.hstack_mut(&columns).map(drop).map_err(failed),
            None => {
                table = Some(DataFrame::new_infer_height(columns).map_err(failed)?);
                Ok(())
            }
        }
    })?;
    Ok((table.unwrap_or_else(DataFrame::empty), schema))
}

/// Builds the features of the data in `data_dir` table after table, and
/// hands each table's columns, one value per applicant, to `add`: first the
/// identifiers and the target, then the features in the schema's order.
fn build_features(
    data_dir: &Path,
    fixed: Option<&FeatureSchema>,
    mut add: impl FnMut(Vec<Column>) -> Result<()>,
) -> Result<FeatureSchema> {
    let definition = kernel_definition(&describe::load(data_dir)?);
    let mut vocabularies = Vocabularies::new(fixed.map(|s| s.vocabularies.clone()));
    let stages: Vec<Table> = definition
        .tables
        .iter()
        .filter(|t| !t.features.is_empty())
        .map(|t| t.table)
        .collect();
    let progress = ProgressBar::new(stages.len() as u64).with_style(
        ProgressStyle::with_template("{spinner} [{elapsed_precise}] {bar:20} {pos}/{len} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let mut reads = Vec::new();
    for &stage in &stages {
        reads.extend(readahead::reads_of(&definition, stage)?);
    }
    let mut tables = readahead::ReadAhead::start(data_dir, &definition, reads)?;
    // The application's rows, then each table's features aligned on them,
    // so that every family's per-client frame is freed once placed.
    let mut applicants: Option<Applicants> = None;
    let mut specs: Vec<FeatureSpec> = Vec::new();
    for source in stages {
        let name = stage_name(source);
        progress.set_message(name);
        let started = Instant::now();
        let built = batch::build_table(&mut tables, &definition, source, &mut vocabularies, name)?;
        let clients = built.parts.iter().map(DataFrame::height).max().unwrap_or(0);
        let failed = |source| crate::Error::Polars {
            stage: name,
            source,
        };
        let mut columns = Vec::new();
        let applicants = match &mut applicants {
            Some(applicants) => applicants,
            None => {
                let first = built
                    .parts
                    .first()
                    .map_or_else(DataFrame::empty, Clone::clone);
                let rows = first.select([CLIENT_ID, TARGET]).map_err(failed)?;
                let ids = rows.column(CLIENT_ID).map_err(failed)?;
                let found = Applicants::new(ids).map_err(failed)?;
                columns = rows.columns().to_vec();
                applicants.insert(found)
            }
        };
        columns.extend(aligned_features(
            applicants,
            built.parts,
            &built.specs,
            source,
        )?);
        add(columns)?;
        specs.extend(built.specs);
        tracing::info!(
            stage = name,
            clients,
            seconds = started.elapsed().as_secs_f64(),
            peak_rss_mib = peak_rss_mib(),
            "family built"
        );
        progress.inc(1);
    }
    progress.finish_and_clear();
    if applicants.is_none() {
        return Err(crate::Error::Core(
            scoring_core::Error::InvalidFeatureDefinition {
                table: Table::Application,
                reason: "no table has features".to_owned(),
            },
        ));
    }

    let schema = FeatureSchema {
        format_version: scoring_core::schema::SCHEMA_FORMAT_VERSION,
        id_column: CLIENT_ID.to_owned(),
        target_column: Some(TARGET.to_owned()),
        features: specs,
        vocabularies: vocabularies.into_used(),
        columns: None,
    };
    if let Err(scoring_core::Error::DuplicateFeature { name }) = schema.validate() {
        return Err(crate::Error::DuplicateFeatureName { name });
    }
    if let Some(fixed) = fixed {
        output::ensure_same_features(fixed, &schema)?;
    }
    Ok(schema)
}

/// The features `specs` of `parts`, one value per applicant, in the specs'
/// order; each part is dropped once placed.
fn aligned_features(
    applicants: &Applicants,
    parts: Vec<DataFrame>,
    specs: &[FeatureSpec],
    table: Table,
) -> Result<Vec<Column>> {
    let failed = |source| crate::Error::Polars {
        stage: stage_name(table),
        source,
    };
    let mut placed: PlHashMap<String, Column> = PlHashMap::with_capacity(specs.len());
    for part in parts {
        let names: Vec<&str> = part
            .get_column_names()
            .into_iter()
            .map(PlSmallStr::as_str)
            .filter(|n| *n != CLIENT_ID && *n != TARGET)
            .collect();
        let columns = applicants.align(&part, CLIENT_ID, &names).map_err(failed)?;
        for column in columns {
            placed.insert(column.name().to_string(), column);
        }
    }
    specs
        .iter()
        .map(|spec| {
            placed.remove(&spec.name).ok_or_else(|| {
                crate::Error::Core(scoring_core::Error::InvalidFeatureDefinition {
                    table,
                    reason: format!("feature {} was not built", spec.name),
                })
            })
        })
        .collect()
}

/// The process's peak resident memory so far, in MiB (Linux; 0 elsewhere),
/// for the stage log.
fn peak_rss_mib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
            line.split_whitespace().nth(1)?.parse::<u64>().ok()
        })
        .map_or(0, |kib| kib / 1024)
}

/// The name of the stage that builds the features of `table`, for progress
/// and errors.
fn stage_name(table: Table) -> &'static str {
    match table {
        Table::Bureau => "bureau and bureau_balance",
        other => other.name(),
    }
}

/// Runs a plan on polars' streaming engine: several times faster than the
/// in-memory engine for these wide group-bys, and lighter on memory.
pub(crate) fn collect_streaming(plan: LazyFrame) -> PolarsResult<DataFrame> {
    // Only plans with several sinks give several frames; ours have one.
    Ok(plan.collect_with_engine(Engine::Streaming)?.unwrap_single())
}
