//! The model registry: one immutable directory per published version, and
//! aliases (`production`, `staging`, ...) that name versions and can be
//! rolled back.
//!
//! ```text
//! <registry>/
//!   versions/<version>/   a verified scoring-core artifact (+ extra files)
//!   aliases.json          alias -> version, plus each alias's history
//!   .staging/             publishes in progress; never listed
//! ```
//!
//! [`Registry::publish`] has the caller write into a fresh directory under
//! `.staging/`, verifies it with [`crate::PublishedModel::load`],
//! fsyncs it and renames it into `versions/`: a crash at any point leaves
//! either no version or a complete one. Leftover staging directories are
//! removed by [`Registry::open`] and [`Registry::gc`]. `aliases.json` is
//! replaced atomically (temporary file, fsync, rename).
//!
//! Concurrent publishers are safe (a version is never overwritten), but
//! concurrent `promote`/`rollback` calls are not serialised: the last write
//! of `aliases.json` wins.

mod aliases;
mod fsync;
mod names;
mod store;

pub use names::VersionId;
pub use store::{Registry, VersionDetails, VersionSummary};
