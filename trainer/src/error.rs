use std::path::PathBuf;

/// Everything that can go wrong in the trainer, with the file, line and
/// column involved wherever there is one.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{path}: {action} failed")]
    Io {
        path: PathBuf,
        action: &'static str,
        #[source]
        source: std::io::Error,
    },
    #[error("invalid value for {flag}: {message}")]
    InvalidArgument { flag: &'static str, message: String },

    // --- feature pipeline ---
    #[error(
        "{path}: required file is missing (expected the {table} table of the Home Credit layout)"
    )]
    MissingFile { path: PathBuf, table: &'static str },
    #[error("{path}: required column `{column}` is missing")]
    MissingColumn { path: PathBuf, column: String },
    #[error("{path}, line {line}, column `{column}`: cannot read {value:?} as {expected}")]
    MalformedValue {
        path: PathBuf,
        line: u64,
        column: String,
        value: String,
        expected: &'static str,
    },
    #[error("{path}: cannot parse the CSV file")]
    Csv {
        path: PathBuf,
        #[source]
        source: polars::error::PolarsError,
    },
    #[error("feature pipeline failed while {stage}")]
    Polars {
        stage: &'static str,
        #[source]
        source: polars::error::PolarsError,
    },
    #[error("two features would both be named `{name}` after removing non-alphanumeric characters")]
    DuplicateFeatureName { name: String },
    #[error(
        "the feature schema given has no vocabulary for {table}.{column}: it was built from other data"
    )]
    VocabularyMissing { table: &'static str, column: String },
    #[error("the features built differ from the given schema: {difference}")]
    SchemaMismatch { difference: String },
    #[error(transparent)]
    Schema(#[from] scoring_core::SchemaError),
    // --- synthetic data ---
    #[error("{path}: already exists; pass --force to overwrite it")]
    SynthOutputExists { path: PathBuf },
    #[error(
        "no marginal statistics for column `{column}` of {table}; regenerate synth/marginals.rs with scripts/gen_marginals.py"
    )]
    SynthMissingMarginal {
        table: &'static str,
        column: &'static str,
    },
    #[error("cannot start the worker threads (--threads)")]
    SynthThreads {
        #[source]
        source: rayon::ThreadPoolBuildError,
    },
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
