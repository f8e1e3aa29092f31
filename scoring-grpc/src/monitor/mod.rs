//! Watching the live model: drift of the applicants it scores from its
//! published reference, and a shadow challenger that scores the same
//! applicants off the request path.
//!
//! - [`Monitor`] (in [`Shared`](crate::service::Shared)): the live
//!   version's [`DriftTracker`], started by each reload, and the loaded
//!   challenger; `Monitor::observe` is what Score and ScoreBatch call per
//!   decision: O(features) relaxed atomic increments, no allocation, and,
//!   with a challenger, one `try_send` on a bounded queue (full: the
//!   applicant is not shadowed, and counted);
//! - [`challenger`]: follows the challenger alias in the registry;
//! - [`shadow`]: the worker thread that scores the queue with the
//!   challenger and writes `shadow` audit lines; [`comparison`]: what it
//!   accumulates (agreement per strategy, probability differences, both
//!   score distributions);
//! - [`gauges`]: the periodic task that publishes the Prometheus gauges;
//! - [`config`]: the flags.
//!
//! Tracked applicants are those of Score and ScoreBatch given by `features`,
//! `feature_vector` or `loan_application` (new applicants), and by `client_id` only with
//! `--drift-include-snapshot`; what-ifs (`modified_client`) and Explain
//! (page views of applicants already scored) are not.

pub mod challenger;
pub mod comparison;
pub mod config;
pub mod gauges;
pub mod shadow;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use arc_swap::ArcSwapOption;
use scoring_core::drift::{DriftBins, DriftTracker};

use self::challenger::Challenger;
use self::comparison::Comparison;
use self::config::MonitoringSettings;
use self::shadow::{ShadowQueue, Shadowed};
use crate::service::Context;
use crate::state::ServedModel;
use crate::validate::{ApplicantKind, Row};

/// The drift of one live version.
#[derive(Debug)]
pub struct VersionDrift {
    pub version: String,
    pub tracker: DriftTracker,
    /// Positions of the features with a Prometheus gauge: the model's most
    /// important (by the published report), at most `--drift-top-features`.
    pub gauged: Vec<usize>,
}

/// Drift tracking and the shadow challenger of one server.
#[derive(Debug)]
pub struct Monitor {
    pub settings: MonitoringSettings,
    drift: ArcSwapOption<VersionDrift>,
    challenger: ArcSwapOption<Challenger>,
    shadow: Option<ShadowQueue>,
    /// The live and challenger versions' comparison (the shadow worker's).
    pub comparison: Mutex<Option<Comparison>>,
    dropped: AtomicU64,
}

impl Monitor {
    /// The monitor, and the receiving end of the shadow queue when a
    /// challenger alias is configured (for [`shadow::start`]).
    pub fn new(settings: MonitoringSettings) -> (Self, Option<shadow::ShadowReceiver>) {
        let (shadow, receiver) = match settings.challenger_alias {
            Some(_) => {
                let (queue, receiver) = shadow::queue(settings.challenger_queue);
                (Some(queue), Some(receiver))
            }
            None => (None, None),
        };
        let monitor = Self {
            settings,
            drift: ArcSwapOption::empty(),
            challenger: ArcSwapOption::empty(),
            shadow,
            comparison: Mutex::new(None),
            dropped: AtomicU64::new(0),
        };
        (monitor, receiver)
    }

    /// Starts a new window for a version going live: its features binned
    /// on its reference; nothing tracked when it has none or drift is off.
    pub fn track(&self, model: &ServedModel) {
        let tracker = match (&self.settings.window, model.published.reference()) {
            (Some(window), Some(reference)) => {
                Some(DriftTracker::new(DriftBins::of(reference), *window))
            }
            (Some(_), None) => {
                tracing::warn!(version = %model.version, "this model was published without reference statistics: its drift is not tracked");
                None
            }
            (None, _) => None,
        };
        let drift = tracker.map(|tracker| {
            Arc::new(VersionDrift {
                version: model.version.clone(),
                gauged: most_important(model, self.settings.top_features),
                tracker,
            })
        });
        self.drift.store(drift);
    }

    /// The live version's drift, when tracked.
    pub fn drift(&self) -> Option<Arc<VersionDrift>> {
        self.drift.load_full()
    }

    /// The loaded challenger.
    pub fn challenger(&self) -> Option<Arc<Challenger>> {
        self.challenger.load_full()
    }

    pub(crate) fn set_challenger(&self, challenger: Option<Arc<Challenger>>) {
        self.challenger.store(challenger);
    }

    /// Applicants not shadowed because the challenger's queue was full,
    /// since the server started.
    pub fn dropped(&self) -> u64 {
        self.dropped.load(Ordering::Relaxed)
    }

    /// Counts one decision of Score or ScoreBatch in the drift window (when
    /// its applicant is tracked) and queues it for the challenger.
    pub(crate) fn observe(
        &self,
        context: &Context,
        model: &Arc<ServedModel>,
        row: Row,
        probability_of_default: f64,
    ) {
        let tracked = match row.kind {
            ApplicantKind::Features
            | ApplicantKind::FeatureVector
            | ApplicantKind::LoanApplication => true,
            ApplicantKind::ClientId => self.settings.include_snapshot,
            ApplicantKind::ModifiedClient => false,
        };
        if !tracked {
            return;
        }
        if let Some(drift) = self.drift.load().as_ref()
            && drift.version == model.version
        {
            drift.tracker.record(&row.values, probability_of_default);
        }
        let Some(queue) = &self.shadow else {
            return;
        };
        if self.challenger.load().is_none() {
            return;
        }
        let shadowed = Shadowed {
            live: Arc::clone(model),
            request_id: context.request_id.clone(),
            rpc: context.rpc,
            client_id: row.client_id,
            values: row.values,
            probability_of_default,
        };
        if !queue.offer(shadowed) {
            self.dropped.fetch_add(1, Ordering::Relaxed);
            crate::metrics::record_challenger_dropped();
        }
    }
}

/// The `k` most important features of `model` by its report's importance,
/// in the model's order of features when it has no report.
fn most_important(model: &ServedModel, k: usize) -> Vec<usize> {
    let mut positions: Vec<usize> = model
        .published
        .report()
        .map(|r| {
            r.importance
                .iter()
                .filter_map(|i| model.position(&i.feature))
                .collect()
        })
        .unwrap_or_default();
    for j in 0..model.n_features() {
        if !positions.contains(&j) {
            positions.push(j);
        }
    }
    positions.truncate(k);
    positions
}
