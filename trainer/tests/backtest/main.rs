//! `trainer backtest`: the join of logged decisions with observed outcomes
//! and its measures, against a direct computation on synthetic applicants
//! whose true default probability is known; the errors of malformed audit
//! lines and outcome rows; publishing beside a version in the registry.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod errors;
mod publish;
mod truth;

use std::path::{Path, PathBuf};

use serde_json::json;
use trainer::backtest::BacktestArgs;

/// The time every decision of the fixtures is made at, and the outcomes'
/// observation date (after it).
const DECIDED: &str = "2026-03-01T10:00:00.5Z";
const OBSERVED: &str = "2026-09-30";

/// One audit line's fields.
#[derive(Debug, Clone, Copy)]
struct Line<'a> {
    rpc: &'a str,
    applicant: &'a str,
    client: Option<i64>,
    version: &'a str,
    probability: f64,
    strategy: &'a str,
    threshold: f64,
    time: &'a str,
}

impl<'a> Line<'a> {
    /// A Score line about client `id`, decided at [`DECIDED`].
    fn score(
        id: i64,
        version: &'a str,
        probability: f64,
        strategy: &'a str,
        threshold: f64,
    ) -> Self {
        Self {
            rpc: "Score",
            applicant: "client_id",
            client: Some(id),
            version,
            probability,
            strategy,
            threshold,
            time: DECIDED,
        }
    }

    /// The line as the service writes it.
    fn text(&self) -> String {
        let mut line = json!({
            "time": self.time,
            "request_id": "r-1",
            "rpc": self.rpc,
            "applicant": self.applicant,
            "caller": "gateway",
            "on_behalf_of": "officer-7",
            "model_version": self.version,
            "probability_of_default": self.probability,
            "decision": if self.probability >= self.threshold { "REFUSE" } else { "ACCEPT" },
            "strategy": self.strategy,
            "threshold": self.threshold,
            "reason_codes": ["EXT_SOURCE_2"],
        });
        if let Some(id) = self.client {
            line["client_id"] = json!(id);
        }
        line.to_string()
    }
}

fn write_lines(path: &Path, lines: &[String]) -> PathBuf {
    std::fs::write(path, lines.join("\n") + "\n").expect("written");
    path.to_owned()
}

/// Options for `audit` and `outcomes`, writing into `dir/out`, with the
/// fewest resamples the bootstrap accepts (the tests check estimates).
fn args(dir: &Path, audit: Vec<PathBuf>, outcomes: &Path) -> BacktestArgs {
    let mut args = BacktestArgs::new(audit, outcomes);
    args.out = dir.join("out");
    args.bootstrap = 100;
    args
}

/// An outcomes CSV of `(id, defaulted)` rows observed on [`OBSERVED`],
/// without a credit column.
fn outcomes_csv(path: &Path, rows: &[(i64, u8)]) -> PathBuf {
    let mut text = String::from("SK_ID_CURR,TARGET,OBSERVATION_DATE\n");
    for (id, defaulted) in rows {
        text.push_str(&format!("{id},{defaulted},{OBSERVED}\n"));
    }
    std::fs::write(path, text).expect("written");
    path.to_owned()
}
