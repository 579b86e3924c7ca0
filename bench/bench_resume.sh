#!/bin/sh
# bench_resume.sh - replay from the root against fork() checkpoints, the
# two ways the stateful search can reach the next branch's state.
#
#   bench/bench_resume.sh [TABSIM] [BUDGET_SECONDS] [SCENARIO...]
#
# For each scenario (default: lamport-2tabs, events-lamport-2x1x1, the
# SPIN benchmark's lamport-N3-A1), runs `tabsim check --stateful` with a
# time budget (default 30 s) and prints: executions (complete + pruned),
# states, CPU seconds, peak resident MB, CPU microseconds per execution
# (what replaying one branch from the root costs today, its new steps and
# digests included), mean steps of a complete execution (the depth a
# branch replays, about), and microseconds per replayed step.  Then
# bench/fork_cost.c, built here with cc, times fork + a child that dirties
# 0 or 64 pages + waitpid in a process of that peak resident size: the
# least a fork checkpoint would cost per branch (a child per node of the
# depth-first search).  "fork/exec" above 1 means a checkpoint costs more
# than the whole replay it would save.  Figures are printed, not asserted.
set -eu
TABSIM=${1:-build/tabsim}
BUDGET=${2:-30}
[ $# -ge 2 ] && shift 2 || shift $#
if [ $# -eq 0 ]; then
    set -- scenarios/lamport-2tabs.ini scenarios/events-lamport-2x1x1.ini bench/spin/lamport-N3-A1.ini
fi
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
HERE=$(dirname "$0")
${CC:-cc} -O2 -Wall -Wextra -o "$TMP/fork_cost" "$HERE/fork_cost.c"

printf "%-24s %10s %10s %7s %7s %9s %6s %8s %10s %10s %9s\n" scenario executions states cpu_s peak_mb \
    us_a_exec depth us_a_step fork0_us fork64_us fork/exec
for file in "$@"; do
    name=$(basename "$file" .ini)
    /usr/bin/time -f "%U %S %M" -o "$TMP/time" "$TABSIM" check "$file" --mode exhaustive --stateful --no-timing \
        --no-shrink --time-budget "$BUDGET" > "$TMP/out" 2> /dev/null || true
    runs=$(sed -n 's/^explored *\([0-9]*\) runs.*/\1/p' "$TMP/out")
    steps=$(sed -n 's/^explored *[0-9]* runs, \([0-9]*\) steps.*/\1/p' "$TMP/out")
    pruned=$(sed -n 's/^explored.* \([0-9]*\) pruned.*/\1/p' "$TMP/out")
    states=$(sed -n 's/.*(stateful, \([0-9]*\) states).*/\1/p' "$TMP/out")
    tail -n 1 "$TMP/time" > "$TMP/last" # after "Command exited with non-zero status 3" when the budget ran out
    read -r user sys kb < "$TMP/last"
    mb=$(( (kb + 1023) / 1024 ))
    f0=$("$TMP/fork_cost" "$mb" 0 200 | awk '{print $3}')
    f64=$("$TMP/fork_cost" "$mb" 64 200 | awk '{print $3}')
    awk -v n="$name" -v r="${runs:-0}" -v p="${pruned:-0}" -v s="${states:-0}" -v st="${steps:-0}" \
        -v u="$user" -v y="$sys" -v mb="$mb" -v f0="$f0" -v f64="$f64" 'BEGIN {
        cpu = u + y; ex = r + p; per = ex ? cpu * 1e6 / ex : 0; depth = r ? st / r : 0;
        printf "%-24s %10d %10d %7.2f %7d %9.1f %6.1f %8.2f %10.1f %10.1f %9.1f\n",
               n, ex, s, cpu, mb, per, depth, depth ? per / depth : 0, f0, f64, per ? f0 / per : 0 }'
done
