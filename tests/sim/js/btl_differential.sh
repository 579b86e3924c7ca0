#!/bin/sh
# btl_differential.sh - the C port of browser-tabs-lock against the npm
# package it ports, run by run: SCENARIO (a scenario of the C port,
# [mutex] algorithm = browser-tabs-lock) is run with seeds 1..SEEDS as it
# is and again with the lock replaced by the JavaScript
# (scenarios/js/adapters/browser-tabs-lock.js), and the two timelines must
# be the same line for line: time, tab, operation, key, value and result.
# What may differ: task numbers (a JavaScript timer is a task of its
# own), step labels, the algorithm's name, the C port's attempt counts
# (its retry lines and "acquired -> attempt N": telemetry the JavaScript
# does not give), and the library's random ids (the lock value's "id" and
# "iat", hence its length).  Then, when the
# scenario is exhaustive ([explore] mode = exhaustive), both searches
# (tabsim check --first: a violation ends the search, a search that finds
# none explores everything) must give the same verdict line; not the same
# number of executions: the JavaScript's timers are tasks of their own,
# so the search meets the runs in another order (docs/javascript.md).
#
# btl_differential.sh TABSIM SCENARIO ADAPTER SEEDS   (SEEDS: N for 1..N, or a list 1,3,5)
set -eu
tabsim=$1 scenario=$2 adapter=$3 seeds=$4
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
name=$(basename "$scenario" .ini)
cp "$scenario" "$work/c.ini"
sed "s|^algorithm = browser-tabs-lock\$|algorithm = js\n\n[js]\nmodule = $adapter|" "$scenario" > "$work/js.ini"
grep -q '^algorithm = js$' "$work/js.ini" || { echo "FAIL: $scenario has no [mutex] algorithm = browser-tabs-lock"; exit 1; }

# One timeline line: "  12.345  tab1  #3   set  key = value -> ok   ; label".
normalize() {
  sed -n 's/^!* *\([0-9.]*\)  *\(tab[0-9]*\)  *#[0-9]*  *\(.*\)$/\1 \2 \3/p' |
    sed -e '/^[0-9.]* tab[0-9]* \(retry\|wait\|event\) /d' -e 's/   *; .*$//' -e 's/ *$//' -e 's/acquired -> attempt [0-9]*/acquired/' \
        -e 's/"id":"[^"]*"/"id":*/g' -e 's/"iat":"[^"]*"/"iat":*/g' -e 's/"timeoutKey":"[^"]*"/"timeoutKey":*/g' \
        -e 's/(\([0-9]*\) bytes)/(* bytes)/g' -e 's/\.\.\."/"/g' \
        -e 's/"{"id":\*,"iat":\*[^ ]*/LOCKVALUE/g'
}

# SEEDS: a count N (seeds 1..N) or a list (1,3,5).
case $seeds in
  *,*) list=$(echo "$seeds" | tr ',' ' ') ;;
  *) list=$(seq 1 "$seeds") ;;
esac
lines=0
for s in $list; do
  "$tabsim" run "$work/c.ini" --seed "$s" --trace --ignore-expect > "$work/c.out" 2>&1 || true
  "$tabsim" run "$work/js.ini" --seed "$s" --trace --ignore-expect > "$work/js.out" 2>&1 || true
  normalize < "$work/c.out" > "$work/c.tl"
  normalize < "$work/js.out" > "$work/js.tl"
  n=$(wc -l < "$work/c.tl")
  if [ "$n" -lt 5 ]; then
    echo "FAIL: $name seed $s: the C port's run printed no timeline:"; cat "$work/c.out"; exit 1
  fi
  if ! diff "$work/c.tl" "$work/js.tl" > "$work/diff"; then
    echo "FAIL: $name seed $s: the timelines differ (< C port, > JavaScript):"
    head -20 "$work/diff"
    exit 1
  fi
  lines=$((lines + n))
done
case $seeds in
  *,*) what="seeds $seeds" ;;
  *) what="seeds 1..$seeds" ;;
esac
echo "$name: $what, the same $lines timeline lines in the C port and the JavaScript"

if grep -q '^mode = exhaustive$' "$scenario"; then
  "$tabsim" check "$work/c.ini" --no-timing --first > "$work/c.out" 2>&1 || true
  "$tabsim" check "$work/js.ini" --no-timing --first > "$work/js.out" 2>&1 || true
  c=$(grep '^verdict ' "$work/c.out" || true)
  j=$(grep '^verdict ' "$work/js.out" || true)
  if [ -z "$c" ] || [ "$c" != "$j" ]; then
    echo "FAIL: $name: the exhaustive searches' verdicts differ:"
    echo "  C port:     $c"
    echo "  JavaScript: $j"
    exit 1
  fi
  echo "$name: exhaustive search (--first), the same verdict: $(echo "$c" | sed 's/^verdict  *//')"
fi

