"""A scripted serving engine on 127.0.0.1 for the remote backend's fault tests.

Usage: fake_engine.py PORT SCRIPT.json LOG.jsonl   (PORT 0: any free port)
SCRIPT is a list of [status, body] answered in order (the last one repeats); status 0 makes
the process exit in the middle of the request (a crash with the connection open). Every
request's path and JSON body is appended to LOG. Prints "ready PORT" when listening.
"""
import http.server
import json
import os
import sys

port, script_path, log_path = int(sys.argv[1]), sys.argv[2], sys.argv[3]
with open(script_path) as f:
    script = json.load(f)
served = 0


class Handler(http.server.BaseHTTPRequestHandler):
    def answer(self, body):
        global served
        status, reply = script[min(served, len(script) - 1)]
        served += 1
        with open(log_path, "a") as log:
            log.write(json.dumps({"path": self.path, "body": body}) + "\n")
        if status == 0:
            os._exit(1)
        data = json.dumps(reply).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        self.answer(json.loads(self.rfile.read(length) or b"null"))

    def do_GET(self):
        self.answer(None)

    def log_message(self, *args):
        pass


server = http.server.HTTPServer(("127.0.0.1", port), Handler)
print("ready", server.server_address[1], flush=True)
server.serve_forever()
