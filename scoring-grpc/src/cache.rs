//! Score's explanation cache for snapshot clients.
//!
//! A Score needs the applicant's reason codes, hence an exact TreeSHAP
//! explanation, which costs milliseconds on a production-sized forest while
//! the score itself costs microseconds. A snapshot client's row never
//! changes while a model version is live, so its raw score, base value and
//! reasons (in compact form: the feature shown and the source column's
//! summed contribution, at most [`CACHED_REASONS`], which is every reason a
//! decision may give) are kept here after the first Score and reused,
//! giving the same answer bit for bit. When the cache is full it is emptied
//! and refilled (simple, bounded: about 100 bytes per client). It lives in the [`crate::state::ServedModel`],
//! so a reload starts with an empty one.

use std::collections::HashMap;
use std::sync::Mutex;

/// Reason codes kept per client: all a decision may give.
pub const CACHED_REASONS: usize = scoring_core::reasons::MAX_REASONS;

/// What Score needs of one client's explanation.
#[derive(Debug, Clone, PartialEq)]
pub struct CachedExplanation {
    pub raw_score: f64,
    pub base_value: f64,
    /// The reasons, largest first, at most [`CACHED_REASONS`]: (feature
    /// shown, the source column's summed contribution).
    pub reasons: Vec<(usize, f64)>,
}

/// Client id → cached explanation, bounded.
#[derive(Debug)]
pub struct ExplanationCache {
    capacity: usize,
    entries: Mutex<HashMap<i64, CachedExplanation>>,
}

impl ExplanationCache {
    /// A cache of at most `capacity` clients (0 disables it).
    pub fn new(capacity: usize) -> Self {
        Self {
            capacity,
            entries: Mutex::new(HashMap::new()),
        }
    }

    pub fn get(&self, client_id: i64) -> Option<CachedExplanation> {
        if self.capacity == 0 {
            return None;
        }
        self.entries.lock().ok()?.get(&client_id).cloned()
    }

    pub fn put(&self, client_id: i64, explanation: CachedExplanation) {
        if self.capacity == 0 {
            return;
        }
        if let Ok(mut entries) = self.entries.lock() {
            if entries.len() >= self.capacity {
                entries.clear();
            }
            entries.insert(client_id, explanation);
        }
    }

    pub fn len(&self) -> usize {
        self.entries.lock().map_or(0, |e| e.len())
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stays_bounded() {
        let e = CachedExplanation {
            raw_score: 1.0,
            base_value: 0.5,
            reasons: vec![(2, 0.3), (4, 0.3), (0, 0.1)],
        };
        let cache = ExplanationCache::new(2);
        for id in 0..3 {
            cache.put(id, e.clone());
        }
        assert_eq!(cache.len(), 1);
        assert_eq!(cache.get(2), Some(e.clone()));
        let off = ExplanationCache::new(0);
        off.put(1, e);
        assert!(off.get(1).is_none() && off.is_empty());
    }
}
