#!/usr/bin/env bash
# One command for a laptop: synthetic data → feature table → training and
# publishing to a local registry (→ service and dashboard as those land).
# Re-running reuses what is already there. Needs only the Rust toolchain
# (prerequisites.sh installs the rest where missing).
set -euo pipefail
cd "$(dirname "$0")/.."

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/credit-scoring/target}"
WORK="${CREDIT_WORK_DIR:-.local}"
APPLICANTS="${SYNTH_APPLICANTS:-20000}"

./deploy/prerequisites.sh
cargo build --release -p trainer
TRAINER="$CARGO_TARGET_DIR/release/trainer"

if [[ ! -f "$WORK/synth/application_train.csv" ]]; then
    "$TRAINER" synth --out "$WORK/synth" --applicants "$APPLICANTS"
fi
if [[ ! -f "$WORK/features/features.parquet" ]]; then
    "$TRAINER" features --data "$WORK/synth" --out "$WORK/features"
fi
echo "feature table: $WORK/features/features.parquet (schema: $WORK/features/feature_schema.json)"
if [[ ! -d "$WORK/registry/versions" ]] || [[ -z "$(ls -A "$WORK/registry/versions" 2>/dev/null)" ]]; then
    "$TRAINER" train --features "$WORK/features" --registry "$WORK/registry" --promote
fi
"$TRAINER" models --registry "$WORK/registry" list
