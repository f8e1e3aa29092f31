//! The `gateway` binary's configuration: one clap struct, every flag also an
//! environment variable named `GATEWAY_` and the flag in capitals
//! (`--scoring-endpoint` is `GATEWAY_SCORING_ENDPOINT`). Secrets are
//! [`SecretString`]s, whose `Debug` is `[REDACTED]`, so the configuration is
//! logged whole with `?config`.

use std::{net::SocketAddr, path::PathBuf};

use axum_extra::extract::cookie::Key;
use clap::{
    ArgAction, Parser, Subcommand,
    builder::{BoolishValueParser, StringValueParser, TypedValueParser},
};
use secrecy::{ExposeSecret, SecretString};

use crate::error::StartError;
use crate::tls::ServiceTls;

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

/// A flag's text as a secret.
fn secret() -> impl TypedValueParser<Value = SecretString> {
    StringValueParser::new().map(SecretString::from)
}

/// How the dashboard is served.
#[derive(clap::Args, Clone, Debug)]
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
    /// CA certificate (PEM) that signs the scoring service's certificate, for
    /// an https:// endpoint; the system's roots when unset.
    #[arg(long, env = "GATEWAY_SCORING_CA")]
    pub scoring_ca: Option<PathBuf>,
    /// Certificate chain (PEM) the gateway presents to the service (mutual
    /// TLS); needs --scoring-client-key.
    #[arg(long, env = "GATEWAY_SCORING_CLIENT_CERT")]
    pub scoring_client_cert: Option<PathBuf>,
    /// Private key (PEM) of --scoring-client-cert.
    #[arg(long, env = "GATEWAY_SCORING_CLIENT_KEY")]
    pub scoring_client_key: Option<PathBuf>,
    /// Name the service's certificate must carry when the endpoint's host is
    /// not it (an address, a headless Service's pod).
    #[arg(long, env = "GATEWAY_SCORING_TLS_DOMAIN")]
    pub scoring_tls_domain: Option<String>,
    /// Bearer token sent to the scoring service as `authorization` metadata.
    #[arg(long, env = "GATEWAY_API_KEY", hide_env_values = true, value_parser = secret())]
    pub api_key: Option<SecretString>,
    /// TOML file of users: `[[users]]` tables with `name` and `password_hash`.
    #[arg(long, env = "GATEWAY_USERS", required = true)]
    pub users: Option<PathBuf>,
    /// Marks the cookies `Secure` and sends `Strict-Transport-Security`:
    /// the dashboard is meant to be served over HTTPS (a TLS-terminating
    /// proxy in front). `--secure-cookies=false` only for plain HTTP on a
    /// developer's machine.
    #[arg(
        long,
        env = "GATEWAY_SECURE_COOKIES",
        default_value_t = true,
        num_args = 0..=1,
        default_missing_value = "true",
        action = ArgAction::Set,
        value_parser = BoolishValueParser::new()
    )]
    pub secure_cookies: bool,
    /// Minutes after which an unused session ends.
    #[arg(long, env = "GATEWAY_SESSION_IDLE_MINUTES", default_value_t = 30,
          value_parser = clap::value_parser!(u64).range(1..=24 * 60))]
    pub session_idle_minutes: u64,
    /// Hours after sign-in at which a session ends, used or not.
    #[arg(long, env = "GATEWAY_SESSION_MAX_HOURS", default_value_t = 10,
          value_parser = clap::value_parser!(u64).range(1..=7 * 24))]
    pub session_max_hours: u64,
    /// Header in which a trusted reverse proxy passes the client's address
    /// (for example `x-forwarded-for`; its last address is used), for the
    /// per-address sign-in throttle. Unset: the TCP peer's address. Set it
    /// only behind a proxy that overwrites the header.
    #[arg(long, env = "GATEWAY_CLIENT_ADDRESS_HEADER")]
    pub client_address_header: Option<axum::http::HeaderName>,
    /// Cookie key, at least 128 hex digits, that encrypts the cookies; a
    /// random one per start when unset.
    #[arg(long, env = "GATEWAY_COOKIE_KEY", hide_env_values = true, value_parser = secret())]
    pub cookie_key: Option<SecretString>,
}

impl Config {
    /// How long sessions live.
    pub fn session_policy(&self) -> crate::sessions::SessionPolicy {
        crate::sessions::SessionPolicy {
            idle: std::time::Duration::from_secs(self.session_idle_minutes * 60),
            absolute: std::time::Duration::from_secs(self.session_max_hours * 3600),
        }
    }

    /// The TLS settings of the connection to the scoring service.
    pub fn service_tls(&self) -> ServiceTls {
        ServiceTls {
            ca: self.scoring_ca.clone(),
            client_cert: self.scoring_client_cert.clone(),
            client_key: self.scoring_client_key.clone(),
            domain: self.scoring_tls_domain.clone(),
        }
    }

    /// The cookie key from `--cookie-key`, or a fresh random one.
    pub fn key(&self) -> Result<Key, StartError> {
        match &self.cookie_key {
            None => Ok(Key::generate()),
            Some(text) => {
                let bytes =
                    hex::decode(text.expose_secret().trim()).map_err(|_| StartError::CookieKey)?;
                Key::try_from(bytes.as_slice()).map_err(|_| StartError::CookieKey)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_parse_and_secrets_are_redacted() {
        let cli = Cli::try_parse_from(["gateway", "--users", "u.toml", "--api-key", "topsecret"])
            .unwrap();
        assert!(cli.command.is_none());
        let logged = format!("{:?}", cli.serve);
        assert!(!logged.contains("topsecret"), "{logged}");
        assert!(logged.contains("REDACTED"), "{logged}");
    }

    #[test]
    fn no_secret_appears_in_the_logged_configuration() {
        let key = "ab".repeat(64);
        let cli = Cli::try_parse_from([
            "gateway",
            "--users=u.toml",
            "--api-key=bearer-token-1",
            &format!("--cookie-key={key}"),
        ])
        .unwrap();
        assert!(cli.serve.key().is_ok(), "the key is still usable");
        let logged = format!("{:?}", cli.serve);
        for secret in ["bearer-token-1", key.as_str()] {
            assert!(!logged.contains(secret), "{secret} in {logged}");
        }
        assert!(logged.contains("u.toml"), "the rest is shown: {logged}");
    }

    #[test]
    fn cookies_are_secure_unless_turned_off_and_sessions_have_limits() {
        let parse = |extra: &[&str]| {
            let mut args = vec!["gateway", "--users", "u.toml"];
            args.extend_from_slice(extra);
            Cli::try_parse_from(args).map(|cli| cli.serve)
        };
        let default = parse(&[]).unwrap();
        assert!(default.secure_cookies, "secure by default");
        assert_eq!(
            default.session_policy(),
            crate::sessions::SessionPolicy::default()
        );
        assert!(parse(&["--secure-cookies"]).unwrap().secure_cookies);
        assert!(!parse(&["--secure-cookies=false"]).unwrap().secure_cookies);
        let short = parse(&["--session-idle-minutes=5", "--session-max-hours=2"]).unwrap();
        assert_eq!(short.session_policy().idle.as_secs(), 300);
        assert_eq!(short.session_policy().absolute.as_secs(), 7200);
        for bad in [
            "--session-idle-minutes=0",
            "--session-max-hours=0",
            "--session-max-hours=1000",
            "--client-address-header=not a header",
        ] {
            let error = parse(&[bad]).expect_err(bad).to_string();
            assert!(error.contains(bad.split('=').next().unwrap()), "{error}");
        }
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
        cli.serve.cookie_key = Some("ab".repeat(64).into());
        assert!(cli.serve.key().is_ok());
    }
}
