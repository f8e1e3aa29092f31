//! Where a registry lives, as the platform's binaries are told it
//! (`CREDIT_REGISTRY`): a directory path, a `file://` URL, or an object
//! store URL (`s3://bucket/prefix`, `gs://…`, `az://…`).

use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use url::Url;

use crate::error::{Error, Result};

/// A registry's location: a local directory or a prefix in an object store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RegistryLocation {
    /// A directory on a local (or shared POSIX) file system.
    Directory(PathBuf),
    /// A bucket and prefix of an S3-compatible, GCS or Azure store; the
    /// credentials and endpoint come from the environment (`AWS_*`,
    /// `GOOGLE_*`, `AZURE_*`, as object_store reads them), then `settings`.
    ObjectStore { url: Url, settings: StoreSettings },
}

/// Object store settings given in code (`aws_endpoint`, `aws_access_key_id`,
/// ...), over those of the environment. Values may be secrets: `Debug`
/// shows only the keys.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct StoreSettings(pub Vec<(String, String)>);

impl fmt::Debug for StoreSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.0.iter().map(|(key, _)| format!("{key}=<redacted>")))
            .finish()
    }
}

impl RegistryLocation {
    /// The directory `path`, whatever it spells.
    pub fn directory(path: impl Into<PathBuf>) -> Self {
        Self::Directory(path.into())
    }

    /// Reads `text` as a URL when it starts with `scheme://`, else as a
    /// directory path. `file://` URLs are directories.
    pub fn parse(text: &str) -> Result<Self> {
        let refuse = |reason: String| Error::RegistryLocation {
            location: text.to_owned(),
            reason,
        };
        if text.is_empty() {
            return Err(refuse("it is empty".to_owned()));
        }
        if !has_scheme(text) {
            return Ok(Self::Directory(PathBuf::from(text)));
        }
        let url = Url::parse(text).map_err(|e| refuse(format!("not a valid URL ({e})")))?;
        if url.scheme() == "file" {
            return url
                .to_file_path()
                .map(Self::Directory)
                .map_err(|()| refuse("a file:// URL must hold an absolute local path".to_owned()));
        }
        if url.host_str().is_none_or(str::is_empty) {
            return Err(refuse("the URL names no bucket".to_owned()));
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err(refuse(
                "a query or fragment has no meaning here; give credentials and endpoints \
                 in the environment"
                    .to_owned(),
            ));
        }
        Ok(Self::ObjectStore {
            url,
            settings: StoreSettings::default(),
        })
    }

    /// This location with `settings` for its object store (none for a
    /// directory).
    pub fn with_settings(self, settings: Vec<(String, String)>) -> Self {
        match self {
            Self::ObjectStore { url, .. } => Self::ObjectStore {
                url,
                settings: StoreSettings(settings),
            },
            directory => directory,
        }
    }
}

/// `scheme://` with a scheme as RFC 3986 spells it (a letter, then letters,
/// digits, `+`, `-`, `.`).
fn has_scheme(text: &str) -> bool {
    let Some((scheme, _)) = text.split_once("://") else {
        return false;
    };
    let mut bytes = scheme.bytes();
    bytes.next().is_some_and(|b| b.is_ascii_alphabetic())
        && bytes.all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'))
}

impl fmt::Display for RegistryLocation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Directory(path) => write!(f, "{}", path.display()),
            Self::ObjectStore { url, .. } => f.write_str(url.as_str().trim_end_matches('/')),
        }
    }
}

impl FromStr for RegistryLocation {
    type Err = Error;

    fn from_str(text: &str) -> Result<Self> {
        Self::parse(text)
    }
}

/// A path is a directory, unless it spells a URL (a flag read as a path,
/// such as the trainer's `--registry s3://bucket/prefix`).
impl TryFrom<&Path> for RegistryLocation {
    type Error = Error;

    fn try_from(path: &Path) -> Result<Self> {
        match path.to_str() {
            Some(text) if has_scheme(text) => Self::parse(text),
            _ => Ok(Self::Directory(path.to_owned())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_and_urls_are_told_apart() {
        let dir = |p: &str| RegistryLocation::Directory(PathBuf::from(p));
        assert_eq!(
            RegistryLocation::parse("registry").ok(),
            Some(dir("registry"))
        );
        assert_eq!(
            RegistryLocation::parse("/srv/reg").ok(),
            Some(dir("/srv/reg"))
        );
        assert_eq!(
            RegistryLocation::parse("file:///srv/reg").ok(),
            Some(dir("/srv/reg"))
        );
        assert_eq!(RegistryLocation::parse("a:b/c").ok(), Some(dir("a:b/c")));
        let s3 = RegistryLocation::parse("s3://models/credit/").ok();
        assert!(
            matches!(s3, Some(RegistryLocation::ObjectStore { .. })),
            "{s3:?}"
        );
        assert_eq!(
            s3.map(|l| l.to_string()).unwrap_or_default(),
            "s3://models/credit"
        );
        let from_path = RegistryLocation::try_from(Path::new("gs://bucket/p")).ok();
        assert!(matches!(
            from_path,
            Some(RegistryLocation::ObjectStore { .. })
        ));
    }

    #[test]
    fn bad_locations_say_what_is_wrong() {
        for (text, expected) in [
            ("", "empty"),
            ("s3://", "no bucket"),
            ("file://relative/x", "absolute"),
            ("s3://b/p?endpoint=x", "environment"),
            ("s3://b b/", "not a valid URL"),
        ] {
            let error = RegistryLocation::parse(text).map(|_| ()).err();
            let message = error.map(|e| e.to_string()).unwrap_or_default();
            assert!(message.contains(expected), "{text}: {message}");
            assert!(message.contains("s3://bucket/prefix"), "{text}: {message}");
        }
    }
}
