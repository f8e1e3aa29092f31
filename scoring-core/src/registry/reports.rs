//! Reports on a version written after it is published (its backtest), kept
//! beside the version and outside its hashed artifact, which never changes:
//!
//! ```text
//! reports/<version>/<name>                   the latest report of that name
//! reports/<version>/history/<stamp>-<name>   every report ever published
//! ```
//!
//! Publishing writes the history entry first, then replaces the latest one
//! (atomically: a rename in a directory, a single PUT in an object store),
//! so a reader sees either the previous report or the new one whole, and
//! the history keeps every report for audit.

use super::VersionId;
use super::store::{Backend, Registry};
use crate::backtest::{BACKTEST_FILE, BACKTEST_MARKDOWN_FILE, Backtest};
use crate::error::{Error, Result};

/// Folder of the timestamped reports under `reports/<version>/`.
const HISTORY: &str = "history";

impl Registry {
    /// Publishes reports on `version` (which must be published): each
    /// `(name, bytes)` as `history/<stamp>-<name>` then as the latest
    /// `<name>`. `stamp` orders the history (e.g. `20261201T140000Z`);
    /// names and stamp are of `A-Z a-z 0-9 . _ -`.
    pub fn publish_reports(
        &self,
        version: &VersionId,
        stamp: &str,
        files: &[(&str, &[u8])],
    ) -> Result<()> {
        self.check_exists(version)?;
        for text in std::iter::once(stamp).chain(files.iter().map(|(name, _)| *name)) {
            check_name(text)?;
        }
        for (name, bytes) in files {
            self.write_report(version, &format!("{HISTORY}/{stamp}-{name}"), bytes)?;
        }
        for (name, bytes) in files {
            self.write_report(version, name, bytes)?;
        }
        tracing::info!(%version, stamp, "published reports on a model version");
        Ok(())
    }

    /// The latest report `name` on `version`; `None` when none was published.
    pub fn read_report(&self, version: &VersionId, name: &str) -> Result<Option<Vec<u8>>> {
        check_name(name)?;
        match &self.backend {
            Backend::Directory(d) => d.read_report(version, name),
            Backend::Object(o) => o.read_report(version, name),
        }
    }

    /// The latest backtest of `version`; `None` when none was published.
    pub fn read_backtest(&self, version: &VersionId) -> Result<Option<Backtest>> {
        self.read_report(version, BACKTEST_FILE)?
            .map(|bytes| {
                let location = format!("{}/reports/{version}/{BACKTEST_FILE}", self.location());
                Backtest::from_bytes(&bytes, &location)
            })
            .transpose()
    }

    /// Publishes `backtest` (and its Markdown) as the latest backtest of
    /// its version, keeping the previous ones in the history.
    pub fn publish_backtest(&self, backtest: &Backtest, markdown: &str, stamp: &str) -> Result<()> {
        let version = VersionId::parse(&backtest.model_version)?;
        let json = serde_json::to_vec_pretty(backtest).map_err(|source| Error::RegistryFile {
            location: format!("{}/reports/{version}/{BACKTEST_FILE}", self.location()),
            source,
        })?;
        self.publish_reports(
            &version,
            stamp,
            &[
                (BACKTEST_FILE, &json),
                (BACKTEST_MARKDOWN_FILE, markdown.as_bytes()),
            ],
        )
    }

    fn write_report(&self, version: &VersionId, name: &str, bytes: &[u8]) -> Result<()> {
        match &self.backend {
            Backend::Directory(d) => d.write_report(version, name, bytes),
            Backend::Object(o) => o.write_report(version, name, bytes),
        }
    }
}

/// A report name or stamp is one path segment of safe characters.
fn check_name(name: &str) -> Result<()> {
    // The same alphabet as version ids, so the same check.
    VersionId::parse(name)
        .map(|_| ())
        .map_err(|_| Error::RegistryInvalidReportName {
            name: name.to_owned(),
        })
}
