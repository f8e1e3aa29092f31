//! One definition of every feature, and the online engine that interprets it.
//!
//! - [`definition`]: the features as data ([`FeatureDefinition`]): the
//!   columns computed on each row of each Home Credit table and how a
//!   client's rows are reduced; serialisable, so that it can travel with a
//!   model;
//! - [`kernel_definition`]: the features of the Kaggle kernel "LightGBM with
//!   simple features", the ones the trainer builds;
//! - [`resolve`](mod@resolve): a definition with the category vocabularies of a
//!   schema applied, the form both engines interpret;
//! - [`online`]: the engine that computes one applicant's feature row from
//!   its raw records ([`LoanApplication`]), without polars;
//! - [`tables`]: the layout of the seven Home Credit tables.
//!
//! The batch engine, the trainer's, interprets the same definition with
//! polars over whole tables; a test checks that both give the same row for
//! every applicant.

pub mod definition;
mod descriptions;
mod kernel;
pub mod online;
pub mod resolve;
mod specs;
pub mod tables;
mod vocabulary;

pub use self::definition::{
    Agg, ColumnDef, ColumnValue, Family, FeatureDefinition, FeatureGroup, Filter, Item, RowExpr,
    TableDefinition,
};
pub use self::descriptions::ColumnDescriptions;
pub use self::kernel::{DAYS_SENTINEL, TARGET, kernel_definition};
pub use self::online::{
    Accumulator, BureauCredit, FeatureScratch, Limits, LoanApplication, OnlineEngine,
    PreviousApplication, Record, RecordAt, Value, distinct_key,
};
pub use self::resolve::{
    Plan, PlanColumn, PlanDefinition, PlanFamily, PlanGroup, PlanValue, TablePlan,
};
pub use self::specs::clean_name;
pub use self::tables::{CLIENT_ID, ColumnType, Table};
pub use self::vocabulary::CategoryColumn;
