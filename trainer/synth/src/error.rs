use std::path::PathBuf;

/// Everything that can go wrong while generating a data set.
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
    #[error("{path}: already exists; pass --force to overwrite it")]
    OutputExists { path: PathBuf },
    #[error(
        "no marginal statistics for column `{column}` of {table}; regenerate trainer/synth/src/marginals.rs with trainer/synth/scripts/gen_marginals.py"
    )]
    MissingMarginal {
        table: &'static str,
        column: &'static str,
    },
    #[error("{path}, line {line}: {message}")]
    CategoryProfile {
        path: PathBuf,
        line: usize,
        message: String,
    },
    #[error("cannot start the worker threads (--threads)")]
    Threads {
        #[source]
        source: rayon::ThreadPoolBuildError,
    },
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
