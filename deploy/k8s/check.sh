#!/usr/bin/env bash
# Renders each overlay with `kubectl kustomize` and validates every manifest
# against the Kubernetes schema (PyPI kubernetes-validate, strict: unknown
# fields are errors). Run by deploy/test.sh.
set -euo pipefail
cd "$(dirname "$0")"

command -v kubectl >/dev/null 2>&1 || { echo "kubectl is required (kubectl kustomize renders the overlays)" >&2; exit 1; }
command -v kubernetes-validate >/dev/null 2>&1 || { echo "kubernetes-validate is required (pip install kubernetes-validate)" >&2; exit 1; }

rendered="$(mktemp -d)"
trap 'rm -rf "$rendered"' EXIT
for overlay in overlays/*/; do
    name="$(basename "$overlay")"
    kubectl kustomize "$overlay" > "$rendered/$name.yaml"
    printf '%s: %s resources\n' "$name" "$(grep -c '^kind:' "$rendered/$name.yaml")"
    kubernetes-validate --strict --quiet "$rendered/$name.yaml"
done
