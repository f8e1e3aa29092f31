//! Records the commit the trainer was built from, for `code_version`.

use std::process::Command;

fn main() {
    let commit = Command::new("git")
        .args(["rev-parse", "--short=12", "HEAD"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty());
    // Uncommitted changes are not flagged: that would rebuild the crate on
    // every edit anywhere in the repository.
    let version = match commit {
        Some(c) => format!("git:{c}"),
        None => format!("{}-unknown-commit", env!("CARGO_PKG_VERSION")),
    };
    println!("cargo:rustc-env=TRAINER_CODE_VERSION={version}");
    println!("cargo:rerun-if-changed=../.git/HEAD");
    println!("cargo:rerun-if-changed=../.git/refs/heads");
}
