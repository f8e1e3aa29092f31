//! Loan officers' sign-in: the users file (argon2 password hashes), the
//! encrypted session cookie (a session id, see [`crate::sessions`]) and the
//! session-bound CSRF token checked on every POST.

use std::{
    collections::HashMap,
    net::IpAddr,
    path::Path,
    sync::{Arc, OnceLock},
    time::{Duration, Instant},
};

use argon2::{
    Argon2, PasswordHash, PasswordHasher, PasswordVerifier,
    password_hash::{
        SaltString,
        rand_core::{OsRng, RngCore},
    },
};
use axum::{
    extract::{FromRef, FromRequestParts},
    http::request::Parts,
    response::{IntoResponse, Redirect, Response},
};
use axum_extra::extract::cookie::{Cookie, Key, PrivateCookieJar, SameSite};
use serde::Deserialize;

use crate::{
    AppState,
    error::StartError,
    throttle::{MAX_FAILURES, MAX_FAILURES_PER_ADDRESS, PasswordChecks, Throttle},
};

/// Session cookie: `<csrf token>:<session id>`, encrypted and authenticated.
pub const SESSION_COOKIE: &str = "gw_session";
/// The longest user name accepted (longer ones are refused before any work).
pub const MAX_USER_NAME_LEN: usize = 64;
/// Pre-session cookie holding the sign-in form's CSRF token.
pub const SIGNIN_COOKIE: &str = "gw_signin";

/// The officers allowed to sign in, by name, with their PHC password
/// hashes, and their recent failed sign-ins.
#[derive(Clone)]
pub struct Users {
    hashes: Arc<HashMap<String, String>>,
    by_name: Arc<Throttle>,
    by_address: Arc<Throttle>,
    checks: PasswordChecks,
}

impl Default for Users {
    fn default() -> Self {
        Self::with_hashes(HashMap::new())
    }
}

/// What a sign-in attempt comes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignIn {
    Accepted,
    /// Unknown name or wrong password (the two are not told apart).
    Refused,
    /// Too many recent failures for this name or from this address: retry
    /// after this long.
    Throttled(Duration),
    /// Too many password checks under way: retry in a moment.
    Busy,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct UsersFile {
    #[serde(default)]
    users: Vec<UserEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct UserEntry {
    name: String,
    password_hash: String,
}

impl Users {
    /// Reads a users file (`[[users]]` tables with `name` and `password_hash`).
    pub fn load(path: &Path) -> Result<Self, StartError> {
        let text = std::fs::read_to_string(path).map_err(|source| StartError::UsersRead {
            path: path.to_owned(),
            source,
        })?;
        Self::parse(&text, path)
    }

    /// Parses the text of a users file; `path` only names it in errors.
    pub fn parse(text: &str, path: &Path) -> Result<Self, StartError> {
        let file: UsersFile = toml::from_str(text).map_err(|source| StartError::UsersParse {
            path: path.to_owned(),
            source,
        })?;
        let mut users = HashMap::new();
        for user in file.users {
            if PasswordHash::new(&user.password_hash).is_err() {
                return Err(StartError::UserHash { user: user.name });
            }
            users.insert(user.name, user.password_hash);
        }
        Ok(Self::with_hashes(users))
    }

    fn with_hashes(hashes: HashMap<String, String>) -> Self {
        Self {
            hashes: Arc::new(hashes),
            by_name: Arc::new(Throttle::new(MAX_FAILURES)),
            by_address: Arc::new(Throttle::new(MAX_FAILURES_PER_ADDRESS)),
            checks: PasswordChecks::default(),
        }
    }

    /// The same users, with `checks` bounding the password checks at once.
    pub fn with_password_checks(mut self, checks: PasswordChecks) -> Self {
        self.checks = checks;
        self
    }

    /// Whether `name` may sign in.
    pub fn contains(&self, name: &str) -> bool {
        self.hashes.contains_key(name)
    }

    /// Number of users.
    pub fn len(&self) -> usize {
        self.hashes.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.hashes.is_empty()
    }

    /// Checks `name`'s password, coming from `address` when known, unless
    /// the name or the address has failed too often recently or too many
    /// checks are under way (see [`crate::throttle`]).
    pub async fn sign_in(&self, name: &str, password: String, address: Option<IpAddr>) -> SignIn {
        let now = Instant::now();
        let address = address.map(|a| a.to_string());
        let waits = [
            self.by_name.wait_for(name, now),
            address
                .as_deref()
                .and_then(|a| self.by_address.wait_for(a, now)),
        ];
        if let Some(wait) = waits.into_iter().flatten().max() {
            return SignIn::Throttled(wait);
        }
        let Some(_ticket) = self.checks.enter().await else {
            return SignIn::Busy;
        };
        if self.verify(name, password).await {
            self.by_name.clear(name);
            SignIn::Accepted
        } else {
            self.by_name.record_failure(name, now);
            if let Some(address) = &address {
                self.by_address.record_failure(address, now);
            }
            SignIn::Refused
        }
    }

    /// Whether `password` is `name`'s. Argon2 runs off the async threads;
    /// an unknown name is checked against a stand-in hash so that it takes
    /// as long as a wrong password and timing does not tell which names
    /// exist.
    pub async fn verify(&self, name: &str, password: String) -> bool {
        let known = self.hashes.get(name).cloned();
        tokio::task::spawn_blocking(move || {
            let hash = match &known {
                Some(hash) => hash.as_str(),
                None => unknown_user_hash(),
            };
            let matches = PasswordHash::new(hash)
                .map(|parsed| {
                    Argon2::default()
                        .verify_password(password.as_bytes(), &parsed)
                        .is_ok()
                })
                .unwrap_or(false);
            matches && known.is_some()
        })
        .await
        .unwrap_or(false)
    }
}

/// The hash an unknown name's password is checked against (made once).
fn unknown_user_hash() -> &'static str {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| hash_password(&new_token()).unwrap_or_default())
}

/// An argon2id PHC hash of `password` with a fresh salt.
pub fn hash_password(password: &str) -> Result<String, StartError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(StartError::Hash)
}

/// A fresh random token (128 bits, hex).
pub fn new_token() -> String {
    let mut bytes = [0u8; 16];
    OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// Compares two tokens in time independent of where they differ.
pub fn tokens_match(expected: &str, given: &str) -> bool {
    expected.len() == given.len()
        && expected
            .bytes()
            .zip(given.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
}

/// A cookie with the house attributes: HttpOnly, SameSite=Strict, Path=/,
/// Secure when configured.
pub fn cookie(name: &'static str, value: String, secure: bool) -> Cookie<'static> {
    Cookie::build((name, value))
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(secure)
        .path("/")
        .build()
}

/// What the session cookie holds: the session's id and CSRF token.
#[derive(Debug, Clone)]
pub struct SessionCookie {
    /// The key of the session in [`crate::sessions::Sessions`].
    pub id: String,
    /// The session's CSRF token, put in every form and checked on POST.
    pub csrf: String,
}

impl SessionCookie {
    /// A fresh session's cookie content.
    pub fn fresh() -> Self {
        Self {
            id: new_token(),
            csrf: new_token(),
        }
    }

    /// The cookie's value.
    pub fn value(&self) -> String {
        format!("{}:{}", self.csrf, self.id)
    }

    /// Reads the session cookie from a private cookie jar (absent when it
    /// is missing or does not decrypt).
    pub fn from_jar(jar: &PrivateCookieJar) -> Option<Self> {
        let value = jar.get(SESSION_COOKIE)?;
        let (csrf, id) = value.value().split_once(':')?;
        Some(Self {
            id: id.to_owned(),
            csrf: csrf.to_owned(),
        })
    }
}

/// The signed-in officer: a session cookie whose session is still open and
/// whose officer is still in the users file. Pages that need one redirect
/// to the sign-in page otherwise.
#[derive(Debug, Clone)]
pub struct Officer {
    /// User name.
    pub name: String,
    /// The session's CSRF token, put in every form and checked on POST.
    pub csrf: String,
    /// The session's id (to end it on sign-out).
    pub session: String,
}

impl Officer {
    /// `AppError::Forbidden` unless `given` is this session's token.
    pub fn check_csrf(&self, given: Option<&str>) -> Result<(), crate::error::AppError> {
        match given {
            Some(token) if tokens_match(&self.csrf, token) => Ok(()),
            _ => Err(crate::error::AppError::Forbidden),
        }
    }

    /// The officer of the session in `jar`, if that session is still open
    /// and its officer may still sign in; marks the session used.
    pub fn from_jar(jar: &PrivateCookieJar, state: &AppState) -> Option<Self> {
        let cookie = SessionCookie::from_jar(jar)?;
        let name = state.sessions.touch(&cookie.id, Instant::now())?;
        if !state.users.contains(&name) {
            state.sessions.close(&cookie.id);
            return None;
        }
        crate::layers::note_officer(&name);
        Some(Self {
            name,
            csrf: cookie.csrf,
            session: cookie.id,
        })
    }
}

impl FromRequestParts<AppState> for Officer {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let jar = PrivateCookieJar::from_headers(&parts.headers, Key::from_ref(state));
        Self::from_jar(&jar, state).ok_or_else(|| {
            let next = parts
                .uri
                .path_and_query()
                .map(|p| p.as_str())
                .unwrap_or("/");
            let query = serde_urlencoded::to_string([("next", next)]).unwrap_or_default();
            Redirect::to(&format!("/signin?{query}")).into_response()
        })
    }
}

/// Where to go after signing in: only a local path, so the parameter cannot
/// send the officer to another site. Browsers drop tabs and newlines from
/// URLs and read `\\` as `/`, so `/<tab>/evil.example` would become
/// `//evil.example`: control characters, spaces and backslashes anywhere
/// make the path unsafe too.
pub fn safe_next(next: Option<&str>) -> String {
    let local = |n: &str| {
        n.starts_with('/')
            && !n.starts_with("//")
            && !n
                .chars()
                .any(|c| c.is_control() || c.is_whitespace() || c == '\\')
    };
    match next {
        Some(n) if local(n) => n.to_owned(),
        _ => "/clients".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn users_file_errors_are_reported() {
        let p = Path::new("users.toml");
        assert!(matches!(
            Users::parse("users = 3", p),
            Err(StartError::UsersParse { .. })
        ));
        assert!(matches!(
            Users::parse("[[users]]\nname = \"a\"\npassword_hash = \"plain\"\n", p),
            Err(StartError::UserHash { .. })
        ));
        assert!(matches!(
            Users::load(Path::new("/nonexistent/users.toml")),
            Err(StartError::UsersRead { .. })
        ));
    }

    #[tokio::test]
    async fn hash_then_verify() {
        let hash = hash_password("s3cret").unwrap();
        let users = Users::parse(
            &format!("[[users]]\nname = \"ann\"\npassword_hash = \"{hash}\"\n"),
            Path::new("u"),
        )
        .unwrap();
        assert!(users.contains("ann") && !users.contains("bob"));
        assert!(users.verify("ann", "s3cret".into()).await);
        assert!(!users.verify("ann", "wrong".into()).await);
        assert!(!users.verify("bob", "s3cret".into()).await);
    }

    #[test]
    fn next_stays_on_site() {
        assert_eq!(safe_next(Some("/clients/1?n=3")), "/clients/1?n=3");
        assert_eq!(safe_next(Some("//evil.example")), "/clients");
        assert_eq!(safe_next(Some("https://evil.example")), "/clients");
        assert_eq!(safe_next(None), "/clients");
        // What browsers turn into "//evil.example".
        for sneaky in [
            "/\t/evil.example",
            "/\n/evil.example",
            "/\r/evil.example",
            "/\\evil.example",
            "/ /evil.example",
            "/\u{0}/evil.example",
        ] {
            assert_eq!(safe_next(Some(sneaky)), "/clients", "{sneaky:?}");
        }
    }

    #[test]
    fn tokens_compare() {
        assert!(tokens_match("abcd", "abcd"));
        assert!(!tokens_match("abcd", "abce"));
        assert!(!tokens_match("abcd", "abc"));
    }
}
