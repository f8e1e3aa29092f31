//! The modelling side of the credit-scoring platform.
//!
//! It owns the lender's data in the Home Credit Default Risk layout (whose
//! files and synthetic generator are the `credit-synth` crate, `synth`) and
//! the per-client feature table built from it with polars ([`features`]);
//! training, evaluation and
//! publishing to the model registry ([`train`], [`training`], [`evaluation`],
//! [`models_cli`]); and portfolio scoring with a published model
//! ([`score`]). polars, LightGBM and linfa live only here.

mod error;
pub mod evaluation;
pub mod features;
pub mod models_cli;
pub mod score;
pub mod train;
pub mod training;

pub use error::{Error, Result};
