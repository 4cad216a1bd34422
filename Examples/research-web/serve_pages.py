#!/usr/bin/env python3
"""Serves a folder of documents as a small web site on 127.0.0.1, for the research-web workflow.

    python3 Examples/research-web/serve_pages.py Examples/research-corpus [--port 8000]

The page at / lists every document (Markdown, text, HTML) as a Markdown link whose text is
the document's title, so a reader that only fetches pages can find its way; every other path
serves the file itself. It prints the port it listens on as the first line of stdout and
serves until its standard input closes (or, with --port, until interrupted, unless
--until-stdin-closes is given too).
"""
import argparse
import html
import http.server
import os
import re
import sys
import threading

KINDS = {".md": "text/markdown; charset=utf-8", ".markdown": "text/markdown; charset=utf-8",
         ".txt": "text/plain; charset=utf-8", ".text": "text/plain; charset=utf-8",
         ".html": "text/html; charset=utf-8", ".htm": "text/html; charset=utf-8"}


def title_of(path):
    with open(path, encoding="utf-8", errors="replace") as handle:
        text = handle.read()
    if path.endswith((".html", ".htm")):
        found = re.search(r"<title>(.*?)</title>", text, re.S | re.I)
        return html.unescape(found.group(1).strip()) if found else os.path.basename(path)
    for line in text.splitlines():
        line = line.strip().lstrip("#").strip()
        if line:
            return line
    return os.path.basename(path)


def documents(root):
    found = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if os.path.splitext(name)[1].lower() in KINDS and not name.startswith("."):
                path = os.path.join(folder, name)
                found.append((os.path.relpath(path, root).replace(os.sep, "/"), title_of(path)))
    return found


def handler_for(root):
    real_root = os.path.realpath(root)

    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def send(self, status, kind, body):
            data = body.encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):
            path = self.path.split("?", 1)[0]
            base = f"http://127.0.0.1:{self.server.server_address[1]}"
            if path == "/robots.txt":
                return self.send(200, "text/plain", "User-agent: *\nAllow: /\n")
            if path == "/":
                # Markdown, so that a fetcher returns the links as written (an HTML list goes
                # through readability, which may keep the link texts and drop the addresses).
                items = "\n".join(f"- [{title}]({base}/{relative})" for relative, title in documents(root))
                return self.send(200, "text/markdown; charset=utf-8", f"# Documents\n\n{items}\n")
            target = os.path.realpath(os.path.join(real_root, path.lstrip("/")))
            kind = KINDS.get(os.path.splitext(target)[1].lower())
            if not target.startswith(real_root + os.sep) or kind is None or not os.path.isfile(target):
                return self.send(404, "text/plain", "not found")
            with open(target, encoding="utf-8", errors="replace") as handle:
                self.send(200, kind, handle.read())

    return Handler


def main():
    parser = argparse.ArgumentParser(description="Serve a folder of documents on 127.0.0.1.")
    parser.add_argument("root")
    parser.add_argument("--port", type=int, default=0, help="default: any free port, served until stdin closes")
    parser.add_argument("--until-stdin-closes", action="store_true",
                        help="with --port: serve until stdin closes, as without --port (for tests)")
    options = parser.parse_args()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", options.port), handler_for(options.root))
    print(server.server_address[1], flush=True)
    if options.port and not options.until_stdin_closes:
        server.serve_forever()
        return
    threading.Thread(target=server.serve_forever, daemon=True).start()
    sys.stdin.read()
    server.shutdown()


if __name__ == "__main__":
    main()
