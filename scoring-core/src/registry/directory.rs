//! The registry in a directory: a version is a directory renamed into
//! `versions/` once complete, and `aliases.json` changes under an exclusive
//! lock on `aliases.lock`, so concurrent promotes from several processes
//! are serialised instead of the last write winning.

use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use super::aliases::Aliases;
use super::fsync::{io_error, sync_dir, sync_tree, write_atomic};
use super::names::VersionId;
use crate::artifact::{MANIFEST_FILE, parse_manifest};
use crate::error::{Error, Result};
use crate::{Manifest, PublishedModel};

const VERSIONS_DIR: &str = "versions";
const STAGING_DIR: &str = ".staging";
const ALIASES_FILE: &str = "aliases.json";
const LOCK_FILE: &str = "aliases.lock";
const REPORTS_DIR: &str = "reports";

#[derive(Debug, Clone)]
pub(crate) struct Directory {
    root: PathBuf,
}

impl Directory {
    /// Creates the registry's directories if missing and removes staging
    /// directories left by publishers that died.
    pub(crate) fn open(root: PathBuf) -> Result<Self> {
        let registry = Self { root };
        for dir in [registry.versions_dir(), registry.staging_dir()] {
            std::fs::create_dir_all(&dir).map_err(io_error(&dir, "creating"))?;
        }
        registry.gc()?;
        Ok(registry)
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

    /// Removes staging directories whose publisher is no longer running.
    pub(crate) fn gc(&self) -> Result<usize> {
        let staging = self.staging_dir();
        let entries = match std::fs::read_dir(&staging) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(0),
            Err(e) => return Err(io_error(&staging, "listing")(e)),
        };
        let mut removed = 0;
        for entry in entries {
            let entry = entry.map_err(io_error(&staging, "listing"))?;
            let name = entry.file_name();
            if publisher_alive(&name.to_string_lossy()) {
                continue;
            }
            let path = entry.path();
            let result = if path.is_dir() {
                std::fs::remove_dir_all(&path)
            } else {
                std::fs::remove_file(&path)
            };
            result.map_err(io_error(&path, "removing a leftover staging entry"))?;
            tracing::info!(path = %path.display(), "removed a leftover staging entry");
            removed += 1;
        }
        if removed > 0 {
            sync_dir(&staging)?;
        }
        Ok(removed)
    }

    pub(crate) fn versions(&self) -> Result<Vec<VersionId>> {
        let dir = self.versions_dir();
        let mut versions = Vec::new();
        for entry in std::fs::read_dir(&dir).map_err(io_error(&dir, "listing"))? {
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
        let mut aliases = self.read_aliases()?;
        change(&mut aliases)?;
        write_atomic(&self.aliases_path(), &aliases.to_bytes())
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

    /// A fresh staging directory for `id`.
    pub(crate) fn stage(&self, id: &VersionId) -> Result<PathBuf> {
        let staging = self.staging_dir();
        std::fs::create_dir_all(&staging).map_err(io_error(&staging, "creating"))?;
        let dir = staging.join(staging_name(id));
        std::fs::create_dir(&dir).map_err(io_error(&dir, "creating"))?;
        Ok(dir)
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

/// `<version>.<pid>.<nanos>`: unique, and tells `gc` whose it is.
fn staging_name(id: &VersionId) -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!("{id}.{}.{nanos}", std::process::id())
}

/// Whether the process that made staging entry `name` may still be
/// writing it: its pid is this process or (where /proc exists) running.
fn publisher_alive(name: &str) -> bool {
    let mut parts = name.rsplitn(3, '.');
    let (Some(_nanos), Some(pid), Some(_id)) = (parts.next(), parts.next(), parts.next()) else {
        return false;
    };
    let Ok(pid) = pid.parse::<u32>() else {
        return false;
    };
    pid == std::process::id() || Path::new("/proc").join(pid.to_string()).exists()
}
