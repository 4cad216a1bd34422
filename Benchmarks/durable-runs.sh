#!/usr/bin/env bash
# Issue 8's durable-run benchmark: checkpoint overhead (tokens/s with the SQLite store against
# without it) and resume latency to the first new token with a 4k-token working memory.
#
#   Benchmarks/durable-runs.sh [-t 2] [-r 3] [--json]
#
# Builds arbor in release if needed and runs `arbor bench --store`. On a shared machine the
# overhead figure moves by a few percent between runs: compare the ± columns, or raise -r.
set -euo pipefail
cd "$(dirname "$0")/.."

threads=2 reps=3 json=()
while [ $# -gt 0 ]; do
    case $1 in
        -t) threads=$2; shift 2 ;;
        -r) reps=$2; shift 2 ;;
        --json) json=(--json); shift ;;
        *) echo "usage: $0 [-t THREADS] [-r REPS] [--json]" >&2; exit 2 ;;
    esac
done

model=${ARBOR_MODEL:-models/SmolLM2-135M-Instruct.Q4_1.gguf}
[ -f "$model" ] || { echo "no model at $model; run \`make setup\` or set ARBOR_MODEL" >&2; exit 1; }
arbor=.build/release/arbor
[ -x "$arbor" ] || swift build -c release --product arbor >&2

"$arbor" bench --store --model "$model" -t "$threads" -r "$reps" "${json[@]}"
