//! The crate's one error type.
//!
//! Every fallible operation of `scoring-core` returns [`Error`]; each variant
//! names what was wrong (the file, the line and field, the feature…) and keeps
//! the underlying error as its `#[source]`.

use std::num::{ParseFloatError, ParseIntError};
use std::path::PathBuf;

use crate::features::{RecordAt, Table};

/// The table names, for messages.
const TABLE_NAMES: &str = "application, bureau, bureau_balance, previous_application, POS_CASH_balance, installments_payments, credit_card_balance";

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in scoring-core.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    // ---- feature schema ----
    #[error("cannot read feature schema {path}")]
    SchemaRead {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot write feature schema {path}")]
    SchemaWrite {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("feature schema {path} is not valid JSON of the expected shape")]
    SchemaParse {
        path: PathBuf,
        #[source]
        source: serde_json::Error,
    },
    #[error(
        "feature schema format version {found} is not supported (this build reads version {supported})"
    )]
    UnsupportedSchemaFormat { found: u32, supported: u32 },
    #[error("feature `{name}` appears more than once in the schema")]
    DuplicateFeature { name: String },

    // ---- feature definitions ----
    #[error("feature definition of table {table}: {reason}")]
    InvalidFeatureDefinition { table: Table, reason: String },
    #[error("no category vocabulary for column {column} of table {table}")]
    VocabularyMissing { table: Table, column: String },
    #[error("the feature definition does not give the schema's features: {difference}")]
    DefinitionSchemaMismatch { difference: String },

    // ---- raw loan applications ----
    #[error("unknown table `{name}` (the tables are {known})", known = TABLE_NAMES)]
    UnknownTable { name: String },
    #[error("{at}: `{column}` is not a column of table {table}", table = at.table)]
    UnknownColumn { at: RecordAt, column: String },
    #[error("{at}: column `{column}` is given twice")]
    DuplicateColumn { at: RecordAt, column: String },
    #[error("{at}, column `{column}`: expected {expected}, found {found}")]
    WrongValueType {
        at: RecordAt,
        column: String,
        expected: &'static str,
        found: &'static str,
    },
    #[error("{at}, column `{column}`: {value} is not a finite number")]
    NonFiniteNumber {
        at: RecordAt,
        column: String,
        value: f64,
    },
    #[error(
        "{at}, column `{column}`: {value} links the record to another {parent} record than the one it is listed under ({parent_value})"
    )]
    LinkMismatch {
        at: RecordAt,
        column: String,
        value: f64,
        parent: Table,
        parent_value: f64,
    },
    #[error("the application has {found} history records, more than the limit of {limit}")]
    TooManyHistoryRows { found: usize, limit: usize },

    // ---- model structure and inputs ----
    #[error("invalid model: {reason}")]
    InvalidModel { reason: String },
    #[error("tree {tree} is {depth} splits deep; models may have trees at most {limit} deep")]
    TreeTooDeep {
        tree: usize,
        depth: usize,
        limit: usize,
    },
    #[error("applicant row has {found} values, the model takes {expected} features")]
    FeatureCountMismatch { expected: usize, found: usize },
    #[error("batch of {len} values is not a whole number of rows of {n_features} features")]
    RaggedBatch { len: usize, n_features: usize },
    #[error("output buffer holds {found} values, {expected} are needed")]
    OutputLength { expected: usize, found: usize },

    // ---- LightGBM text models ----
    #[error("LightGBM model, line {line}: field `{field}` is missing")]
    LightGbmMissingField { line: usize, field: String },
    #[error("LightGBM model, line {line}, field `{field}`: `{value}` is not a number")]
    LightGbmFloat {
        line: usize,
        field: String,
        value: String,
        #[source]
        source: ParseFloatError,
    },
    #[error("LightGBM model, line {line}, field `{field}`: `{value}` is not an integer")]
    LightGbmInt {
        line: usize,
        field: String,
        value: String,
        #[source]
        source: ParseIntError,
    },
    #[error("LightGBM model, line {line}, field `{field}`: {reason}")]
    LightGbmInvalid {
        line: usize,
        field: String,
        reason: String,
    },
    #[error("LightGBM model, line {line}, field `{field}`: unsupported: {what}")]
    LightGbmUnsupported {
        line: usize,
        field: String,
        what: String,
    },
    #[error("LightGBM model, tree {tree} (line {line}) is not a valid tree")]
    LightGbmTree {
        line: usize,
        tree: usize,
        #[source]
        source: Box<Error>,
    },
    #[error("LightGBM model is truncated at line {line}: {expected}")]
    LightGbmTruncated { line: usize, expected: String },

    // ---- decision policy ----
    #[error("unknown decision strategy `{name}` (known: prudent, normal, aggressive)")]
    UnknownStrategy { name: String },
    #[error("invalid threshold for strategy `{strategy}`: {value} ({reason})")]
    InvalidThreshold {
        strategy: &'static str,
        value: f64,
        reason: &'static str,
    },

    // ---- artifacts ----
    #[error("model artifact file {path} is missing")]
    FileMissing { path: PathBuf },
    #[error("cannot read model artifact file {path}")]
    ArtifactRead {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot write model artifact file {path}")]
    ArtifactWrite {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "model artifact file `{file}` does not match its sha256 in the manifest (expected {expected}, found {found})"
    )]
    HashMismatch {
        file: String,
        expected: String,
        found: String,
    },
    #[error(
        "feature schema sha256 {found} differs from the one the model was trained with ({expected})"
    )]
    SchemaHashMismatch { expected: String, found: String },
    #[error(
        "model artifact format version {found} is not supported (this build reads version {supported})"
    )]
    UnsupportedFormatVersion { found: u64, supported: u32 },
    #[error("model artifact file `{file}` is not valid JSON of the expected shape")]
    Parse {
        file: String,
        #[source]
        source: serde_json::Error,
    },
    #[error("invalid model artifact manifest: {reason}")]
    InvalidManifest { reason: String },
    #[error("the model's features differ from the feature schema: {reason}")]
    ModelSchemaMismatch { reason: String },
    #[error("invalid client snapshot: {reason}")]
    InvalidSnapshot { reason: String },
    #[error("invalid model report: {reason}")]
    InvalidReport { reason: String },
    // ---- model registry ----
    #[error(
        "`{id}` is not a valid model version: use 1 to 64 of A-Z a-z 0-9 . _ - (and not `.` or `..`)"
    )]
    RegistryInvalidVersion { id: String },
    #[error(
        "`{alias}` is not a valid alias name: use `production`, `staging` or [a-z][a-z0-9_-]* (`history` is reserved)"
    )]
    RegistryInvalidAlias { alias: String },
    #[error("`{name}` is not a valid report name or stamp: use 1 to 64 of A-Z a-z 0-9 . _ -")]
    RegistryInvalidReportName { name: String },
    #[error(
        "model version {version} is already published at {location}; versions are never overwritten"
    )]
    RegistryVersionExists { version: String, location: String },
    #[error("no model version {version} in the registry {registry}")]
    RegistryUnknownVersion { version: String, registry: String },
    #[error(
        "the manifest of model version {version} says it is `{manifest}`; a version is published under the name its manifest gives"
    )]
    RegistryVersionMismatch { version: String, manifest: String },
    #[error("`{name}` is neither an alias nor a published version in the registry {registry}")]
    RegistryUnknownName { name: String, registry: String },
    #[error("alias `{alias}` has no earlier version to roll back to")]
    RegistryNoRollback { alias: String },
    #[error("{location}: not a valid published model")]
    RegistryArtifact {
        location: String,
        #[source]
        source: Box<Error>,
    },
    #[error("{location}: cannot read the registry file")]
    RegistryFile {
        location: String,
        #[source]
        source: serde_json::Error,
    },
    #[error(
        "`{location}` is not a registry location: {reason} (expected a directory path, \
         file:///dir, or an object store URL such as s3://bucket/prefix)"
    )]
    RegistryLocation { location: String, reason: String },
    #[error("cannot open the object store of registry {location}")]
    RegistryStore {
        location: String,
        #[source]
        source: Box<object_store::Error>,
    },
    #[error("{location}: {action} failed")]
    ObjectStore {
        location: String,
        action: &'static str,
        #[source]
        source: Box<object_store::Error>,
    },
    #[error(
        "alias `{alias}` of registry {registry} kept changing under {attempts} attempts to move it; \
         nothing was changed, try again"
    )]
    RegistryContention {
        alias: String,
        registry: String,
        attempts: u32,
    },

    #[error("{path}: {action} failed")]
    Io {
        path: PathBuf,
        action: &'static str,
        #[source]
        source: std::io::Error,
    },
}

impl Error {
    pub(crate) fn invalid_model(reason: impl Into<String>) -> Self {
        Self::InvalidModel {
            reason: reason.into(),
        }
    }
}
