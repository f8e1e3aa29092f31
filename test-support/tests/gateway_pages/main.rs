//! Every page of the gateway through its router, over the real scoring
//! service (`scoring_grpc::server::start` on 127.0.0.1:0, API key required)
//! serving the dashboard model (`test_support::dashboard`: a dozen Home
//! Credit features, client 100002 with hand-set values, `v2` live). The
//! expected numbers come from that model, scored here in-process: the pages
//! must show what the model says.

#![allow(clippy::unwrap_used)] // helpers outside #[test] fns: a failed unwrap is a failed test

mod applicant;
mod client;
mod errors;
mod model;
mod monitoring;
mod population;
mod rendered;
mod whatif;

use axum::http::StatusCode;
use test_support::dashboard::{self, KNOWN_CLIENT, LIVE};
use test_support::gateway::*;

/// The live model's probability of default for `row`.
fn probability_of(row: &[f64]) -> f64 {
    dashboard::model(LIVE).predict_probability(row).unwrap()
}

/// [`KNOWN_CLIENT`]'s probability of default.
fn known_probability() -> f64 {
    probability_of(&dashboard::row_of(KNOWN_CLIENT))
}

/// A probability as the pages write it: a percentage with one decimal.
fn pct(p: f64) -> String {
    format!("{:.1} %", p * 100.0)
}

/// The probability a page shows.
fn shown_probability(body: &str) -> f64 {
    let text = between(body, "<span id=\"probability\">", " %</span>");
    text.parse::<f64>().unwrap() / 100.0
}

/// The factors chart and its table only (reasons may still name a fixed factor).
fn bars_of(body: &str) -> &str {
    let start = body.find("id=\"why-h\"").unwrap();
    let end = body.find("id=\"reasons\"").unwrap_or(body.len());
    &body[start..end]
}
