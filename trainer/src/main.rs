//! `trainer`: the command line of the modelling side of the platform.
//!
//! ```text
//! trainer synth    --out data/synth --applicants 20000   # Home Credit-shaped synthetic data
//! trainer features --data data/synth --out data/features  # per-client feature table + schema
//! trainer train --features data/features --registry registry  # train, evaluate, publish
//! trainer models --registry registry list                 # published model versions
//! trainer models promote v3 --alias production             # point an alias at a version
//! trainer models rollback --alias production               # move it back
//! trainer score --features data/features --out scores.csv  # a whole portfolio
//! trainer backtest --audit audit/ --outcomes outcomes.csv   # decisions vs outcomes
//! ```
//!
//! Every flag can also be given as an environment variable (`trainer <cmd>
//! --help` lists them with their defaults), named by one scheme:
//! - what the binaries share has one shared name: `CREDIT_REGISTRY` (the
//!   model registry), `CREDIT_DATA` (the Home Credit files: `synth --out`,
//!   `features --data`), `CREDIT_FEATURES` (the feature table:
//!   `features --out`, `train --features`, `score --features`);
//! - every other flag is `TRAINER_<FLAG>` (`--trees`: `TRAINER_TREES`),
//!   one variable for a flag that several commands share with the same
//!   meaning (`TRAINER_SEED`, `TRAINER_ID_COLUMN`, `TRAINER_ALIAS`), and
//!   `TRAINER_<COMMAND>_<FLAG>` where commands give the same flag different
//!   meanings (`TRAINER_TRAIN_MODEL`, `TRAINER_SCORE_MODEL`).

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Polars allocates and frees large buffers from every thread at once. The
/// system allocator kept 5.7 GiB resident on a full-size portfolio; mimalloc
/// returned freed pages so eagerly that zeroing them again took a third of
/// the run; jemalloc keeps them for a few seconds, as polars' own Python
/// package does. By default jemalloc gives every allocation of 8 MiB or more
/// an arena that returns its pages the moment they are freed, and a table's
/// columns are all that large: the next table's columns were then zeroed by
/// the kernel page by page again. `.cargo/config.toml` builds jemalloc
/// without that arena (`oversize_threshold:0`): about a fifth less time for
/// a tenth more peak memory on a full-size portfolio.
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

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
    /// Join the service's audit log with observed outcomes: realized
    /// default rates, AUC, calibration and cost per version and strategy.
    Backtest(trainer::backtest::BacktestArgs),
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
        Command::Backtest(args) => trainer::backtest::run(&args)
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

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::Cli;

    /// Checks the scheme of the module doc on `command` and its subcommands;
    /// `path` names the subcommand (`train`, `models promote`).
    fn check_scheme(command: &clap::Command, path: &str) {
        let shared = ["CREDIT_REGISTRY", "CREDIT_DATA", "CREDIT_FEATURES"];
        let top = path.split(' ').next().unwrap_or_default().to_uppercase();
        for arg in command.get_arguments() {
            let Some(flag) = arg.get_long() else { continue };
            if ["help", "version"].contains(&flag) && path.is_empty() {
                continue;
            }
            let Some(env) = arg.get_env().and_then(|e| e.to_str()) else {
                assert!(
                    flag == "help",
                    "{path} --{flag} has no environment variable"
                );
                continue;
            };
            let snake = flag.replace('-', "_").to_uppercase();
            assert!(
                shared.contains(&env)
                    || env == format!("TRAINER_{snake}")
                    || env == format!("TRAINER_{top}_{snake}"),
                "{path} --{flag}: {env} does not follow the scheme"
            );
        }
        for sub in command.get_subcommands() {
            let name = format!("{path} {}", sub.get_name());
            check_scheme(sub, name.trim());
        }
    }

    #[test]
    fn every_flag_has_an_environment_variable_of_the_one_scheme() {
        let command = Cli::command();
        command.clone().debug_assert();
        check_scheme(&command, "");
    }
}
