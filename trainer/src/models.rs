//! `trainer models`: list, show, promote and roll back published versions.

use std::fmt::Write as _;
use std::path::PathBuf;

use crate::error::Result;
use scoring_core::registry::{Registry, VersionDetails, VersionSummary};

/// Options of `trainer models`.
#[derive(Debug, Clone, clap::Args)]
pub struct ModelsArgs {
    /// The registry: a directory (created if missing) or an object store URL
    /// (s3://bucket/prefix; credentials from the AWS_* variables).
    #[arg(
        long,
        env = "CREDIT_REGISTRY",
        default_value = "registry",
        global = true
    )]
    pub registry: PathBuf,
    #[command(subcommand)]
    pub command: ModelsCommand,
}

/// What to do with the registry.
#[derive(Debug, Clone, clap::Subcommand)]
pub enum ModelsCommand {
    /// Every published version with its creation time, metrics and aliases.
    List,
    /// One version in full, after verifying its files.
    Show {
        /// The version id (`v3`) or an alias (`production`).
        version: String,
    },
    /// Point an alias at a version (the previous target is kept for rollback).
    Promote {
        /// The version id to promote.
        version: String,
        /// The alias to move.
        #[arg(long, env = "TRAINER_ALIAS", default_value = "production")]
        alias: String,
    },
    /// Move an alias back to the version it named before.
    Rollback {
        /// The alias to move back.
        #[arg(long, env = "TRAINER_ALIAS", default_value = "production")]
        alias: String,
    },
}

/// Runs `trainer models` and prints the result to stdout.
pub fn run(args: &ModelsArgs) -> Result<()> {
    print!("{}", render(args)?);
    Ok(())
}

/// Runs `trainer models` and returns what it prints.
pub fn render(args: &ModelsArgs) -> Result<String> {
    let registry = Registry::open(&args.registry)?;
    let mut out = String::new();
    match &args.command {
        ModelsCommand::List => write_list(&mut out, &registry.list()?),
        ModelsCommand::Show { version } => {
            let version = registry.resolve(version)?;
            write_details(&mut out, &registry.show(version.as_str())?);
        }
        ModelsCommand::Promote { version, alias } => {
            let previous = registry.promote(version, alias)?;
            let _ = match previous {
                Some(p) => writeln!(out, "{alias}: {p} -> {version}"),
                None => writeln!(out, "{alias}: -> {version}"),
            };
        }
        ModelsCommand::Rollback { alias } => {
            let (from, to) = registry.rollback(alias)?;
            let from = from.map_or_else(|| "(none)".to_owned(), |f| f.to_string());
            let _ = writeln!(out, "{alias}: {from} -> {to} (rolled back)");
        }
    }
    Ok(out)
}

fn write_list(out: &mut String, versions: &[VersionSummary]) {
    if versions.is_empty() {
        out.push_str("no published versions\n");
        return;
    }
    let _ = writeln!(
        out,
        "{:<20} {:<25} {:<30} METRICS",
        "VERSION", "CREATED", "ALIASES"
    );
    for entry in versions {
        let aliases = entry.aliases.join(",");
        let (created, metrics) = match &entry.manifest {
            Ok(m) => (
                m.created_at.clone(),
                m.metrics
                    .iter()
                    .map(|(name, value)| format!("{name}={value:.4}"))
                    .collect::<Vec<_>>()
                    .join(" "),
            ),
            Err(error) => ("?".to_owned(), format!("unreadable manifest: {error}")),
        };
        let _ = writeln!(
            out,
            "{:<20} {:<25} {:<30} {metrics}",
            entry.version.to_string(),
            created,
            aliases
        );
    }
}

fn write_details(out: &mut String, details: &VersionDetails) {
    let m = details.model.manifest();
    let t = m.thresholds;
    let _ = writeln!(out, "version:        {}", details.version);
    let _ = writeln!(out, "path:           {}", details.location);
    let _ = writeln!(out, "aliases:        {}", details.aliases.join(", "));
    let _ = writeln!(out, "model version:  {}", m.model_version);
    let _ = writeln!(out, "created at:     {}", m.created_at);
    let _ = writeln!(out, "code version:   {}", m.code_version);
    let _ = writeln!(out, "training data:  {}", m.training_data_fingerprint);
    let _ = writeln!(
        out,
        "features:       {}",
        details.model.schema().features.len()
    );
    let _ = writeln!(
        out,
        "thresholds:     prudent {} / normal {} / aggressive {}",
        t.prudent, t.normal, t.aggressive
    );
    let _ = writeln!(out, "metrics:");
    for (name, value) in &m.metrics {
        let _ = writeln!(out, "  {name}: {value}");
    }
    let _ = writeln!(out, "parameters:     {}", m.training_parameters);
    let _ = writeln!(out, "files:          {}", details.files.join(", "));
}
