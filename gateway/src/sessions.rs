//! Officers' sessions, held by the gateway. The session cookie carries only
//! a random session id and the session's CSRF token (encrypted and
//! authenticated); who signed in and when lives here. A session ends when
//! it has been idle for [`SessionPolicy::idle`], when it is older than
//! [`SessionPolicy::absolute`], when its officer signs out (the id is
//! forgotten, so a copy of the cookie is worthless), when the officer is no
//! longer in the users file, and when the gateway restarts.
//!
//! The table is bounded: [`MAX_SESSIONS_PER_OFFICER`] per officer (a new
//! sign-in ends that officer's least recently used session) and
//! [`MAX_SESSIONS`] in all (expired sessions go first, then the least
//! recently used).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Sessions kept at most.
pub const MAX_SESSIONS: usize = 10_000;
/// Sessions one officer keeps at most (browsers, devices).
pub const MAX_SESSIONS_PER_OFFICER: usize = 8;

/// How long sessions live.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionPolicy {
    /// A session not used for this long ends.
    pub idle: Duration,
    /// A session ends this long after sign-in, used or not.
    pub absolute: Duration,
}

impl Default for SessionPolicy {
    /// 30 minutes idle, 10 hours in all (a working day).
    fn default() -> Self {
        Self {
            idle: Duration::from_secs(30 * 60),
            absolute: Duration::from_secs(10 * 3600),
        }
    }
}

#[derive(Debug, Clone)]
struct Session {
    officer: String,
    opened: Instant,
    last_seen: Instant,
}

impl Session {
    fn expired(&self, policy: &SessionPolicy, now: Instant) -> bool {
        now.saturating_duration_since(self.last_seen) >= policy.idle
            || now.saturating_duration_since(self.opened) >= policy.absolute
    }
}

/// The open sessions, by id.
#[derive(Debug, Default)]
pub struct Sessions {
    policy: SessionPolicy,
    open: Mutex<HashMap<String, Session>>,
}

impl Sessions {
    /// No session yet, ending as `policy` says.
    pub fn new(policy: SessionPolicy) -> Self {
        Self {
            policy,
            open: Mutex::default(),
        }
    }

    /// How long sessions live.
    pub fn policy(&self) -> SessionPolicy {
        self.policy
    }

    /// Opens a session for `officer` under the fresh random `id`.
    pub fn open(&self, id: String, officer: &str, now: Instant) {
        let mut open = self.lock();
        let policy = self.policy;
        let mine: Vec<(&String, &Session)> =
            open.iter().filter(|(_, s)| s.officer == officer).collect();
        if mine.len() >= MAX_SESSIONS_PER_OFFICER {
            let oldest = least_recently_used(mine.into_iter());
            open.remove(&oldest);
        }
        if open.len() >= MAX_SESSIONS {
            open.retain(|_, s| !s.expired(&policy, now));
        }
        if open.len() >= MAX_SESSIONS {
            let oldest = least_recently_used(open.iter());
            open.remove(&oldest);
        }
        open.insert(
            id,
            Session {
                officer: officer.to_owned(),
                opened: now,
                last_seen: now,
            },
        );
    }

    /// The officer of session `id` if it is still open, marking it used;
    /// an expired session is forgotten.
    pub fn touch(&self, id: &str, now: Instant) -> Option<String> {
        let mut open = self.lock();
        let session = open.get_mut(id)?;
        if session.expired(&self.policy, now) {
            open.remove(id);
            return None;
        }
        session.last_seen = now;
        Some(session.officer.clone())
    }

    /// Ends session `id` (sign-out, or its officer is gone).
    pub fn close(&self, id: &str) {
        self.lock().remove(id);
    }

    /// Sessions currently held (expired ones included until next touched).
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    /// Whether none is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Session>> {
        // A panic while holding the lock leaves a consistent map (every
        // change is one insert or remove), so a poisoned lock is still usable.
        self.open
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

fn least_recently_used<'a>(sessions: impl Iterator<Item = (&'a String, &'a Session)>) -> String {
    sessions
        .min_by_key(|(_, s)| s.last_seen)
        .map(|(id, _)| id.clone())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINUTE: Duration = Duration::from_secs(60);

    #[test]
    fn a_session_ends_when_idle_for_too_long() {
        let sessions = Sessions::default();
        let t0 = Instant::now();
        sessions.open("s1".into(), "ann", t0);
        assert_eq!(
            sessions.touch("s1", t0 + 29 * MINUTE).as_deref(),
            Some("ann")
        );
        // Used at 29 min: the idle clock restarts there.
        assert!(sessions.touch("s1", t0 + 58 * MINUTE).is_some());
        assert!(sessions.touch("s1", t0 + 88 * MINUTE).is_none());
        assert!(sessions.is_empty(), "the expired session is forgotten");
    }

    #[test]
    fn a_session_ends_after_the_absolute_lifetime_even_if_used() {
        let sessions = Sessions::default();
        let t0 = Instant::now();
        sessions.open("s1".into(), "ann", t0);
        let mut now = t0;
        while now < t0 + Duration::from_secs(10 * 3600) - 20 * MINUTE {
            now += 20 * MINUTE;
            assert!(sessions.touch("s1", now).is_some(), "at {now:?}");
        }
        assert!(
            sessions
                .touch("s1", t0 + Duration::from_secs(10 * 3600))
                .is_none()
        );
    }

    #[test]
    fn a_closed_session_is_gone() {
        let sessions = Sessions::default();
        let t0 = Instant::now();
        sessions.open("s1".into(), "ann", t0);
        sessions.open("s2".into(), "ann", t0);
        sessions.close("s1");
        assert!(sessions.touch("s1", t0).is_none());
        assert!(sessions.touch("s2", t0).is_some(), "other sessions stay");
    }

    #[test]
    fn an_officer_keeps_a_bounded_number_of_sessions() {
        let sessions = Sessions::default();
        let t0 = Instant::now();
        for k in 0..MAX_SESSIONS_PER_OFFICER {
            sessions.open(format!("s{k}"), "ann", t0 + Duration::from_secs(k as u64));
        }
        sessions.open("bob1".into(), "bob", t0);
        sessions.open("newest".into(), "ann", t0 + MINUTE);
        assert!(
            sessions.touch("s0", t0 + MINUTE).is_none(),
            "the oldest ends"
        );
        assert!(sessions.touch("s1", t0 + MINUTE).is_some());
        assert!(sessions.touch("newest", t0 + MINUTE).is_some());
        assert!(
            sessions.touch("bob1", t0 + MINUTE).is_some(),
            "bob untouched"
        );
    }

    #[test]
    fn the_table_is_bounded_dropping_expired_then_least_recently_used() {
        let sessions = Sessions::default();
        let t0 = Instant::now();
        for k in 0..MAX_SESSIONS {
            sessions.open(format!("s{k}"), &format!("user{k}"), t0);
        }
        sessions.open("late".into(), "late", t0 + 31 * MINUTE);
        assert_eq!(sessions.len(), 1, "every expired session went first");
        for k in 0..MAX_SESSIONS - 1 {
            let at = t0 + 31 * MINUTE + Duration::from_millis(k as u64 + 1);
            sessions.open(format!("t{k}"), &format!("user{k}"), at);
        }
        assert_eq!(sessions.len(), MAX_SESSIONS);
        sessions.open("one more".into(), "x", t0 + 40 * MINUTE);
        assert_eq!(sessions.len(), MAX_SESSIONS);
        assert!(
            sessions.touch("late", t0 + 40 * MINUTE).is_none(),
            "the least recently used went"
        );
        assert!(sessions.touch("one more", t0 + 40 * MINUTE).is_some());
    }
}
