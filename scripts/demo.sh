#!/usr/bin/env bash
# The demo behind `make demo`: every workflow in Workflows/ is validated and compiled to
# its decoding grammar, the default model runs in-process (free and under a schema), and
# `arbor run` decodes a whole reasoning tree with a tool call inside the loop; it ends with a
# research question answered from the documents in Examples/research-corpus, with citations.
set -euo pipefail
cd "$(dirname "$0")/.."
arbor=${1:-.build/release/arbor}

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "Validating every workflow in Workflows/"
"$arbor" validate Workflows/*.yaml
echo "all workflows are valid"

step "Compiling every workflow's reasoning tree to a grammar"
for spec in Workflows/*.yaml; do
    rules=$("$arbor" compile "$spec" | grep -c ' ::= ')
    echo "$spec: $rules grammar rules"
done

step "The grammar of Workflows/math-solver.yaml (GBNF)"
"$arbor" compile Workflows/math-solver.yaml

step "Its output schema"
"$arbor" schema show Workflows/math-solver.yaml

step "The default model, in-process, greedy"
"$arbor" generate --chat -n 64 --prompt "In one sentence: why do long-running jobs need checkpoints?"

step "The same model under math-solver's output schema: every token keeps the JSON valid"
"$arbor" generate --chat -n 200 --spec Workflows/math-solver.yaml \
    --prompt "A train travels at 80 km/h for 2.5 hours. How far does it go? Answer as JSON."

step "arbor run: the reasoning tree decoded under its grammar, the calculator called inside the loop"
export ARBOR_DB=.build/demo-runs.sqlite
"$arbor" run Workflows/math-solver.yaml --tree --quiet \
    --input problem="First compute 12 * 7. Then add 5 to that result. Then divide the sum by 3."

step "Every run is recorded: arbor runs, arbor inspect"
"$arbor" runs --limit 3
latest=$("$arbor" runs --json --limit 1 | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["id"])')
"$arbor" inspect "$latest" > .build/demo-inspect.txt
head -30 .build/demo-inspect.txt

step "A research question answered from the documents in Examples/research-corpus"
# search_documents / read_document over the folder (SQLite FTS5 index in ~/.cache/arbor), the
# answer's citations checked against the documents this run actually read.
start=$(date +%s)
"$arbor" run Workflows/research-local.yaml --json --quiet \
    --input question="What kind of milk is Vell Blue cheese made from?" > .build/demo-research.json
echo "($(( $(date +%s) - start )) s)"
python3 Workflows/tools/check_citations.py --show < .build/demo-research.json \
    || echo "(the check failed: the answer cites a document this run did not read)"

step "Watch runs live in a browser"
# The page follows runs that other processes (arbor run in a terminal) write into the same file,
# and starts, stops, resumes and forks runs of the workflows in Workflows/. The demo only prints
# the command: a server runs until stopped, and `make demo` must end.
echo "Run:   $arbor serve --db $ARBOR_DB --workflows Workflows"
echo "Open:  http://127.0.0.1:8080/"
