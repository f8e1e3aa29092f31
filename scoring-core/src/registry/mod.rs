//! The model registry: immutable published versions, and aliases
//! (`production`, `staging`, ...) that name versions and can be rolled back;
//! in a directory or in an object store, chosen by [`RegistryLocation`].
//!
//! ```text
//! <registry>/                    directory              object store
//!   versions/<version>/          a verified artifact    data/<sha256>.<file>, manifest.json last
//!   aliases.json                 alias -> version, plus each alias's history
//!   aliases.lock                 the directory's alias lock
//!   reports/<version>/           what is learnt of a version after it is published
//!                                (its backtest), outside its hashed artifact
//!   .staging/                    directory publishes in progress; never listed
//! ```
//!
//! [`Registry::publish`] has the caller write a fresh directory, verifies it
//! with [`crate::PublishedModel::load`] and commits it whole: a directory
//! registry fsyncs it and renames it into `versions/`; an object store
//! registry uploads its files, reads them back against the manifest and
//! creates the manifest last, conditionally. A crash at any point leaves
//! either no version or a complete one, and a version is never overwritten.
//!
//! Alias moves ([`Registry::promote`], [`Registry::rollback`]) are
//! serialised: under an exclusive lock of `aliases.lock` in a directory, as
//! a compare-and-swap on `aliases.json`'s ETag in an object store. Two
//! processes promoting at once never lose a move. Reading (what the service
//! does) takes no lock and needs only read access.

mod aliases;
mod directory;
mod fsync;
mod location;
mod names;
mod object;
mod reports;
mod store;

pub use location::{RegistryLocation, StoreSettings};
pub use names::VersionId;
pub use store::{Registry, VersionDetails, VersionSummary};
