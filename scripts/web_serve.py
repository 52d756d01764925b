#!/usr/bin/env python3
"""Serves convstep's web build (build-web/site) on this computer only.

    python3 scripts/web_serve.py DIR [--port P] [--no-isolation]

Listens on 127.0.0.1 (never on the network) and prints
"serving DIR at http://127.0.0.1:P/"; --port 0 (the default is 8000) picks a
free port. Runs until killed (Ctrl+C). Standard library only.

Every reply carries the two headers that make the page cross-origin
isolated, without which the browser gives it no SharedArrayBuffer and so no
threads (live training runs in a pthread worker):
    Cross-Origin-Opener-Policy: same-origin
    Cross-Origin-Embedder-Policy: require-corp
and Cross-Origin-Resource-Policy: same-origin, which the isolated page
requires of its own worker script and files. .wasm is served as
application/wasm so the browser compiles it while it downloads.

--no-isolation leaves the three headers out, as a plain static server (a
school's web server, GitHub Pages) does: the page then runs the build
without threads, which trains in its frames (tests/test_web.py checks it).
"""

import argparse
import functools
import http.server
import os
import sys

TYPES = {
    ".wasm": "application/wasm",
    ".js": "text/javascript",
    ".mjs": "text/javascript",
    ".html": "text/html; charset=utf-8",
    ".data": "application/octet-stream",
    ".png": "image/png",
    ".json": "application/json",
}


class IsolatedHandler(http.server.SimpleHTTPRequestHandler):
    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map, **TYPES}
    isolation = True  # the cross-origin isolation headers on every reply (--no-isolation: none)

    def end_headers(self):
        if self.isolation:
            self.send_header("Cross-Origin-Opener-Policy", "same-origin")
            self.send_header("Cross-Origin-Embedder-Policy", "require-corp")
            self.send_header("Cross-Origin-Resource-Policy", "same-origin")
        # A rebuilt site is seen on reload, not a cached old .wasm next to a new .js.
        self.send_header("Cache-Control", "no-cache")
        super().end_headers()

    def log_message(self, format, *args):
        """Quiet: only failed requests (4xx, 5xx) are logged, on stderr; not
        the favicon browsers ask for on their own."""
        if len(args) >= 2 and str(args[1])[:1] in "45" and "/favicon.ico " not in str(args[0]):
            sys.stderr.write("web_serve: %s\n" % (format % args))


def main():
    parser = argparse.ArgumentParser(description="Serve convstep's web build on 127.0.0.1 "
                                     "with the cross-origin isolation headers.")
    parser.add_argument("--no-isolation", action="store_true",
                        help="leave the isolation headers out, as a plain static server does")
    parser.add_argument("dir", help="the site folder (build-web/site)")
    parser.add_argument("--port", type=int, default=8000,
                        help="port to listen on; 0 picks a free one (default 8000)")
    args = parser.parse_args()
    if not os.path.isfile(os.path.join(args.dir, "index.html")):
        print("web_serve: %s has no index.html (build the site with scripts/web.sh)" % args.dir,
              file=sys.stderr)
        return 1
    handler_class = type("Handler", (IsolatedHandler,), {"isolation": not args.no_isolation})
    handler = functools.partial(handler_class, directory=os.path.abspath(args.dir))
    try:
        server = http.server.ThreadingHTTPServer(("127.0.0.1", args.port), handler)
    except OSError as e:
        print("web_serve: cannot listen on 127.0.0.1:%d: %s" % (args.port, e.strerror),
              file=sys.stderr)
        return 1
    print("serving %s at http://127.0.0.1:%d/" % (args.dir, server.server_address[1]), flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
