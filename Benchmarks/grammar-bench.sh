#!/usr/bin/env bash
# Constrained decoding figures for every shipped workflow's reasoning-tree grammar, the
# twelve-tool tree and a few rich schemas (compile time and mask-cache size, mask p50/p99 of
# the cold run — first visits and cached — and of warm runs, constrained vs free tokens/s),
# one "cold p99 X µs (goal < 100 µs): PASS/FAIL" line per grammar, repeated at the end, then
# the correctness run over the schema corpus ("N/N valid").
#
#   Benchmarks/grammar-bench.sh [path/to/arbor]     (default .build/release/arbor)
#   SKIP_CORPUS=1 Benchmarks/grammar-bench.sh       (speed figures only)
#   CORPUS_SEEDS=8 Benchmarks/grammar-bench.sh      (more seeds per schema; default 3)
set -euo pipefail
cd "$(dirname "$0")/.."
ARBOR=${1:-.build/release/arbor}
if [[ ! -x $ARBOR ]]; then
    echo "no arbor binary at $ARBOR; build it with: swift build -c release --product arbor" >&2
    exit 1
fi
THREADS=${THREADS:-2}
echo "load: $(uptime)"
echo

verdicts=()
run() {
    local name=$1
    shift
    local output
    output=$("$ARBOR" bench grammar "$@" -n 256 -r 3 -t "$THREADS")
    echo "$output"
    echo
    verdicts+=("$(printf '%-44s' "$name")$(grep -o 'cold p99 .*' <<<"$output")")
}
for spec in Workflows/*.yaml Benchmarks/grammar/*.yaml; do run "$spec" --spec "$spec"; done
for schema in Benchmarks/grammar/*.json; do run "$schema" --schema "$schema"; done
printf '%s\n' "${verdicts[@]}"
echo "load: $(uptime)"
if [[ -z ${SKIP_CORPUS:-} ]]; then
    echo
    "$ARBOR" bench grammar --corpus Benchmarks/grammar-schemas.jsonl --seeds "${CORPUS_SEEDS:-3}" -n 256 -t "$THREADS"
fi
