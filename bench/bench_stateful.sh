#!/bin/sh
# bench_stateful.sh - the stateless search against the stateful one.
#
#   bench/bench_stateful.sh [TABSIM] [BUDGET_SECONDS] [SCENARIO...]
#
# For each scenario (default: Lamport 2 and 3 tabs, the SPIN benchmark's
# Lamport configurations, the event store under Lamport and Web Locks),
# runs `tabsim check` twice with no preemption bound and a time budget
# (default 120 s): stateless (source-DPOR with sleep sets) and --stateful
# (full expansion with a visited set of 96-bit digests, 512 MB).  Prints
# per scenario and search: the verdict, executions, states stored (stateful),
# revisits pruned (stateful), CPU seconds and peak resident memory (MB),
# measured by /usr/bin/time.  Figures are printed, not asserted.
set -eu
TABSIM=${1:-build/tabsim}
BUDGET=${2:-120}
[ $# -ge 2 ] && shift 2 || shift $#
if [ $# -eq 0 ]; then
    set -- scenarios/lamport-2tabs.ini scenarios/lamport-3tabs.ini bench/spin/lamport-N2-A1.ini \
        bench/spin/lamport-N2-A2.ini bench/spin/lamport-N3-A1.ini bench/spin/lamport-N3-A2.ini \
        scenarios/events-lamport-2x1x1.ini scenarios/events-lamport-2x2x2.ini scenarios/events-lamport-3x1x1.ini \
        scenarios/events-web-locks-2x2x2.ini scenarios/events-web-locks-3x1x1.ini
fi
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# one SCENARIO [options]: prints "verdict executions states pruned cpu_s peak_mb"
one() {
    file=$1
    shift
    /usr/bin/time -f "%U %S %M" -o "$TMP/time" "$TABSIM" check "$file" --mode exhaustive --no-timing --no-shrink --preemptions -1 \
        --time-budget "$BUDGET" "$@" > "$TMP/out" 2> /dev/null || true
    verdict=$(sed -n 's/^verdict *\([a-z]*\).*/\1/p' "$TMP/out")
    runs=$(sed -n 's/^explored *\([0-9]*\) runs.*/\1/p' "$TMP/out")
    pruned=$(sed -n 's/^explored.* \([0-9]*\) pruned.*/\1/p' "$TMP/out")
    states=$(sed -n 's/.*(stateful, \([0-9]*\) states).*/\1/p' "$TMP/out")
    [ -n "$states" ] || states=$(sed -n 's/.*[(,] \([0-9]*\) states).*/\1/p' "$TMP/out")
    awk -v v="${verdict:-?}" -v r="${runs:-0}" -v s="${states:--}" -v p="${pruned:-0}" \
        'END {printf "%-10s %10s %10s %10s %8.2f %8.0f\n", v, r, s, p, $1 + $2, $3 / 1024}' "$TMP/time"
}

printf "%-36s %-9s %-10s %10s %10s %10s %8s %8s\n" scenario search verdict executions states pruned cpu_s peak_mb
for file in "$@"; do
    name=$(basename "$file" .ini)
    printf "%-36s %-9s %s\n" "$name" stateless "$(one "$file")"
    printf "%-36s %-9s %s\n" "$name" stateful "$(one "$file" --stateful)"
done
