//! The modelling side of the credit-scoring platform: the lender's feature
//! table, training, evaluation and publishing. polars, LightGBM and linfa
//! live only here; the Home Credit layout and its synthetic generator are
//! the `credit-synth` crate (`synth`, `trainer synth`).
//!
//! The layout follows the command line, then what the commands share:
//! - [`features`]: `trainer features`, the per-client feature table (polars);
//! - [`train`]: `trainer train`, from reading the table to publishing a
//!   version (options, search, fit, assessment, model card, publication);
//! - [`score`]: `trainer score`, a whole portfolio with a published model;
//! - [`models`]: `trainer models`, the registry's versions and aliases;
//! - [`backtest`]: `trainer backtest`, the logged decisions joined with the
//!   outcomes observed later;
//! - [`learners`]: the model adapters (LightGBM, linfa's logistic regression
//!   and decision tree), calibration and sampling;
//! - [`evaluation`]: metrics, confusion matrices, calibration report and the
//!   business cost, on plain slices.

pub mod backtest;
mod error;
pub mod evaluation;
pub mod features;
pub mod learners;
pub mod models;
pub mod score;
pub mod train;

pub use error::{Error, Result};
