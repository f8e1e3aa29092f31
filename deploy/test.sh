#!/usr/bin/env bash
# The project's checks, as CI runs them (.ci/run calls exactly this):
# prerequisites, formatting, clippy with warnings as errors (the fuzz
# targets' crate too, so that it keeps building), the API docs
# with warnings as errors (broken intra-doc links included), every test of
# the workspace; and the deployment checks: hadolint on the Dockerfile, the
# Kubernetes overlays rendered and validated against the schema, and the
# Prometheus alerting rules, their unit tests and the Grafana dashboard's
# queries (first, they are quick), the script the images build with (last,
# it reuses the test build). Stops at the first failure.
#
# Under CI=true a test whose prerequisite (the shared Home Credit data,
# Chromium, Python packages) is missing fails instead of skipping itself.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*"; }

step "prerequisites"
./deploy/prerequisites.sh

step "hadolint (the images' Dockerfile)"
hadolint deploy/docker/Dockerfile

step "kubectl kustomize + kubernetes-validate (both overlays)"
./deploy/k8s/check.sh

step "promtool check rules + test rules, the dashboard's queries (deploy/monitoring)"
./deploy/monitoring/check.sh

step "cargo fmt --check"
cargo fmt --all --check

step "cargo clippy (warnings are errors)"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "cargo clippy of the fuzz targets (outside the workspace; built for fuzzing by cargo-fuzz)"
cargo clippy --manifest-path fuzz/Cargo.toml --all-targets --locked -- -D warnings

step "cargo doc (warnings are errors)"
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps --locked

step "cargo test"
cargo test --workspace --locked

step "the image build script (the images run it with BUILD_PROFILE=release)"
bin_dir="$(mktemp -d)"
BUILD_PROFILE=dev ./deploy/build-binaries.sh "$bin_dir" scoring-grpc gateway trainer
rm -rf "$bin_dir"
