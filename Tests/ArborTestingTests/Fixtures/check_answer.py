#!/usr/bin/env python3
"""Assertion command for the ArborTesting tests: passes when output.answer == 42."""
import json
import sys

run = json.load(sys.stdin)
if run["output"].get("answer") != 42:
    print(f"answer is {run['output'].get('answer')}, not 42", file=sys.stderr)
    sys.exit(3)
