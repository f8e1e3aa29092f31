//! Sign-in throttling: after [`MAX_FAILURES`] failed sign-ins for one user
//! name (or [`MAX_FAILURES_PER_ADDRESS`] from one network address) within
//! [`FAILURE_WINDOW`], further attempts for that name (from that address)
//! are refused without checking the password until the window ends.
//! Password guessing is then limited to a few tries per quarter hour per
//! name, spraying many names is limited per address, and a refused attempt
//! costs no argon2 work. A successful sign-in clears the name's failures.
//! Names that do not exist are tracked the same way, so the answers do not
//! tell which names exist. At most [`MAX_TRACKED`] keys are kept: expired
//! entries go first, then the entry whose window ends soonest, one at a
//! time, so a flood of new keys cannot reset the counts of the others.
//!
//! Checking a password costs argon2's memory (~19 MiB) and a core for tens
//! of milliseconds, so [`PasswordChecks`] admits a bounded number at once:
//! as many as there are cores run, a few more wait, the rest are turned
//! away at once (503 with `Retry-After`) instead of queueing without end.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Failed sign-ins allowed per name within [`FAILURE_WINDOW`].
pub const MAX_FAILURES: u32 = 5;
/// Failed sign-ins allowed from one network address within
/// [`FAILURE_WINDOW`] (an office behind one address has many officers).
pub const MAX_FAILURES_PER_ADDRESS: u32 = 30;
/// How long failures count, from the first one.
pub const FAILURE_WINDOW: Duration = Duration::from_secs(15 * 60);
/// Keys (names or addresses) whose failures are remembered at most.
pub const MAX_TRACKED: usize = 10_000;

#[derive(Debug, Clone, Copy)]
struct Failures {
    count: u32,
    since: Instant,
}

/// Failed sign-ins per key (a user name or a network address).
#[derive(Debug)]
pub struct Throttle {
    limit: u32,
    failures: Mutex<HashMap<String, Failures>>,
}

impl Default for Throttle {
    /// The per-name throttle ([`MAX_FAILURES`]).
    fn default() -> Self {
        Self::new(MAX_FAILURES)
    }
}

impl Throttle {
    /// A throttle allowing `limit` failures per key and window.
    pub fn new(limit: u32) -> Self {
        Self {
            limit,
            failures: Mutex::default(),
        }
    }

    /// How long `name` must wait before its next attempt, if it must.
    pub fn wait_for(&self, name: &str, now: Instant) -> Option<Duration> {
        let failures = self.failures.lock().ok()?;
        let entry = failures.get(name)?;
        let ends = entry.since + FAILURE_WINDOW;
        (entry.count >= self.limit && now < ends).then(|| ends - now)
    }

    /// Counts a failed sign-in for `name`.
    pub fn record_failure(&self, name: &str, now: Instant) {
        let Ok(mut failures) = self.failures.lock() else {
            return;
        };
        if failures.len() >= MAX_TRACKED && !failures.contains_key(name) {
            failures.retain(|_, f| now < f.since + FAILURE_WINDOW);
            if failures.len() >= MAX_TRACKED {
                let ends_soonest = failures
                    .iter()
                    .min_by_key(|(_, f)| f.since)
                    .map(|(key, _)| key.clone());
                if let Some(key) = ends_soonest {
                    failures.remove(&key);
                }
            }
        }
        let entry = failures.entry(name.to_owned()).or_insert(Failures {
            count: 0,
            since: now,
        });
        if now >= entry.since + FAILURE_WINDOW {
            *entry = Failures {
                count: 0,
                since: now,
            };
        }
        entry.count += 1;
    }

    /// Forgets `name`'s failures (it signed in).
    pub fn clear(&self, name: &str) {
        if let Ok(mut failures) = self.failures.lock() {
            failures.remove(name);
        }
    }

    /// Names currently tracked.
    pub fn tracked(&self) -> usize {
        self.failures.lock().map_or(0, |f| f.len())
    }
}

/// How many password checks run at once and how many may wait.
#[derive(Debug, Clone)]
pub struct PasswordChecks {
    /// Running plus waiting checks.
    admitted: Arc<Semaphore>,
    /// Running checks.
    running: Arc<Semaphore>,
}

/// Password checks allowed to wait for a core.
pub const WAITING_CHECKS: usize = 16;

impl Default for PasswordChecks {
    /// One running check per core, [`WAITING_CHECKS`] waiting.
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map_or(2, usize::from);
        Self::new(cores, WAITING_CHECKS)
    }
}

/// The right to check one password; dropping it lets the next one in.
#[derive(Debug)]
pub struct CheckTicket {
    _running: OwnedSemaphorePermit,
    _admitted: OwnedSemaphorePermit,
}

impl PasswordChecks {
    /// `running` checks at once, `waiting` more queued.
    pub fn new(running: usize, waiting: usize) -> Self {
        Self {
            admitted: Arc::new(Semaphore::new(running + waiting)),
            running: Arc::new(Semaphore::new(running)),
        }
    }

    /// Waits for a core unless too many checks are already running or
    /// waiting, in which case `None` at once.
    pub async fn enter(&self) -> Option<CheckTicket> {
        let admitted = Arc::clone(&self.admitted).try_acquire_owned().ok()?;
        let running = Arc::clone(&self.running).acquire_owned().await.ok()?;
        Some(CheckTicket {
            _running: running,
            _admitted: admitted,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_waits_after_too_many_failures_until_the_window_ends() {
        let throttle = Throttle::default();
        let t0 = Instant::now();
        for k in 0..MAX_FAILURES {
            assert_eq!(throttle.wait_for("ann", t0), None, "attempt {k}");
            throttle.record_failure("ann", t0 + Duration::from_secs(u64::from(k)));
        }
        let later = t0 + Duration::from_secs(60);
        assert_eq!(
            throttle.wait_for("ann", later),
            Some(FAILURE_WINDOW - Duration::from_secs(60))
        );
        assert_eq!(
            throttle.wait_for("bob", later),
            None,
            "other names are not affected"
        );
        assert_eq!(
            throttle.wait_for("ann", t0 + FAILURE_WINDOW),
            None,
            "the window ended"
        );
        // A failure after the window starts a new count.
        throttle.record_failure("ann", t0 + FAILURE_WINDOW);
        assert_eq!(throttle.wait_for("ann", t0 + FAILURE_WINDOW), None);
    }

    #[test]
    fn a_sign_in_clears_the_failures() {
        let throttle = Throttle::default();
        let t0 = Instant::now();
        for _ in 0..MAX_FAILURES {
            throttle.record_failure("ann", t0);
        }
        assert!(throttle.wait_for("ann", t0).is_some());
        throttle.clear("ann");
        assert_eq!(throttle.wait_for("ann", t0), None);
    }

    #[test]
    fn the_tracked_names_stay_bounded() {
        let throttle = Throttle::default();
        let t0 = Instant::now();
        for k in 0..MAX_TRACKED {
            throttle.record_failure(&format!("name{k}"), t0);
        }
        assert_eq!(throttle.tracked(), MAX_TRACKED);
        // Expired entries are dropped first ...
        let later = t0 + FAILURE_WINDOW;
        throttle.record_failure("one more", later);
        assert_eq!(throttle.tracked(), 1);
    }

    #[test]
    fn a_flood_of_new_names_does_not_reset_a_throttled_name() {
        // The table is full of live entries older than the victim's; new
        // names push out only the oldest, one each, never the whole table.
        let t0 = Instant::now();
        let second = Duration::from_secs(1);
        let flooded = Throttle::default();
        for k in 0..MAX_TRACKED {
            flooded.record_failure(&format!("old{k}"), t0);
        }
        for k in 0..MAX_FAILURES {
            flooded.record_failure("victim", t0 + second * (k + 1));
        }
        for k in 0..100 {
            flooded.record_failure(&format!("new{k}"), t0 + 20 * second);
        }
        assert!(
            flooded.wait_for("victim", t0 + 30 * second).is_some(),
            "the victim's count survives a flood smaller than the table"
        );
        assert_eq!(flooded.tracked(), MAX_TRACKED);
    }

    #[test]
    fn the_per_address_limit_is_its_own() {
        let throttle = Throttle::new(MAX_FAILURES_PER_ADDRESS);
        let t0 = Instant::now();
        for _ in 0..MAX_FAILURES {
            throttle.record_failure("10.0.0.1", t0);
        }
        assert_eq!(throttle.wait_for("10.0.0.1", t0), None);
        for _ in MAX_FAILURES..MAX_FAILURES_PER_ADDRESS {
            throttle.record_failure("10.0.0.1", t0);
        }
        assert!(throttle.wait_for("10.0.0.1", t0).is_some());
    }

    #[tokio::test]
    async fn password_checks_beyond_the_running_and_waiting_ones_are_turned_away() {
        let checks = PasswordChecks::new(1, 1);
        let first = checks.enter().await.expect("a core is free");
        // The second waits for the core; the third finds the queue full.
        let waiting = {
            let checks = checks.clone();
            tokio::spawn(async move { checks.enter().await.is_some() })
        };
        tokio::task::yield_now().await;
        while checks.admitted.available_permits() > 0 {
            tokio::task::yield_now().await;
        }
        assert!(checks.enter().await.is_none(), "turned away, not queued");
        drop(first);
        assert!(waiting.await.expect("joins"), "the waiting check ran");
        assert!(checks.enter().await.is_some(), "slots come back");
    }
}
