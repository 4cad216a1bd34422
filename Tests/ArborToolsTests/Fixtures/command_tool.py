#!/usr/bin/env python3
"""A command tool for ArborTools' tests: reads the arguments as JSON on stdin and acts on
`mode`. echo: prints what it received; fail: writes to stderr and exits 3; garbage: prints
text that is not JSON; env: prints its environment; sleep: sleeps `seconds` (to be killed by the timeout)."""
import json
import sys
import time

args = json.load(sys.stdin)
mode = args.get("mode", "echo")
if mode == "echo":
    json.dump({"received": args, "argv": sys.argv[1:]}, sys.stdout)
elif mode == "env":
    json.dump({"environment": dict(__import__("os").environ)}, sys.stdout)
elif mode == "fail":
    sys.stderr.write("fixture: something went wrong on purpose\n")
    sys.exit(3)
elif mode == "garbage":
    print("this is not JSON")
elif mode == "sleep":
    print(json.dumps({"pid": __import__("os").getpid()}), file=sys.stderr, flush=True)
    time.sleep(float(args.get("seconds", 30)))
    print("{}")
