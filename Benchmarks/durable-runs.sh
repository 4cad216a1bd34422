#!/usr/bin/env bash
# Issue 8's durable-run benchmark: checkpoint overhead (tokens/s with the SQLite store against
# without it, against the store with SQLite's own defaults, and the recorder's own time on the
# decoding thread) and resume latency to the first new token with a 4k-token working memory.
#
#   Benchmarks/durable-runs.sh [-t 2] [-r 10] [--json] [--io-load]
#
# Builds arbor in release if needed and runs `arbor bench store`. Each repetition runs the
# three arms back to back, so each gives its own difference; the median of those is the figure
# (on a shared machine single rates move by several percent). --io-load keeps `dd` writing
# 1 GB files (conv=fsync) into the temporary folder, on the store's disk, for the whole
# benchmark: the store's I/O must stay off the decoding thread's path.
set -euo pipefail
cd "$(dirname "$0")/.."

threads=2 reps=10 json=() io_load=0
while [ $# -gt 0 ]; do
    case $1 in
        -t) threads=$2; shift 2 ;;
        -r) reps=$2; shift 2 ;;
        --json) json=(--json); shift ;;
        --io-load) io_load=1; shift ;;
        *) echo "usage: $0 [-t THREADS] [-r REPS] [--json] [--io-load]" >&2; exit 2 ;;
    esac
done

model=${ARBOR_MODEL:-models/SmolLM2-135M-Instruct.Q4_1.gguf}
[ -f "$model" ] || { echo "no model at $model; run \`make setup\` or set ARBOR_MODEL" >&2; exit 1; }
arbor=.build/release/arbor
[ -x "$arbor" ] || swift build -c release --product arbor >&2

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
if [ "$io_load" = 1 ]; then
    scratch=$(mktemp -d "${TMPDIR:-/tmp}/arbor-io-load.XXXXXX")
    # its own process group, so that the trap stops the loop and the dd it is running together
    setsid bash -c 'while :; do dd if=/dev/zero of="$1/fill" bs=1M count=1024 conv=fsync status=none; rm -f "$1/fill"; done' _ "$scratch" &
    loader=$!
    trap 'kill -- -"$loader" 2>/dev/null || true; wait "$loader" 2>/dev/null || true; rm -rf "$scratch"' EXIT
    echo "dd writing 1 GB files into $scratch meanwhile (pid $loader)" >&2
fi
"$arbor" bench store --model "$model" -t "$threads" -r "$reps" "${json[@]}"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
