//! The credit-scoring model as it is served.
//!
//! This crate owns everything a published model needs at scoring time and
//! nothing else, and is the only way the service and the dashboard see a
//! model:
//! - [`schema`]: the feature schema that names and describes every input;
//! - [`features`]: the one definition of every feature, and the online engine
//!   that computes an applicant's features from the raw records of a loan
//!   application;
//! - [`model`]: our own model representation (boosted trees, a probability
//!   tree, logistic regression) with fast single-row and batch scoring;
//! - [`lightgbm`]: the reader of LightGBM text models, matching LightGBM's
//!   own predictions;
//! - [`shap`]: exact explanations (path-dependent TreeSHAP, linear SHAP);
//! - [`policy`]: strategies, thresholds, ACCEPT/REFUSE and reason codes;
//! - [`points`]: the scorecard points scale published with a model;
//! - [`artifact`]: the on-disk format of a published model version, with
//!   hash verification;
//! - [`report`], [`reference`](mod@reference), [`snapshot`]: what is published beside the
//!   model: its evaluation, the population statistics, the client features;
//! - [`backtest`]: a version's decisions joined with the outcomes observed
//!   later, published beside it after the fact;
//! - [`drift`]: the population stability of what a model scores against
//!   its published reference, over a sliding window;
//! - [`wording`]: what features and reasons are called, in English and French;
//! - [`registry`]: the published versions (a directory or an object store) and the aliases
//!   (`production`, `staging`) naming them, shared by the trainer that
//!   publishes and the service that serves.
//!
//! It knows nothing of training, protobuf, HTTP serving or polars, and its
//! API blocks (the registry drives its object store client on a private
//! runtime).

pub mod artifact;
pub mod backtest;
pub mod drift;
mod error;
pub mod features;
pub mod lightgbm;
pub mod model;
pub mod points;
pub mod policy;
pub mod reasons;
pub mod reference;
pub mod registry;
pub mod report;
pub mod schema;
pub mod shap;
pub mod snapshot;
pub mod wording;

pub use artifact::{
    Attachments, Manifest, ModelDescription, PublishedModel, Release, write_artifact,
    write_artifact_with,
};
pub use error::{Error, Result};
pub use lightgbm::parse_lightgbm;
pub use model::{Calibration, Estimator, Link, MAX_TREE_DEPTH, Model, logit, sigmoid};
pub use policy::{Decision, Outcome, ReasonCode, ReasonPolicy, Strategy, Thresholds};
pub use schema::{CategoryEncoding, CategoryVocabulary, FeatureKind, FeatureSchema, FeatureSpec};
pub use shap::{Explanation, ShapScratch, ShapTables};
