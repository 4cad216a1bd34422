#!/usr/bin/env bash
# The longer fuzz run of the README's "Limits and hostile input": about a million mutated
# inputs over the seven parsers of outside input, in the debug test build (the counts are
# weighted by each target's speed). Every target prints one line:
#   fuzz NAME: N inputs (A accepted, R rejected, 0 unclear) in S s, slowest T s, memory growth M MiB
# and the run fails on an unclear error; a crash, a hang (an input over 10 s) or 2 GiB of
# growth stops it with the input saved under $TMPDIR.
#
#   scripts/fuzz-long.sh            (after `swift build --build-tests`)
#   SCALE=10 scripts/fuzz-long.sh   (ten times the inputs)
set -euo pipefail
cd "$(dirname "$0")/.."
scale=${SCALE:-1}
export ARBOR_FUZZ_ITERATIONS_GGUF_HEADER=$((300000 * scale))
export ARBOR_FUZZ_ITERATIONS_HTTP_REPLY=$((200000 * scale))
export ARBOR_FUZZ_ITERATIONS_MCP_REPLY=$((200000 * scale))
export ARBOR_FUZZ_ITERATIONS_JSON_DATA=$((120000 * scale))
export ARBOR_FUZZ_ITERATIONS_JSON_SCHEMA=$((80000 * scale))
export ARBOR_FUZZ_ITERATIONS_CASSETTE=$((60000 * scale))
export ARBOR_FUZZ_ITERATIONS_YAML_SPEC=$((40000 * scale))
swift test --skip-build --disable-swift-testing --filter FuzzTests 2>&1 | grep -E "^fuzz |error|Executed .* tests"
