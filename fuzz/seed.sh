#!/bin/sh
# Builds the fuzz targets and writes their seed corpora into fuzz/corpus/
# (not committed). Run from the repository root:  sh fuzz/seed.sh
set -eu
cd "$(dirname "$0")"
target_dir="${FUZZ_TARGET_DIR:-target}"
cargo +nightly fuzz build --target-dir "$target_dir"
"$target_dir"/x86_64-unknown-linux-gnu/release/seed_corpora corpus
