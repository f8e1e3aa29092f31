//! `trainer score`: scores a whole portfolio with a published version.
//!
//! ```text
//! trainer score --features data/features --registry registry --model production --out scores.csv
//! ```
//!
//! Reads every row of the table (a `trainer features` folder or a .csv /
//! .parquet file holding the model's feature columns by name), scores each
//! client with the published model, decides under `--strategy` and writes
//! one CSV line per client: id, probability of default, decision, the
//! threshold, and the top reasons (features pushing towards default). The
//! output is written to a temporary file renamed at the end, so a crash
//! never leaves a half file.
//!
//! `--shard K/N` scores only the K-th of N contiguous slices of the table's
//! rows (K from 0), so N processes (the pods of an Indexed Job) share a
//! portfolio: the N files, headers aside, concatenated in order K = 0..N-1
//! are byte for byte the file of one unsharded run.

use std::fmt;
use std::io::Write;
use std::ops::Range;
use std::path::PathBuf;
use std::str::FromStr;

use rayon::prelude::*;
use scoring_core::registry::Registry;
use scoring_core::{Outcome, ShapScratch, Strategy};

use crate::train::table::read_for_scoring;
use crate::{Error, Result};

/// Rows explained together by one worker.
const SCORE_BLOCK: usize = 256;

/// Options of `trainer score`.
#[derive(Debug, Clone, clap::Args)]
pub struct ScoreArgs {
    /// The portfolio: a `trainer features` folder, or a .csv / .parquet file.
    #[arg(long, env = "CREDIT_FEATURES", default_value = "data/features")]
    pub features: PathBuf,
    /// The model registry.
    #[arg(long, env = "CREDIT_REGISTRY", default_value = "registry")]
    pub registry: PathBuf,
    /// Version id or alias of the model to use.
    #[arg(long, env = "TRAINER_SCORE_MODEL", default_value = "production")]
    pub model: String,
    /// Decision strategy: prudent, normal or aggressive.
    #[arg(long, env = "TRAINER_STRATEGY", default_value = "normal")]
    pub strategy: String,
    /// Column identifying a client.
    #[arg(long, env = "TRAINER_ID_COLUMN", default_value = "SK_ID_CURR")]
    pub id_column: String,
    /// Reasons per client (0 skips the explanations, much faster).
    #[arg(long, env = "TRAINER_REASONS", default_value_t = 4)]
    pub reasons: usize,
    /// Output CSV file.
    #[arg(long, env = "TRAINER_SCORE_OUT", default_value = "scores.csv")]
    pub out: PathBuf,
    /// Score only slice K of N of the rows (K from 0): `K/N`.
    #[arg(long, env = "TRAINER_SHARD", default_value = "0/1")]
    pub shard: Shard,
}

/// One of `count` contiguous slices of a table's rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub index: usize,
    pub count: usize,
}

impl Shard {
    /// All the rows.
    pub const WHOLE: Self = Self { index: 0, count: 1 };

    /// The rows of this shard among `rows`: slice sizes differ by at most one.
    pub fn range(&self, rows: usize) -> Range<usize> {
        let bound = |k: usize| {
            usize::try_from(k as u128 * rows as u128 / self.count as u128).unwrap_or(rows)
        };
        bound(self.index)..bound(self.index + 1)
    }
}

impl FromStr for Shard {
    type Err = String;

    fn from_str(text: &str) -> std::result::Result<Self, String> {
        let expected =
            || format!("`{text}` is not a shard: expected K/N with 0 <= K < N (e.g. 2/8)");
        let (k, n) = text.split_once('/').ok_or_else(expected)?;
        let (index, count) = match (k.trim().parse::<usize>(), n.trim().parse::<usize>()) {
            (Ok(index), Ok(count)) => (index, count),
            _ => return Err(expected()),
        };
        if count == 0 || index >= count {
            return Err(expected());
        }
        Ok(Self { index, count })
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

/// Scores the portfolio; returns the number of clients written.
pub fn run(args: &ScoreArgs) -> Result<usize> {
    let strategy: Strategy = args.strategy.parse()?;
    if args.reasons > scoring_core::policy::MAX_REASONS {
        return Err(Error::InvalidArgument {
            flag: "--reasons",
            message: format!(
                "at most {} reasons are given, asked for {}",
                scoring_core::policy::MAX_REASONS,
                args.reasons
            ),
        });
    }
    let registry = Registry::open(&args.registry)?;
    let version = registry.resolve(&args.model)?;
    let published = registry.show(version.as_str())?.model;
    let rows = read_for_scoring(&args.features, published.schema(), &args.id_column)?;
    let n = published.model().n_features();
    let shard = args.shard.range(rows.len());
    let bar = indicatif::ProgressBar::new(shard.len() as u64);
    let model_error = |source| Error::TrainModel {
        stage: "scoring the portfolio",
        source,
    };
    let thresholds = published.thresholds();
    let line = |id: i64, p: f64, reasons: &[&str]| {
        let decision = match thresholds.outcome(strategy, p) {
            Outcome::Accept => "ACCEPT",
            Outcome::Refuse => "REFUSE",
        };
        let mut line = format!(
            "{id},{},{decision},{}",
            ryu::Buffer::new().format(p),
            thresholds.get(strategy)
        );
        for k in 0..args.reasons {
            line.push(',');
            line.push_str(reasons.get(k).copied().unwrap_or(""));
        }
        line.push('\n');
        line
    };
    // Blocks of rows, explained together (each tree's tables reused over a
    // block) on every core, one TreeSHAP scratch per worker.
    let blocks: Vec<Range<usize>> = shard
        .clone()
        .step_by(SCORE_BLOCK)
        .map(|start| start..(start + SCORE_BLOCK).min(shard.end))
        .collect();
    let lines = blocks
        .into_par_iter()
        .map_init(
            || ShapScratch::for_model(published.model()),
            |scratch, block| -> Result<Vec<String>> {
                let values = &rows.values[block.start * n..block.end * n];
                let ids = &rows.ids[block.clone()];
                let lines = if args.reasons == 0 {
                    let mut p = vec![0.0; block.len()];
                    published
                        .model()
                        .predict_probability_batch(values, &mut p)
                        .map_err(model_error)?;
                    ids.iter()
                        .zip(&p)
                        .map(|(&id, &p)| line(id, p, &[]))
                        .collect()
                } else {
                    published
                        .decide_batch(values, strategy, args.reasons, scratch)
                        .map_err(model_error)?
                        .iter()
                        .zip(ids)
                        .map(|(d, &id)| {
                            let reasons: Vec<&str> =
                                d.reasons.iter().map(|r| r.feature.as_str()).collect();
                            line(id, d.probability_of_default, &reasons)
                        })
                        .collect()
                };
                bar.inc(block.len() as u64);
                Ok(lines)
            },
        )
        .collect::<Result<Vec<Vec<String>>>>()?
        .into_iter()
        .flatten()
        .collect::<Vec<String>>();
    bar.finish_and_clear();
    let io = |action: &'static str, path: &PathBuf| {
        let path = path.clone();
        move |source| Error::Io {
            path,
            action,
            source,
        }
    };
    let partial = args.out.with_extension("csv.partial");
    let mut file =
        std::io::BufWriter::new(std::fs::File::create(&partial).map_err(io("creating", &partial))?);
    let mut header = format!(
        "{},probability_of_default,decision,threshold",
        args.id_column
    );
    for k in 1..=args.reasons {
        header.push_str(&format!(",reason_{k}"));
    }
    writeln!(file, "{header}").map_err(io("writing", &partial))?;
    for line in &lines {
        file.write_all(line.as_bytes())
            .map_err(io("writing", &partial))?;
    }
    file.into_inner()
        .map_err(|e| e.into_error())
        .and_then(|f| f.sync_all())
        .map_err(io("writing", &partial))?;
    std::fs::rename(&partial, &args.out).map_err(io("renaming into place", &args.out))?;
    println!(
        "scored {} clients (shard {}) with model {version} ({strategy}) into {}",
        lines.len(),
        args.shard,
        args.out.display()
    );
    Ok(lines.len())
}
