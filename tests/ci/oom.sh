#!/bin/sh
# oom.sh - running out of memory ends cleanly (sim/cli/oom.c): one line on
# stderr, exit 3, and the --json and --junit reports replaced by valid
# reports that say so (an older report in the way is not left behind);
# `tabsim merge` refuses such a report (exit 2).  `ulimit -v` makes memory
# run out on purpose: many-tabs.ini with --jobs 8 needs some 300 MiB of
# address space, and a traced run of long-run.ini some 125 MiB.
#
# oom.sh TABSIM FIXTURES WORKDIR [PYTHON] [XMLLINT]
set -u
tabsim=$1 fix=$2 work=$3 python=${4:-} xmllint=${5:-}
mkdir -p "$work"
json="$work/oom.json" xml="$work/oom.xml" out="$work/oom.txt"
fail() { echo "oom.sh: $*"; cat "$out" "$out.err" 2>/dev/null; exit 1; }

echo '{"an old report": true}' >"$json"
echo '<old/>' >"$xml"
(ulimit -v 100000 && exec "$tabsim" check "$fix/many-tabs.ini" --jobs 8 --json "$json" --junit "$xml") \
    >"$out" 2>"$out.err"
rc=$?
[ "$rc" -eq 3 ] || fail "check: exit code $rc, expected 3"
grep -q "^tabsim: out of memory: failed to allocate .*; stopped without a verdict (exit 3); the reports say only that" \
    "$out.err" || fail "check: no out-of-memory message"
grep -q '"error" : "out of memory: failed to allocate' "$json" || fail "the JSON report does not say it"
grep -q '"exit_code" : 3' "$json" || fail "the JSON report's exit code is not 3"
if [ -n "$python" ]; then
    "$python" -m json.tool "$json" >/dev/null || fail "the JSON report does not parse"
fi
grep -q '<error type="out-of-memory" message="out of memory: failed to allocate' "$xml" ||
    fail "the JUnit report does not say it"
if [ -n "$xmllint" ]; then
    "$xmllint" --noout "$xml" || fail "the JUnit report is not well-formed"
fi
"$tabsim" merge "$json" >"$out" 2>"$out.err"
rc=$?
[ "$rc" -eq 2 ] || fail "merge of that report: exit code $rc, expected 2"
grep -q "stopped without verdicts (out of memory: " "$out.err" || fail "merge does not say why"

# A traced run whose timeline outgrows the limit (before the history bound).
(ulimit -v 60000 && exec "$tabsim" run "$fix/long-run.ini" --trace) >"$out" 2>"$out.err"
rc=$?
[ "$rc" -eq 3 ] || fail "run --trace: exit code $rc, expected 3"
grep -q "^tabsim: out of memory: failed to allocate [0-9]* bytes; stopped without a verdict (exit 3)$" "$out.err" ||
    fail "run --trace: no out-of-memory message"
echo "out of memory: exit 3, valid reports, merge refuses them"
