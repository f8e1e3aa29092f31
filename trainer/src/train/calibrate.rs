//! The calibration of each candidate on clients it was not fitted on:
//! isotonic or Platt, fitted by the learners and stored in the served model.
//! LightGBM is calibrated on out-of-fold probabilities ([`calibrate_scores`]),
//! the comparison models on a held-out part of the training clients
//! ([`calibrate`]).

use scoring_core::{Calibration, Link, Model, logit};

use super::CalibrationChoice;
use super::fit::{Labelled, probabilities};
use crate::learners::calibration::{IsotonicCalibrator, PlattCalibrator};
use crate::{Error, Result};

/// Fits the calibration on the held-out `calib` clients; returns the
/// calibrated model and the method's name.
pub(super) fn calibrate(
    model: Model,
    data: Labelled<'_>,
    calib: &[usize],
    labels: &[u8],
    choice: CalibrationChoice,
) -> Result<(Model, &'static str)> {
    let p = probabilities(&model, data, calib)?;
    let rows = data.rows.gather(calib, data.n_features);
    let mut raw = vec![0.0; calib.len()];
    model
        .predict_raw_batch(&rows, &mut raw)
        .map_err(|source| Error::TrainModel {
            stage: "scoring the calibration set",
            source,
        })?;
    fit_calibration(model, &p, Some(&raw), labels, choice)
}

/// Fits the calibration of `model` on the uncalibrated probabilities `p`
/// it (or, out of fold, models of the same setting) gave to clients it was
/// not fitted on, with their `labels`. `model` must have a logit link (its
/// raw score is then `logit(p)`, what Platt scaling is fitted on).
pub(super) fn calibrate_scores(
    model: Model,
    p: &[f64],
    labels: &[u8],
    choice: CalibrationChoice,
) -> Result<(Model, &'static str)> {
    if model.link() != Link::Logit {
        return Err(Error::TrainUnexpectedModel);
    }
    fit_calibration(model, p, None, labels, choice)
}

/// `raw` is the raw score when it is not `logit(p)`.
fn fit_calibration(
    model: Model,
    p: &[f64],
    raw: Option<&[f64]>,
    labels: &[u8],
    choice: CalibrationChoice,
) -> Result<(Model, &'static str)> {
    let choice = match choice {
        CalibrationChoice::Auto => CalibrationChoice::Platt,
        other => other,
    };
    let calibration = match choice {
        CalibrationChoice::None | CalibrationChoice::Auto => return Ok((model, "none")),
        CalibrationChoice::Isotonic => {
            let fitted = IsotonicCalibrator::fit(p, labels)?;
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
            let logits: Vec<f64>;
            let raw = match raw {
                Some(raw) => raw,
                None => {
                    // A probability rounded to 0 or 1 would give an infinite raw score.
                    logits = p
                        .iter()
                        .map(|&p| logit(p.clamp(f64::EPSILON, 1.0 - f64::EPSILON)))
                        .collect();
                    &logits
                }
            };
            let fitted = PlattCalibrator::fit(raw, labels)?;
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
