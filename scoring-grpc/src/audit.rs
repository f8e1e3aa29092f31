//! The audit log: one JSON line per decision, appended to a file by a
//! writer task so the request path only sends on a channel.
//!
//! Durability policy: each line is written and flushed to the OS as it
//! arrives (a crash of this process loses nothing already written); the
//! file is fsynced every `fsync_every` lines, before a rotation and at
//! shutdown (a machine crash loses at most the lines since the last
//! fsync). When a line would take the file past `max_bytes`, the file is
//! renamed to `<name>.<unix time in ns>` and a new one started; rotated
//! files are never overwritten or deleted here. [`AuditLog::close`] makes
//! the writer drain every line sent before it, fsync and stop; the server
//! calls it after the last request has finished.

use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use scoring_core::{Decision, Outcome};
use serde::Serialize;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use crate::config::AuditSettings;
use crate::service::Context;
use crate::state::ServedModel;

/// One decision, as written.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditEvent {
    /// RFC 3339, UTC.
    pub time: String,
    pub request_id: String,
    pub caller: String,
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
        client_id: Option<i64>,
        decision: &Decision,
    ) -> Self {
        Self {
            time: prost_types::Timestamp::from(SystemTime::now()).to_string(),
            request_id: context.request_id.clone(),
            caller: context.caller.clone(),
            client_id,
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

enum Message {
    Line(AuditEvent),
    Close,
}

/// The sending side, held by the service.
#[derive(Debug)]
pub struct AuditLog {
    tx: mpsc::UnboundedSender<Message>,
    writer: std::sync::Mutex<Option<JoinHandle<()>>>,
}

impl std::fmt::Debug for Message {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("audit message")
    }
}

impl AuditLog {
    /// Opens (appending) the file and starts the writer task.
    pub fn start(settings: &AuditSettings) -> std::io::Result<Self> {
        let writer = Writer::open(settings)?;
        let (tx, rx) = mpsc::unbounded_channel();
        let handle = tokio::task::spawn_blocking(move || writer.run(rx));
        Ok(Self {
            tx,
            writer: std::sync::Mutex::new(Some(handle)),
        })
    }

    /// Queues one line; never blocks the request.
    pub fn record(&self, event: AuditEvent) {
        if self.tx.send(Message::Line(event)).is_err() {
            tracing::error!("audit writer has stopped; a decision was not logged");
            crate::metrics::record_audit_failure();
        }
    }

    /// Writes every queued line, fsyncs and stops the writer.
    pub async fn close(&self) {
        let _ = self.tx.send(Message::Close);
        let handle = self.writer.lock().ok().and_then(|mut h| h.take());
        if let Some(handle) = handle
            && let Err(error) = handle.await
        {
            tracing::error!(%error, "audit writer failed");
        }
    }
}

struct Writer {
    path: PathBuf,
    file: BufWriter<File>,
    size: u64,
    unsynced: usize,
    max_bytes: u64,
    fsync_every: usize,
}

fn open_append(path: &Path) -> std::io::Result<(BufWriter<File>, u64)> {
    let file = OpenOptions::new().create(true).append(true).open(path)?;
    let size = file.metadata()?.len();
    Ok((BufWriter::new(file), size))
}

impl Writer {
    fn open(settings: &AuditSettings) -> std::io::Result<Self> {
        if let Some(dir) = settings.path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)?;
        }
        let (file, size) = open_append(&settings.path)?;
        Ok(Self {
            path: settings.path.clone(),
            file,
            size,
            unsynced: 0,
            max_bytes: settings.max_bytes,
            fsync_every: settings.fsync_every,
        })
    }

    fn run(mut self, mut rx: mpsc::UnboundedReceiver<Message>) {
        while let Some(message) = rx.blocking_recv() {
            match message {
                Message::Line(event) => {
                    if let Err(error) = self.write(&event) {
                        tracing::error!(%error, path = %self.path.display(), "cannot write the audit log");
                        crate::metrics::record_audit_failure();
                    }
                }
                Message::Close => break,
            }
        }
        if let Err(error) = self.sync() {
            tracing::error!(%error, "cannot fsync the audit log");
        }
    }

    fn write(&mut self, event: &AuditEvent) -> std::io::Result<()> {
        let mut line = serde_json::to_vec(event).map_err(std::io::Error::other)?;
        line.push(b'\n');
        if self.size > 0 && self.size + line.len() as u64 > self.max_bytes {
            self.rotate()?;
        }
        self.file.write_all(&line)?;
        self.file.flush()?;
        self.size += line.len() as u64;
        self.unsynced += 1;
        if self.unsynced >= self.fsync_every {
            self.sync()?;
        }
        Ok(())
    }

    fn sync(&mut self) -> std::io::Result<()> {
        self.file.flush()?;
        self.file.get_ref().sync_data()?;
        self.unsynced = 0;
        Ok(())
    }

    fn rotate(&mut self) -> std::io::Result<()> {
        self.sync()?;
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let mut rotated = self.path.clone().into_os_string();
        rotated.push(format!(".{nanos}"));
        std::fs::rename(&self.path, &rotated)?;
        let (file, size) = open_append(&self.path)?;
        self.file = file;
        self.size = size;
        if let Some(dir) = self.path.parent().filter(|d| !d.as_os_str().is_empty()) {
            File::open(dir)?.sync_all()?;
        }
        Ok(())
    }
}
