#!/usr/bin/env python3
"""A bounded HTTP server for ArborTools' tests on 127.0.0.1 and a free port.

Prints the port on stdout, then serves until its stdin closes (the test closes it or
terminates the process). Routes:
  GET  /echo?...        -> {"path": ..., "query": {...}, "headers": {...}}
  POST/PUT /echo        -> the same plus "body" (parsed JSON)
  GET  /status/<code>   -> that status with body {"error": "status <code>"}
  GET  /redirect?to=U   -> 302 to U
  GET  /text            -> text/plain "plain words"
  GET  /html            -> application/octet-stream bytes that are not JSON
  GET  /slow?seconds=s  -> waits s seconds, then {}
  GET  /big?bytes=n[&declare=d] -> a JSON string of n bytes in 64 KiB writes, without a
                           Content-Length (the end is the closed connection) or declaring d;
                           stops quietly when the client hangs up
"""
import json
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def reply(self, status, body, content_type="application/json"):
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def handle_any(self):
        url = urllib.parse.urlsplit(self.path)
        query = dict(urllib.parse.parse_qsl(url.query, keep_blank_values=True))
        if url.path.startswith("/echo"):
            body = None
            length = int(self.headers.get("Content-Length") or 0)
            if length:
                body = json.loads(self.rfile.read(length))
            self.reply(200, {"method": self.command, "path": url.path, "raw_path": self.path, "query": query,
                             "headers": {k.lower(): v for k, v in self.headers.items()}, "body": body})
        elif url.path.startswith("/status/"):
            code = int(url.path.rsplit("/", 1)[1])
            self.reply(code, {"error": f"status {code}"})
        elif url.path == "/redirect":
            self.send_response(302)
            self.send_header("Location", query["to"])
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif url.path == "/text":
            self.reply(200, b"plain words", "text/plain; charset=utf-8")
        elif url.path == "/binary":
            self.reply(200, b"\x00\x01 not json", "application/octet-stream")
        elif url.path == "/big":
            size = int(query["bytes"])
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            if "declare" in query:
                self.send_header("Content-Length", query["declare"])
            self.end_headers()
            chunk = b"x" * 65536
            try:
                self.wfile.write(b'"')
                sent = 2
                while sent < size:
                    piece = chunk[:min(len(chunk), size - sent)]
                    self.wfile.write(piece)
                    sent += len(piece)
                self.wfile.write(b'"')
            except (BrokenPipeError, ConnectionResetError):
                pass
            self.close_connection = True
        elif url.path == "/slow":
            time.sleep(float(query.get("seconds", "5")))
            self.reply(200, {})
        else:
            self.reply(404, {"error": "no such route"})

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = handle_any


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
server.daemon_threads = True
print(server.server_address[1], flush=True)
threading.Thread(target=server.serve_forever, daemon=True).start()
sys.stdin.read()
server.shutdown()
