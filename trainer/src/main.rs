//! `trainer`: the command line of the modelling side of the platform.
//!
//! ```text
//! trainer synth    --out data/synth --applicants 20000   # Home Credit-shaped synthetic data
//! trainer features --data data/synth --out data/features  # per-client feature table + schema
//! trainer train --features data/features --registry registry  # train, evaluate, publish
//! trainer models --registry registry list                 # published model versions
//! trainer models promote v3 --alias production             # point an alias at a version
//! trainer models rollback --alias production               # move it back
//! ```
//!
//! Every flag can also be given as an environment variable (`trainer <cmd> --help`).

use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "trainer",
    version,
    about = "Credit-default modelling: data, features, training, publishing"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Write synthetic data in the Home Credit Default Risk layout.
    Synth(synth::SynthArgs),
    /// Build the per-client feature table (parquet) and its schema (JSON).
    Features(trainer::features::FeaturesArgs),
    /// List, show, promote and roll back published model versions.
    Models(trainer::models::ModelsArgs),
    /// Train, evaluate and publish a model from the feature table (or any
    /// CSV / parquet table with an id and a 0/1 target column).
    Train(trainer::train::TrainArgs),
    /// Score a whole portfolio with a published model version.
    Score(trainer::score::ScoreArgs),
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    let result = match Cli::parse().command {
        Command::Synth(args) => synth::run(&args).map_err(anyhow::Error::from),
        Command::Features(args) => trainer::features::run(&args).map_err(anyhow::Error::from),
        Command::Models(args) => trainer::models::run(&args).map_err(anyhow::Error::from),
        Command::Train(args) => trainer::train::run(&args).map_err(anyhow::Error::from),
        Command::Score(args) => trainer::score::run(&args)
            .map(|_| ())
            .map_err(anyhow::Error::from),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}
