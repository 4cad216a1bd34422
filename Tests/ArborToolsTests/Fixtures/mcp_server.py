#!/usr/bin/env python3
"""A minimal MCP server for ArborTools' tests, plain JSON-RPC 2.0 with no dependencies.

stdio mode (default): newline-delimited messages on stdin/stdout.
HTTP mode (`--http`): streamable HTTP on 127.0.0.1 and a free port, printed on stdout;
each POST carries one message and gets its response as application/json (202 for
notifications). Serves until stdin closes.

Tools: add (structured content), greet (plain text), fail (isError), slow (sleeps),
crash (exits with status 7), whoami (the server's pid and environment).
"""
import json
import os
import sys
import threading
import time

TOOLS = [
    {"name": "add", "description": "Add two numbers.",
     "inputSchema": {"type": "object", "properties": {"a": {"type": "number"}, "b": {"type": "number"}},
                     "required": ["a", "b"]}},
    {"name": "greet", "description": "Greet someone.",
     "inputSchema": {"type": "object", "properties": {"name": {"type": "string"}}, "required": ["name"]}},
    {"name": "fail", "description": "Always fails.", "inputSchema": {"type": "object", "properties": {}}},
    {"name": "slow", "description": "Sleeps.",
     "inputSchema": {"type": "object", "properties": {"seconds": {"type": "number"}}}},
    {"name": "crash", "description": "Exits at once.", "inputSchema": {"type": "object", "properties": {}}},
    {"name": "whoami", "description": "The server's process id.", "inputSchema": {"type": "object", "properties": {}}},
]


def call_tool(name, args):
    if name == "add":
        total = args["a"] + args["b"]
        return {"content": [{"type": "text", "text": json.dumps({"sum": total})}], "structuredContent": {"sum": total}}
    if name == "greet":
        return {"content": [{"type": "text", "text": f"Hello, {args['name']}!"}]}
    if name == "fail":
        return {"content": [{"type": "text", "text": "the fixture was asked to fail"}], "isError": True}
    if name == "slow":
        time.sleep(float(args.get("seconds", 30)))
        return {"content": [{"type": "text", "text": "{}"}]}
    if name == "crash":
        sys.stderr.write("fixture: crashing on purpose\n")
        sys.stderr.flush()
        os._exit(7)
    if name == "whoami":
        return {"content": [{"type": "text", "text": json.dumps({"pid": os.getpid(), "environment": dict(os.environ)})}]}
    return None


def handle(message):
    """The response to one message, or None for a notification."""
    method, ident = message.get("method"), message.get("id")
    if ident is None:
        return None
    params = message.get("params") or {}
    if method == "initialize":
        result = {"protocolVersion": params.get("protocolVersion", "2025-06-18"), "capabilities": {"tools": {}},
                  "serverInfo": {"name": "arbor-fixture", "version": "1.0"}}
    elif method == "ping":
        result = {}
    elif method == "tools/list":
        result = {"tools": TOOLS}
    elif method == "tools/call":
        result = call_tool(params.get("name"), params.get("arguments") or {})
        if result is None:
            return {"jsonrpc": "2.0", "id": ident, "error": {"code": -32602, "message": f"unknown tool {params.get('name')}"}}
    else:
        return {"jsonrpc": "2.0", "id": ident, "error": {"code": -32601, "message": f"method not found: {method}"}}
    return {"jsonrpc": "2.0", "id": ident, "result": result}


def serve_stdio():
    lock = threading.Lock()

    def respond(message):
        reply = handle(message)
        if reply is not None:
            with lock:
                sys.stdout.write(json.dumps(reply) + "\n")
                sys.stdout.flush()

    for line in sys.stdin:
        if line.strip():
            # Each request on its own thread so a slow tool does not block pings or shutdown.
            threading.Thread(target=respond, args=(json.loads(line),), daemon=True).start()


def serve_http():
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_POST(self):
            message = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)))
            reply = handle(message)
            if reply is None:
                self.send_response(202)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            data = json.dumps(reply).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Mcp-Session-Id", "fixture-session")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):
            self.send_response(405)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def do_DELETE(self):
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    print(server.server_address[1], flush=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    sys.stdin.read()
    server.shutdown()


if __name__ == "__main__":
    serve_http() if "--http" in sys.argv else serve_stdio()
