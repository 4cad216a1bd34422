#!/usr/bin/env python3
"""Uses `arbor serve`'s page in headless Chromium as a person would use its buttons: starts a
run from the form generated from the workflow's input schema, stops it with the Stop button
and waits for the page to say `paused`, resumes it with the Resume button and waits for the
answer; it reports the nodes greyed as pruned too. Screenshots: `paused.png` and
`finished.png` in --screenshots.

Used by ArborCLITests (ServePageTests), which starts `arbor serve --workflows ...`. Prints one
JSON line per step and a final `RESULT {...}` line. Needs what page_check.py needs.
"""
import argparse
import base64
import json
import os
import shutil
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from page_check import DevTools, open_browser, say  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True, help="the base URL arbor serve printed")
    parser.add_argument("--workflow", required=True, help="the workflow to pick in the form")
    parser.add_argument("--input", action="append", default=[], help="NAME=TEXT typed into the input's field")
    parser.add_argument("--screenshots", required=True, help="folder for paused.png and finished.png")
    parser.add_argument("--stop-after-nodes", type=int, default=1, help="tasks on the page before Stop is clicked")
    parser.add_argument("--timeout", type=float, default=300)
    parser.add_argument("--chromium", default=shutil.which("chromium") or "/usr/bin/chromium")
    args = parser.parse_args()
    os.makedirs(args.screenshots, exist_ok=True)

    with open_browser(args.chromium) as tools:
        deadline = time.time() + args.timeout

        def wait_for(expression, what):
            while time.time() < deadline:
                value = tools.evaluate(expression)
                if value:
                    return value
                time.sleep(0.05)
            raise SystemExit(f"timed out waiting for {what}")

        def shoot(name):
            shot = tools.call("Page.captureScreenshot", format="png", captureBeyondViewport=True)
            path = os.path.join(args.screenshots, name)
            with open(path, "wb") as file:
                file.write(base64.b64decode(shot["data"]))
            return path

        tools.call("Page.navigate", url=args.url + "/#/")
        wait_for("document.querySelector('#start-form select#workflow') !== null", "the start form")
        say(event="form-open", workflows=tools.evaluate("[...document.querySelectorAll('#workflow option')].map(o => o.value)"))
        tools.evaluate(f"""(() => {{ const s = document.getElementById('workflow'); s.value = {json.dumps(args.workflow)};
            s.dispatchEvent(new Event('change')); }})()""")
        for item in args.input:
            name, text = item.split("=", 1)
            found = tools.evaluate(f"""(() => {{ const f = document.querySelector('[data-input="' + CSS.escape({json.dumps(name)}) + '"]');
                if (!f) return false; f.value = {json.dumps(text)}; return true; }})()""")
            if not found:
                raise SystemExit(f"the form has no field for the input {name}")
        fields = tools.evaluate("[...document.querySelectorAll('#inputs [data-input]')].map(f => f.dataset.input)")
        tools.evaluate("document.getElementById('start').click()")
        run_id = wait_for("(location.hash.match(/^#\\/runs\\/(.+)$/) || [])[1] || (document.getElementById('start-error') || {}).textContent || null",
                          "the run page")
        if not tools.evaluate("location.hash.startsWith('#/runs/')"):
            raise SystemExit(f"the form did not start a run: {run_id}")
        say(event="started", run=run_id, fields=fields)

        status = "((document.getElementById('run-status') || {}).textContent || null)"
        wait_for(f"{status} === 'running' && document.querySelectorAll('details.node').length >= {args.stop_after_nodes}",
                 "the run's first tasks")
        nodes_before = tools.evaluate("document.querySelectorAll('details.node').length")
        tools.evaluate("document.getElementById('stop').click()")
        clicked = time.time()
        wait_for(f"{status} === 'paused' && document.getElementById('resume') !== null", "the page to say paused")
        stop_seconds = time.time() - clicked
        say(event="paused", seconds=round(stop_seconds, 3), nodes=nodes_before)
        paused_shot = shoot("paused.png")

        tools.evaluate("document.getElementById('resume').click()")
        wait_for(f"{status} !== 'paused'", "the page to leave paused")
        statuses = [tools.evaluate(status)]
        wait_for(f"({status} === 'completed' && document.querySelector('pre.answer') !== null) || {status} === 'failed'",
                 "the answer")
        statuses.append(tools.evaluate(status))
        time.sleep(0.3)
        probe = json.loads(tools.evaluate("""JSON.stringify({
            answer: (document.querySelector('pre.answer') || {}).textContent || null,
            nodes: document.querySelectorAll('details.node').length,
            pruned: document.querySelectorAll('details.node[data-state=pruned]').length,
            prunedOpacity: (() => { const n = document.querySelector('details.node[data-state=pruned]');
                                    return n ? getComputedStyle(n).opacity : null; })(),
            prunedEvents: window.arbor.state ? window.arbor.state.pruned.length : 0,
            error: (document.getElementById('error') || {}).textContent || ''})"""))
        finished_shot = shoot("finished.png")
        print("RESULT " + json.dumps({
            "run": run_id, "fields": fields, "stopSeconds": stop_seconds, "afterResume": statuses,
            "screenshots": [paused_shot, finished_shot], **probe}), flush=True)


if __name__ == "__main__":
    main()
