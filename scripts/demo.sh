#!/usr/bin/env bash
# The demo behind `make demo`: every workflow in Workflows/ is validated and its output
# schema shown, then the default model answers a question in-process.
set -euo pipefail
cd "$(dirname "$0")/.."
arbor=${1:-.build/release/arbor}

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "Validating every workflow in Workflows/"
"$arbor" validate Workflows/*.yaml
echo "all workflows are valid"

for spec in Workflows/*.yaml; do
    step "Output schema of $spec"
    "$arbor" schema show "$spec"
done

step "The default model, in-process, greedy"
"$arbor" generate --chat -n 64 --prompt "In one sentence: why do long-running jobs need checkpoints?"
