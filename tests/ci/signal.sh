#!/bin/sh
# signal.sh - Ctrl-C (SIGINT) or SIGTERM stops check cleanly, within a step
# of the run it is in: it prints what was covered and a resume command,
# writes valid reports, and exits 3.
#
# signal.sh TABSIM QUICK ENDLESS SIGNAL WORKDIR [PYTHON]
#
# QUICK is checked first and ENDLESS (whose runs cannot finish before the
# test's timeout) next, on two threads.  The script reads check's output
# through a FIFO and sends the signal once QUICK's verdict line is out, so
# the signal lands inside ENDLESS's runs.  No sleep: it waits for output,
# and ctest's TIMEOUT bounds the wait.
set -u
tabsim=$1 quick=$2 endless=$3 sig=$4 work=$5 python=${6:-}
mkdir -p "$work"
out="$work/signal-$sig.txt" json="$work/signal-$sig.json" xml="$work/signal-$sig.xml" fifo="$work/signal-$sig.fifo"
rm -f "$out" "$json" "$xml" "$fifo"
mkfifo "$fifo"
"$tabsim" check "$quick" "$endless" --jobs 2 --json "$json" --junit "$xml" >"$fifo" 2>"$out.err" &
pid=$!
exec 3<"$fifo"
while IFS= read -r line <&3; do
    printf '%s\n' "$line" >>"$out"
    case $line in verdict*) break ;; esac
done
kill -s "$sig" "$pid"
# SIGTERM twice, as GNU timeout sends it (to the command, then to its
# process group): the second, once the stopped check prints its summary,
# must not kill it before its reports are written.
while IFS= read -r line <&3; do
    printf '%s\n' "$line" >>"$out"
    case $line in total*) break ;; esac
done
[ "$sig" = TERM ] && kill -s TERM "$pid" 2>/dev/null
cat <&3 >>"$out"
exec 3<&-
wait "$pid"
rc=$?
rm -f "$fifo"
fail() { echo "signal.sh: $*"; cat "$out" "$out.err"; exit 1; }
[ "$rc" -eq 3 ] || fail "exit code $rc after SIG$sig, expected 3"
grep -q "^verdict     holds" "$out" || fail "the scenario checked before the signal lost its verdict"
grep -q "incomplete (interrupted by a signal before any run of it was done" "$out" || fail "no incomplete verdict"
grep -q "^resume      tabsim check .*endless-run.ini' --seed 1 --runs 1000" "$out" || fail "no resume command"
grep -q '"status" : "incomplete"' "$json" || fail "no report, or not incomplete"
grep -q '"exit_code" : 3' "$json" || fail "the report's exit code is not 3"
if [ -n "$python" ]; then
    "$python" -m json.tool "$json" >/dev/null || fail "the JSON report does not parse"
fi
grep -q '<skipped message="incomplete: interrupted by a signal' "$xml" || fail "the JUnit report does not skip it"
echo "SIG$sig: exit 3, resume line and reports present"
