#!/usr/bin/env bash
# Issue 7's tool-loop benchmark: a synthetic workflow making N tool calls (instant lookups
# with fixed-size results), decoded by Arbor with pruning, by Arbor without pruning and by
# the usual agent loop (re-prefill of the whole conversation after every tool result).
#
#   Benchmarks/tool-loop.sh [-t THREADS] [-n 0,10,30,60] [-r REPEATS] [-m MODES] [--json]
#
# -m picks some of arbor, arbor-no-prune, agent-loop (comma-separated): the agent loop alone
# takes half an hour at N = 30 on 2 cores.
#
# Prints the table and the issue's goals at N = 30 once per repetition; figures on shared
# machines move between runs, so compare the ratios within one run.
set -euo pipefail
cd "$(dirname "$0")/.."

threads=2 counts=0,10,30,60 repeats=1 json=() modes=()
while [ $# -gt 0 ]; do
    case $1 in
        -t) threads=$2; shift 2 ;;
        -n) counts=$2; shift 2 ;;
        -r) repeats=$2; shift 2 ;;
        -m) modes=(--modes "$2"); shift 2 ;;
        --json) json=(--json); shift ;;
        *) echo "usage: $0 [-t THREADS] [-n 0,10,30,60] [-r REPEATS] [-m MODES] [--json]" >&2; exit 2 ;;
    esac
done

arbor=.build/release/arbor
[ -x "$arbor" ] || swift build -c release --product arbor >&2

for ((i = 1; i <= repeats; i++)); do
    if [ "$repeats" -gt 1 ]; then echo "run $i of $repeats" >&2; fi
    "$arbor" bench tools "$counts" -t "$threads" "${modes[@]}" "${json[@]}"
    if [ "$i" -lt "$repeats" ]; then echo; fi
done
