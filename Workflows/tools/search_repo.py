#!/usr/bin/env python3
"""Command tool for triage-issue.yaml: search a checkout for a fixed string.

Arbor passes the arguments as JSON on stdin ({"text": ..., "path": ...}) and reads JSON
from stdout: {"matches": [{"file", "line", "text"}], "truncated": bool}. No match is an
empty list, not an error (plain grep exits 1 and prints text, which a tool cannot return).
"""
import json
import os
import sys

LIMIT = 50

args = json.load(sys.stdin)
needle, root = args["text"], args.get("path", ".")
matches = []
for folder, dirs, files in os.walk(root):
    dirs[:] = [d for d in dirs if not d.startswith(".")]
    for name in files:
        path = os.path.join(folder, name)
        try:
            with open(path, encoding="utf-8") as handle:
                for number, line in enumerate(handle, 1):
                    if needle in line:
                        matches.append({"file": path, "line": number, "text": line.rstrip("\n")[:200]})
                        if len(matches) > LIMIT:
                            json.dump({"matches": matches[:LIMIT], "truncated": True}, sys.stdout)
                            sys.exit(0)
        except (UnicodeDecodeError, OSError):
            continue
json.dump({"matches": matches, "truncated": False}, sys.stdout)
