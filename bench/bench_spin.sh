#!/usr/bin/env bash
# bench_spin.sh - SPIN and tabsim's exhaustive checker on the same
# configurations, row by row: Lamport's fast mutex (N = 2, 3, 4 tabs x 1, 2
# locks; bench/spin/lamport.pml) and the event store under a mutex (N = 2, 3
# tabs x 1, 2 adds x 1, 2 flushes; bench/spin/events.pml), plus Lamport
# without its b-wait (a violation both must find).
#
# Why: both check the same algorithm at the same granularity (one storage
# call = one step; bench/spin/README.md), so their verdicts, times, state or
# execution counts and peak memory can be set side by side.  SPIN is timed
# end to end, as a user pays for it: spin -a (generate pan.c), gcc (compile
# it), ./pan (search).  tabsim is timed as one `tabsim check` command.  Peak
# memory is the maximum resident set size (/usr/bin/time -f %M) of ./pan and
# of tabsim.  A figure, not a test: nothing here asserts a time.
#
# Usage: bench/bench_spin.sh [ROW...]   (from anywhere; needs spin, gcc and
#        /usr/bin/time).  ROW: a configuration name (lamport-N3-A1,
#        events-N2-A2-F1, lamport-broken-N2-A2); none = every row.
# Environment:
#   TABSIM        the tabsim binary (default build/tabsim); "n/a" when absent
#   TABSIM_FLAGS  extra `tabsim check` flags for every row (default none:
#                 the stateless exhaustive search), e.g. "--jobs 2"
#   TABSIM_BUDGET seconds per row for tabsim (default 120): a row that does
#                 not finish prints "incomplete after Ns" and its executions
#   SPIN_BUDGET   seconds per row for ./pan (default 600)
#   PAN_MEMLIM    pan's memory bound in MB (-DMEMLIM, default 4096)
#   PAN_CFLAGS    extra pan compile flags for every row, e.g. -DNOREDUCE
#   PAN_RUNFLAGS  extra pan run flags, e.g. -w18: a 2^18-slot hash table
#                 instead of the default 2^24 (128 MB), whose allocation is
#                 most of pan's wall time on the small models
#   SPIN, CC      the tools (default spin, gcc)
#   REPEAT        runs of each side per row (default 1), SPIN and tabsim
#                 alternating; each side's row shows its run of median end
#                 to end time (this VM's timings vary by up to 1.5 times
#                 from one run to the next, with nothing else running)
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
SPIN=${SPIN:-spin}
CC=${CC:-gcc}
TABSIM=${TABSIM:-$ROOT/build/tabsim}
TABSIM_FLAGS=${TABSIM_FLAGS:-}
TABSIM_BUDGET=${TABSIM_BUDGET:-120}
SPIN_BUDGET=${SPIN_BUDGET:-600}
PAN_MEMLIM=${PAN_MEMLIM:-4096}
PAN_CFLAGS=${PAN_CFLAGS:-}
PAN_RUNFLAGS=${PAN_RUNFLAGS:-}
REPEAT=${REPEAT:-1}
PAN_DEPTH_MAX=100000   # pan -m: far above the deepest search (about 100)
TIME=/usr/bin/time

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

now() { date +%s.%N; }
seconds() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }
mb() { awk -v k="$1" 'BEGIN { printf "%.0f", k / 1024 }'; }
# median FILE: of FILE's lines "seconds<TAB>text", the text of the median
# seconds (the lower middle one of an even count).
median() {
    local n
    n=$(wc -l <"$1")
    sort -n -k1,1 "$1" | awk -v m=$(((n + 1) / 2)) 'NR == m' | cut -f2-
}

# tabsim_cell INI: "<seconds><TAB><verdict> <executions> <seconds> <peak
# MB>" (with --stateful: "<states> st" for the executions), the verdict
# "incomplete after Ns" when the budget stopped it; "n/a" without a binary.
tabsim_cell() {
    local ini=$1 rc=0
    if [ ! -x "$TABSIM" ]; then
        printf '0\tn/a\n'
        return
    fi
    # shellcheck disable=SC2086  # flags are words on purpose
    $TIME -f "%e %M" -o "$WORK/tabsim.time" "$TABSIM" check "$ini" --mode exhaustive \
        --time-budget "$TABSIM_BUDGET" --no-timing $TABSIM_FLAGS >"$WORK/tabsim.out" 2>&1 || rc=$?
    local execs verdict secs kb
    execs=$(sed -n 's/^explored *\([0-9]*\) runs.*/\1/p' "$WORK/tabsim.out" | head -1)
    # The stateful search counts states, not executions: "N st".
    local states
    states=$(sed -n 's/.*(stateful, \([0-9]*\) states).*/\1/p' "$WORK/tabsim.out" | head -1)
    [ -n "$states" ] && execs="$states st"
    verdict=$(sed -n 's/^verdict *\([a-z]*\).*/\1/p' "$WORK/tabsim.out" | head -1)
    # The last line: /usr/bin/time writes "Command exited with ..." first on a non-zero exit.
    read -r secs kb < <(tail -n 1 "$WORK/tabsim.time") || true
    if [ "$verdict" = incomplete ] || [ "$rc" = 3 ]; then
        verdict="incomplete after ${TABSIM_BUDGET}s"
    fi
    printf '%s\t%-24s %10s %8s %6s\n' "${secs:-0}" "${verdict:-rc=$rc}" "${execs:-?}" "${secs:-?}" "$(mb "${kb:-0}")"
}

# row NAME MODEL INI CFLAGS SPINFLAGS...: SPIN on MODEL with SPINFLAGS (-D
# macros), pan compiled with CFLAGS, then tabsim on INI; one table row.
row() {
    local name=$1 model=$2 ini=$3 cflags=$4
    shift 4
    local dir=$WORK/$name t0 t1 t2 t3
    mkdir -p "$dir"
    cp "$ROOT/bench/spin/$model" "$dir/"
    (
        cd "$dir"
        : >spin.runs
        : >tabsim.runs
        for _ in $(seq "$REPEAT"); do
            t0=$(now)
            "$SPIN" "$@" -a "$model" >spin.out
            t1=$(now)
            # shellcheck disable=SC2086  # flags are words on purpose
            "$CC" -O2 $cflags -DMEMLIM="$PAN_MEMLIM" $PAN_CFLAGS -o pan pan.c 2>cc.out
            t2=$(now)
            # shellcheck disable=SC2086
            timeout "$SPIN_BUDGET" $TIME -f "%e %M" -o pan.time ./pan -m$PAN_DEPTH_MAX $PAN_RUNFLAGS \
                >pan.out 2>&1 || true
            t3=$(now)
            local stored depth errors kb secs spin_verdict
            stored=$(awk '/states, stored/ { print $1; exit }' pan.out)
            depth=$(sed -n 's/.*depth reached \([0-9]*\),.*/\1/p' pan.out)
            errors=$(sed -n 's/.*errors: \([0-9]*\).*/\1/p' pan.out)
            read -r secs kb < <(tail -n 1 pan.time 2>/dev/null) || kb=0
            if grep -q "MEMLIM\|out of memory" pan.out; then
                spin_verdict="out of memory (${PAN_MEMLIM} MB)"
            elif [ -z "$errors" ]; then
                spin_verdict="incomplete after ${SPIN_BUDGET}s"
            elif [ "$errors" = 0 ]; then
                spin_verdict=verified
            else
                spin_verdict=violation
            fi
            printf '%s\t%6s %6s %7s %8s %10s %5s %6s %-11s\n' "$(seconds "$t0" "$t3")" \
                "$(seconds "$t0" "$t1")" "$(seconds "$t1" "$t2")" "$(seconds "$t2" "$t3")" \
                "$(seconds "$t0" "$t3")" "${stored:-?}" "${depth:-?}" "$(mb "${kb:-0}")" "$spin_verdict" >>spin.runs
            tabsim_cell "$ini" >>tabsim.runs
        done
        printf '%-21s %s | %s\n' "$name" "$(median spin.runs)" "$(median tabsim.runs)"
    )
}

ROWS=()
for n in 2 3 4; do
    for a in 1 2; do
        ROWS+=("lamport-N$n-A$a lamport.pml -DSAFETY -DN=$n -DACQ=$a")
    done
done
for n in 2 3; do
    for a in 1 2; do
        for f in 1 2; do
            ROWS+=("events-N$n-A$a-F$f events.pml -DSAFETY -DN=$n -DADDS=$a -DFLUSHES=$f")
        done
    done
done
ROWS+=("lamport-broken-N2-A2 lamport.pml -DSAFETY|-DBFS -DN=2 -DACQ=2 -DOMIT_B_WAIT")

echo "SPIN $("$SPIN" -V | sed -n 's/Spin Version \([^ ]*\).*/\1/p'), $("$CC" --version | head -1)," \
    "$(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "pan: gcc -O2 -DSAFETY -DMEMLIM=$PAN_MEMLIM $PAN_CFLAGS (broken row: -DBFS)," \
    "./pan -m$PAN_DEPTH_MAX $PAN_RUNFLAGS, at most ${SPIN_BUDGET}s"
echo "tabsim: check --mode exhaustive --time-budget $TABSIM_BUDGET $TABSIM_FLAGS"
echo "seconds: spin-a, gcc, pan (wall), total = SPIN end to end; MB = peak resident set"
[ "$REPEAT" -gt 1 ] && echo "each side: the run of median time of $REPEAT, SPIN and tabsim alternating"
printf '%-21s %6s %6s %7s %8s %10s %5s %6s %-11s | %-24s %10s %8s %6s\n' \
    config spin-a gcc pan total stored depth MB SPIN tabsim executions seconds MB
for r in "${ROWS[@]}"; do
    read -r name model cflags flags <<<"$r"
    if [ $# -gt 0 ] && ! printf '%s\n' "$@" | grep -qx "$name"; then
        continue
    fi
    ini=$ROOT/bench/spin/$name.ini
    # shellcheck disable=SC2086
    row "$name" "$model" "$ini" "${cflags//|/ }" $flags
done
