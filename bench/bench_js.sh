#!/usr/bin/env bash
# bench_js.sh - what running a lock as JavaScript costs: random checking of
# browser-tabs-lock on the lock-only workload, as its C port and as the npm
# package itself in node (docs/javascript.md), in simulated storage
# operations per second (build/bench_check).  Needs node and the npm
# fixtures of scenarios/js/ (.ci/setup).
set -euo pipefail
cd "$(dirname "$0")/.."
BENCH=${BENCH:-build/bench_check}
"$BENCH" --runs "${RUNS:-2000}" bench/scenarios/lock-btl-c.ini
"$BENCH" --runs "${JS_RUNS:-200}" bench/scenarios/lock-btl-js.ini
