//! [`Registry`]: publishing, listing and aliasing versions, the same on
//! every backend (a directory, an object store).

use std::path::{Path, PathBuf};

use tempfile::TempDir;

use super::aliases::Aliases;
use super::directory::{Directory, StagedDirectory};
use super::location::RegistryLocation;
use super::names::{VersionId, check_alias};
use super::object::ObjectRegistry;
use crate::error::{Error, Result};
use crate::{Manifest, ModelDescription, PublishedModel};

/// How many later numbers an unnamed publish tries when another publisher
/// took its `v{N}` between the check and the commit.
const NUMBERING_RETRIES: u64 = 16;

/// A model registry: a directory or a prefix of an object store.
#[derive(Debug, Clone)]
pub struct Registry {
    location: RegistryLocation,
    pub(super) backend: Backend,
}

#[derive(Debug, Clone)]
pub(super) enum Backend {
    Directory(Directory),
    Object(ObjectRegistry),
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
    /// Where the version is stored (a directory, or an object store URL).
    pub location: String,
    pub model: PublishedModel,
    pub aliases: Vec<String>,
    /// Every file of the version, sorted.
    pub files: Vec<String>,
}

/// Where a publish writes before the version is committed.
enum Staged {
    Directory(StagedDirectory),
    Local(TempDir),
}

impl Staged {
    fn path(&self) -> &Path {
        match self {
            Self::Directory(staged) => &staged.dir,
            Self::Local(dir) => dir.path(),
        }
    }

    fn discard(self) {
        match self {
            Self::Directory(staged) => Directory::discard(&staged.dir),
            Self::Local(dir) => drop(dir),
        }
    }
}

impl Registry {
    /// Opens the registry at `location` to publish and move aliases: a
    /// directory path (created if missing), a `file://` URL, or an object
    /// store URL such as `s3://bucket/prefix` (no request is made until the
    /// registry is used). A path that spells a URL is one.
    pub fn open(location: impl AsRef<Path>) -> Result<Self> {
        Self::open_location(RegistryLocation::try_from(location.as_ref())?)
    }

    /// [`Self::open`] with a parsed location.
    pub fn open_location(location: RegistryLocation) -> Result<Self> {
        Self::open_with(location, true)
    }

    /// Opens the registry to read it only (what the service does): nothing
    /// is created or removed, so a read-only directory serves; a missing
    /// one has no versions yet.
    pub fn open_read_only(location: RegistryLocation) -> Result<Self> {
        Self::open_with(location, false)
    }

    fn open_with(location: RegistryLocation, writable: bool) -> Result<Self> {
        let backend = match &location {
            RegistryLocation::Directory(root) if writable => {
                Backend::Directory(Directory::open(root.clone())?)
            }
            RegistryLocation::Directory(root) => {
                Backend::Directory(Directory::open_read_only(root.clone())?)
            }
            RegistryLocation::ObjectStore { url, settings } => {
                Backend::Object(ObjectRegistry::open(url, settings)?)
            }
        };
        Ok(Self { location, backend })
    }

    pub fn location(&self) -> &RegistryLocation {
        &self.location
    }

    /// The directory of `version` (whether or not it exists) when the
    /// registry is a directory.
    pub fn version_dir(&self, version: &VersionId) -> Option<PathBuf> {
        match &self.backend {
            Backend::Directory(d) => Some(d.version_dir(version)),
            Backend::Object(_) => None,
        }
    }

    fn version_location(&self, version: &VersionId) -> String {
        match &self.backend {
            Backend::Directory(d) => d.version_dir(version).display().to_string(),
            Backend::Object(o) => o.version_location(version),
        }
    }

    /// Removes what publishers that died left behind (a directory
    /// registry's staging directories whose lock is free); returns how many
    /// were removed. Each publish does it first.
    pub fn gc(&self) -> Result<usize> {
        match &self.backend {
            Backend::Directory(d) => d.gc(),
            // Unfinished uploads are never listed; telling one from a
            // publish in progress needs their age, which is not done yet.
            Backend::Object(_) => Ok(0),
        }
    }

    /// Published versions, in natural order.
    pub fn versions(&self) -> Result<Vec<VersionId>> {
        let mut versions = match &self.backend {
            Backend::Directory(d) => d.versions()?,
            Backend::Object(o) => o.versions()?,
        };
        versions.sort();
        Ok(versions)
    }

    fn has_version(&self, version: &VersionId) -> Result<bool> {
        match &self.backend {
            Backend::Directory(d) => Ok(d.has_version(version)),
            Backend::Object(o) => o.has_version(version),
        }
    }

    pub(super) fn check_exists(&self, version: &VersionId) -> Result<()> {
        if self.has_version(version)? {
            Ok(())
        } else {
            Err(Error::RegistryUnknownVersion {
                version: version.to_string(),
                registry: self.location.to_string(),
            })
        }
    }

    /// Loads and verifies a published version; its manifest must name it.
    pub fn load(&self, version: &VersionId) -> Result<PublishedModel> {
        let loaded = match &self.backend {
            Backend::Directory(d) => d.load(version),
            Backend::Object(o) => o.load(version),
        };
        let loaded = loaded.and_then(|model| {
            check_named(version, model.manifest())?;
            Ok(model)
        });
        loaded.map_err(|source| Error::RegistryArtifact {
            location: self.version_location(version),
            source: Box::new(source),
        })
    }

    /// Describes a published version from its manifest, schema, report and
    /// model card alone (each verified); its model, reference statistics
    /// and client snapshot are not read.
    pub fn describe(&self, version: &VersionId) -> Result<ModelDescription> {
        self.check_exists(version)?;
        let described = match &self.backend {
            Backend::Directory(d) => d.describe(version),
            Backend::Object(o) => o.describe(version),
        };
        let described = described.and_then(|d| {
            check_named(version, d.manifest())?;
            Ok(d)
        });
        described.map_err(|source| Error::RegistryArtifact {
            location: self.version_location(version),
            source: Box::new(source),
        })
    }

    /// The aliases naming `version` now, sorted (one read of the aliases).
    pub fn aliases_naming(&self, version: &str) -> Result<Vec<String>> {
        Ok(self.read_aliases()?.naming(version))
    }

    fn read_aliases(&self) -> Result<Aliases> {
        match &self.backend {
            Backend::Directory(d) => d.read_aliases(),
            Backend::Object(o) => o.read_aliases(),
        }
    }

    /// Applies `change` to the aliases atomically: under the directory's
    /// lock, or as a compare-and-swap on the object store.
    fn update_aliases(
        &self,
        alias: &str,
        change: &mut dyn FnMut(&mut Aliases) -> Result<()>,
    ) -> Result<()> {
        match &self.backend {
            Backend::Directory(d) => d.update_aliases(change),
            Backend::Object(o) => o.update_aliases(alias, change),
        }
    }

    /// Publishes a new version: `writer` fills a fresh directory, which
    /// must then load as a verified artifact; it is then committed whole
    /// (renamed into `versions/`, or uploaded with its manifest last). Without
    /// `version`, the id is `v{N}`, N one more than the highest `v{n}`
    /// published. An existing version is never overwritten.
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
        let staged = match &self.backend {
            Backend::Directory(d) => Staged::Directory(d.stage(&id)?),
            Backend::Object(_) => Staged::Local(TempDir::new().map_err(|source| Error::Io {
                path: std::env::temp_dir(),
                action: "creating a staging directory",
                source,
            })?),
        };
        if let Err(error) = writer(staged.path()) {
            staged.discard();
            return Err(error);
        }
        let verified = PublishedModel::load(staged.path())
            .and_then(|model| check_named(&id, model.manifest()));
        if let Err(source) = verified {
            let location = staged.path().display().to_string();
            staged.discard();
            return Err(Error::RegistryArtifact {
                location,
                source: Box::new(source),
            }
            .into());
        }
        let mut attempts = 0;
        loop {
            let committed = self
                .refuse_existing(&id)
                .and_then(|()| match &self.backend {
                    Backend::Directory(d) => d.commit(staged.path(), &id),
                    Backend::Object(o) => o.commit(staged.path(), &id),
                });
            match committed {
                Ok(()) => break,
                Err(Error::RegistryVersionExists { .. })
                    if version.is_none() && attempts < NUMBERING_RETRIES =>
                {
                    attempts += 1;
                    id = self.next_version()?;
                    // The manifest names the version it was written for.
                    let manifest = crate::artifact::parse_manifest(
                        &std::fs::read(staged.path().join(crate::artifact::MANIFEST_FILE))
                            .map_err(|source| Error::Io {
                                path: staged.path().to_owned(),
                                action: "reading the staged manifest",
                                source,
                            })?,
                    )?;
                    if let Err(error) = check_named(&id, &manifest) {
                        staged.discard();
                        return Err(error.into());
                    }
                }
                Err(error) => {
                    staged.discard();
                    return Err(error.into());
                }
            }
        }
        if let Staged::Local(dir) = staged {
            drop(dir);
        }
        tracing::info!(version = %id, registry = %self.location, "published a model version");
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
        if self.has_version(id)? {
            return Err(Error::RegistryVersionExists {
                version: id.to_string(),
                location: self.version_location(id),
            });
        }
        Ok(())
    }

    /// Every version with its manifest and aliases, in natural order.
    pub fn list(&self) -> Result<Vec<VersionSummary>> {
        let aliases = self.read_aliases()?;
        self.versions()?
            .into_iter()
            .map(|version| {
                let manifest = match &self.backend {
                    Backend::Directory(d) => d.manifest(&version),
                    Backend::Object(o) => o.manifest(&version),
                };
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
        self.check_exists(&version)?;
        let model = self.load(&version)?;
        let mut files = match &self.backend {
            Backend::Directory(d) => d.files(&version)?,
            Backend::Object(o) => o.files(&version)?,
        };
        files.sort();
        let aliases = self.read_aliases()?.naming(version.as_str());
        Ok(VersionDetails {
            location: self.version_location(&version),
            version,
            model,
            aliases,
            files,
        })
    }

    /// The version an alias names, or the version itself if published.
    pub fn resolve(&self, alias_or_version: &str) -> Result<VersionId> {
        let aliases = self.read_aliases()?;
        if let Some(version) = aliases.current.get(alias_or_version) {
            return VersionId::parse(version);
        }
        match VersionId::parse(alias_or_version) {
            Ok(id) if self.has_version(&id)? => Ok(id),
            _ => Err(Error::RegistryUnknownName {
                name: alias_or_version.to_owned(),
                registry: self.location.to_string(),
            }),
        }
    }

    /// Points `alias` at `version`, which must exist and verify; the alias's
    /// previous target is kept for [`Self::rollback`]. Returns that target.
    /// Concurrent promotes and rollbacks are applied one after the other,
    /// none lost.
    pub fn promote(&self, version: &str, alias: &str) -> Result<Option<VersionId>> {
        check_alias(alias)?;
        let version = VersionId::parse(version)?;
        self.check_exists(&version)?;
        self.load(&version)?;
        let mut previous = None;
        self.update_aliases(alias, &mut |aliases| {
            previous = aliases.current.get(alias).cloned();
            aliases.promote(alias, version.as_str());
            Ok(())
        })?;
        tracing::info!(%alias, %version, "promoted a model version");
        previous.map(|p| VersionId::parse(&p)).transpose()
    }

    /// Moves `alias` back to the version it named before; returns
    /// (the version it named, the version it names now).
    pub fn rollback(&self, alias: &str) -> Result<(Option<VersionId>, VersionId)> {
        check_alias(alias)?;
        let mut moved = None;
        self.update_aliases(alias, &mut |aliases| {
            let (from, to) = aliases.rollback(alias)?;
            let to = VersionId::parse(&to)?;
            self.check_exists(&to)?;
            moved = Some((from.map(|f| VersionId::parse(&f)).transpose()?, to));
            Ok(())
        })?;
        let (from, to) = moved.ok_or_else(|| Error::RegistryNoRollback {
            alias: alias.to_owned(),
        })?;
        tracing::info!(%alias, version = %to, "rolled an alias back");
        Ok((from, to))
    }
}

/// A version's manifest must give the name it is published under (a
/// directory renamed, or a manifest copied from another version, is
/// refused).
fn check_named(version: &VersionId, manifest: &Manifest) -> Result<()> {
    if manifest.model_version == version.as_str() {
        Ok(())
    } else {
        Err(Error::RegistryVersionMismatch {
            version: version.to_string(),
            manifest: manifest.model_version.clone(),
        })
    }
}
