#!/usr/bin/env python3
"""Command tool for the ArborTesting tests: answers {"echo": <arguments>, "length": len(text)}."""
import json
import sys

args = json.load(sys.stdin)
json.dump({"echo": args, "length": len(args.get("text", ""))}, sys.stdout)
