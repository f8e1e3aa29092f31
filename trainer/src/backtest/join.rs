//! The join of logged decisions with observed outcomes (the rule is in the
//! doc of [`super`]): per model version, per client, the latest decision
//! made before the client's outcome was observed.

use std::collections::BTreeMap;
use std::collections::btree_map::Entry;

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::audit::LoggedDecision;
use super::outcomes::Outcomes;

/// One client of one version: the decision kept and what happened.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct JoinedClient {
    pub client: i64,
    pub time: DateTime<Utc>,
    pub probability: f64,
    pub defaulted: bool,
    pub credit: f64,
}

/// What the join left out, counted over every version.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Unjoined {
    /// Decisions about a client the outcomes do not name.
    pub without_outcome: u64,
    /// Decisions made on or after the client's observation date.
    pub after_observation: u64,
    /// Earlier decisions about a client of the same version, superseded by
    /// a later one before the observation date.
    pub superseded: u64,
}

/// Per version (sorted by name), its joined clients sorted by client id.
pub fn join(
    decisions: &[LoggedDecision],
    outcomes: &Outcomes,
) -> (BTreeMap<String, Vec<JoinedClient>>, Unjoined) {
    let mut unjoined = Unjoined::default();
    let mut latest: BTreeMap<&str, BTreeMap<i64, JoinedClient>> = BTreeMap::new();
    for decision in decisions {
        let Some(outcome) = outcomes.by_client.get(&decision.client) else {
            unjoined.without_outcome += 1;
            continue;
        };
        if decision.time >= outcome.observed {
            unjoined.after_observation += 1;
            continue;
        }
        let joined = JoinedClient {
            client: decision.client,
            time: decision.time,
            probability: decision.probability,
            defaulted: outcome.defaulted,
            credit: outcome.credit,
        };
        match latest
            .entry(&decision.version)
            .or_default()
            .entry(decision.client)
        {
            Entry::Vacant(slot) => {
                slot.insert(joined);
            }
            Entry::Occupied(mut kept) => {
                unjoined.superseded += 1;
                // Equal times: the line read last wins.
                if joined.time >= kept.get().time {
                    kept.insert(joined);
                }
            }
        }
    }
    let joined = latest
        .into_iter()
        .map(|(version, clients)| (version.to_owned(), clients.into_values().collect()))
        .collect();
    (joined, unjoined)
}
