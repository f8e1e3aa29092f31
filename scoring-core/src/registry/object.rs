//! The registry in an object store (S3 and S3-compatible stores, GCS,
//! Azure), through `object_store`:
//!
//! ```text
//! <prefix>/versions/<version>/data/<sha256>.<file>   every file but the manifest,
//!                                                    named by its content
//! <prefix>/versions/<version>/manifest.json          the commit, written last
//! <prefix>/aliases.json                              as in a directory registry
//! ```
//!
//! A publish uploads the data objects (conditional create: an object is
//! never overwritten; one already there holds the same bytes, since its
//! name is their hash), reads them back and verifies them against the
//! manifest, then creates the manifest, also conditionally: two publishers
//! of one version cannot both succeed, and a publisher that dies leaves
//! data objects no manifest names, which are never listed. Alias moves are
//! compare-and-swap on `aliases.json`'s ETag, retried on conflict.
//! Serving needs only `GetObject` and `ListBucket`.

use std::path::{Path as FsPath, PathBuf};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use futures::TryStreamExt;
use object_store::path::Path;
use object_store::{
    ObjectStore, ObjectStoreExt, PutMode, PutOptions, PutPayload, UpdateVersion, parse_url_opts,
};
use url::Url;

use super::aliases::Aliases;
use super::location::StoreSettings;
use super::names::VersionId;
use crate::artifact::{MANIFEST_FILE, SCHEMA_FILE, parse_manifest};
use crate::error::{Error, Result};
use crate::{Manifest, ModelDescription, PublishedModel};

const VERSIONS: &str = "versions";
const DATA: &str = "data";
const ALIASES_FILE: &str = "aliases.json";
const REPORTS: &str = "reports";
/// Compare-and-swap attempts of one alias move before giving up.
const CAS_ATTEMPTS: u32 = 64;
/// Variable prefixes of the object stores' settings, passed to them whole.
const SETTING_PREFIXES: [&str; 3] = ["aws_", "google_", "azure_"];

#[derive(Debug, Clone)]
pub(crate) struct ObjectRegistry {
    store: Arc<dyn ObjectStore>,
    prefix: Path,
    /// The registry's URL, for messages.
    url: String,
}

impl ObjectRegistry {
    /// Builds the client for `url` with the settings found in the
    /// environment; makes no request.
    pub(crate) fn open(url: &Url, given: &StoreSettings) -> Result<Self> {
        let shown = url.as_str().trim_end_matches('/').to_owned();
        // Later settings win: the environment's, then those given.
        let settings = std::env::vars()
            .filter(|(key, _)| {
                let key = key.to_ascii_lowercase();
                SETTING_PREFIXES.iter().any(|p| key.starts_with(p))
            })
            .chain(given.0.iter().cloned());
        let (store, prefix) =
            parse_url_opts(url, settings).map_err(|source| Error::RegistryStore {
                location: shown.clone(),
                source: Box::new(source),
            })?;
        Ok(Self {
            store: Arc::from(store),
            prefix,
            url: shown,
        })
    }

    fn version_prefix(&self, version: &VersionId) -> Path {
        self.prefix.clone().join(VERSIONS).join(version.as_str())
    }

    fn manifest_path(&self, version: &VersionId) -> Path {
        self.version_prefix(version).join(MANIFEST_FILE)
    }

    fn data_path(&self, version: &VersionId, name: &str, sha256: &str) -> Path {
        self.version_prefix(version)
            .join(DATA)
            .join(format!("{sha256}.{name}"))
    }

    fn aliases_path(&self) -> Path {
        self.prefix.clone().join(ALIASES_FILE)
    }

    /// `s3://bucket/prefix/<key below the prefix>`, for messages.
    pub(crate) fn location_of(&self, path: &Path) -> String {
        let below = path
            .prefix_match(&self.prefix)
            .map(|parts| parts.map(|p| p.as_ref().to_owned()).collect::<Vec<_>>())
            .unwrap_or_default();
        format!("{}/{}", self.url, below.join("/"))
    }

    pub(crate) fn version_location(&self, version: &VersionId) -> String {
        self.location_of(&self.version_prefix(version))
    }

    fn failed(
        &self,
        path: &Path,
        action: &'static str,
    ) -> impl FnOnce(object_store::Error) -> Error {
        let location = self.location_of(path);
        move |source| Error::ObjectStore {
            location,
            action,
            source: Box::new(source),
        }
    }

    /// The object's bytes, `None` when there is none.
    fn get(&self, path: &Path) -> Result<Option<(Vec<u8>, UpdateVersion)>> {
        let store = self.store.clone();
        let at = path.clone();
        let got = run(async move {
            let result = store.get(&at).await?;
            let tag = UpdateVersion {
                e_tag: result.meta.e_tag.clone(),
                version: result.meta.version.clone(),
            };
            Ok::<_, object_store::Error>((result.bytes().await?.to_vec(), tag))
        })?;
        match got {
            Ok(found) => Ok(Some(found)),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(self.failed(path, "reading")(e)),
        }
    }

    fn put(
        &self,
        path: &Path,
        bytes: Vec<u8>,
        mode: PutMode,
    ) -> Result<Result<(), object_store::Error>> {
        let store = self.store.clone();
        let at = path.clone();
        run(async move {
            let options = PutOptions {
                mode,
                ..PutOptions::default()
            };
            store
                .put_opts(&at, PutPayload::from(bytes), options)
                .await
                .map(|_| ())
        })
    }

    /// Versions whose manifest is there (complete ones), in no order.
    pub(crate) fn versions(&self) -> Result<Vec<VersionId>> {
        let store = self.store.clone();
        let under = self.prefix.clone().join(VERSIONS);
        let listed = run({
            let under = under.clone();
            async move { store.list(Some(&under)).try_collect::<Vec<_>>().await }
        })?
        .map_err(self.failed(&under, "listing"))?;
        let mut versions = Vec::new();
        for meta in listed {
            let Some(parts) = meta.location.prefix_match(&under) else {
                continue;
            };
            let parts: Vec<_> = parts.collect();
            if let [version, file] = parts.as_slice()
                && file.as_ref() == MANIFEST_FILE
                && let Ok(id) = VersionId::parse(version.as_ref())
            {
                versions.push(id);
            }
        }
        Ok(versions)
    }

    pub(crate) fn has_version(&self, version: &VersionId) -> Result<bool> {
        let store = self.store.clone();
        let path = self.manifest_path(version);
        let at = path.clone();
        match run(async move { store.head(&at).await })? {
            Ok(_) => Ok(true),
            Err(object_store::Error::NotFound { .. }) => Ok(false),
            Err(e) => Err(self.failed(&path, "looking up")(e)),
        }
    }

    pub(crate) fn manifest(&self, version: &VersionId) -> Result<Manifest> {
        let path = self.manifest_path(version);
        match self.get(&path)? {
            Some((bytes, _)) => parse_manifest(&bytes),
            None => Err(Error::FileMissing {
                path: PathBuf::from(self.location_of(&path)),
            }),
        }
    }

    pub(crate) fn load(&self, version: &VersionId) -> Result<PublishedModel> {
        let manifest = self.manifest(version)?;
        self.load_data(version, manifest)
    }

    pub(crate) fn describe(&self, version: &VersionId) -> Result<ModelDescription> {
        let manifest = self.manifest(version)?;
        let hashes = manifest.clone();
        ModelDescription::load_files(manifest, |name| self.read_data(version, &hashes, name))
    }

    /// Verifies and loads the data objects `manifest` names.
    fn load_data(&self, version: &VersionId, manifest: Manifest) -> Result<PublishedModel> {
        let hashes = manifest.clone();
        PublishedModel::load_files(manifest, |name| self.read_data(version, &hashes, name))
    }

    /// The bytes of file `name` of `version`, stored under the sha256 its
    /// manifest gives.
    fn read_data(&self, version: &VersionId, manifest: &Manifest, name: &str) -> Result<Vec<u8>> {
        let sha256 = if name == SCHEMA_FILE {
            &manifest.feature_schema_sha256
        } else {
            manifest
                .files
                .get(name)
                .ok_or_else(|| Error::InvalidManifest {
                    reason: format!("`files` does not list {name}"),
                })?
        };
        let path = self.data_path(version, name, sha256);
        self.get(&path)?
            .map(|(bytes, _)| bytes)
            .ok_or_else(|| Error::FileMissing {
                path: PathBuf::from(self.location_of(&path)),
            })
    }

    pub(crate) fn files(&self, version: &VersionId) -> Result<Vec<String>> {
        let manifest = self.manifest(version)?;
        let mut files: Vec<String> = manifest.files.into_keys().collect();
        files.extend([MANIFEST_FILE.to_owned(), SCHEMA_FILE.to_owned()]);
        Ok(files)
    }

    pub(crate) fn read_aliases(&self) -> Result<Aliases> {
        Ok(self.read_aliases_tagged()?.0)
    }

    fn read_aliases_tagged(&self) -> Result<(Aliases, Option<UpdateVersion>)> {
        let path = self.aliases_path();
        match self.get(&path)? {
            Some((bytes, tag)) => Ok((
                Aliases::from_bytes(&bytes, &self.location_of(&path))?,
                Some(tag),
            )),
            None => Ok((Aliases::default(), None)),
        }
    }

    /// Reads, changes and writes `aliases.json` only if nobody wrote it in
    /// between (ETag precondition, or create-if-absent); on a conflict,
    /// reads it again and re-applies `change`.
    pub(crate) fn update_aliases(
        &self,
        alias: &str,
        change: &mut dyn FnMut(&mut Aliases) -> Result<()>,
    ) -> Result<()> {
        let path = self.aliases_path();
        for attempt in 0..CAS_ATTEMPTS {
            let (mut aliases, tag) = self.read_aliases_tagged()?;
            change(&mut aliases)?;
            let mode = tag.map_or(PutMode::Create, PutMode::Update);
            match self.put(&path, aliases.to_bytes(), mode)? {
                Ok(()) => return Ok(()),
                Err(
                    object_store::Error::Precondition { .. }
                    | object_store::Error::AlreadyExists { .. },
                ) => {
                    tracing::debug!(%alias, attempt, "aliases changed meanwhile; trying again");
                    std::thread::sleep(backoff(attempt));
                }
                Err(e) => return Err(self.failed(&path, "writing")(e)),
            }
        }
        Err(Error::RegistryContention {
            alias: alias.to_owned(),
            registry: self.url.clone(),
            attempts: CAS_ATTEMPTS,
        })
    }

    fn report_path(&self, version: &VersionId, name: &str) -> Path {
        name.split('/').fold(
            self.prefix.clone().join(REPORTS).join(version.as_str()),
            |p, part| p.join(part),
        )
    }

    /// `reports/<version>/<name>`, `None` when absent.
    pub(crate) fn read_report(&self, version: &VersionId, name: &str) -> Result<Option<Vec<u8>>> {
        Ok(self
            .get(&self.report_path(version, name))?
            .map(|(bytes, _)| bytes))
    }

    /// Writes `reports/<version>/<name>` (`name` may hold one `/`),
    /// replacing it: a single PUT, which object stores apply atomically.
    pub(crate) fn write_report(&self, version: &VersionId, name: &str, bytes: &[u8]) -> Result<()> {
        let path = self.report_path(version, name);
        self.put(&path, bytes.to_vec(), PutMode::Overwrite)?
            .map_err(self.failed(&path, "writing"))
    }

    /// Uploads the verified artifact in `dir` as `id`: data objects, a read
    /// back of every one against the manifest, then the manifest.
    pub(crate) fn commit(&self, dir: &FsPath, id: &VersionId) -> Result<()> {
        let manifest_path = dir.join(MANIFEST_FILE);
        let manifest_bytes =
            std::fs::read(&manifest_path).map_err(|source| Error::ArtifactRead {
                path: manifest_path.clone(),
                source,
            })?;
        let manifest = parse_manifest(&manifest_bytes)?;
        let mut files: Vec<(&str, &str)> = manifest
            .files
            .iter()
            .map(|(name, sha)| (name.as_str(), sha.as_str()))
            .collect();
        files.push((SCHEMA_FILE, manifest.feature_schema_sha256.as_str()));
        for (name, sha256) in files {
            let local = dir.join(name);
            let bytes = std::fs::read(&local).map_err(|source| Error::ArtifactRead {
                path: local.clone(),
                source,
            })?;
            let path = self.data_path(id, name, sha256);
            match self.put(&path, bytes, PutMode::Create)? {
                // Already there: the same bytes, since the name is their hash
                // (and the read back below checks it).
                Ok(()) | Err(object_store::Error::AlreadyExists { .. }) => {}
                Err(e) => return Err(self.failed(&path, "uploading")(e)),
            }
        }
        self.load_data(id, manifest.clone())
            .map_err(|source| Error::RegistryArtifact {
                location: self.version_location(id),
                source: Box::new(source),
            })?;
        let path = self.manifest_path(id);
        match self.put(&path, manifest_bytes, PutMode::Create)? {
            Ok(()) => Ok(()),
            Err(
                object_store::Error::AlreadyExists { .. }
                | object_store::Error::Precondition { .. },
            ) => Err(Error::RegistryVersionExists {
                version: id.to_string(),
                location: self.version_location(id),
            }),
            Err(e) => Err(self.failed(&path, "writing the manifest")(e)),
        }
    }
}

/// 1, 2, 4 … 64 ms, plus up to as much again from the clock, so that
/// conflicting writers drift apart.
fn backoff(attempt: u32) -> Duration {
    let base = 1u64 << attempt.min(6);
    let jitter = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| u64::from(d.subsec_nanos()))
        % (base * 1000);
    Duration::from_micros(base * 1000 + jitter)
}

/// The registry's own runtime: object_store is async, the registry's API
/// blocking (callers are the trainer's CLI and the service's blocking
/// threads). Never dropped, so never dropped inside an async context.
static RUNTIME: OnceLock<std::result::Result<tokio::runtime::Runtime, String>> = OnceLock::new();

/// Runs `future` on the registry's runtime and waits for it; callable from
/// any thread, a runtime's own included.
fn run<T: Send + 'static>(future: impl Future<Output = T> + Send + 'static) -> Result<T> {
    let failed = |reason: String| Error::Io {
        path: PathBuf::from("<registry runtime>"),
        action: "running object store I/O",
        source: std::io::Error::other(reason),
    };
    let runtime = RUNTIME
        .get_or_init(|| {
            tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .thread_name("registry-io")
                .enable_all()
                .build()
                .map_err(|e| e.to_string())
        })
        .as_ref()
        .map_err(|e| failed(e.clone()))?;
    let (done, result) = std::sync::mpsc::sync_channel(1);
    runtime.spawn(async move {
        let _ = done.send(future.await);
    });
    result
        .recv()
        .map_err(|_| failed("the I/O task stopped before finishing".to_owned()))
}
