#!/usr/bin/env python3
"""Starts the reference MCP fetch server (PyPI `mcp-server-fetch`) for offline use.

The server turns HTML into Markdown with readabilipy, which prefers Mozilla's Readability
under Node and, where Node is installed without that package, runs `npm install` on the
first page, which fails on a machine without internet and fails the call. This starts the
same server with readabilipy's own Python extractor instead; every argument is passed on
(`--allow-private-ips` lets it read pages from 127.0.0.1).
"""
import sys

import readabilipy.simple_json

readabilipy.simple_json.have_node = lambda: False

from mcp_server_fetch import main  # noqa: E402  (after the patch above)

if __name__ == "__main__":
    sys.exit(main())
