//! Data splits and class-imbalance handling for the default target (about
//! 8% of clients default, label 1; good payers are label 0).
//!
//! Everything works on row indices and `&[u8]` labels, so it serves any
//! table. Every random choice comes from the project's generator
//! ([`synth::Rng`]) seeded by the caller: the same seed gives the same rows
//! on every platform.
//!
//! - [`stratified_split`]: one train/test split with each class split in the
//!   same proportion (default test share [`DEFAULT_TEST_FRACTION`]).
//! - [`stratified_k_fold`]: k validation folds with the class shares kept.
//! - [`stratified_sample`]: a subset with the class shares kept.
//! - [`undersample`]: random undersampling of the good payers, as the seed
//!   project did at one defaulter for two good payers.
//! - [`correct_probability`]: maps a probability learnt on undersampled data
//!   back to the real base rate (prior-shift correction).
//! - [`class_weights`]: balanced class weights, the alternative to
//!   undersampling that keeps every row.

use synth::Rng;

use crate::{Error, Result};

/// The test share used when nobody asks for another: 30% of each class.
pub const DEFAULT_TEST_FRACTION: f64 = 0.3;

/// One train/test split: sorted, disjoint row indices covering every row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Split {
    pub train: Vec<usize>,
    pub test: Vec<usize>,
}

/// One fold of a k-fold cross-validation: sorted, disjoint row indices.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fold {
    pub train: Vec<usize>,
    pub valid: Vec<usize>,
}

/// Splits the rows into train and test sets, each class separately: of the
/// `n` rows of a class, `round(n · test_fraction)` go to the test set, chosen
/// at random from `seed`. `test_fraction` must be in (0, 1); use
/// [`DEFAULT_TEST_FRACTION`] for the usual 70/30 split.
pub fn stratified_split(labels: &[u8], test_fraction: f64, seed: u64) -> Result<Split> {
    let [good, bad] = rows_by_class(labels)?;
    if !(test_fraction > 0.0 && test_fraction < 1.0) {
        return Err(Error::TrainingInvalidParameter {
            parameter: "test_fraction",
            value: test_fraction,
            expected: "a number in (0, 1)",
        });
    }
    let mut rng = Rng::seeded(seed);
    let mut train = Vec::with_capacity(labels.len());
    let mut test = Vec::with_capacity(labels.len());
    for mut rows in [good, bad] {
        rng.shuffle(&mut rows);
        let n_test = (rows.len() as f64 * test_fraction).round() as usize;
        test.extend_from_slice(&rows[..n_test]);
        train.extend_from_slice(&rows[n_test..]);
    }
    train.sort_unstable();
    test.sort_unstable();
    Ok(Split { train, test })
}

/// A stratified sample of about `size` rows (each class in its share),
/// sorted; every row when `size` is at least their number.
pub fn stratified_sample(labels: &[u8], size: usize, seed: u64) -> Result<Vec<usize>> {
    if size >= labels.len() {
        return Ok((0..labels.len()).collect());
    }
    let fraction = (size.max(1) as f64 / labels.len() as f64).max(f64::MIN_POSITIVE);
    Ok(stratified_split(labels, fraction, seed)?.test)
}

/// Splits the rows into `k` folds; every row is in exactly one validation
/// fold. Each class is shuffled from `seed` and dealt round-robin over the
/// folds (the defaulters start where the good payers stopped), so each
/// fold's count of either class, and its total size, differ by at most one
/// row between folds. `k` must be at least 2 and at most the number of rows
/// of the smaller class, so that every fold sees both classes.
pub fn stratified_k_fold(labels: &[u8], k: usize, seed: u64) -> Result<Vec<Fold>> {
    let [good, bad] = rows_by_class(labels)?;
    let smaller_class_rows = good.len().min(bad.len());
    if k < 2 || k > smaller_class_rows {
        return Err(Error::TrainingInvalidFoldCount {
            k,
            smaller_class_rows,
        });
    }
    let mut rng = Rng::seeded(seed);
    let mut fold_of = vec![0; labels.len()];
    let mut next_fold = 0;
    for mut rows in [good, bad] {
        rng.shuffle(&mut rows);
        for row in rows {
            fold_of[row] = next_fold;
            next_fold = (next_fold + 1) % k;
        }
    }
    Ok((0..k)
        .map(|fold| {
            let (valid, train) = (0..labels.len()).partition(|&row| fold_of[row] == fold);
            Fold { train, valid }
        })
        .collect())
}

/// Random undersampling of the good payers (label 0) among `indices`: keeps
/// every defaulter and `round(majority_per_minority · defaulters)` good
/// payers (all of them if there are fewer), chosen at random from `seed`.
/// `majority_per_minority = 2.0` gives the seed project's 1:2 ratio.
/// Returns sorted row indices into `labels`.
///
/// A model trained on the result over-predicts default; map its outputs back
/// with [`correct_probability`] (the sampled rate is the defaulters' share
/// of the returned rows).
pub fn undersample(
    indices: &[usize],
    labels: &[u8],
    majority_per_minority: f64,
    seed: u64,
) -> Result<Vec<usize>> {
    check_labels("labels", labels)?;
    if indices.is_empty() {
        return Err(Error::TrainingEmpty {
            parameter: "indices",
        });
    }
    if !(majority_per_minority.is_finite() && majority_per_minority > 0.0) {
        return Err(Error::TrainingInvalidParameter {
            parameter: "majority_per_minority",
            value: majority_per_minority,
            expected: "a finite number > 0",
        });
    }
    let mut minority = Vec::new();
    let mut majority = Vec::new();
    for (position, &index) in indices.iter().enumerate() {
        match labels.get(index) {
            Some(1) => minority.push(index),
            Some(_) => majority.push(index),
            None => {
                return Err(Error::TrainingIndexOutOfRange {
                    position,
                    index,
                    len: labels.len(),
                });
            }
        }
    }
    if minority.is_empty() {
        return Err(Error::TrainingSingleClass {
            parameter: "indices",
            class: 0,
        });
    }
    let keep =
        ((minority.len() as f64 * majority_per_minority).round() as usize).min(majority.len());
    let mut rng = Rng::seeded(seed);
    rng.partial_shuffle(&mut majority, keep);
    minority.extend_from_slice(&majority[..keep]);
    minority.sort_unstable();
    Ok(minority)
}

/// Maps a probability of default `p_sampled` from a model trained where
/// defaulters made up `sampled_rate` of the rows back to a population whose
/// default rate is `base_rate` (prior-shift correction; Elkan 2001, Saerens
/// et al. 2002). Undersampling changes the class prior but not the scores'
/// distribution within a class, so only the odds move, by the ratio of the
/// prior odds:
///
/// ```text
/// odds' = odds · (base_rate / (1 − base_rate)) / (sampled_rate / (1 − sampled_rate))
/// p'    = odds' / (1 + odds')  =  r·p / (r·p + 1 − p),  r = the odds ratio above
/// ```
///
/// The last form is used so that p = 0 and p = 1 map to themselves. Swapping
/// the two rates gives the inverse map. `p_sampled` must be in [0, 1] and
/// both rates in (0, 1).
pub fn correct_probability(p_sampled: f64, base_rate: f64, sampled_rate: f64) -> Result<f64> {
    if !(0.0..=1.0).contains(&p_sampled) {
        return Err(Error::TrainingInvalidParameter {
            parameter: "p_sampled",
            value: p_sampled,
            expected: "a probability in [0, 1]",
        });
    }
    for (parameter, value) in [("base_rate", base_rate), ("sampled_rate", sampled_rate)] {
        if !(value > 0.0 && value < 1.0) {
            return Err(Error::TrainingInvalidParameter {
                parameter,
                value,
                expected: "a rate in (0, 1)",
            });
        }
    }
    let ratio = (base_rate / (1.0 - base_rate)) / (sampled_rate / (1.0 - sampled_rate));
    Ok(ratio * p_sampled / (ratio * p_sampled + 1.0 - p_sampled))
}

/// Balanced class weights `(w0, w1)`, `w_c = n / (2 · n_c)`: each class then
/// weighs half of the total, as scikit-learn's `class_weight="balanced"`.
/// The alternative to [`undersample`] that keeps every row; the predicted
/// probabilities need the same [`correct_probability`] with a sampled rate
/// of 0.5. Both classes must be present.
pub fn class_weights(labels: &[u8]) -> Result<(f64, f64)> {
    let [good, bad] = rows_by_class(labels)?;
    // With one class missing, every client has the other label.
    for (rows, class) in [(&bad, 0), (&good, 1)] {
        if rows.is_empty() {
            return Err(Error::TrainingSingleClass {
                parameter: "labels",
                class,
            });
        }
    }
    let n = labels.len() as f64;
    Ok((n / (2.0 * good.len() as f64), n / (2.0 * bad.len() as f64)))
}

/// Fails unless `labels` is non-empty and holds only 0 and 1.
pub(crate) fn check_labels(parameter: &'static str, labels: &[u8]) -> Result<()> {
    if labels.is_empty() {
        return Err(Error::TrainingEmpty { parameter });
    }
    match labels.iter().enumerate().find(|&(_, &label)| label > 1) {
        Some((index, &value)) => Err(Error::TrainingInvalidLabel {
            parameter,
            index,
            value,
        }),
        None => Ok(()),
    }
}

/// The row indices of the good payers and of the defaulters, in order.
fn rows_by_class(labels: &[u8]) -> Result<[Vec<usize>; 2]> {
    check_labels("labels", labels)?;
    let (bad, good) = (0..labels.len()).partition(|&row| labels[row] == 1);
    Ok([good, bad])
}
