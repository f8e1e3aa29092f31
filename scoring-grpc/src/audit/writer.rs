//! The audit log's writer thread: appends lines, fsyncs by count and by
//! time, rotates and prunes rotated files (see the module above).

use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use super::{AuditLine, Message};
use crate::config::AuditSettings;

pub(super) struct Writer {
    path: PathBuf,
    file: BufWriter<File>,
    size: u64,
    unsynced: usize,
    last_sync: Instant,
    max_bytes: u64,
    fsync_every: usize,
    fsync_interval: Duration,
    keep_rotated: usize,
}

fn open_append(path: &Path) -> std::io::Result<(BufWriter<File>, u64)> {
    let file = OpenOptions::new()
        .create(true)
        .append(true)
        // Personal data: the owner alone reads it, whatever the umask.
        .mode(0o600)
        .open(path)?;
    let size = file.metadata()?.len();
    Ok((BufWriter::new(file), size))
}

impl Writer {
    pub(super) fn open(settings: &AuditSettings) -> std::io::Result<Self> {
        if let Some(dir) = settings.path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)?;
        }
        let (file, size) = open_append(&settings.path)?;
        Ok(Self {
            path: settings.path.clone(),
            file,
            size,
            unsynced: 0,
            last_sync: Instant::now(),
            max_bytes: settings.max_bytes,
            fsync_every: settings.fsync_every,
            fsync_interval: settings.fsync_interval,
            keep_rotated: settings.keep_rotated,
        })
    }

    pub(super) fn run(mut self, rx: Receiver<Message>) {
        loop {
            match rx.recv_timeout(self.fsync_interval) {
                Ok(Message::Line { event, written }) => {
                    let result = self.write(&event);
                    if let Err(error) = &result {
                        tracing::error!(%error, path = %self.path.display(), "cannot write the audit log");
                        crate::metrics::record_audit_failure();
                    }
                    if let Some(tell) = written {
                        let _ = tell.send(result.is_ok());
                    }
                }
                Ok(Message::Close) | Err(RecvTimeoutError::Disconnected) => break,
                Err(RecvTimeoutError::Timeout) => {}
            }
            let due = self.unsynced > 0 && self.last_sync.elapsed() >= self.fsync_interval;
            if due && let Err(error) = self.sync() {
                tracing::error!(%error, "cannot fsync the audit log");
                crate::metrics::record_audit_failure();
            }
        }
        if let Err(error) = self.sync() {
            tracing::error!(%error, "cannot fsync the audit log");
        }
    }

    fn write(&mut self, event: &AuditLine) -> std::io::Result<()> {
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
        self.last_sync = Instant::now();
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
        if let Err(error) = self.prune() {
            tracing::warn!(%error, "cannot delete old rotated audit logs");
        }
        Ok(())
    }

    /// Deletes the oldest rotated files beyond `keep_rotated`.
    fn prune(&self) -> std::io::Result<()> {
        let dir = match self.path.parent().filter(|d| !d.as_os_str().is_empty()) {
            Some(dir) => dir.to_owned(),
            None => PathBuf::from("."),
        };
        let Some(name) = self.path.file_name().and_then(|n| n.to_str()) else {
            return Ok(());
        };
        let prefix = format!("{name}.");
        let mut rotated: Vec<(u128, PathBuf)> = std::fs::read_dir(&dir)?
            .filter_map(|entry| {
                let entry = entry.ok()?;
                let file_name = entry.file_name();
                let stamp = file_name.to_str()?.strip_prefix(&prefix)?.parse().ok()?;
                Some((stamp, entry.path()))
            })
            .collect();
        rotated.sort_unstable();
        let excess = rotated.len().saturating_sub(self.keep_rotated);
        for (_, path) in rotated.into_iter().take(excess) {
            std::fs::remove_file(path)?;
        }
        Ok(())
    }
}
