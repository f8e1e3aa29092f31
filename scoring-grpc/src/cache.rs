//! Score's explanation cache for snapshot clients.
//!
//! A Score needs the applicant's reason codes, hence an exact TreeSHAP
//! explanation, which costs milliseconds on a production-sized forest while
//! the score itself costs microseconds. A snapshot client's row never
//! changes while a model version is live, so its raw score, base value and
//! largest positive contributions are kept here after the first Score and
//! reused, giving the same answer bit for bit. Only the [`CACHED_REASONS`]
//! largest contributions are kept (a request for more computes afresh);
//! when the cache is full it is emptied and refilled (simple, bounded:
//! about 200 bytes per client). It lives in the [`crate::state::ServedModel`],
//! so a reload starts with an empty one.

use std::collections::HashMap;
use std::sync::Mutex;

/// Reason codes kept per client.
pub const CACHED_REASONS: usize = 8;

/// What Score needs of one client's explanation.
#[derive(Debug, Clone, PartialEq)]
pub struct CachedExplanation {
    pub raw_score: f64,
    pub base_value: f64,
    /// The largest positive contributions (feature position, value),
    /// largest first, at most [`CACHED_REASONS`].
    pub top: Vec<(usize, f64)>,
}

impl CachedExplanation {
    /// Keeps what Score needs of a full explanation.
    pub fn of(raw_score: f64, base_value: f64, contributions: &[f64]) -> Self {
        let mut top: Vec<(usize, f64)> = contributions
            .iter()
            .copied()
            .enumerate()
            .filter(|(_, c)| *c > 0.0)
            .collect();
        top.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        top.truncate(CACHED_REASONS);
        Self {
            raw_score,
            base_value,
            top,
        }
    }

    /// The contributions with every feature outside `top` at 0: the same
    /// reason codes as the full vector for up to [`CACHED_REASONS`].
    pub fn sparse_contributions(&self, n_features: usize) -> Vec<f64> {
        let mut dense = vec![0.0; n_features];
        for &(j, c) in &self.top {
            if let Some(slot) = dense.get_mut(j) {
                *slot = c;
            }
        }
        dense
    }
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
    fn keeps_the_largest_positive_contributions_and_stays_bounded() {
        let e = CachedExplanation::of(1.0, 0.5, &[0.1, -2.0, 0.3, 0.0, 0.3]);
        assert_eq!(e.top, vec![(2, 0.3), (4, 0.3), (0, 0.1)]);
        assert_eq!(e.sparse_contributions(5), vec![0.1, 0.0, 0.3, 0.0, 0.3]);
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
