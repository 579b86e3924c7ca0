#!/bin/sh
# node_or_skip.sh - run a JavaScript-tab test, or skip it (exit 77, ctest's
# SKIP_RETURN_CODE) with a clear message when node is not installed.  Only
# a missing node skips: missing npm fixtures fail, naming the fix.
if ! command -v node >/dev/null 2>&1; then
  echo "SKIPPED: node is not installed; JavaScript tabs need node 18 or newer (.ci/setup installs it)"
  exit 77
fi
exec "$@"
