//! The rule for a test whose prerequisite is missing: on a developer's
//! machine it is skipped with a message saying what to install or set; under
//! `CI=true` it fails with that message, so a green CI run never hides a test
//! that did not run.

use std::path::{Path, PathBuf};
use std::process::Command;

/// True when running under CI (`CI=true`, as `.ci/run` sets it).
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true")
}

/// What to do about a missing prerequisite: `None` (after printing why) on
/// a developer's machine; a panic with the same message under CI.
#[track_caller]
pub fn missing<T>(what: &str) -> Option<T> {
    if in_ci() {
        panic!("prerequisite missing under CI=true: {what}");
    }
    eprintln!("skipping: {what}");
    None
}

/// `sub` under the shared data folder (`$CREDIT_SHARED_DATA`), if present.
#[track_caller]
pub fn shared_data(sub: &str) -> Option<PathBuf> {
    let dir = std::env::var_os("CREDIT_SHARED_DATA").map(|root| PathBuf::from(root).join(sub));
    match dir {
        Some(dir) if dir.is_dir() => Some(dir),
        _ => missing(&format!(
            "set CREDIT_SHARED_DATA to the shared data folder (with {sub}/) to run this test"
        )),
    }
}

/// The headless browser the page tests drive (`/usr/bin/chromium`, or
/// `$CHROME`), if installed.
#[track_caller]
pub fn chromium() -> Option<PathBuf> {
    let path = std::env::var_os("CHROME")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"));
    if path.is_file() {
        Some(path)
    } else {
        missing(&format!(
            "no Chromium at {} (apt-get install chromium, or set CHROME)",
            path.display()
        ))
    }
}

/// Where `deploy/prerequisites.sh` installs axe-core, under `$HOME`.
const AXE_CORE_UNDER_HOME: &str = ".cache/credit-scoring/npm/node_modules/axe-core/axe.min.js";

/// axe-core's `axe.min.js`, the accessibility rules the browser test runs
/// in every page (`$AXE_CORE_JS`, else where `deploy/prerequisites.sh`
/// installs it with npm), if installed.
#[track_caller]
pub fn axe_core() -> Option<PathBuf> {
    let path = std::env::var_os("AXE_CORE_JS")
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME").map(|home| PathBuf::from(home).join(AXE_CORE_UNDER_HOME))
        });
    match path {
        Some(path) if path.is_file() => Some(path),
        path => missing(&format!(
            "no axe-core at {} (deploy/prerequisites.sh installs it with npm, or set AXE_CORE_JS)",
            path.map_or_else(
                || format!("$HOME/{AXE_CORE_UNDER_HOME}"),
                |p| p.display().to_string()
            )
        )),
    }
}

/// A `python3` that can import every module of `modules`, if there is one.
#[track_caller]
pub fn python_with(modules: &[&str], requirements: &Path) -> Option<PathBuf> {
    let python = PathBuf::from("python3");
    let script = modules
        .iter()
        .map(|m| format!("import {m}"))
        .collect::<Vec<_>>()
        .join("; ");
    let ok = Command::new(&python)
        .args(["-c", &script])
        .output()
        .is_ok_and(|out| out.status.success());
    if ok {
        Some(python)
    } else {
        missing(&format!(
            "python3 with {} (pip install -r {})",
            modules.join(", "),
            requirements.display()
        ))
    }
}
