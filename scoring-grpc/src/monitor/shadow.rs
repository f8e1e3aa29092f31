//! The shadow worker: one thread that takes the applicants the live
//! version decided from a bounded queue, scores them with the challenger,
//! adds them to the pair's [`Comparison`] and writes a `shadow` line to the
//! audit log (best effort: the decision's own line was written before the
//! answer, so the challenger's figure follows it as a line of its own,
//! joined by `request_id`). Nothing here can fail or slow a request: the
//! request side only tries to queue, and the worker runs in the idle
//! scheduling class (only on CPU the requests leave free).

use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::sync::{Arc, Weak};

use scoring_core::drift::TrackedBins;
use scoring_core::reference::FeatureReference;

use super::comparison::Comparison;
use crate::audit::ShadowEvent;
use crate::metrics;
use crate::service::Shared;
use crate::state::ServedModel;

/// One decided applicant waiting for the challenger.
#[derive(Debug)]
pub struct Shadowed {
    pub live: Arc<ServedModel>,
    pub request_id: String,
    pub rpc: &'static str,
    pub client_id: Option<i64>,
    /// Model-order values, NaN missing.
    pub values: Vec<f64>,
    pub probability_of_default: f64,
}

/// The request side of the queue.
#[derive(Debug)]
pub struct ShadowQueue(SyncSender<Shadowed>);

/// The worker side of the queue.
#[derive(Debug)]
pub struct ShadowReceiver(Receiver<Shadowed>);

pub fn queue(capacity: usize) -> (ShadowQueue, ShadowReceiver) {
    let (tx, rx) = sync_channel(capacity.max(1));
    (ShadowQueue(tx), ShadowReceiver(rx))
}

impl ShadowQueue {
    /// Queues without waiting; false when the queue is full or stopped.
    pub fn offer(&self, shadowed: Shadowed) -> bool {
        self.0.try_send(shadowed).is_ok()
    }
}

/// Starts the worker thread; it stops once the server's shared state is
/// dropped (the queue's sender with it).
pub fn start(shared: Weak<Shared>, receiver: ShadowReceiver) -> std::io::Result<()> {
    std::thread::Builder::new()
        .name("challenger-shadow".to_owned())
        .spawn(move || {
            run_when_idle();
            while let Ok(shadowed) = receiver.0.recv() {
                let Some(shared) = shared.upgrade() else {
                    return;
                };
                shadow(&shared, shadowed);
            }
        })
        .map(|_| ())
}

/// Puts this thread in Linux's idle scheduling class (SCHED_IDLE): it runs
/// only on CPU the requests leave free, so that shadowing never takes CPU
/// from a live decision. Under saturation the queue fills and applicants
/// go unshadowed (counted in `scoring_challenger_dropped_total`). Lowering
/// a thread's own class needs no privilege; should it fail, the worker runs
/// at normal priority and says so.
fn run_when_idle() {
    use thread_priority::unix::{
        NormalThreadSchedulePolicy, ThreadSchedulePolicy, set_thread_priority_and_policy,
        thread_native_id,
    };
    let idle = ThreadSchedulePolicy::Normal(NormalThreadSchedulePolicy::Idle);
    let set = set_thread_priority_and_policy(
        thread_native_id(),
        thread_priority::ThreadPriority::Min,
        idle,
    );
    if let Err(error) = set {
        tracing::warn!(
            ?error,
            "the challenger's worker could not be given idle priority: it competes with requests for CPU"
        );
    }
}

/// Scores one applicant with the challenger and records the comparison.
fn shadow(shared: &Shared, shadowed: Shadowed) {
    let monitor = &shared.monitor;
    let Some(challenger) = monitor.challenger() else {
        return;
    };
    let live = &shadowed.live;
    let probability = {
        let Ok(mut guard) = monitor.comparison.lock() else {
            return;
        };
        let comparison =
            guard.get_or_insert_with(|| pair(live, &challenger.version, &challenger.published));
        if !comparison.pairs(&live.version, &challenger.version) {
            *comparison = pair(live, &challenger.version, &challenger.published);
        }
        if !comparison.compatible {
            return;
        }
        match challenger
            .published
            .model()
            .predict_probability(&shadowed.values)
        {
            Ok(p) => {
                comparison.add(
                    (live.published.thresholds(), shadowed.probability_of_default),
                    (challenger.published.thresholds(), p),
                );
                p
            }
            Err(error) => {
                comparison.failures += 1;
                metrics::record_challenger_failure();
                tracing::warn!(challenger = %challenger.version, %error, "the challenger failed to score an applicant");
                return;
            }
        }
    };
    metrics::record_challenger_scored();
    if let Some(log) = &shared.audit {
        log.record_shadow(ShadowEvent::new(
            &shadowed,
            &challenger.version,
            probability,
        ));
    }
}

/// A new comparison of `live` and a challenger: compatible when both take
/// the same features in the same order; scores binned on the live
/// reference's score bins (deciles of [0, 1] without a reference).
fn pair(
    live: &ServedModel,
    challenger_version: &str,
    challenger: &scoring_core::PublishedModel,
) -> Comparison {
    let compatible = live.published.model().feature_names() == challenger.model().feature_names();
    if !compatible {
        tracing::warn!(live = %live.version, challenger = %challenger_version, "the challenger takes other features than the live version: nothing is compared");
    }
    let score_bins = match live.published.reference() {
        Some(reference) => TrackedBins::of(&reference.probability_of_default),
        None => {
            let deciles: Vec<f64> = (0..=10).map(|i| f64::from(i) / 10.0).collect();
            TrackedBins::of(&FeatureReference::of(
                "probability_of_default",
                &deciles,
                10,
            ))
        }
    };
    Comparison::new(&live.version, challenger_version, compatible, score_bins)
}
