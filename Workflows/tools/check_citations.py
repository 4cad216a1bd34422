#!/usr/bin/env python3
"""Checks that a research run cites only documents it actually read.

Reads a run as JSON on stdin: the object `arbor test` gives a `command:` assertion, or the
one `arbor run --json` prints. Every id cited in the answer's `claims[*].source` (or each
claim's `sources` list) must be
the argument (`--argument`, default `id`) of a call to the reading tool (`--read-tool`,
default `read`) that succeeded in the same run. Exit 0 when they all were, 1 otherwise,
with the cited ids that were never read on stderr.

    arbor run Workflows/research-local.yaml --input question="..." --json \
      | python3 Workflows/tools/check_citations.py
"""
import argparse
import json
import sys


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--read-tool", default="read", help="the tool whose calls count as reading (default: read)")
    parser.add_argument("--argument", default="id", help="the argument naming what was read (default: id)")
    parser.add_argument("--show", action="store_true", help="first print the tool calls and the answer")
    options = parser.parse_args()

    run = json.load(sys.stdin)
    answer = run.get("output", run.get("answer"))
    calls = run.get("tool_calls", run.get("toolCalls", []))
    if not isinstance(answer, dict):
        print("the run has no answer object", file=sys.stderr)
        return 1

    if options.show:
        for call in calls:
            result = call.get("result")
            if call.get("error"):
                outcome = "error: " + str(call["error"])[:100]
            elif isinstance(result, dict) and isinstance(result.get("results"), list):
                outcome = "; ".join(f"{hit.get('id')} {hit.get('path')}" for hit in result["results"]) or "no results"
            elif isinstance(result, dict) and "path" in result:
                outcome = f"{result.get('path')} ({result.get('title')}), {len(result.get('text', ''))} characters"
            else:
                outcome = json.dumps(result)[:100]
            print(f"{call.get('tool')} {json.dumps(call.get('arguments'), ensure_ascii=False)} -> {outcome}")
        print(json.dumps(answer, indent=2, ensure_ascii=False))

    read = []
    for call in calls:
        name = call.get("tool", call.get("name"))
        arguments = call.get("arguments") or {}
        failed = "error" in call and call["error"] is not None
        if name == options.read_tool and not failed and isinstance(arguments, dict) and options.argument in arguments:
            read.append(arguments[options.argument])

    cited = []
    for claim in answer.get("claims", []):
        cited += [claim["source"]] if "source" in claim else claim.get("sources", [])
    if not cited:
        print("the answer cites no document", file=sys.stderr)
        return 1
    unread = [source for source in cited if source not in read]
    if unread:
        print(f"cited but never read in this run: {', '.join(map(str, unread))}; read: {', '.join(map(str, read)) or 'nothing'}",
              file=sys.stderr)
        return 1
    print(f"{len(cited)} citation(s), all of documents read in this run: {', '.join(sorted(set(map(str, cited))))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
