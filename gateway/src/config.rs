//! The `gateway` binary's configuration: one clap struct, every flag also an
//! environment variable, secrets redacted when logged.

use std::{net::SocketAddr, path::PathBuf};

use axum_extra::extract::cookie::Key;
use clap::{Parser, Subcommand};

use crate::error::StartError;

/// The loan officers' dashboard: serves the pages (default), or prints a
/// password hash for the users file (`gateway hash-password`).
#[derive(Parser)]
#[command(
    version,
    args_conflicts_with_subcommands = true,
    subcommand_negates_reqs = true
)]
pub struct Cli {
    /// A one-off task instead of serving.
    #[command(subcommand)]
    pub command: Option<Command>,
    /// How to serve.
    #[command(flatten)]
    pub serve: Config,
}

/// One-off tasks.
#[derive(Subcommand)]
pub enum Command {
    /// Reads a password on standard input and prints its argon2id hash, to
    /// put in the users file as `password_hash`.
    HashPassword,
}

/// How the dashboard is served.
#[derive(clap::Args, Clone)]
pub struct Config {
    /// Address to listen on.
    #[arg(long, env = "GATEWAY_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// gRPC URL of the scoring service.
    #[arg(
        long,
        env = "GATEWAY_SCORING_ENDPOINT",
        default_value = "http://127.0.0.1:50051"
    )]
    pub scoring_endpoint: String,
    /// Bearer token sent to the scoring service as `authorization` metadata.
    #[arg(long, env = "GATEWAY_API_KEY", hide_env_values = true)]
    pub api_key: Option<String>,
    /// TOML file of users: `[[users]]` tables with `name` and `password_hash`.
    #[arg(long, env = "GATEWAY_USERS", required = true)]
    pub users: Option<PathBuf>,
    /// Marks the cookies `Secure` (set it when served over HTTPS).
    #[arg(long, env = "GATEWAY_SECURE_COOKIES")]
    pub secure_cookies: bool,
    /// Cookie key, at least 128 hex digits; a random one per start when
    /// unset (sessions then end when the gateway restarts).
    #[arg(long, env = "GATEWAY_COOKIE_KEY", hide_env_values = true)]
    pub cookie_key: Option<String>,
    /// Feature-name prefixes of factors the client cannot act on, comma
    /// separated; a sensible default list when unset.
    #[arg(long, env = "GATEWAY_FIXED_FACTORS", value_delimiter = ',')]
    pub fixed_factors: Vec<String>,
}

impl Config {
    /// The cookie key from `--cookie-key`, or a fresh random one.
    pub fn key(&self) -> Result<Key, StartError> {
        match &self.cookie_key {
            None => Ok(Key::generate()),
            Some(text) => {
                let bytes = hex::decode(text.trim()).map_err(|_| StartError::CookieKey)?;
                Key::try_from(bytes.as_slice()).map_err(|_| StartError::CookieKey)
            }
        }
    }

    /// The configuration as logged at start-up, secrets redacted.
    pub fn redacted(&self) -> String {
        format!(
            "listen={} scoring_endpoint={} api_key={} users={} secure_cookies={} cookie_key={} fixed_factors={:?}",
            self.listen,
            self.scoring_endpoint,
            if self.api_key.is_some() {
                "<redacted>"
            } else {
                "<none>"
            },
            self.users
                .as_deref()
                .map(|p| p.display().to_string())
                .unwrap_or_default(),
            self.secure_cookies,
            if self.cookie_key.is_some() {
                "<redacted>"
            } else {
                "<generated>"
            },
            self.fixed_factors
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_parse_and_secrets_are_redacted() {
        let cli = Cli::try_parse_from([
            "gateway",
            "--users",
            "u.toml",
            "--api-key",
            "topsecret",
            "--fixed-factors",
            "A_,B_",
        ])
        .unwrap();
        assert!(cli.command.is_none());
        assert_eq!(cli.serve.fixed_factors, ["A_", "B_"]);
        assert!(!cli.serve.redacted().contains("topsecret"));
    }

    #[test]
    fn hash_password_needs_no_users_file() {
        let cli = Cli::try_parse_from(["gateway", "hash-password"]).unwrap();
        assert!(matches!(cli.command, Some(Command::HashPassword)));
    }

    #[test]
    fn bad_cookie_key_is_refused() {
        let mut cli = Cli::try_parse_from(["gateway", "--users", "u"]).unwrap();
        cli.serve.cookie_key = Some("abcd".into());
        assert!(matches!(cli.serve.key(), Err(StartError::CookieKey)));
        cli.serve.cookie_key = Some("ab".repeat(64));
        assert!(cli.serve.key().is_ok());
    }
}
