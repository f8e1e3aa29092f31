//! Every page through the router with the fake service (its client 100002
//! has a probability of default of 48.1 %: refused under PRUDENT at 30 %,
//! accepted under NORMAL at 50 %).

#![allow(clippy::unwrap_used)] // helpers outside #[test] fns: a failed unwrap is a failed test

mod client;
mod model;
mod population;
mod whatif;

#[path = "../common/mod.rs"]
mod common;

use axum::http::StatusCode;
use common::*;

/// The factors chart and its table only (reasons may still name a fixed factor).
fn bars_of(body: &str) -> String {
    let start = body.find("id=\"why-h\"").unwrap();
    let end = body.find("id=\"reasons\"").unwrap_or(body.len());
    body[start..end].to_owned()
}

fn between<'a>(body: &'a str, start: &str, end: &str) -> &'a str {
    let at = body.find(start).unwrap() + start.len();
    &body[at..at + body[at..].find(end).unwrap()]
}
