#!/bin/sh
# bench_symmetry.sh - what symmetry reduction saves in the stateful search
# (docs/model-checking.md, "Symmetry").
#
#   bench/bench_symmetry.sh [TABSIM] [BUDGET_SECONDS] [MAX_TABS_WITHOUT]
#
# Web Locks in a lock workload (scenarios/web-locks-exhaustive.ini, 2
# locks a tab), 3 to 8 tabs, `tabsim check --stateful` with and without
# --symmetry, each with a time budget (default 120 s); without symmetry
# only up to MAX_TABS_WITHOUT tabs (default 6: 7 tabs make millions of
# states).  Prints per tab count and way: the verdict, states stored, CPU
# seconds and peak resident memory (MB), measured by /usr/bin/time.
# Figures are printed, not asserted.
set -eu
TABSIM=${1:-build/tabsim}
BUDGET=${2:-120}
MAX_WITHOUT=${3:-6}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# one SCENARIO [OPTION]: prints "verdict states cpu_s peak_mb"
one() {
    /usr/bin/time -f "%U %S %M" -o "$TMP/time" "$TABSIM" check "$@" --stateful --no-timing --no-shrink \
        --time-budget "$BUDGET" > "$TMP/out" 2> /dev/null || true
    verdict=$(sed -n 's/^verdict *\([a-z]*\).*/\1/p' "$TMP/out")
    states=$(sed -n 's/.*(stateful, \([0-9]*\) states).*/\1/p' "$TMP/out")
    awk -v v="${verdict:-?}" -v s="${states:--}" 'END {printf "%-10s %10s %8.2f %8.0f\n", v, s, $1 + $2, $3 / 1024}' \
        "$TMP/time"
}

printf "%-5s %-9s %-10s %10s %8s %8s\n" tabs symmetry verdict states cpu_s peak_mb
for tabs in 3 4 5 6 7 8; do
    sed "s/^tabs = 3$/tabs = $tabs/" scenarios/web-locks-exhaustive.ini > "$TMP/web-locks-$tabs.ini"
    if [ "$tabs" -le "$MAX_WITHOUT" ]; then
        printf "%-5s %-9s %s\n" "$tabs" off "$(one "$TMP/web-locks-$tabs.ini")"
    fi
    printf "%-5s %-9s %s\n" "$tabs" on "$(one "$TMP/web-locks-$tabs.ini" --symmetry)"
done
