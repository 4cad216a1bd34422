#!/usr/bin/env python3
"""Drives `arbor serve`'s page in headless Chromium over the DevTools protocol, as a person
would watch it: the run list is open before the run starts; the run appears; its page shows the
tree growing until the answer. Used by ArborCLITests (ServePageTests), which starts `arbor serve`
and, when this script prints READY, `arbor run` in another process.

Prints one JSON line per observation and a final `RESULT {...}` line: the tree's items (tasks,
tool calls, conclusions) counted over time while the run goes on,
whether a node was greyed as pruned, whether the answer showed, and the commit-to-page latency
of every event the page rendered live (the event's commit time, recorded by `arbor run`, to the
frame that showed it) with its p50.

Needs Debian's `chromium` and websocket-client from PyPI (scripts/setup.sh installs both).
"""
import argparse
import base64
import contextlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request

import websocket


class DevTools:
    def __init__(self, url):
        self.ws = websocket.create_connection(url, timeout=30)
        self.next_id = 0

    def call(self, method, **params):
        self.next_id += 1
        self.ws.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.recv())
            if message.get("id") == self.next_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})

    def evaluate(self, expression):
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        return result.get("result", {}).get("value")


@contextlib.contextmanager
def open_browser(chromium):
    """Headless Chromium with a fresh profile; yields DevTools on its first page."""
    profile = tempfile.mkdtemp(prefix="arbor-chromium-")
    browser = subprocess.Popen(
        [chromium, "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
         "--no-first-run", "--remote-debugging-port=0", f"--user-data-dir={profile}", "--window-size=1280,1800",
         "about:blank"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        port = None
        deadline = time.time() + 60
        while port is None and time.time() < deadline:
            line = browser.stderr.readline()
            if not line:
                break
            match = re.search(r"DevTools listening on ws://127\.0\.0\.1:(\d+)/", line)
            if match:
                port = int(match.group(1))
        if port is None:
            raise SystemExit("chromium did not start its DevTools endpoint")
        targets = json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list"))
        page = next(t for t in targets if t.get("type") == "page")
        tools = DevTools(page["webSocketDebuggerUrl"])
        tools.call("Page.enable")
        yield tools
    finally:
        browser.terminate()
        try:
            browser.wait(timeout=10)
        except subprocess.TimeoutExpired:
            browser.kill()
        shutil.rmtree(profile, ignore_errors=True)


def say(**fields):
    print(json.dumps(fields), flush=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True, help="the base URL arbor serve printed")
    parser.add_argument("--screenshot", required=True, help="where to save the PNG")
    parser.add_argument("--timeout", type=float, default=240)
    parser.add_argument("--chromium", default=shutil.which("chromium") or "/usr/bin/chromium")
    parser.add_argument("--run", help="instead: open this (finished, long) run's page and time it")
    args = parser.parse_args()

    with open_browser(args.chromium) as tools:
        if args.run:
            return open_long_run(tools, args)
        tools.call("Page.navigate", url=args.url + "/#/")
        while tools.evaluate("document.getElementById('runs') !== null") is not True:
            time.sleep(0.05)
        say(event="list-open")
        print("READY", flush=True)

        deadline = time.time() + args.timeout
        run_id = None
        while run_id is None and time.time() < deadline:
            run_id = tools.evaluate("(document.querySelector('#runs tr[data-run-id]') || {}).dataset?.runId || null")
            time.sleep(0.05)
        if run_id is None:
            raise SystemExit("the run never appeared in the list")
        say(event="run-appeared", run=run_id)
        tools.evaluate("document.querySelector('tr[data-run-id] a').click()")

        probe = """JSON.stringify({
            nodes: document.querySelectorAll('details.node').length,
            items: document.querySelectorAll('details.node, .tool, .node .conclusion').length,
            open: document.querySelectorAll('details.node[data-state=open]').length,
            pruned: document.querySelectorAll('details.node[data-state=pruned]').length,
            tools: document.querySelectorAll('.tool').length,
            status: (document.getElementById('run-status') || {}).textContent || null,
            answer: document.querySelector('pre.answer') !== null,
            prunedEvents: window.arbor.state ? window.arbor.state.pruned.length : 0,
            latencies: window.arbor.latencies.length})"""
        counts = []
        seen = {}
        while time.time() < deadline:
            seen = json.loads(tools.evaluate(probe))
            # the tree's items (tasks, tool calls, conclusions) counted while the run goes on
            if seen["status"] == "running" and (not counts or counts[-1] != seen["items"]):
                counts.append(seen["items"])
                say(event="tree", **seen)
            if seen["status"] in ("completed", "failed") and (seen["answer"] or seen["status"] == "failed"):
                break
            time.sleep(0.05)
        time.sleep(0.3)
        shot = tools.call("Page.captureScreenshot", format="png", captureBeyondViewport=True)
        with open(args.screenshot, "wb") as file:
            file.write(base64.b64decode(shot["data"]))
        latencies = sorted(tools.evaluate("window.arbor.latencies") or [])
        p50 = latencies[len(latencies) // 2] if latencies else None
        print("RESULT " + json.dumps({
            "run": run_id, "itemCounts": counts, "nodes": seen.get("nodes"), "status": seen.get("status"), "answer": seen.get("answer"),
            "prunedNodes": seen.get("pruned"), "prunedEvents": seen.get("prunedEvents"), "tools": seen.get("tools"),
            "latencyP50ms": p50, "latencyP90ms": latencies[int(len(latencies) * 0.9)] if latencies else None,
            "latencySamples": len(latencies), "screenshot": args.screenshot}), flush=True)


def open_long_run(tools, args):
    """Opens a finished run's page directly and measures how long until it shows the answer
    (snapshot, every event replayed, one render), what it drew, and what a render costs."""
    started = time.time()
    tools.call("Page.navigate", url=f"{args.url}/#/runs/{args.run}")
    while time.time() - started < args.timeout:
        if tools.evaluate("(document.getElementById('run-status') || {}).textContent === 'completed' && document.querySelector('pre.answer') !== null"):
            break
        time.sleep(0.02)
    loaded = time.time() - started
    time.sleep(0.3)
    seen = json.loads(tools.evaluate("""JSON.stringify({
        nodes: document.querySelectorAll('details.node').length,
        rounds: document.querySelectorAll('.round').length,
        earlierSummaries: document.querySelectorAll('.earlier-rounds .summary').length,
        hiddenTasks: document.querySelectorAll('.hidden-tasks').length,
        pruned: document.querySelectorAll('details.node[data-state=pruned]').length,
        events: window.arbor.state ? window.arbor.state.seq : 0,
        renderMs: window.arbor.renderMs, status: (document.getElementById('run-status') || {}).textContent || null})"""))
    started = time.time()
    tools.evaluate("document.getElementById('all-rounds').click()")
    every = tools.evaluate("document.querySelectorAll('details.node').length")
    shot = tools.call("Page.captureScreenshot", format="png")
    with open(args.screenshot, "wb") as file:
        file.write(base64.b64decode(shot["data"]))
    print("RESULT " + json.dumps({**seen, "loadSeconds": loaded, "allRoundsNodes": every,
                                  "allRoundsSeconds": time.time() - started}), flush=True)


if __name__ == "__main__":
    main()
