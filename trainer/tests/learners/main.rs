//! The learners' helpers: splits, class-imbalance sampling and calibration,
//! checked against counts and values worked out by hand, plus every error
//! path.

mod calibration;
mod errors;
mod sampling;

use trainer::Error;
use trainer::learners::calibration::{IsotonicCalibrator, PlattCalibrator};
use trainer::learners::sampling::{
    DEFAULT_TEST_FRACTION, class_weights, correct_probability, stratified_k_fold, stratified_split,
    undersample,
};

const TOLERANCE: f64 = 1e-12;

fn close(actual: f64, expected: f64) {
    assert!(
        (actual - expected).abs() < TOLERANCE,
        "expected {expected}, got {actual}"
    );
}

/// 20 good payers and 10 defaulters, interleaved: rows 0, 3, 6, … default.
fn labels_20_10() -> Vec<u8> {
    (0..30).map(|row| u8::from(row % 3 == 0)).collect()
}

fn count_defaulters(rows: &[usize], labels: &[u8]) -> usize {
    rows.iter().filter(|&&row| labels[row] == 1).count()
}

fn is_sorted_strictly(rows: &[usize]) -> bool {
    rows.windows(2).all(|w| w[0] < w[1])
}

fn close_enough(actual: f64, expected: f64) {
    assert!(
        (actual - expected).abs() < 1e-6,
        "expected {expected}, got {actual}"
    );
}
