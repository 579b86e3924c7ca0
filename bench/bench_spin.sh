#!/usr/bin/env bash
# bench_spin.sh - time SPIN on Lamport's fast mutex, configuration by
# configuration, beside tabsim's exhaustive checker on the same ones.
#
# Why: tabsim's exhaustive mode and SPIN check the same algorithm at the
# same granularity (one storage call = one step; see bench/spin/README.md),
# so their times and state counts can be compared.  SPIN is timed end to
# end, as a user pays for it: spin -a (generate pan.c), gcc (compile it),
# ./pan (search).  A figure, not a test: nothing here asserts a time.
#
# Usage: bench/bench_spin.sh        (from anywhere; needs spin and gcc)
# Environment:
#   TABSIM      the tabsim binary (default build/tabsim); "n/a" when absent
#   PAN_CFLAGS  extra pan compile flags for every row, e.g. -DNOREDUCE
#   PAN_RUNFLAGS extra pan run flags, e.g. -w18: a 2^18-slot hash table
#               instead of the default 2^24 (128 MB), whose allocation is
#               most of pan's wall time on these small models
#   SPIN, CC    the tools (default spin, gcc)
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
MODEL=$ROOT/bench/spin/lamport.pml
SPIN=${SPIN:-spin}
CC=${CC:-gcc}
TABSIM=${TABSIM:-$ROOT/build/tabsim}
PAN_CFLAGS=${PAN_CFLAGS:-}
PAN_RUNFLAGS=${PAN_RUNFLAGS:-}
PAN_DEPTH_MAX=100000   # pan -m: far above the deepest search (90, N=3 ACQ=2)

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

now() { date +%s.%N; }
seconds() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }

# ---- tabsim: the place for the exhaustive checker -------------------------
# tabsim_time INI: times `tabsim check INI --mode exhaustive` and prints one
# table cell: "<seconds>s rc=<exit code>", or "n/a" when there is no binary.
# The cell also gives tabsim's executions (each a distinct Mazurkiewicz
# trace under source-DPOR) and its verdict; a time budget
# (TABSIM_BUDGET, default 600 s) bounds configurations too big for it.
tabsim_time() {
    local ini=$1 t0 t1 rc=0
    if [ ! -x "$TABSIM" ]; then
        echo "n/a"
        return
    fi
    t0=$(now)
    "$TABSIM" check "$ini" --mode exhaustive --time-budget "${TABSIM_BUDGET:-600}" --no-timing \
        >"$WORK/tabsim.out" 2>&1 || rc=$?
    t1=$(now)
    local execs verdict
    execs=$(sed -n 's/^explored *\([0-9]*\) runs.*/\1/p' "$WORK/tabsim.out" | head -1)
    verdict=$(sed -n 's/^verdict *\([a-z]*\).*/\1/p' "$WORK/tabsim.out" | head -1)
    echo "$(seconds "$t0" "$t1")s $verdict ${execs:-?} exec rc=$rc"
}
# ---------------------------------------------------------------------------

# spin_row NAME INI CFLAGS SPINFLAGS...: one table row for SPIN on the model
# with SPINFLAGS (-D macros), pan compiled with CFLAGS, then tabsim on INI.
spin_row() {
    local name=$1 ini=$2 cflags=$3
    shift 3
    local dir=$WORK/$name t0 t1 t2 t3
    mkdir -p "$dir"
    cp "$MODEL" "$dir/"
    (
        cd "$dir"
        t0=$(now)
        "$SPIN" "$@" -a lamport.pml >spin.out
        t1=$(now)
        # shellcheck disable=SC2086  # flags are words on purpose
        "$CC" -O2 $cflags $PAN_CFLAGS -o pan pan.c 2>cc.out
        t2=$(now)
        # shellcheck disable=SC2086
        ./pan -m$PAN_DEPTH_MAX $PAN_RUNFLAGS >pan.out 2>&1 || true
        t3=$(now)
        local stored matched trans depth errors search trail="-"
        search=$(sed -n 's/^pan: elapsed time \([^ ]*\) seconds/\1/p' pan.out)
        stored=$(awk '/states, stored$/ { print $1; exit }' pan.out)
        matched=$(awk '/states, matched$/ { print $1; exit }' pan.out)
        trans=$(awk '/transitions \(= / { print $1; exit }' pan.out)
        depth=$(sed -n 's/.*depth reached \([0-9]*\),.*/\1/p' pan.out)
        errors=$(sed -n 's/.*errors: \([0-9]*\).*/\1/p' pan.out)
        if grep -q "too small" pan.out; then depth="$depth(TRUNCATED)"; fi
        if [ -f lamport.pml.trail ]; then
            trail=$("$SPIN" -t "$@" lamport.pml 2>&1 |
                sed -n 's/.*trail ends after \([0-9]*\) steps.*/\1/p')
        fi
        printf '%-13s %7s %7s %7s %7s %7s %9s %9s %9s %6s %6s %6s  %s\n' \
            "$name" "$(seconds "$t0" "$t1")" "$(seconds "$t1" "$t2")" \
            "$(seconds "$t2" "$t3")" "${search:-?}" "$(seconds "$t0" "$t3")" \
            "${stored:-?}" "${matched:-?}" "${trans:-?}" "${depth:-?}" \
            "${errors:-?}" "$trail" "$(tabsim_time "$ini")"
    )
}

echo "SPIN $("$SPIN" -V | sed -n 's/Spin Version \([^ ]*\).*/\1/p'), $("$CC" --version | head -1)"
echo "pan: gcc -O2 -DSAFETY ${PAN_CFLAGS} (partial-order reduction on; broken row adds -DBFS)," \
    "./pan -m$PAN_DEPTH_MAX ${PAN_RUNFLAGS}"
echo "times in seconds: pan = wall time of ./pan, search = pan's own elapsed time;" \
    "trail = steps of the counterexample (BFS: shortest)"
printf '%-13s %7s %7s %7s %7s %7s %9s %9s %9s %6s %6s %6s  %s\n' \
    config spin-a gcc pan search total stored matched trans depth errors trail tabsim
for n in 2 3; do
    for a in 1 2; do
        spin_row "N$n-A$a" "$ROOT/bench/spin/lamport-N$n-A$a.ini" "-DSAFETY" \
            -DN=$n -DACQ=$a
    done
done
spin_row "broken-N2-A2" "$ROOT/bench/spin/lamport-broken-N2-A2.ini" "-DSAFETY -DBFS" \
    -DN=2 -DACQ=2 -DOMIT_B_WAIT
