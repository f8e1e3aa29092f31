//! One definition of every feature, as data.
//!
//! - [`definition`]: the features as data ([`FeatureDefinition`]): the
//!   columns computed on each row of each Home Credit table and how a
//!   client's rows are reduced; serialisable, so that it can travel with a
//!   model;
//! - [`kernel_definition`]: the features of the Kaggle kernel "LightGBM with
//!   simple features", the ones the trainer builds;
//! - [`resolve`](mod@resolve): a definition with the category vocabularies of a
//!   schema applied, the form both engines interpret;
//! - [`tables`]: the layout of the seven Home Credit tables.
//!
//! Two engines interpret the same definition: the batch engine, the
//! trainer's, with polars over whole tables, and an online engine for one
//! applicant's records.

pub mod definition;
mod descriptions;
mod kernel;
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
pub use self::resolve::{
    Plan, PlanColumn, PlanDefinition, PlanFamily, PlanGroup, PlanValue, TablePlan,
};
pub use self::specs::clean_name;
pub use self::tables::{CLIENT_ID, ColumnType, Table};
pub use self::vocabulary::CategoryColumn;
