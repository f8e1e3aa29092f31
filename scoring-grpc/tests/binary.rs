//! The `scoring-grpc` binary as a process: flags and environment variables,
//! refusals and start-up failures as a non-zero exit with the flags named,
//! and the start-up log without secrets.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use scoring_grpc::auth::hash_key;

const BIN: &str = env!("CARGO_BIN_EXE_scoring-grpc");

/// The binary with none of its variables inherited from the caller's
/// environment.
fn service() -> Command {
    let mut command = Command::new(BIN);
    command.env_clear().env("NO_COLOR", "1");
    command
}

fn output(command: &mut Command) -> Output {
    command.output().expect("run scoring-grpc")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Kills the child when the test ends, passed or not.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn refused_flags_exit_non_zero_naming_the_flags() {
    let dir = tempfile::tempdir().expect("tmp");
    let registry = dir.path().join("registry");

    let missing = output(service().arg("--no-auth"));
    assert!(!missing.status.success());
    assert!(
        stderr(&missing).contains("--registry"),
        "{}",
        stderr(&missing)
    );

    let no_keys = output(service().arg("--registry").arg(&registry));
    assert!(!no_keys.status.success());
    assert!(
        stderr(&no_keys).contains("--no-auth"),
        "{}",
        stderr(&no_keys)
    );

    // Mutual TLS without a server certificate, from the environment.
    let client_ca = output(
        service()
            .env("CREDIT_REGISTRY", &registry)
            .env("SCORING_NO_AUTH", "true")
            .env("SCORING_TLS_CLIENT_CA", dir.path().join("ca.pem")),
    );
    assert_eq!(client_ca.status.code(), Some(1));
    let message = stderr(&client_ca);
    assert!(
        message.contains("--tls-client-ca needs --tls-cert and --tls-key"),
        "{message}"
    );

    let not_a_flag = output(
        service()
            .env("CREDIT_REGISTRY", &registry)
            .env("SCORING_NO_AUTH", "maybe"),
    );
    assert!(!not_a_flag.status.success());
    assert!(stderr(&not_a_flag).contains("--no-auth"));
}

#[test]
fn start_up_failures_exit_non_zero() {
    let dir = tempfile::tempdir().expect("tmp");
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let out = output(
        service()
            .arg("--registry")
            .arg(dir.path().join("registry"))
            .args(["--no-auth", "--listen"])
            .arg(taken.local_addr().expect("addr").to_string()),
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("cannot bind"), "{}", stderr(&out));
}

#[test]
fn serves_with_settings_from_the_environment_and_logs_them_without_key_hashes() {
    let dir = tempfile::tempdir().expect("tmp");
    let hash = hash_key("a-token");
    let child = service()
        .env("CREDIT_REGISTRY", dir.path().join("registry"))
        .env("SCORING_LISTEN", "127.0.0.1:0")
        .env("SCORING_API_KEYS", format!("dashboard:{hash}"))
        .env("SCORING_LOG_JSON", "1")
        .env("RUST_LOG", "info")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start scoring-grpc");
    let mut child = Running(child);
    let stderr = child.0.stderr.take().expect("stderr");
    let (lines, logged) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if lines.send(line).is_err() {
                break;
            }
        }
    });
    let mut log = Vec::new();
    while let Ok(line) = logged.recv_timeout(Duration::from_secs(60)) {
        let serving = line.contains("\"serving\"");
        log.push(line);
        if serving {
            break;
        }
    }
    let log = log.join("\n");
    assert!(log.contains("\"serving\""), "no serving line in {log}");
    let starting = log
        .lines()
        .find(|l| l.contains("\"starting\""))
        .unwrap_or_else(|| panic!("no starting line in {log}"));
    assert!(starting.starts_with('{'), "JSON lines: {starting}");
    assert!(starting.contains("dashboard"), "{starting}");
    assert!(!log.contains(&hash), "the key hash is not logged: {log}");
}
