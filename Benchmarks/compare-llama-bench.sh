#!/usr/bin/env bash
# Arbor's engine speed next to llama.cpp's, on the same GGUF files and thread count, for both
# shipped models (SmolLM2-135M Q4_1 and, when present, Qwen2.5-Coder-0.5B Q4_K_M).
#
#   LLAMA_BENCH=/path/to/llama-bench Benchmarks/compare-llama-bench.sh [-t 2] [-p 512] [-n 128] [-r 3]
#
# -p and -n take comma-separated lengths (-p 512,2048 adds prefill at a 2k context). With
# LLAMA_BENCH set, both benchmarks run back to back per model in this run and the ratios compare
# like with like. Without it, Arbor's figures are compared with the reference tables measured
# on this machine kind (../shared/reference/llama-bench.txt, qwen2-llama-bench.txt), and the
# script says so: such figures vary by ±10–15 % between runs on shared machines.
# ARBOR_MODELS (space-separated paths) picks other models; the load average is printed with
# each table, since other processes on the machine move both columns.
set -euo pipefail
cd "$(dirname "$0")/.."

threads=2 prompt=512 gen=128 reps=3
while getopts "t:p:n:r:" opt; do
    case $opt in
        t) threads=$OPTARG ;; p) prompt=$OPTARG ;; n) gen=$OPTARG ;; r) reps=$OPTARG ;;
        *) echo "usage: $0 [-t THREADS] [-p PROMPT] [-n GEN] [-r REPS]" >&2; exit 2 ;;
    esac
done

default_models="models/SmolLM2-135M-Instruct.Q4_1.gguf"
[ -f models/qwen2.5-coder-0.5b-instruct-q4_k_m.gguf ] && default_models="$default_models models/qwen2.5-coder-0.5b-instruct-q4_k_m.gguf"
models=${ARBOR_MODELS:-${ARBOR_MODEL:-$default_models}}
arbor=.build/release/arbor
[ -x "$arbor" ] || swift build -c release --product arbor >&2

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

for model in $models; do
case $model in
    *qwen2*) reference=${ARBOR_REFERENCE:-../shared/reference/qwen2-llama-bench.txt} ;;
    *) reference=${ARBOR_REFERENCE:-../shared/reference/llama-bench.txt} ;;
esac
echo
echo "## $(basename "$model") ($(uptime | sed 's/.*load average/load average/'))"
echo

if [ -n "${LLAMA_BENCH:-}" ]; then
    echo "llama.cpp: $LLAMA_BENCH -m $model -t $threads -p $prompt -n $gen -r $reps" >&2
    "$LLAMA_BENCH" -m "$model" -t "$threads" -p "$prompt" -n "$gen" -r "$reps" -o md >"$out/llama.md"
    source_note="llama-bench measured in this run"
else
    [ -f "$reference" ] || { echo "no LLAMA_BENCH and no reference table at $reference" >&2; exit 1; }
    cp "$reference" "$out/llama.md"
    source_note="no LLAMA_BENCH given: llama.cpp figures come from $reference (measured earlier, not in this run)"
fi

"$arbor" bench model --model "$model" -t "$threads" -p "$prompt" -n "$gen" -r "$reps" --json >"$out/arbor.json"

python3 - "$out/llama.md" "$out/arbor.json" "$threads" "$source_note" <<'PY'
import json, re, sys
llama_md, arbor_json, threads, note = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
llama = {}
for line in open(llama_md):
    cells = [c.strip() for c in line.strip().strip("|").split("|")]
    if len(cells) >= 7 and re.fullmatch(r"(pp|tg)\d+", cells[-2]) and cells[-3].isdigit():
        if int(cells[-3]) == threads:
            llama[cells[-2]] = float(cells[-1].split("±")[0])
arbor = json.load(open(arbor_json))
print(f"| test | llama.cpp t/s | Arbor t/s | Arbor / llama.cpp |")
print(f"| --- | ---: | ---: | ---: |")
for r in arbor["results"]:
    base = llama.get(r["test"])
    ratio = f"{r['mean'] / base:.2f}x" if base else "n/a"
    base_text = f"{base:.2f}" if base else "not measured"
    print(f"| {r['test']} | {base_text} | {r['mean']:.2f} ± {r['stddev']:.2f} | {ratio} |")
bw = arbor["read_bandwidth_bytes_per_second"]
print()
print(f"threads: {threads}; {note}")
print(f"streaming read bandwidth: {bw / 1e9:.1f} GB/s; weights per token: {arbor['weight_bytes_per_token'] / 1e6:.1f} MB; "
      f"tg ceiling {arbor['tg_ceiling_tokens_per_second']:.0f} t/s")
if "tg_share_of_ceiling" in arbor:
    print(f"Arbor tg reaches {100 * arbor['tg_share_of_ceiling']:.0f}% of the bandwidth ceiling")
if "peak_resident_bytes" in arbor:
    peak, budget = arbor["peak_resident_bytes"], arbor["memory_budget_bytes"]
    verdict = "within" if peak <= budget else "OVER"
    print(f"Arbor resident memory: peak {peak / 2**20:.1f} MiB, budget (model file + KV cache + 64 MiB) "
          f"{budget / 2**20:.1f} MiB: {verdict}")
PY
done
