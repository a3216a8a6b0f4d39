"""The AWS Support API call org-formation makes, answered on 127.0.0.1 (moto has no Support API).

org-formation asks ``support:DescribeSeverityLevels`` to learn the support
plan of the management account; moto answers it with an HTML page the AWS
SDK cannot parse.  Real AWS answers an account on the Basic support plan
with ``SubscriptionRequiredException``, which org-formation takes as "Basic
support": this stub gives that answer to every call, and counts them.

org-formation reaches it through ``AWS_ENDPOINT_URL_SUPPORT`` (the AWS
SDK's per-service endpoint variable), while everything else goes to
``AWS_ENDPOINT_URL`` (the recording proxy).

    python -m bench.support_stub     # prints its URL, answers until interrupted
"""

import json
import sys
import threading
from http.server import BaseHTTPRequestHandler
from http.server import ThreadingHTTPServer

SUBSCRIPTION_REQUIRED = json.dumps({
    "__type": "SubscriptionRequiredException",
    "message": "AWS Premium Support Subscription is required to use this service.",
}).encode()


class SupportStub:
    """A Support API endpoint on a free 127.0.0.1 port; ``calls`` lists the X-Amz-Target of each call."""

    def __init__(self, host="127.0.0.1", port=0):
        self.calls = []
        self._server = ThreadingHTTPServer((host, port), self._handler_class())
        self._server.daemon_threads = True
        self._thread = None

    @property
    def url(self):
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self):
        self._thread = threading.Thread(target=self._server.serve_forever, name="support-stub", daemon=True)
        self._thread.start()
        return self

    def stop(self):
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def _handler_class(self):
        stub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):  # noqa: N802 (http.server's naming)
                length = int(self.headers.get("Content-Length") or 0)
                if length:
                    self.rfile.read(length)
                stub.calls.append(self.headers.get("X-Amz-Target", ""))
                # The JSON protocol's error shape: botocore and the JS SDK read __type / x-amzn-ErrorType.
                self.send_response(400)
                self.send_header("Content-Type", "application/x-amz-json-1.1")
                self.send_header("x-amzn-ErrorType", "SubscriptionRequiredException")
                self.send_header("Content-Length", str(len(SUBSCRIPTION_REQUIRED)))
                self.end_headers()
                self.wfile.write(SUBSCRIPTION_REQUIRED)

            def log_message(self, *args):
                pass

        return Handler


def main():
    stub = SupportStub()
    print(stub.url, flush=True)
    try:
        stub._server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
