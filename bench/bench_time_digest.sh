#!/bin/sh
# bench_time_digest.sh - what the stateful search's clock relative to now
# saves (docs/model-checking.md, "Time in the digest").
#
#   bench/bench_time_digest.sh [TABSIM] [BUDGET_SECONDS] [SCENARIO...]
#
# For each scenario (default: Lamport with sleeps that move the clock, 2
# and 3 tabs, and the event store under Lamport, whose SDK reads the
# clock), runs `tabsim check --stateful` twice with a time budget (default
# 120 s): as it is (the digests assume no code reads the clock, and start
# over with the clock exact if some does), and with TABSIM_DIGEST_EXACT=1
# (they assume nothing).  Prints per scenario and way: the verdict, states
# stored, executions, CPU seconds and peak resident memory (MB), measured
# by /usr/bin/time.  Figures are printed, not asserted.
set -eu
TABSIM=${1:-build/tabsim}
BUDGET=${2:-120}
[ $# -ge 2 ] && shift 2 || shift $#
if [ $# -eq 0 ]; then
    set -- scenarios/lamport-ranges.ini bench/scenarios/lamport-2x2-ranges.ini bench/scenarios/lamport-3x1-ranges.ini \
        scenarios/events-lamport-2x1x1.ini
fi
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# one SCENARIO: prints "verdict states executions cpu_s peak_mb"
one() {
    /usr/bin/time -f "%U %S %M" -o "$TMP/time" "$TABSIM" check "$1" --mode exhaustive --stateful --no-timing \
        --no-shrink --time-budget "$BUDGET" > "$TMP/out" 2> /dev/null || true
    verdict=$(sed -n 's/^verdict *\([a-z]*\).*/\1/p' "$TMP/out")
    runs=$(sed -n 's/^explored *\([0-9]*\) runs.*/\1/p' "$TMP/out")
    states=$(sed -n 's/.*(stateful, \([0-9]*\) states).*/\1/p' "$TMP/out")
    awk -v v="${verdict:-?}" -v r="${runs:-0}" -v s="${states:--}" \
        'END {printf "%-10s %10s %10s %8.2f %8.0f\n", v, s, r, $1 + $2, $3 / 1024}' "$TMP/time"
}

printf "%-28s %-16s %-10s %10s %10s %8s %8s\n" scenario clock verdict states executions cpu_s peak_mb
for file in "$@"; do
    name=$(basename "$file" .ini)
    printf "%-28s %-16s %s\n" "$name" relative "$(unset TABSIM_DIGEST_EXACT; one "$file")"
    printf "%-28s %-16s %s\n" "$name" exact "$(TABSIM_DIGEST_EXACT=1 one "$file")"
done
