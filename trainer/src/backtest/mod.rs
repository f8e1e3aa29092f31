//! `trainer backtest`: how the logged decisions turned out.
//!
//! ```text
//! trainer backtest --audit audit/ --outcomes outcomes.csv --registry registry --out backtest [--publish]
//! ```
//!
//! Joins the service's audit log with the outcomes observed later and
//! reports, per model version and per strategy, the realized default rate
//! among the accepted, the acceptance rate, the realized ROC AUC, the
//! calibration on deciles and the business cost per client, with 95%
//! intervals ([`mod@measure`]). Writes `backtest.json` and `backtest.md` into
//! `--out`; `--publish` also puts each version's part beside that version
//! in the registry (see [`scoring_core::registry::Registry::publish_backtest`]),
//! where the service's GetModel and the dashboard's model page find it.
//!
//! # Which audit lines count as decisions
//!
//! [`DECISION_RULE`]: lines of the Score and ScoreBatch RPCs (Explain lines
//! are page views and what-ifs; `--include-explain` counts them too) whose
//! applicant is a known client (named by id, or a loan application that
//! carries one; never a what-if's modified client, nor features alone).
//! Per model version and client, the latest such decision made strictly
//! before the client's observation date is kept; earlier ones, later ones
//! and decisions about clients without an outcome are counted, not used.
//!
//! # Strategies
//!
//! Each strategy's decisions are recomputed from each kept line's
//! probability (REFUSE when `p >= threshold`) at that version's published
//! threshold, read from `--registry`; without a registry, at the threshold
//! the audit log shows the version deciding that strategy at (every line
//! of a version and strategy must agree), and strategies the log never
//! shows are left out.

pub mod audit;
pub mod join;
pub mod markdown;
pub mod measure;
pub mod outcomes;

use std::collections::HashMap;
use std::path::PathBuf;

use chrono::{SecondsFormat, Utc};
use scoring_core::Strategy;
use scoring_core::backtest::{BACKTEST_FILE, BACKTEST_MARKDOWN_FILE, Backtest};
use scoring_core::registry::{Registry, VersionId};
use serde::Serialize;

use self::audit::{AuditDecisions, Excluded, audit_files, read_audit};
use self::join::{Unjoined, join};
use self::measure::{MeasureSettings, measure};
use self::outcomes::{OutcomeColumns, read_outcomes};
use crate::evaluation::{BootstrapPlan, CostParameters};
use crate::{Error, Result};

/// The decision rule, as written into every backtest.
pub const DECISION_RULE: &str = "Score and ScoreBatch lines about a client known by id \
    (Explain lines, what-ifs and applicants given by their features left out); per version \
    and client, the latest decision made before the client's observation date";

/// Options of `trainer backtest`.
#[derive(Debug, Clone, clap::Args)]
pub struct BacktestArgs {
    /// The service's audit log: files or folders of them (the live file and
    /// its rotated `<name>.<ns>` siblings), comma-separated.
    #[arg(long, env = "TRAINER_AUDIT", value_delimiter = ',', required = true)]
    pub audit: Vec<PathBuf>,
    /// Observed outcomes, .csv or .parquet: client id, defaulted 0/1,
    /// observation date, optionally the credit amount.
    #[arg(long, env = "TRAINER_OUTCOMES")]
    pub outcomes: PathBuf,
    /// Model registry holding the versions' thresholds (and where
    /// `--publish` writes); without it, the thresholds the log shows.
    #[arg(long, env = "CREDIT_REGISTRY")]
    pub registry: Option<PathBuf>,
    /// Only this version (default: every version of the log).
    #[arg(long, env = "TRAINER_BACKTEST_VERSION")]
    pub version: Option<String>,
    /// Column of the outcomes identifying a client.
    #[arg(long, env = "TRAINER_ID_COLUMN", default_value = "SK_ID_CURR")]
    pub id_column: String,
    /// Column of the outcomes holding the 0/1 default label.
    #[arg(long, env = "TRAINER_TARGET_COLUMN", default_value = "TARGET")]
    pub target_column: String,
    /// Column of the outcomes holding the observation date (YYYY-MM-DD or
    /// RFC 3339).
    #[arg(
        long,
        env = "TRAINER_OBSERVED_COLUMN",
        default_value = "OBSERVATION_DATE"
    )]
    pub observed_column: String,
    /// Column of the outcomes holding the credit amount the business cost
    /// is counted on; when the outcomes lack it every client counts 1.
    #[arg(long, env = "TRAINER_CREDIT_COLUMN", default_value = "AMT_CREDIT")]
    pub credit_column: String,
    /// Also count Explain lines (page views, what-ifs) as decisions.
    #[arg(long, env = "TRAINER_INCLUDE_EXPLAIN", default_value_t = false)]
    pub include_explain: bool,
    /// Interest earned on a repaid loan, as a share of the credit.
    #[arg(long, env = "TRAINER_INTEREST_RATE", default_value_t = 0.05)]
    pub interest_rate: f64,
    /// Share of the credit lost on a default.
    #[arg(long, env = "TRAINER_LOSS_GIVEN_DEFAULT", default_value_t = 0.8)]
    pub loss_given_default: f64,
    /// Stratified bootstrap resamples behind every interval (>= 100).
    #[arg(long, env = "TRAINER_BOOTSTRAP", default_value_t = 1000)]
    pub bootstrap: usize,
    /// Seed of the bootstrap.
    #[arg(long, env = "TRAINER_SEED", default_value_t = 42)]
    pub seed: u64,
    /// Folder the report is written to (`backtest.json`, `backtest.md`).
    #[arg(long, env = "TRAINER_BACKTEST_OUT", default_value = "backtest")]
    pub out: PathBuf,
    /// Also publish each version's backtest beside it in `--registry`.
    #[arg(long, env = "TRAINER_PUBLISH", default_value_t = false)]
    pub publish: bool,
}

impl BacktestArgs {
    /// The options with their defaults, for `audit` and `outcomes`.
    pub fn new(audit: Vec<PathBuf>, outcomes: impl Into<PathBuf>) -> Self {
        Self {
            audit,
            outcomes: outcomes.into(),
            registry: None,
            version: None,
            id_column: "SK_ID_CURR".into(),
            target_column: "TARGET".into(),
            observed_column: "OBSERVATION_DATE".into(),
            credit_column: "AMT_CREDIT".into(),
            include_explain: false,
            interest_rate: 0.05,
            loss_given_default: 0.8,
            bootstrap: 1000,
            seed: 42,
            out: PathBuf::from("backtest"),
            publish: false,
        }
    }
}

/// What `trainer backtest` computed (`backtest.json`).
#[derive(Debug, Clone, Serialize)]
pub struct BacktestReport {
    pub audit_files: Vec<PathBuf>,
    pub audit_lines: u64,
    pub excluded: Excluded,
    pub decisions: usize,
    pub outcomes: usize,
    pub unjoined: Unjoined,
    pub versions: Vec<Backtest>,
}

/// Runs the backtest, writes the report into `--out` and publishes it when
/// asked; returns it.
pub fn run(args: &BacktestArgs) -> Result<BacktestReport> {
    let cost = CostParameters {
        interest_rate: args.interest_rate,
        loss_given_default: args.loss_given_default,
        ..CostParameters::default()
    }
    .check()?;
    if args.publish && args.registry.is_none() {
        return Err(Error::InvalidArgument {
            flag: "--publish",
            message: "needs --registry, where the backtest is published".into(),
        });
    }
    let registry = args.registry.as_ref().map(Registry::open).transpose()?;
    let audit = read_audit(&audit_files(&args.audit)?, args.include_explain)?;
    let columns = OutcomeColumns {
        id: args.id_column.clone(),
        defaulted: args.target_column.clone(),
        observed: args.observed_column.clone(),
        credit: args.credit_column.clone(),
    };
    let outcomes = read_outcomes(&args.outcomes, &columns)?;
    let (mut joined, unjoined) = join(&audit.decisions, &outcomes);
    if let Some(only) = &args.version {
        if !audit.thresholds.contains_key(only) {
            let found: Vec<&str> = audit.thresholds.keys().map(String::as_str).collect();
            return Err(Error::BacktestVersionNotInAudit {
                version: only.clone(),
                found: found.join(", "),
            });
        }
        joined.retain(|version, _| version == only);
    }
    if joined.is_empty() {
        let clients: std::collections::HashSet<i64> =
            audit.decisions.iter().map(|d| d.client).collect();
        return Err(Error::BacktestNoJoin {
            decisions: audit.decisions.len(),
            clients: clients.len(),
            outcomes: outcomes.by_client.len(),
        });
    }
    let created_at = Utc::now();
    let settings = MeasureSettings {
        cost,
        plan: BootstrapPlan {
            resamples: args.bootstrap,
            seed: args.seed,
            level: 0.95,
        },
        calibration_bins: 10,
        credit_column: outcomes.credit_column.clone(),
        decision_rule: DECISION_RULE.to_owned(),
        thresholds_source: if registry.is_some() {
            "registry".to_owned()
        } else {
            "audit log".to_owned()
        },
        created_at: created_at.to_rfc3339_opts(SecondsFormat::Secs, true),
    };
    let versions = joined
        .iter()
        .map(|(version, clients)| {
            let thresholds = thresholds_of(version, registry.as_ref(), &audit)?;
            measure(version, clients, &thresholds, &settings)
        })
        .collect::<Result<Vec<Backtest>>>()?;
    let report = BacktestReport {
        audit_files: audit.files.clone(),
        audit_lines: audit.lines,
        excluded: audit.excluded,
        decisions: audit.decisions.len(),
        outcomes: outcomes.by_client.len(),
        unjoined,
        versions,
    };
    write_report(args, &report)?;
    if let (true, Some(registry)) = (args.publish, &registry) {
        let stamp = created_at.format("%Y%m%dT%H%M%SZ").to_string();
        for backtest in &report.versions {
            registry.publish_backtest(backtest, &markdown::version_markdown(backtest), &stamp)?;
        }
    }
    Ok(report)
}

/// The strategies' thresholds of `version`: published in the registry, or
/// as the audit log shows them.
fn thresholds_of(
    version: &str,
    registry: Option<&Registry>,
    audit: &AuditDecisions,
) -> Result<HashMap<Strategy, f64>> {
    let Some(registry) = registry else {
        return Ok(audit.thresholds.get(version).cloned().unwrap_or_default());
    };
    let unknown = || Error::BacktestUnknownVersion {
        version: version.to_owned(),
        registry: registry.location().to_string(),
    };
    let id = VersionId::parse(version).map_err(|_| unknown())?;
    if !registry.versions()?.contains(&id) {
        return Err(unknown());
    }
    let published = registry.load(&id)?;
    let published = published.thresholds();
    Ok(Strategy::ALL
        .iter()
        .map(|&s| (s, published.get(s)))
        .collect())
}

fn write_report(args: &BacktestArgs, report: &BacktestReport) -> Result<()> {
    let io = |path: PathBuf, action| {
        move |source| Error::Io {
            path,
            action,
            source,
        }
    };
    std::fs::create_dir_all(&args.out).map_err(io(args.out.clone(), "creating"))?;
    let json = serde_json::to_vec_pretty(report).map_err(|e| Error::Io {
        path: args.out.join(BACKTEST_FILE),
        action: "serialising the backtest",
        source: e.into(),
    })?;
    let path = args.out.join(BACKTEST_FILE);
    std::fs::write(&path, json).map_err(io(path.clone(), "writing"))?;
    let mut text = String::from("# Backtest\n\n");
    text.push_str(&format!(
        "{} audit lines read, {} decisions ({} Explain lines, {} without a client and {} shadow \
         lines left out), \
         {} outcomes; left out of the join: {} decisions without an outcome, {} on or after the \
         observation date, {} superseded by a later decision.\n\n",
        report.audit_lines,
        report.decisions,
        report.excluded.explain,
        report.excluded.without_client,
        report.excluded.shadow,
        report.outcomes,
        report.unjoined.without_outcome,
        report.unjoined.after_observation,
        report.unjoined.superseded
    ));
    for backtest in &report.versions {
        text.push_str(&markdown::version_markdown(backtest));
        text.push('\n');
    }
    let path = args.out.join(BACKTEST_MARKDOWN_FILE);
    std::fs::write(&path, text).map_err(io(path.clone(), "writing"))
}
