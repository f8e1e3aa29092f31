//! Reading the service's audit log: one JSON object per line (the
//! service's `AuditEvent`), in one file or several (the live file and its
//! rotated `<name>.<unix ns>` siblings, given one by one or as a folder).
//!
//! Every line is checked (a malformed one is an error naming its file and
//! line, and serde's column); the lines that count as decisions are kept
//! (see [`super`] for the rule) and every line's strategy threshold is
//! remembered, since a version decides each strategy at one threshold.

use std::collections::{BTreeMap, HashMap};
use std::io::BufRead;
use std::path::PathBuf;

use chrono::{DateTime, Utc};
use scoring_core::Strategy;
use serde::Deserialize;

use crate::{Error, Result};

/// The fields of an audit line the backtest reads; the service writes more.
#[derive(Debug, Deserialize)]
struct AuditLine {
    time: String,
    rpc: String,
    applicant: String,
    #[serde(default)]
    client_id: Option<i64>,
    model_version: String,
    probability_of_default: f64,
    strategy: String,
    threshold: f64,
}

/// The kind of a line: decision lines have none; the service's shadow
/// lines (a challenger's probability for a decision) say `shadow`.
#[derive(Debug, Deserialize)]
struct LineKind {
    #[serde(default)]
    kind: Option<String>,
}

/// Where a line was read: for error messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineAt {
    pub path: PathBuf,
    pub line: u64,
}

/// One decision about a known client, as logged.
#[derive(Debug, Clone, PartialEq)]
pub struct LoggedDecision {
    pub time: DateTime<Utc>,
    pub client: i64,
    pub version: String,
    pub probability: f64,
}

/// Why lines were left out, counted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Excluded {
    /// Explain lines (page views and what-ifs), unless included.
    pub explain: u64,
    /// Applicants named by their features or a what-if: no client to join.
    pub without_client: u64,
    /// The shadow challenger's lines: not decisions.
    pub shadow: u64,
}

/// The decisions read from the audit files.
#[derive(Debug, Default)]
pub struct AuditDecisions {
    pub decisions: Vec<LoggedDecision>,
    /// Per version, the threshold each logged strategy was decided at.
    pub thresholds: BTreeMap<String, HashMap<Strategy, f64>>,
    pub lines: u64,
    pub excluded: Excluded,
    pub files: Vec<PathBuf>,
}

/// The audit files named by `paths`: files as given, folders as every
/// regular file they hold that is not hidden, sorted by name.
pub fn audit_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for path in paths {
        if !path.is_dir() {
            files.push(path.clone());
            continue;
        }
        let listing = |source| Error::Io {
            path: path.clone(),
            action: "listing the audit folder",
            source,
        };
        let mut found = Vec::new();
        for entry in std::fs::read_dir(path).map_err(listing)? {
            let entry = entry.map_err(listing)?;
            let hidden = entry.file_name().to_string_lossy().starts_with('.');
            if !hidden && entry.path().is_file() {
                found.push(entry.path());
            }
        }
        if found.is_empty() {
            return Err(Error::BacktestNoAuditFiles { path: path.clone() });
        }
        found.sort();
        files.extend(found);
    }
    Ok(files)
}

/// Reads every line of `files`; Explain lines count as decisions only when
/// `include_explain`.
pub fn read_audit(files: &[PathBuf], include_explain: bool) -> Result<AuditDecisions> {
    let mut read = AuditDecisions {
        files: files.to_vec(),
        ..AuditDecisions::default()
    };
    for path in files {
        let file = std::fs::File::open(path).map_err(|source| Error::Io {
            path: path.clone(),
            action: "opening the audit log",
            source,
        })?;
        for (index, text) in std::io::BufReader::new(file).lines().enumerate() {
            let text = text.map_err(|source| Error::Io {
                path: path.clone(),
                action: "reading the audit log",
                source,
            })?;
            if text.trim().is_empty() {
                continue;
            }
            let at = LineAt {
                path: path.clone(),
                line: index as u64 + 1,
            };
            read.add(&text, &at, include_explain)?;
        }
    }
    Ok(read)
}

impl AuditDecisions {
    fn add(&mut self, text: &str, at: &LineAt, include_explain: bool) -> Result<()> {
        let malformed = |source| Error::BacktestAuditLine {
            path: at.path.clone(),
            line: at.line,
            source,
        };
        let invalid = |field, value: String, expected| Error::BacktestAuditValue {
            path: at.path.clone(),
            line: at.line,
            field,
            value,
            expected,
        };
        match serde_json::from_str::<LineKind>(text)
            .map_err(malformed)?
            .kind
        {
            None => {}
            Some(kind) if kind == "shadow" => {
                self.lines += 1;
                self.excluded.shadow += 1;
                return Ok(());
            }
            Some(kind) => {
                let expected = "no kind (a decision) or \"shadow\"";
                return Err(invalid("kind", kind, expected));
            }
        }
        let line: AuditLine = serde_json::from_str(text).map_err(malformed)?;
        self.lines += 1;
        let time = DateTime::parse_from_rfc3339(&line.time)
            .map_err(|_| invalid("time", line.time.clone(), "an RFC 3339 time"))?
            .with_timezone(&Utc);
        let probability = line.probability_of_default;
        if !(probability.is_finite() && (0.0..=1.0).contains(&probability)) {
            let value = probability.to_string();
            return Err(invalid(
                "probability_of_default",
                value,
                "a number in [0, 1]",
            ));
        }
        let strategy: Strategy = line.strategy.parse().map_err(|_| {
            invalid(
                "strategy",
                line.strategy.clone(),
                "prudent, normal or aggressive",
            )
        })?;
        if !(line.threshold.is_finite() && line.threshold >= 0.0) {
            let value = line.threshold.to_string();
            return Err(invalid("threshold", value, "a finite number >= 0"));
        }
        self.remember_threshold(&line.model_version, strategy, line.threshold, at)?;
        let counted = match line.rpc.as_str() {
            "Score" | "ScoreBatch" => true,
            "Explain" => include_explain,
            _ => {
                let expected = "Score, ScoreBatch or Explain";
                return Err(invalid("rpc", line.rpc, expected));
            }
        };
        if !counted {
            self.excluded.explain += 1;
            return Ok(());
        }
        // A what-if names a client but decides on changed features.
        let client = line
            .client_id
            .filter(|_| line.applicant != "modified_client");
        let Some(client) = client else {
            self.excluded.without_client += 1;
            return Ok(());
        };
        self.decisions.push(LoggedDecision {
            time,
            client,
            version: line.model_version,
            probability,
        });
        Ok(())
    }

    fn remember_threshold(
        &mut self,
        version: &str,
        strategy: Strategy,
        threshold: f64,
        at: &LineAt,
    ) -> Result<()> {
        let known = self.thresholds.entry(version.to_owned()).or_default();
        match known.get(&strategy) {
            Some(&expected) if expected.to_bits() != threshold.to_bits() => {
                Err(Error::BacktestThresholdMismatch {
                    path: at.path.clone(),
                    line: at.line,
                    version: version.to_owned(),
                    strategy: strategy.name(),
                    expected,
                    found: threshold,
                })
            }
            Some(_) => Ok(()),
            None => {
                known.insert(strategy, threshold);
                Ok(())
            }
        }
    }
}
