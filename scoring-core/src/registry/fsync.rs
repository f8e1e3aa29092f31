//! Durable writes: fsync of files and directories, and atomic replacement.

use std::fs::File;
use std::io::Write;
use std::path::Path;

use crate::error::{Error, Result};

pub(crate) fn io_error(path: &Path, action: &'static str) -> impl FnOnce(std::io::Error) -> Error {
    let path = path.to_owned();
    move |source| Error::Io {
        path,
        action,
        source,
    }
}

/// Flushes a directory's entries (new, renamed or removed files) to disk.
pub(crate) fn sync_dir(dir: &Path) -> Result<()> {
    #[cfg(unix)]
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(io_error(dir, "fsync of the directory"))?;
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

/// Flushes every file under `dir`, then every directory, `dir` last.
pub(crate) fn sync_tree(dir: &Path) -> Result<()> {
    let entries = std::fs::read_dir(dir).map_err(io_error(dir, "listing"))?;
    for entry in entries {
        let path = entry.map_err(io_error(dir, "listing"))?.path();
        let kind = std::fs::symlink_metadata(&path).map_err(io_error(&path, "stat"))?;
        if kind.is_dir() {
            sync_tree(&path)?;
        } else if kind.is_file() {
            File::open(&path)
                .and_then(|f| f.sync_all())
                .map_err(io_error(&path, "fsync"))?;
        }
    }
    sync_dir(dir)
}

/// Replaces `path` with `bytes` atomically: a temporary file beside it,
/// fsynced, renamed over it, and the directory fsynced.
pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("file");
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let written = File::create(&tmp)
        .and_then(|mut f| {
            f.write_all(bytes)?;
            f.sync_all()
        })
        .map_err(io_error(&tmp, "writing"))
        .and_then(|()| std::fs::rename(&tmp, path).map_err(io_error(path, "rename")));
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written?;
    sync_dir(dir)
}
