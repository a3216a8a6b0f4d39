"""A recording reverse proxy for a moto server.

Tests, the demo and the benchmark point AWS_ENDPOINT_URL at this proxy
instead of moto itself, so they can tell exactly which AWS API calls a run
made: every request is recorded as ``{service, action, method, path, status,
mutating, elapsed, time}``.  Calls are kept in memory (``proxy.calls``),
served as JSON at ``GET /__proxy__/calls`` and, when ``log_path`` is given,
appended to a JSON-lines file.

``POST /__proxy__/reset`` forgets the recorded calls.

Run it standalone with ``python -m tests.harness.awsproxy --upstream URL``.
"""

import argparse
import http.client
import json
import re
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler
from http.server import ThreadingHTTPServer

# Calls that read or only hand out credentials: never a change to AWS state.
_READ_PREFIXES = (
    "Describe",
    "List",
    "Get",
    "Head",
    "Lookup",
    "Search",
    "Query",
    "Scan",
    "BatchGet",
    "Check",
    "Simulate",
    "Generate",
    "Preview",
    "Validate",
)
_NON_MUTATING = {"AssumeRole", "AssumeRoleWithSAML", "AssumeRoleWithWebIdentity", "DecodeAuthorizationMessage"}
_CREDENTIAL_SCOPE = re.compile(r"Credential=[^/]+/\d{8}/([^/]+)/([^/]+)/aws4_request")


def is_mutating(action, method="POST"):
    if action in _NON_MUTATING:
        return False
    if action.startswith(_READ_PREFIXES):
        return False
    if action.startswith("REST."):
        return method not in ("GET", "HEAD", "OPTIONS")
    return True


def _s3_action(method, path, query):
    """A readable name for an S3 REST call: ``REST.PUT.versioning``, ``REST.GET.object``."""
    keys = [k for k in urllib.parse.parse_qs(query, keep_blank_values=True)]
    sub = next((k for k in keys if k not in ("x-id", "list-type", "prefix", "max-keys", "encoding-type")), None)
    if sub is None:
        parts = [p for p in path.split("/") if p]
        sub = "bucket" if len(parts) <= 1 else "object"
    return f"REST.{method}.{sub}"


def describe_request(method, path, headers, body):
    """Return (service, action, region) of one SigV4-signed AWS request."""
    auth = headers.get("Authorization", "")
    match = _CREDENTIAL_SCOPE.search(auth)
    region, service = (match.group(1), match.group(2)) if match else ("", "unknown")
    target = headers.get("X-Amz-Target")
    split = urllib.parse.urlsplit(path)
    if target:
        return service, target.rsplit(".", 1)[-1], region
    params = urllib.parse.parse_qs(split.query)
    ctype = headers.get("Content-Type", "")
    if "x-www-form-urlencoded" in ctype and body:
        params.update(urllib.parse.parse_qs(body.decode("utf-8", "replace")))
    if "Action" in params:
        return service, params["Action"][0], region
    if service == "s3":
        return service, _s3_action(method, split.path, split.query), region
    # REST-JSON services (account, ...): the last path segment names the call.
    segment = [p for p in split.path.split("/") if p]
    return service, "REST." + method + "." + (segment[-1] if segment else ""), region


class RecordingProxy:
    """Forward every request to ``upstream`` and record what it was."""

    def __init__(self, upstream, host="127.0.0.1", port=0, log_path=None):
        self.upstream = urllib.parse.urlsplit(upstream)
        self.calls = []
        self.log_path = log_path
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer((host, port), self._handler_class())
        self._server.daemon_threads = True
        self._thread = None

    @property
    def url(self):
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self):
        self._thread = threading.Thread(target=self._server.serve_forever, name="aws-proxy", daemon=True)
        self._thread.start()
        return self

    def stop(self):
        self._server.shutdown()
        self._server.server_close()

    def reset(self):
        with self._lock:
            self.calls = []

    def record(self, call):
        with self._lock:
            self.calls.append(call)
            if self.log_path:
                with open(self.log_path, "a", encoding="utf-8") as log:
                    log.write(json.dumps(call) + "\n")

    def mutating_calls(self):
        return [c for c in self.calls if c["mutating"]]

    # Hooks that later harness layers (faults, latency) override.
    def before_forward(self, call):
        """Return None to forward, or (status, headers, body) to answer instead."""
        return None

    def _handler_class(self):
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # keep test output quiet
                pass

            def _control(self):
                if self.path.startswith("/__proxy__/calls"):
                    with proxy._lock:
                        body = json.dumps(proxy.calls).encode()
                    self._answer(200, {"Content-Type": "application/json"}, body)
                elif self.path.startswith("/__proxy__/reset"):
                    proxy.reset()
                    self._answer(200, {"Content-Type": "application/json"}, b"{}")
                else:
                    self._answer(404, {}, b"unknown control path")

            def _answer(self, status, headers, body):
                self.send_response(status)
                for key, value in headers.items():
                    if key.lower() not in ("content-length", "transfer-encoding", "connection"):
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(body)

            def _handle(self):
                if self.path.startswith("/__proxy__/"):
                    return self._control()
                body = self._read_body()
                service, action, region = describe_request(self.command, self.path, self.headers, body)
                call = dict(
                    service=service,
                    action=action,
                    region=region,
                    method=self.command,
                    path=self.path.split("?")[0],
                    mutating=is_mutating(action, self.command),
                    time=time.time(),
                )
                started = time.monotonic()
                answer = proxy.before_forward(call)
                if answer is None:
                    answer = self._forward(body)
                status, headers, payload = answer
                call["status"] = status
                call["elapsed"] = round(time.monotonic() - started, 4)
                proxy.record(call)
                self._answer(status, headers, payload)

            def _read_body(self):
                if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
                    chunks = []
                    while True:
                        size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                        if size == 0:
                            self.rfile.readline()
                            break
                        chunks.append(self.rfile.read(size))
                        self.rfile.readline()
                    del self.headers["Transfer-Encoding"]
                    body = b"".join(chunks)
                    self.headers["Content-Length"] = str(len(body))
                    return body
                length = int(self.headers.get("Content-Length") or 0)
                return self.rfile.read(length) if length else b""

            def _forward(self, body):
                conn = http.client.HTTPConnection(proxy.upstream.hostname, proxy.upstream.port, timeout=120)
                headers = {k: v for k, v in self.headers.items() if k.lower() != "connection"}
                conn.request(self.command, self.path, body=body or None, headers=headers)
                response = conn.getresponse()
                payload = response.read()
                result = (response.status, dict(response.getheaders()), payload)
                conn.close()
                return result

            do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = _handle

        return Handler


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--upstream", required=True, help="moto server URL")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--log", help="append every call as a JSON line to this file")
    args = parser.parse_args(argv)
    proxy = RecordingProxy(args.upstream, args.host, args.port, args.log)
    print(proxy.url, flush=True)
    try:
        proxy._server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
