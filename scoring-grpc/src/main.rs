//! `scoring-grpc`: serves the model a registry alias names over gRPC.
//!
//! ```text
//! scoring-grpc --registry ./registry --alias production --listen 0.0.0.0:50051 \
//!     --metrics-listen 0.0.0.0:9090 --config scoring.toml
//! ```
//!
//! Every flag is also an environment variable (`SCORING_*`, see `--help`);
//! API keys come from the TOML file (`[[api_keys]]`) or `--api-key
//! caller:sha256`, and `--no-auth` serves without them. Logs go to stderr
//! (`RUST_LOG` filters them, `SCORING_LOG_JSON=1` for JSON lines).

use std::process::ExitCode;

use clap::Parser;
use scoring_grpc::config::{Cli, Config};
use scoring_grpc::server::start;
use scoring_proto::shutdown_signal;
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> ExitCode {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let json = std::env::var("SCORING_LOG_JSON").is_ok_and(|v| v == "1");
    if json {
        tracing_subscriber::fmt()
            .with_env_filter(filter)
            .json()
            .with_writer(std::io::stderr)
            .init();
    } else {
        tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_writer(std::io::stderr)
            .init();
    }
    match run(Cli::parse()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            let mut message = error.to_string();
            let mut source = std::error::Error::source(&error);
            while let Some(s) = source {
                message.push_str(&format!(": {s}"));
                source = s.source();
            }
            tracing::error!("{message}");
            eprintln!("scoring-grpc: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> Result<(), scoring_grpc::error::ConfigError> {
    let file = match &cli.config {
        Some(path) => Config::load(path)?,
        None => Config::default(),
    };
    let settings = file.merge(cli)?;
    let server = start(settings).await?;
    tracing::info!(addr = %server.addr, metrics = ?server.metrics_addr, "serving");
    let stop = server.stopper();
    tokio::spawn(async move {
        shutdown_signal().await;
        let _ = stop.send(true);
    });
    server.wait().await
}
