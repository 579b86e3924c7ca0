#!/usr/bin/env bash
# bench_js.sh - what running a lock as JavaScript costs: random checking of
# browser-tabs-lock on the lock-only workload, as its C port and as the npm
# package itself in node (docs/javascript.md), in simulated storage
# operations per second (build/bench_check).  Then where that cost lies:
# the same workload with an adapter that makes a lock's storage calls and
# runs no library code (bench/scenarios/lock-floor-js.ini), and the bare
# round trip through a pair of pipes between two processes
# (build/pipe_cost), which every storage call of a JavaScript tab pays at
# least once.  Needs node and the npm fixtures of scenarios/js/
# (.ci/setup).  Figures are printed, not asserted.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
BENCH=${BENCH:-$BUILD/bench_check}
"$BENCH" --runs "${RUNS:-2000}" bench/scenarios/lock-btl-c.ini
"$BENCH" --runs "${JS_RUNS:-200}" bench/scenarios/lock-btl-js.ini
"$BENCH" --runs "${JS_RUNS:-200}" bench/scenarios/lock-floor-js.ini
"$BUILD/pipe_cost" "${ROUND_TRIPS:-100000}"
