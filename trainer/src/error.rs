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
        "{path}: required file is missing (expected the {table} table of the Home Credit layout, as .csv or .parquet)"
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
    #[error("{path}, line {line}: {problem}")]
    CsvRecord {
        path: PathBuf,
        line: u64,
        problem: String,
    },
    #[error("{path}: cannot read the parquet file")]
    Parquet {
        path: PathBuf,
        #[source]
        source: polars::error::PolarsError,
    },
    #[error("{path}, column `{column}`: holds {found}, expected {expected}")]
    ColumnType {
        path: PathBuf,
        column: String,
        found: String,
        expected: &'static str,
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
    /// A scoring-core error: feature schema, artifact or model registry.
    #[error(transparent)]
    Core(#[from] scoring_core::Error),
    /// A `trainer synth` error.
    #[error(transparent)]
    Synth(#[from] synth::Error),

    // --- evaluation ---
    #[error("cannot compute {metric}: no clients were given")]
    EvaluationEmpty { metric: &'static str },
    #[error(
        "cannot compute {metric}: {expected} has {expected_len} values but {found} has {found_len}"
    )]
    EvaluationLengthMismatch {
        metric: &'static str,
        expected: &'static str,
        expected_len: usize,
        found: &'static str,
        found_len: usize,
    },
    #[error(
        "probability of default at index {index} is {value}, expected a finite number in [0, 1]"
    )]
    InvalidProbability { index: usize, value: f64 },
    #[error("default label at index {index} is {value}, expected 0 (repaid) or 1 (defaulted)")]
    InvalidLabel { index: usize, value: u8 },
    #[error(
        "{metric} is undefined when every client has label {class}: both repaid (0) and defaulted (1) clients are needed"
    )]
    SingleClass { metric: &'static str, class: u8 },
    #[error(
        "decision threshold {value} is invalid: expected a finite number in [0, 1 + f64::EPSILON]"
    )]
    InvalidThreshold { value: f64 },
    #[error("calibration needs at least one bin, got {bins}")]
    InvalidBinCount { bins: usize },
    #[error(
        "credit amount (AMT_CREDIT) at index {index} is {value}, expected a finite number >= 0"
    )]
    InvalidCreditAmount { index: usize, value: f64 },
    #[error("cost parameter `{parameter}` is {value}, expected a finite number >= 0")]
    InvalidCostParameter { parameter: &'static str, value: f64 },

    // --- training: sampling and calibration ---
    #[error("`{parameter}` is empty: at least one client is needed")]
    TrainingEmpty { parameter: &'static str },
    #[error("`{found}` has {found_len} values but `{expected}` has {expected_len}")]
    TrainingLengthMismatch {
        expected: &'static str,
        expected_len: usize,
        found: &'static str,
        found_len: usize,
    },
    #[error("`{parameter}` at index {index} is {value}, expected 0 (repaid) or 1 (defaulted)")]
    TrainingInvalidLabel {
        parameter: &'static str,
        index: usize,
        value: u8,
    },
    #[error("`{parameter}` is {value}, expected {expected}")]
    TrainingInvalidParameter {
        parameter: &'static str,
        value: f64,
        expected: &'static str,
    },
    #[error("`k` is {k}, expected 2 <= k <= {smaller_class_rows} (the rows of the smaller class)")]
    TrainingInvalidFoldCount { k: usize, smaller_class_rows: usize },
    #[error("`indices` at position {position} is {index}, but `labels` has only {len} rows")]
    TrainingIndexOutOfRange {
        position: usize,
        index: usize,
        len: usize,
    },
    #[error("`{parameter}` needs both classes, but every client has label {class}")]
    TrainingSingleClass { parameter: &'static str, class: u8 },
    #[error("`scores` at index {index} is {value}, expected a finite number")]
    CalibrationNonFiniteScore { index: usize, value: f64 },

    // --- training: LightGBM ---
    #[error("LightGBM: `{what}` has {found} values, expected {expected}")]
    LightGbmShape {
        what: &'static str,
        expected: usize,
        found: usize,
    },
    #[error("LightGBM: `labels` at index {index} is {value}, expected 0 (repaid) or 1 (defaulted)")]
    LightGbmInvalidLabel { index: usize, value: f64 },
    #[error("LightGBM parameter `{parameter}` is {value}, expected {expected}")]
    LightGbmInvalidParameter {
        parameter: &'static str,
        value: String,
        expected: &'static str,
    },
    #[error("LightGBM failed while {stage}")]
    LightGbm {
        stage: &'static str,
        #[source]
        source: lightgbm3::Error,
    },

    // --- train ---
    #[error("{path}: cannot read the feature table")]
    TrainFeatureTable {
        path: PathBuf,
        #[source]
        source: polars::error::PolarsError,
    },
    #[error("{path}: column `{column}` is missing or has the wrong type")]
    TrainColumn {
        path: PathBuf,
        column: String,
        #[source]
        source: polars::error::PolarsError,
    },
    #[error("{path}: {column} at data row {row} is {value}, expected 0, 1 or missing")]
    TrainInvalidTarget {
        path: PathBuf,
        column: String,
        row: usize,
        value: String,
    },
    #[error(
        "{path}: {column} at data row {row} is {value}, expected a whole number that is unique"
    )]
    TrainInvalidId {
        path: PathBuf,
        column: String,
        row: usize,
        value: String,
    },
    #[error("{path}: no client has a {column}, nothing to train on")]
    TrainNoLabelledRows { path: PathBuf, column: String },
    #[error(
        "{path}: not a feature table: expected a folder from `trainer features` or a .csv / .parquet file"
    )]
    TrainUnknownInput { path: PathBuf },
    #[error("{path}: the table has no feature column besides {id_column} and {target_column}")]
    TrainNoFeatures {
        path: PathBuf,
        id_column: String,
        target_column: String,
    },
    #[error("{path}: cannot read the search space")]
    TrainSearchSpace {
        path: PathBuf,
        #[source]
        source: toml::de::Error,
    },
    #[error("{path}: invalid search space: {reason}")]
    TrainInvalidSearchSpace { path: PathBuf, reason: String },
    #[error("{path}: {what} does not fit the LightGBM parameters")]
    TrainSearchParameters {
        path: PathBuf,
        what: &'static str,
        #[source]
        source: serde_json::Error,
    },
    #[error("{model} model: {reason}")]
    TrainCandidate { model: &'static str, reason: String },
    #[error("{path}: the feature schema has no `{feature}` feature, needed for the business cost")]
    TrainMissingFeature {
        path: PathBuf,
        feature: &'static str,
    },
    #[error("cannot copy {rows} rows of {columns} features into a matrix for linfa")]
    LinfaMatrix {
        rows: usize,
        columns: usize,
        #[source]
        source: ndarray::ShapeError,
    },
    #[error("linfa-logistic could not fit the logistic regression")]
    LinfaLogistic {
        #[source]
        source: linfa_logistic::error::Error,
    },
    #[error("linfa-trees could not fit the decision tree")]
    LinfaTree {
        #[source]
        source: linfa::Error,
    },
    #[error("LightGBM did not produce boosted trees")]
    TrainUnexpectedModel,
    #[error("model conversion failed while {stage}")]
    TrainModel {
        stage: &'static str,
        #[source]
        source: scoring_core::Error,
    },

    // --- backtest ---
    #[error("{path}: no audit log file found (expected a file or a folder of audit files)")]
    BacktestNoAuditFiles { path: PathBuf },
    #[error("{path}, line {line}: not an audit line")]
    BacktestAuditLine {
        path: PathBuf,
        line: u64,
        #[source]
        source: serde_json::Error,
    },
    #[error("{path}, line {line}, field `{field}`: cannot read {value:?} as {expected}")]
    BacktestAuditValue {
        path: PathBuf,
        line: u64,
        field: &'static str,
        value: String,
        expected: &'static str,
    },
    #[error(
        "{path}, line {line}: model version {version} decided {strategy} at threshold {found}, \
         but earlier lines give {expected}"
    )]
    BacktestThresholdMismatch {
        path: PathBuf,
        line: u64,
        version: String,
        strategy: &'static str,
        expected: f64,
        found: f64,
    },
    #[error("{path}, {at}: client {client} already has an outcome at {first}")]
    BacktestDuplicateOutcome {
        path: PathBuf,
        at: String,
        client: i64,
        first: String,
    },
    #[error("{path}, {at}, column `{column}`: cannot read {value:?} as {expected}")]
    BacktestOutcomeValue {
        path: PathBuf,
        at: String,
        column: String,
        value: String,
        expected: &'static str,
    },
    #[error("{path}: not an outcomes file: expected a .csv or .parquet file")]
    BacktestUnknownOutcomes { path: PathBuf },
    #[error("{path}: cannot read the outcomes")]
    BacktestOutcomesTable {
        path: PathBuf,
        #[source]
        source: polars::error::PolarsError,
    },
    #[error(
        "model version {version} named by the audit log is not published in the registry {registry}"
    )]
    BacktestUnknownVersion { version: String, registry: String },
    #[error(
        "`--version {version}`: the audit log holds no decision of that version (it holds {found})"
    )]
    BacktestVersionNotInAudit { version: String, found: String },
    #[error(
        "no decision joins an outcome: {decisions} decisions of {clients} clients in the audit log, \
         {outcomes} outcomes; a decision joins when its client id has an outcome observed after it"
    )]
    BacktestNoJoin {
        decisions: usize,
        clients: usize,
        outcomes: usize,
    },
    #[error(
        "model version {version}: all {clients} joined clients have outcome {class}; \
         a backtest needs both defaulters and good payers"
    )]
    BacktestSingleClass {
        version: String,
        clients: usize,
        class: u8,
    },
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
