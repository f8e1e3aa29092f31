//! The `gateway` binary: serves the loan officers' dashboard.
//!
//! ```text
//! gateway --listen 127.0.0.1:8080 --scoring-endpoint http://127.0.0.1:50051 \
//!     --users users.toml [--api-key KEY] [--secure-cookies=false] [--cookie-key HEX]
//! echo -n 'password' | gateway hash-password   # a hash for users.toml
//! ```
//! Every flag is also an environment variable (`GATEWAY_LISTEN`, ...); see
//! `gateway --help` and `gateway/README.md`.

use std::io::Read;
use std::net::SocketAddr;

use clap::Parser;
use gateway::{
    AppState, Inner,
    auth::{Users, hash_password},
    client::ScoringClient,
    config::{Cli, Command, Config},
    error::StartError,
    sessions::Sessions,
};
use secrecy::ExposeSecret;
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    if let Some(Command::HashPassword) = cli.command {
        let mut password = String::new();
        std::io::stdin().read_to_string(&mut password)?;
        let password = password.strip_suffix('\n').unwrap_or(&password);
        let password = password.strip_suffix('\r').unwrap_or(password);
        if password.is_empty() {
            anyhow::bail!("give the password on standard input");
        }
        println!("{}", hash_password(password)?);
        return Ok(());
    }
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .init();
    serve(cli.serve).await?;
    Ok(())
}

async fn serve(config: Config) -> Result<(), StartError> {
    tracing::info!(?config, "starting the gateway");
    let users_path = config.users.clone().unwrap_or_default();
    let users = Users::load(&users_path)?;
    if users.is_empty() {
        tracing::warn!(path = %users_path.display(), "the users file has no user: nobody can sign in");
    }
    let api_key = config.api_key.as_ref().map(ExposeSecret::expose_secret);
    let scoring =
        ScoringClient::connect_lazy_with(&config.scoring_endpoint, api_key, &config.service_tls())?;
    let state = AppState::new(Inner {
        scoring,
        users,
        key: config.key()?,
        secure_cookies: config.secure_cookies,
        sessions: Sessions::new(config.session_policy()),
        client_address_header: config.client_address_header.clone(),
    });
    let listener = tokio::net::TcpListener::bind(config.listen).await?;
    tracing::info!(addr = %listener.local_addr()?, "listening");
    let app = gateway::app(state).into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(scoring_proto::shutdown_signal())
        .await?;
    Ok(())
}
