//! The `gateway` binary itself: `hash-password`, refusing a bad start, and
//! serving the sign-in page on a free loopback port.
#![allow(clippy::unwrap_used)] // helpers outside #[test] fns: a failed unwrap is a failed test

use std::{
    io::{BufRead, BufReader, Read, Write},
    net::TcpStream,
    process::{Command, Stdio},
};

use argon2::{Argon2, PasswordHash, PasswordVerifier};

const BIN: &str = env!("CARGO_BIN_EXE_gateway");

fn hash_password(input: &str) -> std::process::Output {
    let mut child = Command::new(BIN)
        .arg("hash-password")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn hash_password_prints_a_verifiable_argon2id_hash() {
    let out = hash_password("s3cret pass\n");
    assert!(out.status.success());
    let hash = String::from_utf8(out.stdout).unwrap();
    let hash = hash.trim();
    assert!(hash.starts_with("$argon2id$"), "{hash}");
    let parsed = PasswordHash::new(hash).unwrap();
    assert!(
        Argon2::default()
            .verify_password(b"s3cret pass", &parsed)
            .is_ok()
    );
}

#[test]
fn hash_password_refuses_an_empty_password() {
    let out = hash_password("\n");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("standard input"));
}

#[test]
fn serving_needs_a_readable_valid_users_file() {
    let missing = Command::new(BIN)
        .env_remove("GATEWAY_USERS")
        .output()
        .unwrap();
    assert!(!missing.status.success());
    assert!(String::from_utf8_lossy(&missing.stderr).contains("--users"));

    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("users.toml");
    std::fs::write(
        &bad,
        "[[users]]\nname = \"ann\"\npassword_hash = \"plain\"\n",
    )
    .unwrap();
    let out = Command::new(BIN)
        .args(["--listen", "127.0.0.1:0", "--users"])
        .arg(&bad)
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("user \"ann\" has an invalid password hash")
    );

    let out = Command::new(BIN)
        .args(["--listen", "127.0.0.1:0", "--users"])
        .arg(dir.path().join("absent.toml"))
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot read the users file"));
}

#[test]
fn serves_the_sign_in_page_with_the_service_down() {
    let dir = tempfile::tempdir().unwrap();
    let users = dir.path().join("users.toml");
    let hash = String::from_utf8(hash_password("pw").stdout).unwrap();
    std::fs::write(
        &users,
        format!(
            "[[users]]\nname = \"ann\"\npassword_hash = \"{}\"\n",
            hash.trim()
        ),
    )
    .unwrap();
    let mut child = Command::new(BIN)
        .args([
            "--listen",
            "127.0.0.1:0",
            "--scoring-endpoint",
            "http://127.0.0.1:9",
            "--api-key",
            "hush",
            "--users",
        ])
        .arg(&users)
        .env("RUST_LOG", "info")
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut addr = None;
    let mut logged = String::new();
    for line in lines.by_ref().take(20) {
        let line = line.unwrap();
        logged.push_str(&line);
        if let Some(at) = line.find("addr=") {
            addr = Some(line[at + 5..].split_whitespace().next().unwrap().to_owned());
            break;
        }
    }
    let addr = addr.unwrap_or_else(|| panic!("no listening line in {logged}"));
    assert!(
        !logged.contains("hush"),
        "the API key is redacted: {logged}"
    );
    let mut stream = TcpStream::connect(&addr).unwrap();
    stream
        .write_all(b"GET /signin HTTP/1.0\r\nHost: x\r\nAccept-Language: fr\r\n\r\n")
        .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(
        response.starts_with("HTTP/1.0 200") || response.starts_with("HTTP/1.1 200"),
        "{response}"
    );
    assert!(response.contains("Mot de passe"));
}
