#!/usr/bin/env bash
# Builds the platform's binaries and installs them into OUT_DIR, exactly as
# the container images do (deploy/docker/Dockerfile runs this script), then
# runs each one with --version to show it starts where it was built.
#
#   deploy/build-binaries.sh OUT_DIR BINARY...    BINARY: scoring-grpc, gateway, trainer
#
# BUILD_PROFILE picks the cargo profile: `release` (the default, what the
# images ship) or `dev` (what CI runs, reusing the test build instead of a
# second, release, compilation of the workspace).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$#" -lt 2 ]; then
    echo "usage: $0 OUT_DIR BINARY... (BINARY: scoring-grpc, gateway, trainer)" >&2
    exit 2
fi
out="$1"
shift
profile="${BUILD_PROFILE:-release}"
case "$profile" in
    release) dir=release ;;
    dev) dir=debug ;;
    *) echo "BUILD_PROFILE must be release or dev, not '$profile'" >&2; exit 2 ;;
esac

args=()
for bin in "$@"; do
    case "$bin" in
        scoring-grpc | gateway | trainer) args+=(-p "$bin" --bin "$bin") ;;
        *) echo "unknown binary '$bin' (expected scoring-grpc, gateway or trainer)" >&2; exit 2 ;;
    esac
done

cargo build --locked --profile "$profile" "${args[@]}"

target="${CARGO_TARGET_DIR:-target}"
mkdir -p "$out"
for bin in "$@"; do
    install -m 0755 "$target/$dir/$bin" "$out/$bin"
    printf '%s: ' "$out/$bin"
    "$out/$bin" --version
done
