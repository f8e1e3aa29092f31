//! Sign-in throttling: after [`MAX_FAILURES`] failed sign-ins for one user
//! name within [`FAILURE_WINDOW`], further attempts for that name are
//! refused without checking the password until the window ends. Password
//! guessing is then limited to a few tries per quarter hour per name, and
//! a refused attempt costs no argon2 work. A successful sign-in clears the
//! name's failures. Names that do not exist are tracked the same way, so
//! the answers do not tell which names exist; at most [`MAX_TRACKED_NAMES`]
//! are kept (expired entries go first, then everything) so guessing many
//! names cannot grow memory without bound.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Failed sign-ins allowed per name within [`FAILURE_WINDOW`].
pub const MAX_FAILURES: u32 = 5;
/// How long failures count, from the first one.
pub const FAILURE_WINDOW: Duration = Duration::from_secs(15 * 60);
/// Names whose failures are remembered at most.
pub const MAX_TRACKED_NAMES: usize = 10_000;

#[derive(Debug, Clone, Copy)]
struct Failures {
    count: u32,
    since: Instant,
}

/// Failed sign-ins per user name.
#[derive(Debug, Default)]
pub struct Throttle {
    failures: Mutex<HashMap<String, Failures>>,
}

impl Throttle {
    /// How long `name` must wait before its next attempt, if it must.
    pub fn wait_for(&self, name: &str, now: Instant) -> Option<Duration> {
        let failures = self.failures.lock().ok()?;
        let entry = failures.get(name)?;
        let ends = entry.since + FAILURE_WINDOW;
        (entry.count >= MAX_FAILURES && now < ends).then(|| ends - now)
    }

    /// Counts a failed sign-in for `name`.
    pub fn record_failure(&self, name: &str, now: Instant) {
        let Ok(mut failures) = self.failures.lock() else {
            return;
        };
        if failures.len() >= MAX_TRACKED_NAMES && !failures.contains_key(name) {
            failures.retain(|_, f| now < f.since + FAILURE_WINDOW);
            if failures.len() >= MAX_TRACKED_NAMES {
                failures.clear();
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
        for k in 0..MAX_TRACKED_NAMES {
            throttle.record_failure(&format!("name{k}"), t0);
        }
        assert_eq!(throttle.tracked(), MAX_TRACKED_NAMES);
        // Expired entries are dropped first ...
        let later = t0 + FAILURE_WINDOW;
        throttle.record_failure("one more", later);
        assert_eq!(throttle.tracked(), 1);
        // ... and a full table of live entries is emptied.
        for k in 1..MAX_TRACKED_NAMES {
            throttle.record_failure(&format!("again{k}"), later);
        }
        throttle.record_failure("overflow", later);
        assert_eq!(throttle.tracked(), 1);
    }
}
