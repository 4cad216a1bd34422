#!/usr/bin/env bash
# Grammar compile against reading the compiled masks back from the disk cache, in the same
# process, for every shipped workflow's tree grammar over both shipped models' vocabularies
# (SmolLM2-135M: 49,152 tokens; Qwen2.5-Coder-0.5B: 151,936). One table row per pair:
# the vocabulary's tables, the grammar from its tree, the cold compile, the read back
# (median of 3) split into the automaton's analyses and the file, the file's size, and
# compile / read back. Decodes only one token per run (-n 1 -r 1): the speed of constrained
# decoding is Benchmarks/grammar-bench.sh's.
#
#   Benchmarks/grammar-cache-bench.sh [path/to/arbor]     (default .build/release/arbor)
set -euo pipefail
cd "$(dirname "$0")/.."
ARBOR=${1:-.build/release/arbor}
if [[ ! -x $ARBOR ]]; then
    echo "no arbor binary at $ARBOR; build it with: swift build -c release --product arbor" >&2
    exit 1
fi
MODELS=${MODELS:-"models/SmolLM2-135M-Instruct.Q4_1.gguf models/qwen2.5-coder-0.5b-instruct-q4_k_m.gguf"}
echo "load: $(uptime)"
printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' model workflow "vocabulary ms" "tree → grammar ms" \
    "compile ms" "read back ms" "of which the file ms" "file MiB" "compile / read back"
printf '|%s\n' "---|---|---:|---:|---:|---:|---:|---:|---:|"
for model in $MODELS; do
    for spec in Workflows/*.yaml; do
        "$ARBOR" bench grammar --spec "$spec" --model "$model" -n 1 -r 1 -t 2 --json | jq -r --arg m "$(basename "$model")" --arg w "$(basename "$spec" .yaml)" '
            .disk_cache_ms as $d |
            "| \($m) | \($w) | \(.vocabulary_ms | floor) | \(.grammar_build_ms * 10 | floor / 10) | \(.compiled_grammar_ms | floor) | \($d.read * 10 | floor / 10) | \(($d.read - $d.without_masks) * 10 | floor / 10) | \($d.file_bytes / 1048576 * 10 | floor / 10) | \(.compiled_grammar_ms / $d.read | floor)× |"'
    done
done
echo "load: $(uptime)"
