//! `scoring-grpc`: serves the model a registry alias names over gRPC.
//!
//! ```text
//! scoring-grpc --registry ./registry --alias production --listen 0.0.0.0:50051 \
//!     --metrics-listen 0.0.0.0:9090 --api-key dashboard:<sha256 of its token>
//! scoring-grpc --registry ./registry --no-auth      # a local demo
//! ```
//!
//! Every flag is also an environment variable: `SCORING_` and the flag's
//! name in capitals (`SCORING_LISTEN`, `SCORING_API_KEYS`...), and
//! `CREDIT_REGISTRY` for the registry; `--help` lists them with their
//! defaults. Logs go to stderr (`RUST_LOG` filters them, `--log-json` for
//! JSON lines). The process exits non-zero when the flags are refused, the
//! server cannot start, or it stops other than on Ctrl-C or SIGTERM.

use std::error::Error;
use std::process::ExitCode;

use clap::Parser;
use scoring_grpc::config::Cli;
use scoring_grpc::server::start;
use scoring_proto::shutdown_signal;
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    if cli.log_json {
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
    match run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            let message = chain(error.as_ref());
            tracing::error!("{message}");
            eprintln!("scoring-grpc: {message}");
            ExitCode::FAILURE
        }
    }
}

/// Checks the flags, starts the server and serves until a shutdown signal.
async fn run(cli: Cli) -> Result<(), Box<dyn Error>> {
    let settings = cli.check()?;
    let server = start(settings).await?;
    tracing::info!(addr = %server.addr, metrics = ?server.metrics_addr, "serving");
    let stop = server.stopper();
    tokio::spawn(async move {
        shutdown_signal().await;
        let _ = stop.send(true);
    });
    server.wait().await?;
    Ok(())
}

/// An error and its sources, `: `-separated.
fn chain(error: &dyn Error) -> String {
    let mut message = error.to_string();
    let mut source = error.source();
    while let Some(s) = source {
        message.push_str(": ");
        message.push_str(&s.to_string());
        source = s.source();
    }
    message
}
