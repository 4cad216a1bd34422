#!/usr/bin/env python3
"""A command tool for the runtime's tests: returns the length of `text` and appends one line
per call to the file named by $ARBOR_TEST_TOOL_LOG, so a test can count real invocations."""
import json
import os
import sys

args = json.load(sys.stdin)
log = os.environ.get("ARBOR_TEST_TOOL_LOG")
if log:
    with open(log, "a") as f:
        f.write(json.dumps(args) + "\n")
json.dump({"length": len(args.get("text", ""))}, sys.stdout)
