#!/usr/bin/env bash
# Constrained decoding figures for every shipped workflow's reasoning-tree grammar and a few
# rich schemas (compile time, mask p50/p99 first-visit and cached, constrained vs free
# tokens/s), then the correctness run over the schema corpus ("N/N valid").
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

for spec in Workflows/*.yaml; do
    "$ARBOR" bench --grammar --spec "$spec" -n 256 -r 3 -t "$THREADS"
    echo
done
for schema in Benchmarks/grammar/*.json; do
    "$ARBOR" bench --grammar --schema "$schema" -n 256 -r 3 -t "$THREADS"
    echo
done
if [[ -z ${SKIP_CORPUS:-} ]]; then
    "$ARBOR" bench --grammar --corpus Benchmarks/grammar-schemas.jsonl --seeds "${CORPUS_SEEDS:-3}" -n 256 -t "$THREADS"
fi
