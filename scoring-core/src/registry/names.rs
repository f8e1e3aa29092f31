//! Model version ids and alias names: what is valid, and how versions sort.

use std::cmp::Ordering;
use std::fmt;

use crate::error::{Error, Result};

/// The id of one published model version (`v3`, `2024-06-01-lgbm`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct VersionId(String);

impl VersionId {
    /// Checks `id` against `[A-Za-z0-9._-]{1,64}` (and refuses `.` and `..`).
    pub fn parse(id: &str) -> Result<Self> {
        let valid = (1..=64).contains(&id.len())
            && id != "."
            && id != ".."
            && id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
        if valid {
            Ok(Self(id.to_owned()))
        } else {
            Err(Error::RegistryInvalidVersion { id: id.to_owned() })
        }
    }

    /// The default id of the `n`-th version: `v{n}`.
    pub(crate) fn numbered(n: u64) -> Self {
        Self(format!("v{n}"))
    }

    /// `n` when the id is `v{n}`.
    pub(crate) fn number(&self) -> Option<u64> {
        let digits = self.0.strip_prefix('v')?;
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        digits.parse().ok()
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for VersionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl PartialOrd for VersionId {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// Natural order: `v2` before `v10`, then byte order to break ties.
impl Ord for VersionId {
    fn cmp(&self, other: &Self) -> Ordering {
        natural_cmp(&self.0, &other.0).then_with(|| self.0.cmp(&other.0))
    }
}

/// Compares runs of digits by value and everything else byte by byte.
fn natural_cmp(a: &str, b: &str) -> Ordering {
    let (mut a, mut b) = (a.as_bytes(), b.as_bytes());
    loop {
        match (a.first(), b.first()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(x), Some(y)) if x.is_ascii_digit() && y.is_ascii_digit() => {
                let (da, ra) = split_digits(a);
                let (db, rb) = split_digits(b);
                let (ta, tb) = (trim_zeros(da), trim_zeros(db));
                let order = ta.len().cmp(&tb.len()).then_with(|| ta.cmp(tb));
                if order != Ordering::Equal {
                    return order;
                }
                (a, b) = (ra, rb);
            }
            (Some(x), Some(y)) => {
                if x != y {
                    return x.cmp(y);
                }
                (a, b) = (&a[1..], &b[1..]);
            }
        }
    }
}

fn split_digits(s: &[u8]) -> (&[u8], &[u8]) {
    let end = s
        .iter()
        .position(|b| !b.is_ascii_digit())
        .unwrap_or(s.len());
    s.split_at(end)
}

fn trim_zeros(s: &[u8]) -> &[u8] {
    let start = s.iter().position(|&b| b != b'0').unwrap_or(s.len());
    &s[start..]
}

/// Key of `aliases.json` that holds the rollback history, so not an alias.
pub(crate) const HISTORY_KEY: &str = "history";

/// Checks an alias name: `production`, `staging` or `[a-z][a-z0-9_-]*`.
pub(crate) fn check_alias(alias: &str) -> Result<()> {
    let mut bytes = alias.bytes();
    let valid = bytes.next().is_some_and(|b| b.is_ascii_lowercase())
        && bytes.all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'_' | b'-'))
        && alias.len() <= 64
        && alias != HISTORY_KEY;
    if valid {
        Ok(())
    } else {
        Err(Error::RegistryInvalidAlias {
            alias: alias.to_owned(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sorted(ids: &[&str]) -> Vec<String> {
        let mut v: Vec<VersionId> = ids.iter().map(|i| VersionId(i.to_string())).collect();
        v.sort();
        v.into_iter().map(|v| v.0).collect()
    }

    #[test]
    fn versions_sort_naturally() {
        assert_eq!(
            sorted(&["v10", "v2", "v1", "a", "v02"]),
            ["a", "v1", "v02", "v2", "v10"]
        );
    }

    #[test]
    fn ids_and_aliases_are_checked() {
        assert!(VersionId::parse("2024-06-01_lgbm.v1").is_ok());
        for bad in ["", ".", "..", "a/b", "é", &"x".repeat(65)] {
            assert!(VersionId::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(VersionId::numbered(7).number(), Some(7));
        assert_eq!(VersionId("v7a".into()).number(), None);
        assert!(check_alias("production").is_ok());
        assert!(check_alias("canary-2").is_ok());
        for bad in ["", "Prod", "1st", "history", "a b"] {
            assert!(check_alias(bad).is_err(), "{bad}");
        }
    }
}
