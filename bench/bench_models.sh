#!/usr/bin/env bash
# bench_models.sh - what a storage model or fault injection costs in
# simulation throughput, in one benchmark run (build/bench_check prints
# storage operations per second per file).  The mutex workload on
# linearizable storage without faults, on the cached and the snapshot
# models, with freezes, crashes and reloads; then the SDK's event path
# (adds and flushes, JSON-bound, so far fewer operations per second)
# without faults, with server faults and with a full quota.
set -euo pipefail
cd "$(dirname "$0")/.."
BENCH=${BENCH:-build/bench_check}
"$BENCH" --runs "${RUNS:-300}" bench/scenarios/mutex-linearizable.ini bench/scenarios/mutex-cached.ini \
    bench/scenarios/mutex-snapshot.ini bench/scenarios/mutex-freeze.ini bench/scenarios/mutex-close.ini \
    bench/scenarios/mutex-reload.ini
"$BENCH" --runs "${EVENT_RUNS:-100}" bench/scenarios/events-linearizable.ini bench/scenarios/events-server.ini \
    bench/scenarios/events-quota.ini
