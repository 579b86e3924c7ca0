#!/usr/bin/env bash
# bench_models.sh - what a storage model or fault injection costs in
# simulation throughput: the same mutex workload on linearizable storage
# without faults, on the cached and the snapshot models, with freezes and
# with crashes, in one benchmark run (build/bench_check prints storage
# operations per second).
set -euo pipefail
cd "$(dirname "$0")/.."
BENCH=${BENCH:-build/bench_check}
"$BENCH" --runs "${RUNS:-300}" bench/scenarios/mutex-linearizable.ini bench/scenarios/mutex-cached.ini \
    bench/scenarios/mutex-snapshot.ini bench/scenarios/mutex-freeze.ini bench/scenarios/mutex-close.ini
