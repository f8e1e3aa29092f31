//! The audit log's `shadow` lines: what the challenger thought of a
//! decision, written after the decision's own line (which is written before
//! the answer) and joined to it by `request_id`; and [`AuditLine`], either
//! kind as the writer takes it.

use std::time::SystemTime;

use serde::Serialize;

use super::AuditEvent;
use crate::monitor::shadow::Shadowed;

/// The challenger's probability for one decided applicant.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ShadowEvent {
    /// RFC 3339, UTC.
    pub time: String,
    /// Always `shadow` (decision lines have no `kind`).
    pub kind: &'static str,
    /// The decision's request id.
    pub request_id: String,
    /// The RPC that decided (`Score` or `ScoreBatch`).
    pub rpc: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_id: Option<i64>,
    /// The live version that decided, and its probability.
    pub model_version: String,
    pub probability_of_default: f64,
    pub challenger_version: String,
    pub challenger_probability_of_default: f64,
}

impl ShadowEvent {
    pub(crate) fn new(shadowed: &Shadowed, challenger_version: &str, probability: f64) -> Self {
        Self {
            time: prost_types::Timestamp::from(SystemTime::now()).to_string(),
            kind: "shadow",
            request_id: shadowed.request_id.clone(),
            rpc: shadowed.rpc,
            client_id: shadowed.client_id,
            model_version: shadowed.live.version.clone(),
            probability_of_default: shadowed.probability_of_default,
            challenger_version: challenger_version.to_owned(),
            challenger_probability_of_default: probability,
        }
    }
}

/// One line of the audit log.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum AuditLine {
    Decision(AuditEvent),
    Shadow(ShadowEvent),
}
