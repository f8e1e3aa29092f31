//! GetModel's descriptions of versions other than the live one: read from
//! the registry without the model or the client snapshot (see
//! [`Registry::describe`]) and kept for the few versions asked last, so a
//! page that links every version cannot make the service re-read and
//! re-hash artifacts on every view. A published version never changes,
//! so a kept description never goes stale; its aliases are read afresh.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, PoisonError};

use scoring_core::ModelDescription;
use scoring_core::registry::{Registry, VersionId};

/// Descriptions kept by default (each a schema, a report and a card).
pub(crate) const DEFAULT_DESCRIPTIONS: usize = 8;

/// The most recently asked descriptions, most recent last.
#[derive(Debug)]
pub(crate) struct Descriptions {
    capacity: usize,
    recent: Mutex<VecDeque<(VersionId, Arc<ModelDescription>)>>,
}

impl Descriptions {
    pub(crate) fn new(capacity: usize) -> Self {
        Self {
            capacity: capacity.max(1),
            recent: Mutex::new(VecDeque::with_capacity(capacity)),
        }
    }

    /// `version`'s description, described from `registry` unless kept.
    pub(crate) fn get(
        &self,
        registry: &Registry,
        version: &VersionId,
    ) -> scoring_core::Result<Arc<ModelDescription>> {
        if let Some(kept) = self.take(version) {
            return Ok(kept);
        }
        // Described outside the lock: a slow store delays only its caller.
        let described = Arc::new(registry.describe(version)?);
        self.keep(version, described.clone());
        Ok(described)
    }

    /// The kept description of `version`, moved to the most recent place.
    fn take(&self, version: &VersionId) -> Option<Arc<ModelDescription>> {
        let mut recent = self.recent.lock().unwrap_or_else(PoisonError::into_inner);
        let at = recent.iter().position(|(v, _)| v == version)?;
        let entry = recent.remove(at)?;
        let description = entry.1.clone();
        recent.push_back(entry);
        Some(description)
    }

    fn keep(&self, version: &VersionId, description: Arc<ModelDescription>) {
        let mut recent = self.recent.lock().unwrap_or_else(PoisonError::into_inner);
        recent.retain(|(v, _)| v != version);
        if recent.len() >= self.capacity {
            recent.pop_front();
        }
        recent.push_back((version.clone(), description));
    }
}
