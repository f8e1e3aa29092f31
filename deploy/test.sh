#!/usr/bin/env bash
# The project's checks, as CI runs them (.ci/run calls exactly this):
# prerequisites, formatting, clippy with warnings as errors, the API docs
# with warnings as errors (broken intra-doc links included), then every test
# of the workspace. Stops at the first failure.
#
# Under CI=true a test whose prerequisite (the shared Home Credit data,
# Chromium, Python packages) is missing fails instead of skipping itself.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*"; }

step "prerequisites"
./deploy/prerequisites.sh

step "cargo fmt --check"
cargo fmt --all --check

step "cargo clippy (warnings are errors)"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "cargo doc (warnings are errors)"
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps --locked

step "cargo test"
cargo test --workspace --locked
