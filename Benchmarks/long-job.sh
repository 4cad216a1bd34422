#!/usr/bin/env bash
# Issue 8's long job: one run of at least N tree tokens over many summary rounds (the model may
# not answer before N; each round ends with a summary at its budget), recorded to SQLite.
# Prints one row per round as it ends — tokens, kept tree tokens at the end, peak KV slots
# against round budget + prompt, tokens/s, summary length — then the totals, the peak-KV check
# and the spread of per-round tokens/s.
#
#   Benchmarks/long-job.sh [-t THREADS] [--tokens 100000] [--round-budget 1024] [--db FILE] [--json]
#
# 100k tokens take 10-30 minutes on 2 idle cores at 60-150 tokens/s (longer on a shared
# machine); try --tokens 5000 first.
set -euo pipefail
cd "$(dirname "$0")/.."

threads=2 tokens=100000 budget=1024 extra=()
while [ $# -gt 0 ]; do
    case $1 in
        -t) threads=$2; shift 2 ;;
        --tokens) tokens=$2; shift 2 ;;
        --round-budget) budget=$2; shift 2 ;;
        --db) extra+=(--db "$2"); shift 2 ;;
        --json) extra+=(--json); shift ;;
        *) echo "usage: $0 [-t THREADS] [--tokens N] [--round-budget N] [--db FILE] [--json]" >&2; exit 2 ;;
    esac
done

model=${ARBOR_MODEL:-models/SmolLM2-135M-Instruct.Q4_1.gguf}
[ -f "$model" ] || { echo "no model at $model; run \`make setup\` or set ARBOR_MODEL" >&2; exit 1; }
arbor=.build/release/arbor
[ -x "$arbor" ] || swift build -c release --product arbor >&2

"$arbor" bench long-job --model "$model" -t "$threads" --tokens "$tokens" --round-budget "$budget" "${extra[@]}"
