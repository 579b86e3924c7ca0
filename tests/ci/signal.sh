#!/bin/sh
# signal.sh - Ctrl-C (SIGINT) or SIGTERM stops check cleanly: it prints what
# was covered and a resume command, writes its report, and exits 3.
#
# signal.sh TABSIM SCENARIO SIGNAL WORKDIR
set -u
tabsim=$1 scenario=$2 sig=$3 work=$4
mkdir -p "$work"
out="$work/signal-$sig.txt"
rm -f "$work/signal-$sig.json"
"$tabsim" check "$scenario" --runs 100000000 --jobs 2 --json "$work/signal-$sig.json" >"$out" 2>"$out.err" &
pid=$!
sleep 2
kill -s "$sig" "$pid"
wait "$pid"
rc=$?
fail() { echo "signal.sh: $*"; cat "$out" "$out.err"; exit 1; }
[ "$rc" -eq 3 ] || fail "exit code $rc after SIG$sig, expected 3"
grep -q "incomplete (interrupted by a signal" "$out" || fail "no incomplete verdict"
grep -q "^resume      tabsim check .* --seed [0-9]* --runs [0-9]*" "$out" || fail "no resume command"
grep -q '"status" : "incomplete"' "$work/signal-$sig.json" || fail "no report, or not incomplete"
echo "SIG$sig: exit 3, resume line and report present"
