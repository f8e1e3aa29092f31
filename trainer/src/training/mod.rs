//! Model training: data splits, class-imbalance handling, calibration and
//! the LightGBM learner (in progress).

pub mod calibration;
pub mod lightgbm;
pub mod sampling;
