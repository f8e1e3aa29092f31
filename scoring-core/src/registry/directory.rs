//! The registry in a directory: a version is a directory renamed into
//! `versions/` once complete, and `aliases.json` changes under an exclusive
//! lock on `aliases.lock`, so concurrent promotes from several processes
//! are serialised instead of the last write winning.
//!
//! A publisher stages its version in `.staging/<name>/` while holding an
//! exclusive lock on `.staging/<name>.lock`; the kernel releases it when the
//! publisher ends, however it ends. Publishers (never readers) remove the
//! staging directories whose lock they can take: their publisher is gone,
//! whatever host or PID namespace it ran in. A registry opened read-only
//! (what the service does) writes nothing, not even missing directories.

use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use super::aliases::Aliases;
use super::fsync::{io_error, sync_dir, sync_tree, write_atomic};
use super::names::VersionId;
use crate::artifact::{MANIFEST_FILE, parse_manifest, read_file};
use crate::error::{Error, Result};
use crate::{Manifest, ModelDescription, PublishedModel};

const VERSIONS_DIR: &str = "versions";
const STAGING_DIR: &str = ".staging";
const ALIASES_FILE: &str = "aliases.json";
const LOCK_FILE: &str = "aliases.lock";
const REPORTS_DIR: &str = "reports";

const LOCK_SUFFIX: &str = ".lock";

#[derive(Debug, Clone)]
pub(crate) struct Directory {
    root: PathBuf,
}

/// A publish in progress: its staging directory and the held lock that
/// tells publishers it is alive.
#[derive(Debug)]
pub(crate) struct StagedDirectory {
    pub(crate) dir: PathBuf,
    lock_path: PathBuf,
    _lock: File,
}

impl Drop for StagedDirectory {
    /// The directory is committed or discarded by now; its lock file goes
    /// before the lock is released (a killed publisher leaves it to `gc`).
    fn drop(&mut self) {
        if let Err(error) = std::fs::remove_file(&self.lock_path)
            && error.kind() != std::io::ErrorKind::NotFound
        {
            tracing::warn!(path = %self.lock_path.display(), %error, "cannot remove a staging lock");
        }
    }
}

impl Directory {
    /// Opens the registry for publishing and moving aliases, creating its
    /// directories if missing.
    pub(crate) fn open(root: PathBuf) -> Result<Self> {
        let registry = Self { root };
        for dir in [registry.versions_dir(), registry.staging_dir()] {
            std::fs::create_dir_all(&dir).map_err(io_error(&dir, "creating"))?;
        }
        Ok(registry)
    }

    /// Opens the registry for reading only: nothing is created or removed
    /// (a missing registry has no versions yet; a file is refused).
    pub(crate) fn open_read_only(root: PathBuf) -> Result<Self> {
        match std::fs::metadata(&root) {
            Ok(found) if !found.is_dir() => Err(io_error(&root, "opening the registry")(
                std::io::Error::from(std::io::ErrorKind::NotADirectory),
            )),
            Ok(_) => Ok(Self { root }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Self { root }),
            Err(e) => Err(io_error(&root, "opening the registry")(e)),
        }
    }

    fn versions_dir(&self) -> PathBuf {
        self.root.join(VERSIONS_DIR)
    }

    fn staging_dir(&self) -> PathBuf {
        self.root.join(STAGING_DIR)
    }

    fn aliases_path(&self) -> PathBuf {
        self.root.join(ALIASES_FILE)
    }

    pub(crate) fn version_dir(&self, version: &VersionId) -> PathBuf {
        self.versions_dir().join(version.as_str())
    }

    /// Removes the staging directories whose publisher is gone (their lock
    /// can be taken) and stray lock files; returns how many directories
    /// were removed. Only publishers call it.
    pub(crate) fn gc(&self) -> Result<usize> {
        let staging = self.staging_dir();
        let entries = match std::fs::read_dir(&staging) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(0),
            Err(e) => return Err(io_error(&staging, "listing")(e)),
        };
        let mut names = std::collections::BTreeSet::new();
        for entry in entries {
            let name = entry.map_err(io_error(&staging, "listing"))?.file_name();
            let name = name.to_string_lossy();
            names.insert(name.strip_suffix(LOCK_SUFFIX).unwrap_or(&name).to_owned());
        }
        let mut removed = 0;
        for name in names {
            let Some(_lock) = try_lock(&staging.join(format!("{name}{LOCK_SUFFIX}")))? else {
                continue; // its publisher is still writing
            };
            let path = staging.join(&name);
            let result = if path.is_dir() {
                std::fs::remove_dir_all(&path)
            } else {
                std::fs::remove_file(&path)
            };
            match result {
                Ok(()) => {
                    tracing::info!(path = %path.display(), "removed a leftover staging entry");
                    removed += 1;
                }
                // Committed or removed meanwhile.
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(io_error(&path, "removing a leftover staging entry")(e)),
            }
            let lock_path = staging.join(format!("{name}{LOCK_SUFFIX}"));
            match std::fs::remove_file(&lock_path) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(io_error(&lock_path, "removing a staging lock")(e)),
            }
        }
        sync_dir(&staging)?;
        Ok(removed)
    }

    pub(crate) fn versions(&self) -> Result<Vec<VersionId>> {
        let dir = self.versions_dir();
        let mut versions = Vec::new();
        let entries = match std::fs::read_dir(&dir) {
            Ok(entries) => entries,
            // A registry opened read-only before anything was published.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(versions),
            Err(e) => return Err(io_error(&dir, "listing")(e)),
        };
        for entry in entries {
            let entry = entry.map_err(io_error(&dir, "listing"))?;
            let name = entry.file_name();
            let Some(id) = name.to_str().and_then(|n| VersionId::parse(n).ok()) else {
                continue;
            };
            if entry.path().is_dir() {
                versions.push(id);
            }
        }
        Ok(versions)
    }

    pub(crate) fn has_version(&self, version: &VersionId) -> bool {
        self.version_dir(version).is_dir()
    }

    pub(crate) fn manifest(&self, version: &VersionId) -> Result<Manifest> {
        let path = self.version_dir(version).join(MANIFEST_FILE);
        let bytes = std::fs::read(&path).map_err(io_error(&path, "reading"))?;
        parse_manifest(&bytes)
    }

    pub(crate) fn load(&self, version: &VersionId) -> Result<PublishedModel> {
        PublishedModel::load(&self.version_dir(version))
    }

    pub(crate) fn describe(&self, version: &VersionId) -> Result<ModelDescription> {
        let dir = self.version_dir(version);
        ModelDescription::load_files(self.manifest(version)?, |name| read_file(&dir, name))
    }

    pub(crate) fn files(&self, version: &VersionId) -> Result<Vec<String>> {
        let path = self.version_dir(version);
        let mut files = Vec::new();
        for entry in std::fs::read_dir(&path).map_err(io_error(&path, "listing"))? {
            let entry = entry.map_err(io_error(&path, "listing"))?;
            files.push(entry.file_name().to_string_lossy().into_owned());
        }
        Ok(files)
    }

    pub(crate) fn read_aliases(&self) -> Result<Aliases> {
        let path = self.aliases_path();
        match std::fs::read(&path) {
            Ok(bytes) => Aliases::from_bytes(&bytes, &path.display().to_string()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Aliases::default()),
            Err(e) => Err(io_error(&path, "reading")(e)),
        }
    }

    /// Reads, changes and replaces `aliases.json` under the registry's
    /// exclusive lock; nothing is written when `change` fails.
    pub(crate) fn update_aliases(
        &self,
        change: &mut dyn FnMut(&mut Aliases) -> Result<()>,
    ) -> Result<()> {
        let _lock = self.lock()?;
        self.remove_dead_writes()?;
        let mut aliases = self.read_aliases()?;
        change(&mut aliases)?;
        write_atomic(&self.aliases_path(), &aliases.to_bytes())
    }

    /// Removes the temporary files of alias writes whose writer died: one
    /// is written only under the lock, so any found while holding it is
    /// abandoned.
    fn remove_dead_writes(&self) -> Result<()> {
        let prefix = format!(".{ALIASES_FILE}.");
        for entry in std::fs::read_dir(&self.root).map_err(io_error(&self.root, "listing"))? {
            let entry = entry.map_err(io_error(&self.root, "listing"))?;
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if name.starts_with(&prefix) && name.ends_with(".tmp") {
                let path = entry.path();
                match std::fs::remove_file(&path) {
                    Ok(()) => {
                        tracing::info!(path = %path.display(), "removed an abandoned alias write")
                    }
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                    Err(e) => return Err(io_error(&path, "removing an abandoned alias write")(e)),
                }
            }
        }
        Ok(())
    }

    /// The exclusive lock on `aliases.lock`, released when the file is
    /// closed (the kernel drops it when its process dies, so no stale lock).
    fn lock(&self) -> Result<File> {
        let path = self.root.join(LOCK_FILE);
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(io_error(&path, "opening the alias lock"))?;
        fs4::FileExt::lock(&file).map_err(io_error(&path, "locking the aliases"))?;
        Ok(file)
    }

    /// A fresh staging directory for `id`, locked for as long as the
    /// returned value lives; first removes what dead publishers left.
    pub(crate) fn stage(&self, id: &VersionId) -> Result<StagedDirectory> {
        let staging = self.staging_dir();
        std::fs::create_dir_all(&staging).map_err(io_error(&staging, "creating"))?;
        self.gc()?;
        let mut attempts = 0;
        let (name, lock_path, lock) = loop {
            attempts += 1;
            if attempts > 16 {
                return Err(Error::Io {
                    path: staging,
                    action: "locking a fresh staging directory",
                    source: std::io::Error::from(std::io::ErrorKind::WouldBlock),
                });
            }
            let name = staging_name(id);
            let lock_path = staging.join(format!("{name}{LOCK_SUFFIX}"));
            // Another publisher's `gc` may remove a lock file between its
            // creation and its locking; such a lock guards nothing, so
            // the name is given up for a new one.
            if let Some(lock) = try_lock(&lock_path)?
                && still_at(&lock, &lock_path)?
            {
                break (name, lock_path, lock);
            }
        };
        let dir = staging.join(&name);
        std::fs::create_dir(&dir).map_err(io_error(&dir, "creating"))?;
        Ok(StagedDirectory {
            dir,
            lock_path,
            _lock: lock,
        })
    }

    /// fsyncs the verified staging directory and renames it into
    /// `versions/` as `id`; an existing version is never replaced.
    pub(crate) fn commit(&self, dir: &Path, id: &VersionId) -> Result<()> {
        sync_tree(dir)?;
        let target = self.version_dir(id);
        let exists = || Error::RegistryVersionExists {
            version: id.to_string(),
            location: target.display().to_string(),
        };
        if target.exists() {
            return Err(exists());
        }
        // rename(2) replaces only an empty directory; a published version
        // always holds its manifest, so a racing publisher fails here.
        std::fs::rename(dir, &target).map_err(|source| match source.kind() {
            std::io::ErrorKind::AlreadyExists | std::io::ErrorKind::DirectoryNotEmpty => exists(),
            _ => io_error(&target, "rename of the staged version")(source),
        })?;
        sync_dir(&self.versions_dir())?;
        sync_dir(&self.staging_dir())
    }

    /// `reports/<version>/<name>`, `None` when absent.
    pub(crate) fn read_report(&self, version: &VersionId, name: &str) -> Result<Option<Vec<u8>>> {
        let path = self
            .root
            .join(REPORTS_DIR)
            .join(version.as_str())
            .join(name);
        match std::fs::read(&path) {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(io_error(&path, "reading")(e)),
        }
    }

    /// Replaces `reports/<version>/<name>` (`name` may hold one `/`)
    /// atomically with `bytes`.
    pub(crate) fn write_report(&self, version: &VersionId, name: &str, bytes: &[u8]) -> Result<()> {
        let path = self
            .root
            .join(REPORTS_DIR)
            .join(version.as_str())
            .join(name);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(io_error(dir, "creating"))?;
        }
        write_atomic(&path, bytes)
    }

    pub(crate) fn discard(dir: &Path) {
        if let Err(error) = std::fs::remove_dir_all(dir) {
            tracing::warn!(path = %dir.display(), %error, "cannot remove a staging directory");
        }
    }
}

/// `<version>.<pid>.<nanos>`: unique, and says who made it (for people;
/// liveness is its lock).
fn staging_name(id: &VersionId) -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!("{id}.{}.{nanos}", std::process::id())
}

/// Whether `file` is still the file at `path`.
fn still_at(file: &File, path: &Path) -> Result<bool> {
    use std::os::unix::fs::MetadataExt;
    let held = file
        .metadata()
        .map_err(io_error(path, "reading a staging lock"))?;
    match std::fs::metadata(path) {
        Ok(on_disk) => Ok(on_disk.dev() == held.dev() && on_disk.ino() == held.ino()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(io_error(path, "reading a staging lock")(e)),
    }
}

/// The exclusive lock on `path` (created if missing), or `None` when
/// another open file holds it (in any process).
fn try_lock(path: &Path) -> Result<Option<File>> {
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(path)
        .map_err(io_error(path, "opening a staging lock"))?;
    match fs4::FileExt::try_lock(&file) {
        Ok(()) => Ok(Some(file)),
        Err(fs4::TryLockError::WouldBlock) => Ok(None),
        Err(fs4::TryLockError::Error(source)) => Err(Error::Io {
            path: path.to_owned(),
            action: "locking a staging directory",
            source,
        }),
    }
}
