//! The audit log: one JSON line per decision (Score, each ScoreBatch item,
//! Explain), saying which RPC asked, how the applicant was named, who
//! called and on whose behalf, written by a writer thread through a
//! bounded queue.
//!
//! With a shadow challenger, a `shadow` line ([`ShadowEvent`], best
//! effort) follows a decision's line with the challenger's probability.
//!
//! Two modes ([`AuditMode`]):
//! - `required` (the default): a decision is answered only once its line is
//!   written to the file (flushed to the operating system, so a crash of
//!   this process loses nothing answered); when it cannot be (the queue is
//!   full, the disk is full, the file unwritable, the writer stopped) the
//!   call fails with UNAVAILABLE instead of deciding unrecorded.
//! - `best-effort`: the line is queued and the decision answered at once;
//!   a line that cannot be queued or written is counted in
//!   `scoring_audit_failures_total` and logged.
//!
//! Durability: the file is fsynced every `fsync_every` lines, at least
//! every `fsync_interval` while lines are unsynced, before a rotation and
//! at shutdown (a machine crash loses at most that window). When a line
//! would take the file past `max_bytes`, the file is renamed to
//! `<name>.<unix time in ns>` and a new one started; only the `keep_rotated`
//! most recent rotated files are kept. The files are created readable by
//! their owner only (they hold personal data).

mod shadow;
mod writer;

pub use shadow::{AuditLine, ShadowEvent};

use std::sync::mpsc::{Receiver, SyncSender, TrySendError, sync_channel};
use std::time::SystemTime;

use scoring_core::{Decision, Outcome};
use serde::Serialize;

use crate::config::{AuditMode, AuditSettings};
use crate::service::Context;
use crate::state::ServedModel;
use crate::validate::Row;

/// One decision, as written.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditEvent {
    /// RFC 3339, UTC.
    pub time: String,
    pub request_id: String,
    /// The RPC that decided: `Score`, `ScoreBatch` or `Explain` (a page
    /// view or a what-if is an Explain).
    pub rpc: &'static str,
    /// How the applicant was named: `client_id`, `features`,
    /// `modified_client` (a what-if) or `loan_application`.
    pub applicant: &'static str,
    pub caller: String,
    /// The person the caller acted for (the officer, from the gateway).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub on_behalf_of: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_id: Option<i64>,
    pub model_version: String,
    pub probability_of_default: f64,
    pub decision: &'static str,
    pub strategy: &'static str,
    pub threshold: f64,
    pub reason_codes: Vec<String>,
}

impl AuditEvent {
    pub(crate) fn new(
        context: &Context,
        model: &ServedModel,
        row: &Row,
        decision: &Decision,
    ) -> Self {
        Self {
            time: prost_types::Timestamp::from(SystemTime::now()).to_string(),
            request_id: context.request_id.clone(),
            rpc: context.rpc,
            applicant: row.kind.name(),
            caller: context.caller.clone(),
            on_behalf_of: context.on_behalf_of.clone(),
            client_id: row.client_id,
            model_version: model.version.clone(),
            probability_of_default: decision.probability_of_default,
            decision: match decision.outcome {
                Outcome::Accept => "ACCEPT",
                Outcome::Refuse => "REFUSE",
            },
            strategy: decision.strategy.name(),
            threshold: decision.threshold,
            reason_codes: decision.reasons.iter().map(|r| r.feature.clone()).collect(),
        }
    }
}

/// Why a decision's line was not recorded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuditError {
    #[error("the audit log's queue is full")]
    QueueFull,
    #[error("the audit log cannot be written")]
    WriteFailed,
    #[error("the audit log has stopped")]
    Stopped,
}

enum Message {
    Line {
        event: Box<AuditLine>,
        /// Told whether the line was written (required mode).
        written: Option<tokio::sync::oneshot::Sender<bool>>,
    },
    Close,
}

/// The sending side, held by the service.
#[derive(Debug)]
pub struct AuditLog {
    tx: SyncSender<Message>,
    mode: AuditMode,
    writer: std::sync::Mutex<Option<std::thread::JoinHandle<()>>>,
}

impl std::fmt::Debug for Message {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("audit message")
    }
}

impl AuditLog {
    /// Opens (appending) the file and starts the writer thread.
    pub fn start(settings: &AuditSettings) -> std::io::Result<Self> {
        let writer = writer::Writer::open(settings)?;
        let (tx, rx): (SyncSender<Message>, Receiver<Message>) =
            sync_channel(settings.queue_capacity);
        let handle = std::thread::Builder::new()
            .name("audit-writer".to_owned())
            .spawn(move || writer.run(rx))?;
        Ok(Self {
            tx,
            mode: settings.mode,
            writer: std::sync::Mutex::new(Some(handle)),
        })
    }

    /// Records one decision. In `required` mode, resolves once the line is
    /// written, or with the reason it could not be; in `best-effort` mode,
    /// at once (a failure is counted and logged, never returned).
    pub async fn record(&self, event: AuditEvent) -> Result<(), AuditError> {
        match self.enqueue(event)? {
            Some(answer) => written(answer.await.ok()),
            None => Ok(()),
        }
    }

    /// As [`Self::record`], from a blocking thread (ScoreBatch's workers).
    pub fn record_blocking(&self, event: AuditEvent) -> Result<(), AuditError> {
        match self.enqueue(event)? {
            Some(answer) => written(answer.blocking_recv().ok()),
            None => Ok(()),
        }
    }

    /// Queues the line; in `required` mode, returns where the writer will
    /// say whether it was written.
    fn enqueue(
        &self,
        event: AuditEvent,
    ) -> Result<Option<tokio::sync::oneshot::Receiver<bool>>, AuditError> {
        match self.mode {
            AuditMode::BestEffort => {
                if let Err(error) = self.send(event, None) {
                    tracing::error!(%error, "a decision was not logged");
                }
                Ok(None)
            }
            AuditMode::Required => {
                let (tx, rx) = tokio::sync::oneshot::channel();
                self.send(event, Some(tx))?;
                Ok(Some(rx))
            }
        }
    }

    fn send(
        &self,
        event: AuditEvent,
        written: Option<tokio::sync::oneshot::Sender<bool>>,
    ) -> Result<(), AuditError> {
        let message = Message::Line {
            event: Box::new(AuditLine::Decision(event)),
            written,
        };
        self.tx.try_send(message).map_err(|error| {
            crate::metrics::record_audit_failure();
            match error {
                TrySendError::Full(_) => AuditError::QueueFull,
                TrySendError::Disconnected(_) => AuditError::Stopped,
            }
        })
    }

    /// Queues the challenger's line of a decision, never waiting: a full
    /// queue or a stopped writer is counted in
    /// `scoring_audit_failures_total` (the decision was recorded already).
    pub fn record_shadow(&self, event: ShadowEvent) {
        let message = Message::Line {
            event: Box::new(AuditLine::Shadow(event)),
            written: None,
        };
        if self.tx.try_send(message).is_err() {
            crate::metrics::record_audit_failure();
            tracing::warn!("a shadow line was not logged");
        }
    }

    /// Writes every queued line, fsyncs and stops the writer.
    pub async fn close(&self) {
        let tx = self.tx.clone();
        // The queue may be full: wait for room off the async threads.
        let _ = tokio::task::spawn_blocking(move || tx.send(Message::Close)).await;
        let handle = self.writer.lock().ok().and_then(|mut h| h.take());
        if let Some(handle) = handle {
            let joined = tokio::task::spawn_blocking(move || handle.join()).await;
            if !matches!(joined, Ok(Ok(()))) {
                tracing::error!("audit writer failed");
            }
        }
    }
}

fn written(answer: Option<bool>) -> Result<(), AuditError> {
    match answer {
        Some(true) => Ok(()),
        Some(false) => Err(AuditError::WriteFailed),
        None => Err(AuditError::Stopped),
    }
}
