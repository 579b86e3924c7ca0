#!/usr/bin/env bash
# bench_events.sh - the event store with its flush, searched exhaustively
# (issue 12): build/bench_explore on the events-*.ini scenarios and on
# lamport-events-same-tab.ini, with reduction (executions, runs pruned by
# sleep sets, distinct Mazurkiewicz traces counted by canonical form,
# executions per second, time), and without reduction for the smallest
# one (Web Locks, 2 tabs x 1 add x 1 flush), to compare trace counts.
# Then Lamport at 2x2x2 and 3x1x1 without the preemption bound their
# scenarios carry (bench/scenarios/events-lamport-*.ini), each within
# BUDGET seconds (default 120): they do not finish, and the line says how
# far they got.  Figures are printed, not asserted; times depend on the
# machine and its load.
set -euo pipefail
cd "$(dirname "$0")/.."
BENCH=${BENCH:-build/bench_explore}
BUDGET=${BUDGET:-120}
"$BENCH" --budget "$BUDGET" scenarios/events-web-locks-2x1x1.ini
"$BENCH" --no-plain --budget "$BUDGET" scenarios/events-web-locks-2x2x2.ini scenarios/events-web-locks-3x1x1.ini \
    scenarios/events-lamport-2x1x1.ini scenarios/events-lamport-2x2x2.ini scenarios/events-lamport-3x1x1.ini \
    scenarios/events-no-lock.ini scenarios/events-send-outside-lock.ini scenarios/lamport-events-same-tab.ini
"$BENCH" --no-plain --budget "$BUDGET" bench/scenarios/events-lamport-2x2x2.ini \
    bench/scenarios/events-lamport-3x1x1.ini
