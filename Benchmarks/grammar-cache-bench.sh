#!/usr/bin/env bash
# Grammar compile against reading the compiled masks back from the disk cache, in the same
# process, for every shipped workflow's tree grammar over both shipped models' vocabularies
# (SmolLM2-135M: 49,152 tokens; Qwen2.5-Coder-0.5B: 151,936). One table row per pair:
# the vocabulary's tables, the grammar from its tree, the cold compile, the read back
# (median of 3) split into the automaton's analyses and the file, the file's size, and
# compile / read back. Decodes only one token per run (-n 1 -r 1): the speed of constrained
# decoding is Benchmarks/grammar-bench.sh's.
#
# With BASELINE=path/to/an/older/arbor (a build of another cache file format), each pair is
# measured with that binary and then with this one, back to back, and one row shows both
# (before / after): compile, compile and write the file, read back, the file's part of
# the read back, the file's size, how many times smaller it got, and compile / read back.
#
#   Benchmarks/grammar-cache-bench.sh [path/to/arbor]     (default .build/release/arbor)
#   BASELINE=/tmp/arbor-before Benchmarks/grammar-cache-bench.sh
set -euo pipefail
cd "$(dirname "$0")/.."
ARBOR=${1:-.build/release/arbor}
BASELINE=${BASELINE:-}
for binary in "$ARBOR" ${BASELINE:+"$BASELINE"}; do
    if [[ ! -x $binary ]]; then
        echo "no arbor binary at $binary; build it with: swift build -c release --product arbor" >&2
        exit 1
    fi
done
MODELS=${MODELS:-"models/SmolLM2-135M-Instruct.Q4_1.gguf models/qwen2.5-coder-0.5b-instruct-q4_k_m.gguf"}
measure() { # binary spec model → the bench's JSON
    "$1" bench grammar --spec "$2" --model "$3" -n 1 -r 1 -t 2 --json
}
echo "load: $(uptime)"
if [[ -z $BASELINE ]]; then
    printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' model workflow "vocabulary ms" "tree → grammar ms" \
        "compile ms" "read back ms" "of which the file ms" "file MiB" "compile / read back"
    printf '|%s\n' "---|---|---:|---:|---:|---:|---:|---:|---:|"
else
    printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' model workflow "compile ms" "compile + write ms" \
        "read back ms" "of which the file ms" "file MiB" "smaller" "compile / read back"
    printf '|%s\n' "---|---|---:|---:|---:|---:|---:|---:|---:|"
fi
for model in $MODELS; do
    for spec in Workflows/*.yaml; do
        name=$(basename "$model" .gguf)
        workflow=$(basename "$spec" .yaml)
        if [[ -z $BASELINE ]]; then
            measure "$ARBOR" "$spec" "$model" | jq -r --arg m "$name" --arg w "$workflow" '
                .disk_cache_ms as $d |
                "| \($m) | \($w) | \(.vocabulary_ms | floor) | \(.grammar_build_ms * 10 | floor / 10) | \(.compiled_grammar_ms | floor) | \($d.read * 10 | floor / 10) | \(($d.read - $d.without_masks) * 10 | floor / 10) | \($d.file_bytes / 1048576 * 100 | floor / 100) | \(.compiled_grammar_ms / $d.read | floor)× |"'
        else
            before=$(measure "$BASELINE" "$spec" "$model")
            after=$(measure "$ARBOR" "$spec" "$model")
            jq -rn --argjson b "$before" --argjson a "$after" --arg m "$name" --arg w "$workflow" '
                def r1: . * 10 | floor / 10;
                def both(f): "\($b | f) / \($a | f)";
                "| \($m) | \($w) | \(both(.compiled_grammar_ms | floor)) | \(both(.disk_cache_ms.write | floor))"
                + " | \(both(.disk_cache_ms.read | r1)) | \(both(.disk_cache_ms | (.read - .without_masks) | r1))"
                + " | \(both(.disk_cache_ms.file_bytes / 1048576 * 100 | floor / 100))"
                + " | \($b.disk_cache_ms.file_bytes / $a.disk_cache_ms.file_bytes | r1)×"
                + " | \(both(.compiled_grammar_ms / .disk_cache_ms.read | floor | tostring + "×")) |"'
        fi
    done
done
echo "load: $(uptime)"
