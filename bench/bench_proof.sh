#!/bin/sh
# bench_proof.sh - the event store under Lamport at 3 tabs x 1 add x 1
# flush, proved with no preemption bound (issue 12): the stateful search of
# bench/scenarios/events-lamport-3x1x1-stateful.ini, with its states,
# CPU time and peak memory (/usr/bin/time -v).  About 40 minutes and
# 2.1 GB; ctest checks the same workload within 2 preemptions
# (scenarios/events-lamport-3x1x1.ini).  Figures are printed, not asserted.
#
#   bench/bench_proof.sh [TABSIM] [BUDGET_SECONDS] [STATE_MEMORY_MB]
set -eu
TABSIM=${1:-build/tabsim}
BUDGET=${2:-5400}
MEMORY=${3:-8192}
cd "$(dirname "$0")/.."
/usr/bin/time -v "$TABSIM" check bench/scenarios/events-lamport-3x1x1-stateful.ini --no-timing \
    --time-budget "$BUDGET" --state-memory "$MEMORY" 2> /tmp/bench_proof.$$ | grep -E '^(check|explored|invariants|verdict)'
grep -E 'User time|Elapsed|Maximum resident' /tmp/bench_proof.$$
rm -f /tmp/bench_proof.$$
