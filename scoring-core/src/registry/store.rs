//! The registry directory: publishing, listing and aliasing versions.

use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use crate::artifact::MANIFEST_FILE;
use crate::{Manifest, PublishedModel};

use super::aliases::Aliases;
use super::fsync::{io_error, sync_dir, sync_tree};
use super::names::{VersionId, check_alias};
use crate::error::{Error, Result};

const VERSIONS_DIR: &str = "versions";
const STAGING_DIR: &str = ".staging";
const ALIASES_FILE: &str = "aliases.json";
/// How many later numbers an unnamed publish tries when another publisher
/// took its `v{N}` between the check and the rename.
const NUMBERING_RETRIES: u64 = 16;

/// A model registry rooted at one directory.
#[derive(Debug, Clone)]
pub struct Registry {
    root: PathBuf,
}

/// One published version as listed: its manifest (or why it cannot be
/// read) and the aliases naming it.
#[derive(Debug)]
pub struct VersionSummary {
    pub version: VersionId,
    pub manifest: Result<Manifest>,
    pub aliases: Vec<String>,
}

/// One published version, verified.
#[derive(Debug)]
pub struct VersionDetails {
    pub version: VersionId,
    pub path: PathBuf,
    pub model: PublishedModel,
    pub aliases: Vec<String>,
    /// Every file of the version directory, sorted.
    pub files: Vec<String>,
}

impl Registry {
    /// Opens the registry at `root`, creating its directories if missing,
    /// and removes staging directories left by publishers that died.
    pub fn open(root: impl Into<PathBuf>) -> Result<Self> {
        let registry = Self { root: root.into() };
        for dir in [registry.versions_dir(), registry.staging_dir()] {
            std::fs::create_dir_all(&dir).map_err(io_error(&dir, "creating"))?;
        }
        registry.gc()?;
        Ok(registry)
    }

    pub fn root(&self) -> &Path {
        &self.root
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

    /// The directory of `version` (whether or not it exists).
    pub fn version_dir(&self, version: &VersionId) -> PathBuf {
        self.versions_dir().join(version.as_str())
    }

    /// Removes staging directories whose publisher is no longer running;
    /// returns how many were removed.
    pub fn gc(&self) -> Result<usize> {
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

    /// Published versions, in natural order.
    pub fn versions(&self) -> Result<Vec<VersionId>> {
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
        versions.sort();
        Ok(versions)
    }

    fn check_exists(&self, version: &VersionId) -> Result<PathBuf> {
        let dir = self.version_dir(version);
        if dir.is_dir() {
            Ok(dir)
        } else {
            Err(Error::RegistryUnknownVersion {
                version: version.to_string(),
                registry: self.root.clone(),
            })
        }
    }

    /// Publishes a new version: `writer` fills a fresh staging directory,
    /// which must then load as a verified artifact; it is fsynced and renamed
    /// into `versions/` in one step. Without `version`, the id is `v{N}`, N one
    /// more than the highest `v{n}` published. An existing version is never
    /// overwritten.
    pub fn publish<E: From<Error>>(
        &self,
        version: Option<&str>,
        writer: impl FnOnce(&Path) -> Result<(), E>,
    ) -> Result<VersionId, E> {
        let mut id = match version {
            Some(v) => VersionId::parse(v)?,
            None => self.next_version()?,
        };
        self.refuse_existing(&id)?;
        let staging = self.staging_dir();
        std::fs::create_dir_all(&staging).map_err(io_error(&staging, "creating"))?;
        let dir = staging.join(staging_name(&id));
        std::fs::create_dir(&dir).map_err(io_error(&dir, "creating"))?;
        if let Err(error) = writer(&dir) {
            discard(&dir);
            return Err(error);
        }
        let verified = PublishedModel::load(&dir)
            .map_err(|source| Error::RegistryArtifact {
                path: dir.clone(),
                source: Box::new(source),
            })
            .and_then(|_| sync_tree(&dir));
        if let Err(error) = verified {
            discard(&dir);
            return Err(error.into());
        }
        let mut attempts = 0;
        loop {
            match self.rename_into_place(&dir, &id) {
                Ok(()) => break,
                Err(Error::RegistryVersionExists { .. })
                    if version.is_none() && attempts < NUMBERING_RETRIES =>
                {
                    attempts += 1;
                    id = self.next_version()?;
                }
                Err(error) => {
                    discard(&dir);
                    return Err(error.into());
                }
            }
        }
        sync_dir(&self.versions_dir())?;
        sync_dir(&staging)?;
        tracing::info!(version = %id, registry = %self.root.display(), "published a model version");
        Ok(id)
    }

    /// The id an unnamed publish would take now: `v{N}`, N one above the
    /// highest numbered version.
    pub fn next_version(&self) -> Result<VersionId> {
        let highest = self
            .versions()?
            .iter()
            .filter_map(VersionId::number)
            .max()
            .unwrap_or(0);
        Ok(VersionId::numbered(highest + 1))
    }

    fn refuse_existing(&self, id: &VersionId) -> Result<()> {
        let target = self.version_dir(id);
        if target.exists() {
            return Err(Error::RegistryVersionExists {
                version: id.to_string(),
                path: target,
            });
        }
        Ok(())
    }

    fn rename_into_place(&self, dir: &Path, id: &VersionId) -> Result<()> {
        self.refuse_existing(id)?;
        let target = self.version_dir(id);
        // rename(2) replaces only an empty directory; a published version
        // always holds its manifest, so a racing publisher fails here.
        std::fs::rename(dir, &target).map_err(|source| match source.kind() {
            std::io::ErrorKind::AlreadyExists | std::io::ErrorKind::DirectoryNotEmpty => {
                Error::RegistryVersionExists {
                    version: id.to_string(),
                    path: target.clone(),
                }
            }
            _ => io_error(&target, "rename of the staged version")(source),
        })
    }

    /// Every version with its manifest and aliases, in natural order.
    pub fn list(&self) -> Result<Vec<VersionSummary>> {
        let aliases = Aliases::read(&self.aliases_path())?;
        self.versions()?
            .into_iter()
            .map(|version| {
                let manifest = read_manifest(&self.version_dir(&version));
                let aliases = aliases.naming(version.as_str());
                Ok(VersionSummary {
                    version,
                    manifest,
                    aliases,
                })
            })
            .collect()
    }

    /// Loads and verifies one version.
    pub fn show(&self, version: &str) -> Result<VersionDetails> {
        let version = VersionId::parse(version)?;
        let path = self.check_exists(&version)?;
        let model = PublishedModel::load(&path).map_err(|source| Error::RegistryArtifact {
            path: path.clone(),
            source: Box::new(source),
        })?;
        let mut files = Vec::new();
        for entry in std::fs::read_dir(&path).map_err(io_error(&path, "listing"))? {
            let entry = entry.map_err(io_error(&path, "listing"))?;
            files.push(entry.file_name().to_string_lossy().into_owned());
        }
        files.sort();
        let aliases = Aliases::read(&self.aliases_path())?.naming(version.as_str());
        Ok(VersionDetails {
            version,
            path,
            model,
            aliases,
            files,
        })
    }

    /// The version an alias names, or the version itself if published.
    pub fn resolve(&self, alias_or_version: &str) -> Result<VersionId> {
        let aliases = Aliases::read(&self.aliases_path())?;
        if let Some(version) = aliases.current.get(alias_or_version) {
            return VersionId::parse(version);
        }
        match VersionId::parse(alias_or_version) {
            Ok(id) if self.version_dir(&id).is_dir() => Ok(id),
            _ => Err(Error::RegistryUnknownName {
                name: alias_or_version.to_owned(),
                registry: self.root.clone(),
            }),
        }
    }

    /// Points `alias` at `version`, which must exist and verify; the alias's
    /// previous target is kept for [`Self::rollback`]. Returns that target.
    pub fn promote(&self, version: &str, alias: &str) -> Result<Option<VersionId>> {
        check_alias(alias)?;
        let version = VersionId::parse(version)?;
        let path = self.check_exists(&version)?;
        PublishedModel::load(&path).map_err(|source| Error::RegistryArtifact {
            path: path.clone(),
            source: Box::new(source),
        })?;
        let file = self.aliases_path();
        let mut aliases = Aliases::read(&file)?;
        let previous = aliases.current.get(alias).cloned();
        aliases.promote(alias, version.as_str());
        aliases.write(&file)?;
        tracing::info!(%alias, %version, "promoted a model version");
        previous.map(|p| VersionId::parse(&p)).transpose()
    }

    /// Moves `alias` back to the version it named before; returns
    /// (the version it named, the version it names now).
    pub fn rollback(&self, alias: &str) -> Result<(Option<VersionId>, VersionId)> {
        check_alias(alias)?;
        let file = self.aliases_path();
        let mut aliases = Aliases::read(&file)?;
        let (from, to) = aliases.rollback(alias)?;
        let to = VersionId::parse(&to)?;
        self.check_exists(&to)?;
        aliases.write(&file)?;
        tracing::info!(%alias, version = %to, "rolled an alias back");
        Ok((from.map(|f| VersionId::parse(&f)).transpose()?, to))
    }
}

fn read_manifest(dir: &Path) -> Result<Manifest> {
    let path = dir.join(MANIFEST_FILE);
    let bytes = std::fs::read(&path).map_err(io_error(&path, "reading"))?;
    serde_json::from_slice(&bytes).map_err(|source| Error::RegistryFile { path, source })
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

fn discard(dir: &Path) {
    if let Err(error) = std::fs::remove_dir_all(dir) {
        tracing::warn!(path = %dir.display(), %error, "cannot remove a staging directory");
    }
}
