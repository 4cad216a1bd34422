#!/usr/bin/env bash
# Runs the built test suite (XCTest) and closes with one plain line, `N passed, N failed`,
# so that a reader of the log (or a CI system) sees the outcome at the end.
set -uo pipefail
cd "$(dirname "$0")/.."
log=$(mktemp)
trap 'rm -f "$log"' EXIT

swift test --skip-build --disable-swift-testing "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

# XCTest's last "Executed N tests, with [S tests skipped and] F failures" line is the suite's total.
summary=$(grep -E "^[[:space:]]*Executed [0-9]+ tests?, with " "$log" | tail -n 1)
total=$(sed -E 's/.*Executed ([0-9]+) tests?.*/\1/' <<<"$summary")
failed=$(sed -E 's/.* ([0-9]+) failures?.*/\1/' <<<"$summary")
skipped=0
grep -qE "[0-9]+ tests? skipped" <<<"$summary" && skipped=$(sed -E 's/.*with ([0-9]+) tests? skipped.*/\1/' <<<"$summary")
if [ -z "$summary" ]; then
    echo "no XCTest summary found (the test binary did not run to the end)" >&2
    exit $((status == 0 ? 1 : status))
fi
echo
echo "$((total - failed - skipped)) passed, $failed failed, $skipped skipped"
exit "$status"
