//! The calibration of each candidate on the held-out calibration clients:
//! isotonic or Platt, fitted by the learners and stored in the served model.

use scoring_core::{Calibration, Model};

use super::CalibrationChoice;
use super::fit::{Labelled, probabilities};
use crate::learners::calibration::{IsotonicCalibrator, PlattCalibrator};
use crate::{Error, Result};

/// Defaulters needed in the calibration set for `auto` to choose isotonic.
const ISOTONIC_MIN_DEFAULTERS: usize = 200;

/// `model` without its calibration, for the uncalibrated error.
pub(super) fn strip_calibration(model: &Model) -> Result<Model> {
    Model::new(model.feature_names().to_vec(), model.estimator().clone()).map_err(|source| {
        Error::TrainModel {
            stage: "copying the model",
            source,
        }
    })
}

/// Fits the calibration on the held-out `calib` clients; returns the
/// calibrated model and the method's name.
pub(super) fn calibrate(
    model: Model,
    data: Labelled<'_>,
    calib: &[usize],
    labels: &[u8],
    choice: CalibrationChoice,
) -> Result<(Model, &'static str)> {
    let defaulters = labels.iter().filter(|&&l| l == 1).count();
    let choice = match choice {
        CalibrationChoice::Auto if defaulters >= ISOTONIC_MIN_DEFAULTERS => {
            CalibrationChoice::Isotonic
        }
        CalibrationChoice::Auto => CalibrationChoice::Platt,
        other => other,
    };
    let calibration = match choice {
        CalibrationChoice::None | CalibrationChoice::Auto => return Ok((model, "none")),
        CalibrationChoice::Isotonic => {
            let p = probabilities(&model, data, calib)?;
            let fitted = IsotonicCalibrator::fit(&p, labels)?;
            let (scores, probabilities): (Vec<f64>, Vec<f64>) = fitted.breakpoints().unzip();
            (
                Calibration::Isotonic {
                    scores,
                    probabilities,
                },
                "isotonic",
            )
        }
        CalibrationChoice::Platt => {
            let rows = data.rows.gather(calib, data.n_features);
            let mut raw = vec![0.0; calib.len()];
            model
                .predict_raw_batch(&rows, &mut raw)
                .map_err(|source| Error::TrainModel {
                    stage: "scoring the calibration set",
                    source,
                })?;
            let fitted = PlattCalibrator::fit(&raw, labels)?;
            (
                Calibration::Platt {
                    a: fitted.a,
                    b: fitted.b,
                },
                "platt",
            )
        }
    };
    let model = model
        .with_calibration(calibration.0)
        .map_err(|source| Error::TrainModel {
            stage: "calibrating",
            source,
        })?;
    Ok((model, calibration.1))
}
