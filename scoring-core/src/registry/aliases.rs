//! `aliases.json`: which version each alias names, and the versions it named
//! before, most recent last, for rollback.
//!
//! ```json
//! {
//!   "production": "v3",
//!   "staging": "v4",
//!   "history": { "production": ["v1", "v2"] }
//! }
//! ```

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct Aliases {
    /// Previous targets of each alias, oldest first.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub(crate) history: BTreeMap<String, Vec<String>>,
    /// Alias → version it names now.
    #[serde(flatten)]
    pub(crate) current: BTreeMap<String, String>,
}

impl Aliases {
    /// Parses the file's bytes; `location` names it in errors.
    pub(crate) fn from_bytes(bytes: &[u8], location: &str) -> Result<Self> {
        serde_json::from_slice(bytes).map_err(|source| Error::RegistryFile {
            location: location.to_owned(),
            source,
        })
    }

    pub(crate) fn to_bytes(&self) -> Vec<u8> {
        // A map of strings always serialises.
        let mut bytes = serde_json::to_vec_pretty(self).unwrap_or_default();
        bytes.push(b'\n');
        bytes
    }

    /// Points `alias` at `version`, remembering its previous target.
    pub(crate) fn promote(&mut self, alias: &str, version: &str) {
        match self.current.insert(alias.to_owned(), version.to_owned()) {
            Some(previous) if previous != version => {
                self.history
                    .entry(alias.to_owned())
                    .or_default()
                    .push(previous);
            }
            _ => {}
        }
    }

    /// Moves `alias` back to its previous target; returns (from, to).
    pub(crate) fn rollback(&mut self, alias: &str) -> Result<(Option<String>, String)> {
        let history = self.history.get_mut(alias);
        let Some(previous) = history.and_then(Vec::pop) else {
            return Err(Error::RegistryNoRollback {
                alias: alias.to_owned(),
            });
        };
        if self.history.get(alias).is_some_and(Vec::is_empty) {
            self.history.remove(alias);
        }
        let from = self.current.insert(alias.to_owned(), previous.clone());
        Ok((from, previous))
    }

    /// Aliases naming `version`, sorted.
    pub(crate) fn naming(&self, version: &str) -> Vec<String> {
        self.current
            .iter()
            .filter(|(_, v)| v.as_str() == version)
            .map(|(a, _)| a.clone())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_keeps_aliases_at_top_level_and_round_trips() {
        let mut aliases = Aliases::default();
        aliases.promote("production", "v1");
        aliases.promote("production", "v2");
        aliases.promote("staging", "v2");
        let json = serde_json::to_value(&aliases).unwrap_or_default();
        assert_eq!(
            json,
            serde_json::json!({
                "production": "v2",
                "staging": "v2",
                "history": {"production": ["v1"]}
            })
        );
        let back: Aliases = serde_json::from_value(json).unwrap_or_default();
        assert_eq!(back, aliases);
    }
}
