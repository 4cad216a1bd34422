#!/usr/bin/env bash
# Prefill CPU time with the multi-token kernels off and on, in the same binary and run.
#
#   Benchmarks/prefill-cpu.sh [-p 256]
#
# One thread, so that no pool thread spins and CPU seconds are the work itself: on a machine
# loaded by other processes, wall-clock tokens/s move with the load, CPU seconds far less.
# Each run is `arbor bench -t 1 -p P -n 0 -r 1` (a warm-up and one timed prefill of P tokens,
# so 2P tokens); a run with no tests gives the fixed cost (loading, the bandwidth probe), which
# is taken off. ARBOR_MULTI_TOKEN=0 makes every output one single-row dot call (the outputs
# are the same bits either way). ARBOR_MODELS (space-separated paths) picks the models.
set -euo pipefail
cd "$(dirname "$0")/.."

prompt=256
while getopts "p:" opt; do
    case $opt in
        p) prompt=$OPTARG ;;
        *) echo "usage: $0 [-p PROMPT]" >&2; exit 2 ;;
    esac
done

default_models="models/SmolLM2-135M-Instruct.Q4_1.gguf"
[ -f models/qwen2.5-coder-0.5b-instruct-q4_k_m.gguf ] && default_models="models/qwen2.5-coder-0.5b-instruct-q4_k_m.gguf $default_models"
arbor=.build/release/arbor
[ -x "$arbor" ] || swift build -c release --product arbor >&2

cpu_seconds() { # user + system seconds of one arbor bench run
    { /usr/bin/time -f "%U %S" "$@" >/dev/null; } 2>&1 | tail -1 | awk '{print $1 + $2}'
}

for model in ${ARBOR_MODELS:-$default_models}; do
    fixed=$(cpu_seconds "$arbor" bench --model "$model" -t 1 -p 0 -n 0 -r 1)
    for on in 0 1; do
        total=$(ARBOR_MULTI_TOKEN=$on cpu_seconds "$arbor" bench --model "$model" -t 1 -p "$prompt" -n 0 -r 1)
        echo "$(basename "$model") multi-token $on: $(awk -v t="$total" -v f="$fixed" -v p="$prompt" \
            'BEGIN { printf "%.1f prefill tokens per CPU-second (%.2f s for %d tokens)", 2 * p / (t - f), t - f, 2 * p }') ($(uptime | sed 's/.*load average/load average/'))"
    done
done
