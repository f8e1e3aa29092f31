#!/usr/bin/env bash
# Checks the monitoring files (deploy/test.sh runs it; needs promtool, from
# Debian's `prometheus` package, and python3):
# - alerts.yml is valid (`promtool check rules`) and its unit tests pass
#   (`promtool test rules alerts.test.yml`);
# - every query of grafana-dashboard.json parses as PromQL: they are
#   written as recording rules into a temporary file that promtool checks.
set -euo pipefail
cd "$(dirname "$0")"

promtool check rules alerts.yml
promtool test rules alerts.test.yml

queries="$(mktemp --suffix=.yml)"
trap 'rm -f "$queries"' EXIT
python3 - grafana-dashboard.json >"$queries" <<'PY'
import json, sys
dashboard = json.load(open(sys.argv[1]))
print("groups:\n  - name: grafana-dashboard-queries\n    rules:")
for panel in dashboard["panels"]:
    for target in panel["targets"]:
        name = f"dashboard:panel{panel['id']}:{target['refId']}"
        print(f"      - record: {json.dumps(name)}\n        expr: {json.dumps(target['expr'])}")
PY
promtool check rules "$queries"
