//! Loan applications of a served model: the online feature engine built
//! for its schema and vocabularies when the model is loaded (and so
//! swapped with it on a reload), and one reused set of engine buffers per
//! thread, so that computing an applicant's features allocates only its
//! row.

use std::cell::RefCell;
use std::sync::atomic::{AtomicU64, Ordering};

use scoring_core::FeatureSchema;
use scoring_core::features::{FeatureScratch, LoanApplication, OnlineEngine};

use crate::convert::application::application_error;
use crate::error::ServiceError;

/// The online engine of one loaded model, or why the model's features
/// cannot be computed from raw records.
#[derive(Debug)]
pub struct ApplicationFeatures {
    engine: Result<OnlineEngine, String>,
    /// Tells this engine's buffers from those of engines loaded before.
    generation: u64,
}

static GENERATIONS: AtomicU64 = AtomicU64::new(0);

thread_local! {
    /// The buffers of the last engine this thread used, by generation.
    static SCRATCH: RefCell<Option<(u64, FeatureScratch)>> = const { RefCell::new(None) };
}

impl ApplicationFeatures {
    /// The engine of the kernel's feature definition for `schema`; a model
    /// trained on other features keeps the reason instead.
    pub fn new(schema: &FeatureSchema) -> Self {
        let engine = OnlineEngine::kernel(schema).map_err(|error| {
            // The whole chain: the mismatch is usually in the source.
            let mut reason = error.to_string();
            let mut source = std::error::Error::source(&error);
            while let Some(cause) = source {
                reason.push_str(&format!(": {cause}"));
                source = cause.source();
            }
            reason
        });
        Self {
            engine,
            generation: GENERATIONS.fetch_add(1, Ordering::Relaxed),
        }
    }

    /// Why loan applications cannot be scored, when they cannot.
    pub fn unavailable(&self) -> Option<&str> {
        self.engine.as_ref().err().map(String::as_str)
    }

    /// The model input row of `application` (the applicant field `field`),
    /// NaN for missing values.
    pub fn row(
        &self,
        application: &LoanApplication,
        field: &str,
        model_version: &str,
    ) -> Result<Vec<f64>, ServiceError> {
        let engine = self.engine.as_ref().map_err(|reason| {
            ServiceError::FailedPrecondition(format!(
                "{field}.loan_application: model {model_version} cannot score loan \
                 applications, its features are not those the feature definition \
                 computes from raw records ({reason}); name the applicant by its features"
            ))
        })?;
        let mut row = vec![f64::NAN; engine.n_features()];
        SCRATCH
            .with_borrow_mut(|slot| {
                if slot
                    .as_ref()
                    .is_some_and(|(generation, _)| *generation != self.generation)
                {
                    *slot = None;
                }
                let (_, scratch) = slot.get_or_insert_with(|| (self.generation, engine.scratch()));
                engine.features_into(application, scratch, &mut row)
            })
            .map_err(|error| application_error(error, field))?;
        Ok(row)
    }
}
