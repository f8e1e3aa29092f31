//! The learners: adapters from row-major training rows to the models that
//! scoring-core serves, and what fitting them needs around them.
//!
//! - [`lightgbm`]: gradient-boosted trees (LightGBM), the published model;
//! - [`linfa`]: the comparison models, a logistic regression and a decision
//!   tree (linfa);
//! - [`calibration`]: isotonic and Platt calibration of the probabilities;
//! - [`sampling`]: stratified splits and folds, undersampling and the prior
//!   correction of a rebalanced model.

pub mod calibration;
pub mod lightgbm;
pub mod linfa;
pub mod sampling;
