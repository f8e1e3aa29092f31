#!/usr/bin/env bash
# The whole platform on one machine, on built-in synthetic data:
#   1. generates 20,000 synthetic applicants (TRAINER_APPLICANTS) if none are there,
#   2. builds the feature table and trains, evaluates and publishes a model as
#      `production` if the registry has none,
#   3. starts the scoring service (gRPC) and the loan officers' dashboard,
#   4. prints the URL and a demo login; Ctrl-C stops both.
# Re-running reuses what is already in $CREDIT_WORK_DIR (default .local/).
# Needs only the Rust toolchain: prerequisites.sh installs the rest where missing.
set -euo pipefail
cd "$(dirname "$0")/.."

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/credit-scoring/target}"
WORK="${CREDIT_WORK_DIR:-.local}"
APPLICANTS="${TRAINER_APPLICANTS:-20000}"
GRPC_LISTEN="${SCORING_LISTEN:-127.0.0.1:50051}"
METRICS_LISTEN="${SCORING_METRICS_LISTEN:-127.0.0.1:9090}"
WEB_LISTEN="${GATEWAY_LISTEN:-127.0.0.1:8080}"
DEMO_USER="demo"
DEMO_PASSWORD="${DEMO_PASSWORD:-pret-a-depenser}"

./deploy/prerequisites.sh
# RUN_LOCAL_PROFILE=dev reuses the test build (much faster to build, slower to run).
if [[ "${RUN_LOCAL_PROFILE:-release}" == "dev" ]]; then
    cargo build -p trainer -p scoring-grpc -p gateway
    BIN="$CARGO_TARGET_DIR/debug"
else
    cargo build --release -p trainer -p scoring-grpc -p gateway
    BIN="$CARGO_TARGET_DIR/release"
fi
mkdir -p "$WORK"

if [[ ! -f "$WORK/synth/application_train.csv" ]]; then
    "$BIN/trainer" synth --out "$WORK/synth" --applicants "$APPLICANTS"
fi
if [[ ! -f "$WORK/features/features.parquet" ]]; then
    "$BIN/trainer" features --data "$WORK/synth" --out "$WORK/features"
fi
if ! "$BIN/trainer" models --registry "$WORK/registry" show production >/dev/null 2>&1; then
    "$BIN/trainer" train --features "$WORK/features" --registry "$WORK/registry" \
        --trials-log "$WORK/search-trials.jsonl" --promote
fi
"$BIN/trainer" models --registry "$WORK/registry" list

# The dashboard calls the service with an API key; the service keeps only its sha256.
if [[ ! -f "$WORK/api-key" ]]; then
    (umask 077; od -An -tx1 -N32 /dev/urandom | tr -d ' \n' > "$WORK/api-key")
fi
API_KEY="$(cat "$WORK/api-key")"
API_KEY_SHA256="$(printf %s "$API_KEY" | sha256sum | cut -d' ' -f1)"
if [[ ! -f "$WORK/users.toml" ]]; then
    HASH="$(printf %s "$DEMO_PASSWORD" | "$BIN/gateway" hash-password)"
    printf '[[users]]\nname = "%s"\npassword_hash = "%s"\n' "$DEMO_USER" "$HASH" > "$WORK/users.toml"
fi

PIDS=()
stop() {
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
}
trap stop EXIT INT TERM

"$BIN/scoring-grpc" --registry "$WORK/registry" --listen "$GRPC_LISTEN" \
    --metrics-listen "$METRICS_LISTEN" --api-key "gateway:$API_KEY_SHA256" \
    --audit-log "$WORK/audit/decisions.jsonl" &
PIDS+=("$!")
# Wait until the service accepts connections (it loads the model and its snapshot first).
for _ in $(seq 1 240); do
    if (exec 3<>"/dev/tcp/${GRPC_LISTEN%:*}/${GRPC_LISTEN##*:}") 2>/dev/null; then break; fi
    kill -0 "${PIDS[0]}" 2>/dev/null || { echo "the scoring service stopped; see its log above" >&2; exit 1; }
    sleep 0.5
done

# Plain HTTP on this machine only: cookies cannot be `Secure` here.
"$BIN/gateway" --listen "$WEB_LISTEN" --scoring-endpoint "http://$GRPC_LISTEN" \
    --api-key "$API_KEY" --users "$WORK/users.toml" --secure-cookies=false &
PIDS+=("$!")

cat <<MSG

  Dashboard:  http://$WEB_LISTEN/      sign in as "$DEMO_USER" / "$DEMO_PASSWORD"
  gRPC:       $GRPC_LISTEN (scoring.v1.ScoringService; reflection on)
  Metrics:    http://$METRICS_LISTEN/metrics
  Audit log:  $WORK/audit/decisions.jsonl
  Ctrl-C stops both.

MSG
wait -n "${PIDS[@]}"
