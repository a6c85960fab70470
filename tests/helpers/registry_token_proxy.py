#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# A Bearer-token front for a registry without auth, for registry_client.bats:
# serves /token (Basic user:password in, {"access_token", "expires_in"} out,
# actions as the scope asked) and passes /v2/ requests carrying a token with
# the right scope on to the registry; others get a 401 with a Bearer
# challenge. Usage: registry_token_proxy.py PORT UPSTREAM_PORT USER PASSWORD LOG
import base64
import http.client
import http.server
import json
import re
import secrets
import sys
from urllib.parse import parse_qs, urlsplit

PORT, UPSTREAM, USER, PASSWORD, LOG = sys.argv[1:6]
SERVICE = "berth-test-registry"
TOKENS = {}  # token -> set of "repo:action"
HOP = {"connection", "keep-alive", "transfer-encoding", "authorization"}


def log(line):
    with open(LOG, "a", encoding="utf-8") as f:
        f.write(line + "\n")


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def reply(self, status, body, headers=()):
        data = json.dumps(body).encode()
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def token(self, query):
        want = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
        if self.headers.get("Authorization", "") != "Basic " + want:
            log("token refused")
            self.reply(401, {"details": "incorrect username or password"})
            return
        grants = set()
        for scope in query.get("scope", []):
            m = re.fullmatch(r"repository:([^:]+):([a-z,]+)", scope)
            if m:
                grants |= {m.group(1) + ":" + a for a in m.group(2).split(",")}
        tok = secrets.token_hex(16)
        TOKENS[tok] = grants
        log("token " + " ".join(query.get("scope", ["-"])))
        self.reply(200, {"access_token": tok, "expires_in": 300})

    def challenge(self, need, error):
        realm = f"http://127.0.0.1:{PORT}/token"
        value = f'Bearer realm="{realm}",service="{SERVICE}"'
        if need:
            repo, action = need.rsplit(":", 1)
            value += f',scope="repository:{repo}:{action}"'
        if error:
            value += f',error="{error}"'
        body = {"errors": [{"code": "UNAUTHORIZED", "message": "authentication required"}]}
        self.reply(401, body, [("WWW-Authenticate", value)])

    def forward(self, body):
        conn = http.client.HTTPConnection("127.0.0.1", int(UPSTREAM), timeout=60)
        headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP}
        conn.request(self.command, self.path, body=body, headers=headers)
        resp = conn.getresponse()
        data = resp.read()
        self.send_response(resp.status)
        for k, v in resp.getheaders():
            if k.lower() not in HOP and (k.lower() != "content-length" or self.command == "HEAD"):
                self.send_header(k, v)
        if self.command != "HEAD":
            self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)
        conn.close()

    def handle_any(self):
        url = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        if url.path == "/token":
            self.token(parse_qs(url.query))
            return
        m = re.match(r"/v2/(.+?)/(manifests|blobs|tags)/", url.path)
        need = None
        if m:
            action = "pull" if self.command in ("GET", "HEAD") else "push"
            need = m.group(1) + ":" + action
        auth = self.headers.get("Authorization", "")
        tok = auth[7:] if auth.startswith("Bearer ") else None
        if tok not in TOKENS:
            self.challenge(need, None)
        elif need and need not in TOKENS[tok]:
            self.challenge(need, "insufficient_scope")
        else:
            self.forward(body)

    do_GET = do_HEAD = do_PUT = do_POST = do_PATCH = do_DELETE = handle_any


http.server.ThreadingHTTPServer(("127.0.0.1", int(PORT)), Handler).serve_forever()
