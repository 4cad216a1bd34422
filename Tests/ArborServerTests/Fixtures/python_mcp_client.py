"""Drives `arbor mcp` with the official Python MCP client (the `mcp` package from PyPI).

Run by ArborServerTests.PythonClientTests; usable by hand too:

    python3 python_mcp_client.py --arbor .build/debug/arbor --workflows Workflows --db /tmp/runs.sqlite

With `--http` it starts `arbor mcp --http --port 0` itself and connects to the address the
server prints, over streamable HTTP; otherwise the client starts the server over stdio.
It lists the tools and checks their schemas, calls a tool with bad arguments (isError),
calls math-solver with a progress token (structured content valid against the tool's
output schema, progress received, the run id in `_meta`), then starts a long call,
cancels it after its first finished task and waits for the run to be `paused` in the
SQLite store. It prints one JSON object with what it saw and exits 0, or prints the
failed check on stderr and exits 1.
"""

import argparse
import json
import sqlite3
import sys
import time

import anyio
import jsonschema
from mcp import Client
from mcp.client.stdio import StdioServerParameters

RUN_ID_KEY = "arbor/run_id"


def check(condition, message):
    if not condition:
        print(f"check failed: {message}", file=sys.stderr)
        sys.exit(1)


def run_status(db, run_id):
    with sqlite3.connect(db) as connection:
        row = connection.execute("SELECT status FROM run WHERE id = ?", (run_id,)).fetchone()
    return row[0] if row else None


async def main(args):
    command = [args.arbor, "mcp", args.workflows, "--db", args.db]
    if not args.http:
        await exercise(StdioServerParameters(command=command[0], args=command[1:], cwd=args.cwd), args)
        return
    log_path = args.db + ".server-stderr"
    with open(log_path, "wb") as log:
        process = await anyio.open_process(command + ["--http", "--port", "0"], stdin=None, stdout=log, stderr=log, cwd=args.cwd)
    try:
        url = None
        with anyio.fail_after(60):
            while url is None:
                await anyio.sleep(0.1)
                for word in open(log_path).read().split():
                    if word.startswith("http://127.0.0.1:") and word.endswith("/mcp;"):
                        url = word[:-1]
                check(process.returncode is None, "the HTTP server is still running")
        await exercise(url, args)
        check(process.returncode is None, "the HTTP server is still running after the checks")
    finally:
        process.terminate()
        await process.wait()


async def exercise(server, args):
    seen = {"transport": "http" if isinstance(server, str) else "stdio"}
    async with Client(server, read_timeout_seconds=args.timeout) as client:
        listed = (await client.list_tools()).tools
        tools = {tool.name: tool for tool in listed}
        seen["tools"] = sorted(tools)
        check("math-solver" in tools and "long-report" in tools, f"tools listed: {sorted(tools)}")
        check("arbor_run_status" in tools, "the run-status tool is listed")
        math = tools["math-solver"]
        check(math.input_schema["type"] == "object" and math.input_schema["required"] == ["problem"],
              f"math-solver's inputSchema: {math.input_schema}")
        check(math.output_schema["properties"]["confidence"]["enum"] == ["certain", "likely", "unsure"],
              f"math-solver's outputSchema: {math.output_schema}")

        bad = await client.call_tool("math-solver", {"problem": 5, "precision": 99})
        check(bad.is_error, "bad arguments come back as isError")
        seen["bad_arguments"] = bad.content[0].text
        check("problem" in bad.content[0].text and "precision" in bad.content[0].text, bad.content[0].text)

        messages = []

        async def on_progress(progress, total, message):
            messages.append(message)

        result = await client.call_tool("math-solver", {"problem": "What is 12 times 7?"}, progress_callback=on_progress)
        check(not result.is_error, f"math-solver answered: {result.content}")
        jsonschema.validate(result.structured_content, math.output_schema)
        check(json.loads(result.content[0].text) == result.structured_content, "the text block is the same JSON")
        run_id = (result.meta or {}).get(RUN_ID_KEY)
        check(run_id and run_status(args.db, run_id) == "completed", f"run {run_id} completed in the store")
        check(any(m and m.startswith("run r-") for m in messages), f"a progress message names the run: {messages}")
        check(any(m and m.startswith("task ") for m in messages), f"a progress message per finished task: {messages}")
        seen["answer"] = result.structured_content
        seen["progress"] = messages

        # A long call, cancelled once it has finished a task: the run must end paused.
        long_run = {}
        finished_task = anyio.Event()

        async def on_long_progress(progress, total, message):
            if message and message.startswith("run r-"):
                long_run["id"] = message.split()[1]
            if message and message.startswith("task "):
                finished_task.set()

        async with anyio.create_task_group() as group:
            async def long_call():
                with anyio.CancelScope() as scope:
                    long_run["scope"] = scope
                    await client.call_tool("long-report", {"topic": "Why long jobs need checkpoints"},
                                           progress_callback=on_long_progress)
                    long_run["finished"] = True

            group.start_soon(long_call)
            with anyio.fail_after(args.timeout):
                await finished_task.wait()
            long_run["scope"].cancel()
        check("finished" not in long_run, "the long call was cancelled before it finished")
        check("id" in long_run, "the long call's progress named its run")
        deadline = time.monotonic() + 60
        while run_status(args.db, long_run["id"]) == "running" and time.monotonic() < deadline:
            await anyio.sleep(0.2)
        check(run_status(args.db, long_run["id"]) == "paused", f"the cancelled run is paused: {run_status(args.db, long_run['id'])}")
        status = await client.call_tool("arbor_run_status", {"run_id": long_run["id"]})
        check(status.structured_content["status"] == "paused", f"arbor_run_status: {status.structured_content}")
        seen["cancelled_run"] = long_run["id"]

        # The server is still there after all of this.
        check(len((await client.list_tools()).tools) == len(listed), "the server still answers")
    print(json.dumps(seen))


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--arbor", required=True)
    parser.add_argument("--workflows", required=True)
    parser.add_argument("--db", required=True)
    parser.add_argument("--cwd", default=None)
    parser.add_argument("--timeout", type=float, default=600)
    parser.add_argument("--http", action="store_true")
    anyio.run(main, parser.parse_args())
