#!/bin/sh
# bench_shards.sh - how evenly exhaustive shards split one search.
#
#   bench/bench_shards.sh [TABSIM] [SCENARIO] [EXTRA CHECK OPTIONS...]
#
# Checks SCENARIO (default scenarios/lamport-3tabs.ini) on one machine, then
# as N = 2, 4 and 8 shards, one after another, and prints per N: the
# executions of one machine, their sum over the shards and its ratio to
# one machine's (the issue asks at most 1.15), the largest shard and its
# ratio to the mean (at most 1.5), the work items, the runs each shard made
# in the shared top of the tree (the walk down to the items, repeated by
# every shard: not executions), and the CPU seconds of one machine, of the
# shards together and of the largest.  Figures are printed, not asserted.
# With --stateful the unit is states stored instead of executions: each
# shard keeps a visited set of its own, so "sum/one" says how much of the
# state space the shards explore twice (docs/ci.md):
#   bench/bench_shards.sh build/tabsim bench/spin/lamport-N3-A2.ini --mode exhaustive --stateful
# Source-DPOR instead of the scenario's preemption bound, on 3 tabs x 1 lock
# (3 x 2 without a bound is out of reach: issue 15):
#   sed '/^preemptions_max/d; s/^locks_per_tab = 2/locks_per_tab = 1/' scenarios/lamport-3tabs.ini > /tmp/l3x1.ini
#   bench/bench_shards.sh build/tabsim /tmp/l3x1.ini
set -eu
TABSIM=${1:-build/tabsim}
SCENARIO=${2:-scenarios/lamport-3tabs.ini}
[ $# -ge 2 ] && shift 2 || shift $#
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# check [args]: prints "executions cpu_seconds shared_runs items"
check() {
    /usr/bin/time -f "%U %S" -o "$TMP/time" "$TABSIM" check "$SCENARIO" --no-timing "$@" > "$TMP/out" || true
    runs=$(sed -n 's/^explored *\([0-9]*\) runs.*/\1/p' "$TMP/out")
    states=$(sed -n 's/^verdict .*(stateful, \([0-9]*\) states.*/\1/p' "$TMP/out")
    [ -z "$states" ] || runs=$states
    cpu=$(awk '{printf "%.2f", $1 + $2}' "$TMP/time")
    shared=$(sed -n 's/.* \([0-9]*\) runs in the shared top.*/\1/p' "$TMP/out")
    items=$(sed -n 's/.* of \([0-9]*\) work items.*/\1/p' "$TMP/out")
    [ -n "$items" ] || items=$(sed -n 's/.*the search has \([0-9]*\) work item.*/\1/p' "$TMP/out")
    echo "$runs $cpu ${shared:-0} ${items:-0}"
}

set -- "$@"
one=$(check "$@")
one_runs=${one%% *}
one_cpu=$(echo "$one" | cut -d' ' -f2)
echo "scenario $SCENARIO${*:+ $*}"
unit=executions
grep -q '(stateful, ' "$TMP/out" && unit="states stored"
echo "one machine: $one_runs $unit, $one_cpu CPU s"
printf '%3s %12s %12s %6s %10s %9s %6s %12s %8s %8s\n' N one sum sum/one largest max/mean items shared/shard cpu-sum cpu-max
for n in 2 4 8; do
    sum=0; max=0; shared=0; items=0; cpusum=0; cpumax=0
    k=0
    while [ $k -lt $n ]; do
        set -- $(check "$@" --shard "$k/$n") "$@"
        r=$1; c=$2; s=$3; i=$4; shift 4
        sum=$((sum + r)); [ "$r" -gt "$max" ] && max=$r
        shared=$s; items=$i
        cpusum=$(echo "$cpusum $c" | awk '{printf "%.2f", $1 + $2}')
        cpumax=$(echo "$cpumax $c" | awk '{print ($2 > $1) ? $2 : $1}')
        k=$((k + 1))
    done
    echo "$n $one_runs $sum $max $items $shared $cpusum $cpumax" | awk '{
        printf "%3d %12d %12d %6.3f %10d %9.3f %6d %12d %8.2f %8.2f\n",
               $1, $2, $3, $3 / $2, $4, $4 / ($3 / $1), $5, $6, $7, $8 }'
done
