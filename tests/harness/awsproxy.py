"""A recording, fault-injecting reverse proxy for a moto server.

Tests, the demo and the benchmark point AWS_ENDPOINT_URL at this proxy
instead of moto itself, so they can tell exactly which AWS API calls a run
made: every request is recorded as ``{service, action, region, method, path,
status, mutating, time, elapsed, injected, latency_ms, rewritten,
access_key_id}``.  Calls
are kept in memory (``proxy.calls``), served as JSON at
``GET /__proxy__/calls`` and, when ``log_path`` is given, appended to a
JSON-lines file.

A ``FaultConfig`` makes the proxy behave like AWS on a bad day:

* faults: a chosen fraction of calls (overall, or per ``service:action``
  pattern) is answered with AWS's own error shapes (throttling, concurrent
  modification, HTTP 500, HTTP 503) or a reset connection, so botocore and
  the collection's retry decorators see exactly what AWS would send;
* latency: every call waits ``latency_ms`` plus up to ``jitter_ms`` before it
  is forwarded;
* slow account creation: for ``account_creation_seconds`` after CreateAccount
  the request stays IN_PROGRESS and the new account is not listed (moto
  finishes at once).

Control paths (never delayed, never faulted):

* ``GET /__proxy__/calls``: the recorded calls as JSON;
* ``POST /__proxy__/reset``: forget the recorded calls;
* ``GET /__proxy__/config``: the fault configuration as JSON;
* ``POST /__proxy__/config``: replace it (JSON object, fields of FaultConfig).

Run it standalone with ``python -m tests.harness.awsproxy --upstream URL``;
``--help`` lists the fault flags.  docs/testing.md has the details.
"""

import argparse
import dataclasses
import fnmatch
import http.client
import json
import random
import re
import socket
import struct
import sys
import threading
import time
import urllib.parse
import uuid
from http.server import BaseHTTPRequestHandler
from http.server import ThreadingHTTPServer

from tests.harness.strict_aws import AwsError
from tests.harness.strict_aws import StrictConfig
from tests.harness.strict_aws import StrictLayer
from tests.harness.strict_aws import _access_key_id as access_key_id_of
from tests.harness.strict_aws import dataclass_from_dict

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
_NON_MUTATING = {"AssumeRole", "AssumeRoot", "AssumeRoleWithSAML", "AssumeRoleWithWebIdentity", "DecodeAuthorizationMessage"}
_CREDENTIAL_SCOPE = re.compile(r"Credential=[^/]+/\d{8}/([^/]+)/([^/]+)/aws4_request")

CONTROL_PREFIX = "/__proxy__/"
# moto's own API (reset, seeding, ...): infrastructure, never faulted or delayed.
MOTO_API_PREFIX = "/moto-api/"

# Headers that belong to one hop, not to the request or answer being relayed.
_HOP_BY_HOP = {"connection", "keep-alive", "proxy-connection", "te", "trailer", "upgrade", "expect",
               "transfer-encoding", "content-length"}


def is_mutating(action, method="POST"):
    if action in _NON_MUTATING:
        return False
    if action.startswith(_READ_PREFIXES):
        return False
    if action.startswith("REST."):
        # REST-JSON services that POST every call name it in the path
        # (account: POST /getAlternateContact): a read verb there is a read.
        segment = action.rsplit(".", 1)[-1]
        if method == "POST" and segment[:1].islower() and (segment[:1].upper() + segment[1:]).startswith(_READ_PREFIXES):
            return False
        return method not in ("GET", "HEAD", "OPTIONS")
    return True


def _s3_action(method, path, query):
    """A readable name for an S3 REST call: ``REST.PUT.versioning``, ``REST.GET.object``."""
    keys = list(urllib.parse.parse_qs(query, keep_blank_values=True))
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


def request_protocol(service, action, headers):
    """The botocore protocol of a request: how its errors must be shaped.

    ``json`` (X-Amz-Target: Organizations, KMS, DynamoDB, Service Quotas),
    ``query`` (``Action=`` form: IAM, STS), ``s3`` (REST-XML with S3's own
    ``<Error>`` document) or ``rest-json`` (everything else signed).
    """
    if headers.get("X-Amz-Target"):
        return "json"
    if service == "s3":
        return "s3"
    if not action.startswith("REST."):
        return "query"
    return "rest-json"


# --- faults -----------------------------------------------------------------

FAULT_KINDS = ("throttle", "concurrent", "http500", "http503", "reset", "reset_after")
# reset_after forwards the call and then drops the answer: the write happened
# but the client never hears of it.  It is the nastiest case and opt-in.
DEFAULT_FAULT_KINDS = {"throttle": 1.0, "concurrent": 1.0, "http500": 1.0, "http503": 1.0, "reset": 1.0}


def _number(name, value, kind=float):
    try:
        return kind(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number, got {value!r}") from None


def _mapping(name, value):
    if not isinstance(value, dict):
        raise ValueError(f"{name} must be a mapping, got {value!r}")
    return value


def _fraction(name, value):
    value = _number(name, value)
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"{name} must be between 0 and 1, got {value}")
    return value


def _non_negative(name, value):
    value = _number(name, value)
    if value < 0:
        raise ValueError(f"{name} must not be negative, got {value}")
    return value


def _pattern(pattern):
    """``iam`` means ``iam:*``; patterns match ``service:action`` with fnmatch wildcards."""
    return pattern if ":" in pattern else pattern + ":*"


def _literal_length(pattern):
    return sum(1 for char in pattern if char not in "*?[]")


@dataclasses.dataclass
class FaultConfig:
    """How the proxy misbehaves.  The default misbehaves in no way at all.

    ``fault_rate`` is the fraction of calls answered with a fault;
    ``fault_rules`` overrides it per ``service:action`` pattern (fnmatch, the
    pattern with the most literal characters wins, so ``organizations:*=0.3``
    with ``organizations:CreateAccount=0`` spares CreateAccount).
    ``fault_kinds`` weighs the kinds of fault against each other.
    """

    fault_rate: float = 0.0
    fault_rules: dict = dataclasses.field(default_factory=dict)
    fault_kinds: dict = dataclasses.field(default_factory=lambda: dict(DEFAULT_FAULT_KINDS))
    latency_ms: float = 0.0
    jitter_ms: float = 0.0
    account_creation_seconds: float = 0.0
    seed: int = None

    def __post_init__(self):
        self.fault_rate = _fraction("fault_rate", self.fault_rate)
        rules = _mapping("fault_rules", self.fault_rules)
        self.fault_rules = {_pattern(str(k)): _fraction(f"fault_rules[{k!r}]", v) for k, v in rules.items()}
        if isinstance(self.fault_kinds, (list, tuple)):
            self.fault_kinds = dict.fromkeys(self.fault_kinds, 1.0)
        _mapping("fault_kinds", self.fault_kinds)
        unknown = sorted(set(self.fault_kinds) - set(FAULT_KINDS))
        if unknown:
            raise ValueError(f"fault_kinds: unknown kind(s) {unknown}; known: {list(FAULT_KINDS)}")
        self.fault_kinds = {k: _non_negative(f"fault_kinds[{k!r}]", v) for k, v in self.fault_kinds.items()}
        faults_wanted = self.fault_rate > 0 or any(self.fault_rules.values())
        if faults_wanted and not sum(self.fault_kinds.values()):
            raise ValueError("fault_kinds: at least one kind needs a positive weight when faults are enabled")
        self.latency_ms = _non_negative("latency_ms", self.latency_ms)
        self.jitter_ms = _non_negative("jitter_ms", self.jitter_ms)
        self.account_creation_seconds = _non_negative("account_creation_seconds", self.account_creation_seconds)
        if self.seed is not None:
            self.seed = _number("seed", self.seed, int)

    @classmethod
    def from_dict(cls, data):
        return dataclass_from_dict(cls, data, "the configuration")

    def to_dict(self):
        return dataclasses.asdict(self)

    def rate_for(self, service, action):
        """The fault rate of ``service:action``: the most specific matching rule, else ``fault_rate``."""
        name = f"{service}:{action}"
        matching = [p for p in self.fault_rules if fnmatch.fnmatchcase(name, p)]
        if not matching:
            return self.fault_rate
        return self.fault_rules[max(matching, key=_literal_length)]


class FaultDecider:
    """The random decisions of one configuration: which call fails how, and how long each waits.

    One generator, seeded from the configuration, behind a lock: the same
    sequence of calls gets the same faults on every run.
    """

    def __init__(self, config):
        self.config = config
        self._random = random.Random(config.seed)
        self._lock = threading.Lock()
        self._kinds = [k for k, w in config.fault_kinds.items() if w > 0]
        self._weights = [config.fault_kinds[k] for k in self._kinds]

    def decide(self, service, action):
        """The fault kind to inject into this call, or None to let it through."""
        rate = self.config.rate_for(service, action)
        if rate <= 0:
            return None
        with self._lock:
            if self._random.random() >= rate:
                return None
            return self._random.choices(self._kinds, self._weights)[0]

    def latency(self):
        """Seconds to hold this call: ``latency_ms`` plus a random share of ``jitter_ms``."""
        if not (self.config.latency_ms or self.config.jitter_ms):
            return 0.0
        with self._lock:
            jitter = self._random.uniform(0, self.config.jitter_ms)
        return (self.config.latency_ms + jitter) / 1000.0


# Error codes AWS answers per kind of fault: (code, HTTP status, message).
# Organizations throttles with TooManyRequestsException (400), the Query
# services with Throttling, the other JSON services with ThrottlingException;
# S3 slows you down with a 503.
_THROTTLE = {
    "organizations": ("TooManyRequestsException", 400,
                      "You have sent too many requests in too short a period of time. Try again later."),
    "s3": ("SlowDown", 503, "Please reduce your request rate."),
    "query": ("Throttling", 400, "Rate exceeded"),
    "json": ("ThrottlingException", 400, "Rate exceeded"),
    "rest-json": ("ThrottlingException", 429, "Rate exceeded"),
}
# Only some services have a concurrent-modification error; STS and most JSON
# services have none, and a "concurrent" fault there is answered as throttling.
_CONCURRENT = {
    "organizations": ("ConcurrentModificationException", 400,
                      "AWS Organizations can't complete your request because it conflicts with another"
                      " attempt to modify the same entity. Try again later."),
    "iam": ("ConcurrentModification", 409, "Rate exceeded: another request modifies the same entity."),
    "s3": ("OperationAborted", 409, "A conflicting conditional operation is currently in progress against"
                                    " this resource. Please try again."),
}
_SERVER_ERROR = {
    "organizations": ("ServiceException", 500, "AWS Organizations can't complete your request because of an"
                                               " internal service error. Try again later."),
    "iam": ("ServiceFailure", 500, "The request processing has failed because of an unknown error."),
    "s3": ("InternalError", 500, "We encountered an internal error. Please try again."),
    "*": ("InternalFailure", 500, "The request processing has failed because of an unknown error."),
}
_UNAVAILABLE = {
    "s3": ("ServiceUnavailable", 503, "Service is unable to handle request."),
    "*": ("ServiceUnavailable", 503, "The request has failed due to a temporary failure of the server."),
}
_QUERY_NAMESPACES = {
    "iam": "https://iam.amazonaws.com/doc/2010-05-08/",
    "sts": "https://sts.amazonaws.com/doc/2011-06-15/",
}


def fault_error(kind, service, protocol):
    """(code, HTTP status, message) that AWS answers for a fault of ``kind``."""
    if kind == "concurrent" and service in _CONCURRENT:
        return _CONCURRENT[service]
    if kind in ("throttle", "concurrent"):
        return _THROTTLE.get(service) or _THROTTLE[protocol]
    if kind == "http500":
        return _SERVER_ERROR.get(service) or _SERVER_ERROR["*"]
    if kind == "http503":
        return _UNAVAILABLE.get(service) or _UNAVAILABLE["*"]
    raise ValueError(f"{kind!r} is not answered with an error document")


def _error_code(answer):
    """The AWS error code of an answer (JSON header or XML ``<Code>``), None for a success."""
    status, headers, body = answer
    if status < 300:
        return None
    code = next((v for k, v in headers.items() if k.lower() == "x-amzn-errortype"), None)
    if code:
        return code.split(":", 1)[0]
    match = re.search(rb"<Code>([^<]+)</Code>", body or b"")
    return match.group(1).decode() if match else f"HTTP {status}"


def _xml_escape(text):
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def error_response(service, protocol, code, status, message):
    """(status, headers, body) of an AWS error in the shape botocore parses for ``protocol``."""
    request_id = str(uuid.uuid4())
    if protocol in ("json", "rest-json"):
        # botocore's JSON parser reads the code from __type; the REST-JSON
        # parser prefers the x-amzn-ErrorType header.  AWS sends both.
        body = json.dumps({"__type": code, "Message": message}).encode()
        content_type = "application/x-amz-json-1.1" if protocol == "json" else "application/json"
        headers = {"Content-Type": content_type, "x-amzn-RequestId": request_id, "x-amzn-ErrorType": code}
        return status, headers, body
    if protocol == "s3":
        host_id = uuid.uuid4().hex
        body = (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f"<Error><Code>{code}</Code><Message>{_xml_escape(message)}</Message>"
            f"<RequestId>{request_id}</RequestId><HostId>{host_id}</HostId></Error>"
        ).encode()
        return status, {"Content-Type": "application/xml", "x-amz-request-id": request_id,
                        "x-amz-id-2": host_id}, body
    fault_type = "Receiver" if status >= 500 else "Sender"
    namespace = _QUERY_NAMESPACES.get(service)
    xmlns = f' xmlns="{namespace}"' if namespace else ""
    body = (
        f"<ErrorResponse{xmlns}><Error><Type>{fault_type}</Type><Code>{code}</Code>"
        f"<Message>{_xml_escape(message)}</Message></Error><RequestId>{request_id}</RequestId></ErrorResponse>"
    ).encode()
    return status, {"Content-Type": "text/xml", "x-amzn-RequestId": request_id}, body


# --- slow account creation ---------------------------------------------------

_ACCOUNT_CREATION_CALLS = {
    "CreateAccount", "DescribeCreateAccountStatus", "ListCreateAccountStatus",
    "ListAccounts", "ListAccountsForParent", "ListChildren", "DescribeAccount",
}


def _json_body(payload):
    try:
        return json.loads(payload or b"{}")
    except ValueError:
        return None


def _as_in_progress(status):
    # What AWS answers while it works on the request: no account id yet.
    hidden = ("AccountId", "CompletedTimestamp", "FailureReason", "GovCloudAccountId")
    return dict({k: v for k, v in status.items() if k not in hidden}, State="IN_PROGRESS")


class AccountCreationDelay:
    """Make CreateAccount take time, as it does in AWS (moto answers SUCCEEDED at once).

    Remembers each CreateAccount request (its ``car-`` id, the new account's
    id, when it was made).  Until ``seconds`` have passed since, the request
    reads IN_PROGRESS (CreateAccount, DescribeCreateAccountStatus,
    ListCreateAccountStatus) and the account does not exist yet
    (ListAccounts, ListAccountsForParent, ListChildren, DescribeAccount).
    """

    def __init__(self, clock=time.monotonic):
        self._clock = clock
        self._requests = {}  # request id -> (account id, started)
        self._lock = threading.Lock()

    def forget(self):
        with self._lock:
            self._requests.clear()

    def pending(self, seconds):
        """{request id: account id} of the creations still in progress."""
        now = self._clock()
        with self._lock:
            for request_id, (_account, started) in list(self._requests.items()):
                if now - started >= seconds:
                    del self._requests[request_id]
            return {request_id: account for request_id, (account, _started) in self._requests.items()}

    def before(self, action, body, seconds):
        """(body to forward, answer or None): answer for an account that does not exist yet."""
        if action not in _ACCOUNT_CREATION_CALLS or seconds <= 0:
            return body, None
        pending = self.pending(seconds)
        if not pending:
            return body, None
        params = _json_body(body)
        if params is None:
            return body, None
        if action == "DescribeAccount" and params.get("AccountId") in pending.values():
            return body, error_response("organizations", "json", "AccountNotFoundException", 400,
                                        "You specified an account that doesn't exist.")
        if action == "ListCreateAccountStatus" and params.get("States"):
            # moto filters on the state it knows (SUCCEEDED): ask it for all
            # states and filter on the state the client will see afterwards.
            params.pop("States")
            return json.dumps(params).encode(), None
        return body, None

    def after(self, action, request_body, answer, seconds):
        """moto's answer as AWS would give it while the creation is still in progress."""
        status, headers, payload = answer
        if action not in _ACCOUNT_CREATION_CALLS or seconds <= 0 or status != 200:
            return answer
        if headers.get("Content-Encoding") not in (None, "", "identity"):
            return answer
        data = _json_body(payload)
        if not isinstance(data, dict):
            return answer
        if action == "CreateAccount":
            created = data.get("CreateAccountStatus", {})
            with self._lock:
                self._requests[created.get("Id")] = (created.get("AccountId"), self._clock())
        pending = self.pending(seconds)
        if not pending:
            return answer
        rewritten = self._rewrite(action, _json_body(request_body) or {}, data, pending)
        if rewritten is None or rewritten == data:
            return answer
        headers = {k: v for k, v in headers.items() if k.lower() != "x-amz-crc32"}
        return status, headers, json.dumps(rewritten).encode()

    @staticmethod
    def _rewrite(action, params, data, pending):
        hidden_accounts = set(pending.values())
        if action in ("CreateAccount", "DescribeCreateAccountStatus"):
            status = data.get("CreateAccountStatus", {})
            if status.get("Id") not in pending:
                return None
            return dict(data, CreateAccountStatus=_as_in_progress(status))
        if action == "ListCreateAccountStatus":
            statuses = [_as_in_progress(s) if s.get("Id") in pending else s
                        for s in data.get("CreateAccountStatuses", [])]
            wanted = params.get("States")
            if wanted:
                statuses = [s for s in statuses if s.get("State") in wanted]
            return dict(data, CreateAccountStatuses=statuses)
        if action in ("ListAccounts", "ListAccountsForParent"):
            return dict(data, Accounts=[a for a in data.get("Accounts", []) if a.get("Id") not in hidden_accounts])
        if action == "ListChildren":
            return dict(data, Children=[c for c in data.get("Children", []) if c.get("Id") not in hidden_accounts])
        return None


# --- the proxy ----------------------------------------------------------------

class RecordingProxy:
    """Forward every request to ``upstream``, misbehave as ``config`` says, and record what it was."""

    def __init__(self, upstream, host="127.0.0.1", port=0, log_path=None, config=None, strict=None):
        self.upstream = urllib.parse.urlsplit(upstream)
        # Strict mode (tests/harness/strict_aws.py): AWS's refusals where moto
        # accepts.  On unless STRICT_AWS=0 or ``strict=StrictConfig(enabled=False)``.
        self.strict = StrictLayer(upstream, strict)
        self.calls = []
        self.log_path = log_path
        self.connections = 0  # client connections accepted: tells whether clients keep them alive
        self.in_flight = 0  # AWS calls received and not answered yet (a killed client's too)
        self.account_creation = AccountCreationDelay()
        self.strict.watch_account_creation(lambda: self.account_creation.pending(self.config.account_creation_seconds),
                                           lambda: self.config.account_creation_seconds)
        self._lock = threading.Lock()
        self._log = None
        self._decider = FaultDecider(config or FaultConfig())
        self._server = ThreadingHTTPServer((host, port), self._handler_class())
        self._server.daemon_threads = True
        self._thread = None

    @property
    def url(self):
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def config(self):
        return self._decider.config

    def configure(self, config=None, **fields):
        """Replace the fault configuration (a FaultConfig, or its fields); reseeds the randomness."""
        config = config or FaultConfig(**fields)
        self._decider = FaultDecider(config)
        return config

    def start(self):
        self._thread = threading.Thread(target=self._server.serve_forever, name="aws-proxy", daemon=True)
        self._thread.start()
        return self

    def stop(self):
        self._server.shutdown()
        self._server.server_close()
        with self._lock:
            if self._log:
                self._log.close()
                self._log = None

    def reset(self):
        with self._lock:
            self.calls = []

    def configure_strict(self, config=None, **fields):
        """Replace the strict layer's configuration with ``config``, or change the given ``fields`` of it."""
        return self.strict.configure(config or dataclasses.replace(self.strict.config, **fields))

    def forget_aws_state(self):
        """moto was reset behind the proxy's back: forget the creations in flight and what the strict layer learnt."""
        self.account_creation.forget()
        self.strict.reset()

    def count_in_flight(self, change):
        with self._lock:
            self.in_flight += change

    def record(self, call):
        with self._lock:
            self.calls.append(call)
            if self.log_path:
                if self._log is None:
                    self._log = open(self.log_path, "a", encoding="utf-8")  # pylint: disable=consider-using-with
                self._log.write(json.dumps(call) + "\n")
                self._log.flush()

    def mutating_calls(self):
        return [c for c in self.calls if c["mutating"]]

    def injected_calls(self):
        return [c for c in self.calls if c.get("injected")]

    # Hooks that tests override.
    def before_forward(self, call):
        """Return None to forward, or (status, headers, body) to answer instead."""
        return None

    def after_forward(self, call, answer):
        """See every AWS answer (status, headers, body) before the client does; None keeps it unchanged.

        Not called for calls answered with a reset connection, nor for the
        proxy's control paths and moto's API.
        """
        return None

    def _handler_class(self):
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Headers and body go out in two writes; with Nagle's algorithm the
            # second waits for the client's delayed ACK (~40 ms a call).
            disable_nagle_algorithm = True

            def setup(self):
                super().setup()
                with proxy._lock:
                    proxy.connections += 1
                # One upstream connection per client connection (and so per
                # handler thread), kept open as long as upstream allows.
                self._upstream = None

            def finish(self):
                if self._upstream is not None:
                    self._upstream.close()
                super().finish()

            def log_message(self, *args):  # keep test output quiet
                pass

            def _control(self, body):
                path = self.path.split("?")[0]
                if path == CONTROL_PREFIX + "calls":
                    with proxy._lock:
                        payload = json.dumps(proxy.calls).encode()
                    self._answer_json(200, payload)
                elif path == CONTROL_PREFIX + "reset":
                    proxy.reset()
                    self._answer_json(200, b"{}")
                elif path == CONTROL_PREFIX + "config" and self.command == "POST":
                    self._replace_config(proxy.configure, FaultConfig, body)
                elif path == CONTROL_PREFIX + "config":
                    self._answer_json(200, json.dumps(proxy.config.to_dict()).encode())
                elif path == CONTROL_PREFIX + "strict" and self.command == "POST":
                    self._replace_config(proxy.configure_strict, StrictConfig, body)
                elif path == CONTROL_PREFIX + "strict":
                    self._answer_json(200, json.dumps(proxy.strict.config.to_dict()).encode())
                else:
                    self._answer(404, {}, b"unknown control path")

            def _replace_config(self, configure, config_class, body):
                """A POSTed configuration: 200 with the new one, or 400 naming what is wrong."""
                try:
                    config = configure(config_class.from_dict(json.loads(body or b"{}")))
                except (ValueError, TypeError) as error:
                    self._answer_json(400, json.dumps({"error": str(error)}).encode())
                else:
                    self._answer_json(200, json.dumps(config.to_dict()).encode())

            def _answer_json(self, status, body):
                self._answer(status, {"Content-Type": "application/json"}, body)

            def _answer(self, status, headers, body):
                self.send_response(status)
                for key, value in headers.items():
                    if key.lower() not in _HOP_BY_HOP:
                        self.send_header(key, value)
                if self.command == "HEAD":
                    # A HEAD answer has no body but tells the length of the object.
                    length = next((v for k, v in headers.items() if k.lower() == "content-length"), "0")
                    self.send_header("Content-Length", length)
                else:
                    self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(body)

            def _reset_connection(self):
                """Drop the client connection with a TCP RST, answering nothing."""
                self.close_connection = True
                # SO_LINGER 0: close() discards the connection with an RST
                # instead of the orderly FIN.  The read stream holds a
                # reference to the socket, so it goes first.
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                self.rfile.close()
                self.connection.close()

            def _handle(self):
                body = self._read_body()
                if self.path.startswith(CONTROL_PREFIX):
                    return self._control(body)
                service, action, region = describe_request(self.command, self.path, self.headers, body)
                call = dict(
                    service=service,
                    action=action,
                    region=region,
                    method=self.command,
                    path=self.path.split("?")[0],
                    mutating=is_mutating(action, self.command),
                    time=time.time(),
                    injected=None,
                    latency_ms=0,
                    rewritten=None,
                    strict=None,
                    # Who called (the key id, never the secret): tells the management
                    # account's calls from a member role session's (the benchmark's overlap).
                    access_key_id=access_key_id_of(self.headers),
                )
                started = time.monotonic()
                proxy.count_in_flight(+1)
                try:
                    if self.path.startswith(MOTO_API_PREFIX):
                        answer = self._forward(body)
                        if self.path.startswith(MOTO_API_PREFIX + "reset"):
                            proxy.forget_aws_state()
                    else:
                        answer = self._aws_call(call, body)
                        if answer is not None:
                            answer = proxy.after_forward(call, answer) or answer
                    call["status"] = answer[0] if answer else 0
                    call["elapsed"] = round(time.monotonic() - started, 4)
                    proxy.record(call)
                finally:
                    proxy.count_in_flight(-1)
                if answer is None or call["injected"] == "reset_after":
                    return self._reset_connection()
                return self._answer(*answer)

            def _aws_call(self, call, body):
                """The answer to one AWS call (None: reset the connection)."""
                decider = proxy._decider  # one configuration for the whole call
                config = decider.config
                delay = decider.latency()
                if delay:
                    call["latency_ms"] = round(delay * 1000, 1)
                    time.sleep(delay)  # this connection's thread only: others go on
                answer = proxy.before_forward(call)
                if answer is not None:
                    return answer
                kind = decider.decide(call["service"], call["action"])
                call["injected"] = kind
                if kind == "reset":
                    return None
                protocol = request_protocol(call["service"], call["action"], self.headers)
                if kind and kind != "reset_after":
                    return error_response(call["service"], protocol, *fault_error(kind, call["service"], protocol))
                strict = proxy.strict if proxy.strict.enabled else None
                request = strict.request(call, protocol, self.command, self.path, self.headers, body) if strict else None
                if strict:
                    refusal = strict.before(request)
                    if refusal is not None:
                        return self._strict_answer(call, protocol, refusal)
                answer = self._forward_organizations_aware(call, body, config.account_creation_seconds, request)
                if strict:
                    replaced = strict.after(request, answer)
                    if replaced is not None:
                        return self._strict_answer(call, protocol, replaced)
                return answer

            def _strict_answer(self, call, protocol, answer):
                """A strict rule's answer: an AwsError shaped for the protocol, or a whole answer."""
                if isinstance(answer, AwsError):
                    call["strict"] = answer.code
                    return error_response(call["service"], protocol, answer.code, answer.status, answer.message)
                # A whole answer: an error with fields of its own (Reason, BucketName) or a rewrite.
                call["strict"] = _error_code(answer) or "rewritten"
                return answer

            def _forward_organizations_aware(self, call, body, creation_seconds, request=None):
                if call["service"] != "organizations":
                    answer = self._forward(body)
                    if request is not None:
                        request.upstream_answer = answer
                    return answer
                delay = proxy.account_creation
                forwarded, answer = delay.before(call["action"], body, creation_seconds)
                if answer is None:
                    upstream_answer = self._forward(forwarded)
                    if request is not None:
                        request.upstream_answer = upstream_answer
                    answer = delay.after(call["action"], body, upstream_answer, creation_seconds)
                    if answer is upstream_answer:
                        return answer
                call["rewritten"] = "account_creation_in_progress"
                return answer

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
                headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP_BY_HOP}
                headers["Content-Length"] = str(len(body))
                try:
                    answer = self._send_upstream(body, headers)
                except (OSError, http.client.HTTPException) as error:
                    message = f"the proxy could not reach {proxy.upstream.geturl()}: {error}".encode()
                    answer = (502, {"Content-Type": "text/plain"}, message)
                return answer

            def _send_upstream(self, body, headers):
                # http.client reconnects by itself once upstream closed the
                # connection (moto's werkzeug server closes after every
                # answer).  A kept-alive connection that upstream dropped while
                # idle fails on first use: that one request is sent again.
                reused = self._upstream is not None and self._upstream.sock is not None
                try:
                    return self._exchange(body, headers)
                except ConnectionError:
                    if not reused:
                        raise
                    return self._exchange(body, headers)

            def _exchange(self, body, headers):
                if self._upstream is None:
                    self._upstream = http.client.HTTPConnection(
                        proxy.upstream.hostname, proxy.upstream.port, timeout=120)
                try:
                    self._upstream.request(self.command, self.path, body=body, headers=headers)
                    response = self._upstream.getresponse()
                    return response.status, dict(response.getheaders()), response.read()
                except (OSError, http.client.HTTPException):
                    self._upstream.close()
                    self._upstream = None
                    raise

            do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = _handle

        return Handler


def _parse_rules(text):
    """``organizations:*=0.3,iam:*=0.3`` -> {"organizations:*": 0.3, "iam:*": 0.3}."""
    rules = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        pattern, sep, rate = item.rpartition("=")
        if not sep or not pattern:
            raise argparse.ArgumentTypeError(f"expected PATTERN=RATE, got {item!r}")
        rules[pattern] = float(rate)
    return rules


def config_from_args(args):
    return FaultConfig(
        fault_rate=args.fault_rate,
        fault_rules=args.faults or {},
        fault_kinds=args.fault_kinds or dict(DEFAULT_FAULT_KINDS),
        latency_ms=args.latency_ms,
        jitter_ms=args.jitter_ms,
        account_creation_seconds=args.account_creation_seconds,
        seed=args.seed,
    )


def build_parser():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--upstream", required=True, help="moto server URL")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--log", help="append every call as a JSON line to this file")
    parser.add_argument("--fault-rate", type=float, default=0.0, help="fraction of all calls answered with a fault")
    parser.add_argument("--faults", type=_parse_rules, metavar="PATTERN=RATE,...",
                        help="fault rate per service:action pattern, e.g. organizations:*=0.3,sts:AssumeRole=0.3")
    parser.add_argument("--fault-kinds", type=_parse_rules, metavar="KIND=WEIGHT,...",
                        help=f"weights among {', '.join(FAULT_KINDS)} (default: equal, no reset_after)")
    parser.add_argument("--latency-ms", type=float, default=0.0, help="added to every call")
    parser.add_argument("--jitter-ms", type=float, default=0.0, help="up to this much more, at random")
    parser.add_argument("--account-creation-seconds", type=float, default=0.0,
                        help="CreateAccount requests stay IN_PROGRESS this long")
    parser.add_argument("--seed", type=int, help="seed for reproducible faults and jitter")
    parser.add_argument("--strict", dest="strict", action="store_true", default=None,
                        help="answer as AWS does where moto does not (the default unless STRICT_AWS=0)")
    parser.add_argument("--no-strict", dest="strict", action="store_false",
                        help="plain moto: no strict layer (for comparison)")
    parser.add_argument("--account-quota", type=int, help="strict mode: the organization's account quota")
    return parser


def main(argv=None):
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        config = config_from_args(args)
    except ValueError as error:
        parser.error(str(error))
    strict_fields = {}
    if args.strict is not None:
        strict_fields["enabled"] = args.strict
    if args.account_quota is not None:
        strict_fields["account_quota"] = args.account_quota
    try:
        strict = StrictConfig(**strict_fields)
    except ValueError as error:
        parser.error(str(error))
    proxy = RecordingProxy(args.upstream, args.host, args.port, args.log, config=config, strict=strict)
    print(proxy.url, flush=True)
    try:
        proxy._server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
