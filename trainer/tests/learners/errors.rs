//! Every error path names its parameter or input.

use super::*;

#[test]
fn sampling_errors_name_the_parameter() {
    let labels = labels_20_10();
    assert!(matches!(
        stratified_split(&[], 0.3, 0),
        Err(Error::TrainingEmpty {
            parameter: "labels"
        })
    ));
    assert!(matches!(
        stratified_split(&[0, 2, 1], 0.3, 0),
        Err(Error::TrainingInvalidLabel {
            parameter: "labels",
            index: 1,
            value: 2
        })
    ));
    for fraction in [0.0, 1.0, -0.1, f64::NAN] {
        let err = stratified_split(&labels, fraction, 0).expect_err("invalid fraction");
        assert!(matches!(
            err,
            Error::TrainingInvalidParameter {
                parameter: "test_fraction",
                ..
            }
        ));
        assert!(err.to_string().contains("test_fraction"));
    }
    assert!(matches!(
        stratified_k_fold(&[], 2, 0),
        Err(Error::TrainingEmpty { .. })
    ));
    assert!(matches!(
        stratified_k_fold(&[0, 3], 2, 0),
        Err(Error::TrainingInvalidLabel { value: 3, .. })
    ));
    for k in [0, 1, 11] {
        let err = stratified_k_fold(&labels, k, 0).expect_err("invalid k");
        assert!(matches!(
            err,
            Error::TrainingInvalidFoldCount {
                smaller_class_rows: 10,
                ..
            }
        ));
        assert!(err.to_string().starts_with("`k` is"));
    }
    assert!(matches!(
        stratified_k_fold(&[0, 0, 0], 2, 0),
        Err(Error::TrainingInvalidFoldCount {
            k: 2,
            smaller_class_rows: 0
        })
    ));

    let all: Vec<usize> = (0..labels.len()).collect();
    assert!(matches!(
        undersample(&all, &[], 2.0, 0),
        Err(Error::TrainingEmpty {
            parameter: "labels"
        })
    ));
    assert!(matches!(
        undersample(&[], &labels, 2.0, 0),
        Err(Error::TrainingEmpty {
            parameter: "indices"
        })
    ));
    assert!(matches!(
        undersample(&[0], &[1, 7], 2.0, 0),
        Err(Error::TrainingInvalidLabel { index: 1, .. })
    ));
    for ratio in [0.0, -1.0, f64::INFINITY, f64::NAN] {
        assert!(matches!(
            undersample(&all, &labels, ratio, 0),
            Err(Error::TrainingInvalidParameter {
                parameter: "majority_per_minority",
                ..
            })
        ));
    }
    assert!(matches!(
        undersample(&[0, 30], &labels, 2.0, 0),
        Err(Error::TrainingIndexOutOfRange {
            position: 1,
            index: 30,
            len: 30
        })
    ));
    assert!(matches!(
        undersample(&[1, 2], &labels, 2.0, 0),
        Err(Error::TrainingSingleClass {
            parameter: "indices",
            class: 0
        })
    ));

    for p in [-0.1, 1.1, f64::NAN] {
        assert!(matches!(
            correct_probability(p, 0.08, 0.5),
            Err(Error::TrainingInvalidParameter {
                parameter: "p_sampled",
                ..
            })
        ));
    }
    for rate in [0.0, 1.0, f64::NAN] {
        assert!(matches!(
            correct_probability(0.5, rate, 0.5),
            Err(Error::TrainingInvalidParameter {
                parameter: "base_rate",
                ..
            })
        ));
        assert!(matches!(
            correct_probability(0.5, 0.08, rate),
            Err(Error::TrainingInvalidParameter {
                parameter: "sampled_rate",
                ..
            })
        ));
    }

    assert!(matches!(
        class_weights(&[]),
        Err(Error::TrainingEmpty { .. })
    ));
    assert!(matches!(
        class_weights(&[0, 9]),
        Err(Error::TrainingInvalidLabel { value: 9, .. })
    ));
    assert!(matches!(
        class_weights(&[0, 0]),
        Err(Error::TrainingSingleClass { class: 0, .. })
    ));
    assert!(matches!(
        class_weights(&[1, 1]),
        Err(Error::TrainingSingleClass { class: 1, .. })
    ));
}

#[test]
fn calibration_errors_name_the_input() {
    type Fit<T> = fn(&[f64], &[u8]) -> trainer::Result<T>;
    fn check<T: std::fmt::Debug>(fit: Fit<T>) {
        assert!(matches!(
            fit(&[], &[]),
            Err(Error::TrainingEmpty {
                parameter: "scores"
            })
        ));
        assert!(matches!(
            fit(&[0.1, 0.2], &[1]),
            Err(Error::TrainingLengthMismatch {
                expected_len: 2,
                found_len: 1,
                ..
            })
        ));
        assert!(matches!(
            fit(&[0.1, f64::NAN], &[0, 1]),
            Err(Error::CalibrationNonFiniteScore { index: 1, .. })
        ));
        assert!(matches!(
            fit(&[0.1, f64::INFINITY], &[0, 1]),
            Err(Error::CalibrationNonFiniteScore { index: 1, .. })
        ));
        assert!(matches!(
            fit(&[0.1, 0.2], &[0, 2]),
            Err(Error::TrainingInvalidLabel {
                parameter: "labels",
                index: 1,
                value: 2
            })
        ));
    }
    check::<IsotonicCalibrator>(IsotonicCalibrator::fit);
    check::<PlattCalibrator>(PlattCalibrator::fit);
}
