"""The fault proxy, proven with real boto3 clients through it to a real moto server.

Each fault must reach botocore exactly as AWS's would: the same error code,
HTTP status and modeled exception class, retried (or not) by botocore's own
retry rules.
"""

import http.client
import json
import threading
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler
from http.server import ThreadingHTTPServer

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from botocore.exceptions import ConnectionClosedError

from tests.harness.awsproxy import FaultConfig
from tests.harness.awsproxy import RecordingProxy
from tests.integration.test_strict_sts import FakeClock

NO_RETRIES = Config(retries={"total_max_attempts": 1})


def client(proxy, service, config=None):
    return boto3.client(service, endpoint_url=proxy.url, region_name="us-east-1", aws_access_key_id="testing",
                        aws_secret_access_key="testing", config=config)


# One write per service, so a test can also check that the fault kept it from moto.
WRITES = {
    "organizations": ("CreateOrganization", lambda c: c.create_organization(FeatureSet="ALL")),
    "iam": ("CreateRole", lambda c: c.create_role(RoleName="faulted", AssumeRolePolicyDocument="{}")),
    "sts": ("GetCallerIdentity", lambda c: c.get_caller_identity()),
    "s3": ("REST.PUT.bucket", lambda c: c.create_bucket(Bucket="faulted")),
}

# (code, HTTP status) per service, as AWS answers them.
EXPECTED = {
    "throttle": {
        "organizations": ("TooManyRequestsException", 400),
        "iam": ("Throttling", 400),
        "sts": ("Throttling", 400),
        "s3": ("SlowDown", 503),
    },
    "concurrent": {
        "organizations": ("ConcurrentModificationException", 400),
        "iam": ("ConcurrentModification", 409),
        "sts": ("Throttling", 400),  # STS has no concurrent-modification error
        "s3": ("OperationAborted", 409),
    },
    "http500": {
        "organizations": ("ServiceException", 500),
        "iam": ("ServiceFailure", 500),
        "sts": ("InternalFailure", 500),
        "s3": ("InternalError", 500),
    },
    "http503": {service: ("ServiceUnavailable", 503) for service in WRITES},
}

# Modeled exception classes botocore must map the codes to.
MODELED = {
    ("throttle", "organizations"): "TooManyRequestsException",
    ("concurrent", "organizations"): "ConcurrentModificationException",
    ("http500", "organizations"): "ServiceException",
    ("concurrent", "iam"): "ConcurrentModificationException",
    ("http500", "iam"): "ServiceFailureException",
}


def moto_state(aws):
    """What the faulted writes would have created, read from moto directly."""
    orgs = aws.client("organizations")
    try:
        orgs.describe_organization()
        has_org = True
    except orgs.exceptions.AWSOrganizationsNotInUseException:
        has_org = False
    roles = [r["RoleName"] for r in aws.client("iam").list_roles()["Roles"]]
    buckets = [b["Name"] for b in aws.client("s3").list_buckets()["Buckets"]]
    return dict(organization=has_org, role="faulted" in roles, bucket="faulted" in buckets)


NOTHING_WRITTEN = dict(organization=False, role=False, bucket=False)


@pytest.mark.parametrize("kind", sorted(EXPECTED))
def test_each_fault_is_the_aws_error_botocore_expects(proxy, aws, kind):
    proxy.configure(fault_rate=1, fault_kinds=[kind])
    for service, (_action, write) in WRITES.items():
        aws_client = client(proxy, service, NO_RETRIES)
        with pytest.raises(ClientError) as raised:
            write(aws_client)
        error = raised.value.response
        assert (error["Error"]["Code"], error["ResponseMetadata"]["HTTPStatusCode"]) == EXPECTED[kind][service]
        assert error["Error"]["Message"]
        modeled = MODELED.get((kind, service))
        if modeled:
            assert isinstance(raised.value, getattr(aws_client.exceptions, modeled))

    assert [(c["service"], c["action"], c["injected"], c["status"]) for c in proxy.calls] == [
        (service, action, kind, EXPECTED[kind][service][1]) for service, (action, _write) in WRITES.items()
    ]
    assert moto_state(aws) == NOTHING_WRITTEN


def test_reset_drops_the_connection_before_the_call_reaches_aws(proxy, aws):
    proxy.configure(fault_rate=1, fault_kinds=["reset"])
    for service, (_action, write) in WRITES.items():
        with pytest.raises(ConnectionClosedError):
            write(client(proxy, service, NO_RETRIES))
    assert {(c["injected"], c["status"]) for c in proxy.calls} == {("reset", 0)}
    assert len(proxy.calls) == len(WRITES)
    assert moto_state(aws) == NOTHING_WRITTEN


def test_reset_after_makes_the_write_but_loses_the_answer(proxy, aws):
    proxy.configure(fault_rules={"iam:CreateRole": 1}, fault_kinds=["reset_after"])
    iam = client(proxy, "iam", NO_RETRIES)
    with pytest.raises(ConnectionClosedError):
        WRITES["iam"][1](iam)
    assert moto_state(aws)["role"] is True
    assert [(c["action"], c["injected"], c["status"]) for c in proxy.calls] == [("CreateRole", "reset_after", 200)]
    # The rule covers CreateRole only: other IAM calls go through.
    assert "faulted" in [r["RoleName"] for r in iam.list_roles()["Roles"]]


def test_default_botocore_retries_ride_out_a_fraction_of_faults(proxy, aws):
    aws.client("organizations").create_organization(FeatureSet="ALL")
    # ConcurrentModificationException is left out: botocore does not retry
    # it (the collection's own retry decorator does).
    proxy.configure(fault_rules={"organizations:*": 0.3, "iam:*": 0.3, "sts:*": 0.3},
                    fault_kinds=["throttle", "http500", "http503", "reset"], seed=1)
    reads = [
        (client(proxy, "organizations"), lambda c: c.list_roots()["Roots"]),
        (client(proxy, "iam"), lambda c: c.list_roles()["Roles"] is not None),
        (client(proxy, "sts"), lambda c: c.get_caller_identity()["Account"]),
    ]
    for _round in range(4):
        for aws_client, read in reads:
            assert read(aws_client)
    injected = proxy.injected_calls()
    answered = [c for c in proxy.calls if not c["injected"]]
    assert len(answered) == 12 and {c["status"] for c in answered} == {200}
    assert len(injected) >= 2, "the seed should have produced some faults to ride out"
    assert {c["service"] for c in injected} <= {"organizations", "iam", "sts"}


def test_latency_holds_each_call_without_holding_the_others(proxy):
    sts_clients = [client(proxy, "sts") for _thread in range(4)]
    sts_clients[0].get_caller_identity()  # warm up: connection set up outside the timing
    proxy.configure(latency_ms=300)
    started = time.monotonic()
    sts_clients[0].get_caller_identity()
    assert time.monotonic() - started >= 0.3

    threads = [threading.Thread(target=c.get_caller_identity) for c in sts_clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    delayed = [c for c in proxy.calls if c["latency_ms"]]
    assert len(delayed) == 5 and all(c["latency_ms"] == 300 and c["elapsed"] >= 0.3 for c in delayed)
    # Judged from the proxy's own record (arrival and time held), not the test's
    # wall clock, which a loaded machine stretches: had the proxy held one call
    # behind another, the four would follow each other, spanning at least the
    # sum of their times; held side by side, they span far less.
    parallel = delayed[1:]
    span = max(c["time"] + c["elapsed"] for c in parallel) - min(c["time"] for c in parallel)
    assert span < sum(c["elapsed"] for c in parallel) - 0.3, (
        f"4 calls of 300 ms spanned {span:.2f} s: the proxy held them one after another")

    proxy.configure(latency_ms=20, jitter_ms=100, seed=4)
    proxy.reset()
    for _call in range(5):
        sts_clients[0].get_caller_identity()
    latencies = [c["latency_ms"] for c in proxy.calls]
    assert all(20 <= latency <= 120 for latency in latencies) and len(set(latencies)) > 1


def test_account_creation_takes_the_configured_time(proxy, aws, monkeypatch):
    # The proxy's creation clock, moved by the test: how loaded the machine is cannot decide it.
    clock = FakeClock()
    monkeypatch.setattr(proxy.account_creation, "_clock", clock)
    aws.client("organizations").create_organization(FeatureSet="ALL")
    proxy.configure(account_creation_seconds=2)
    orgs = client(proxy, "organizations")
    root_id = orgs.list_roots()["Roots"][0]["Id"]
    request = orgs.create_account(AccountName="dev", Email="dev@example.com")["CreateAccountStatus"]
    account_id = aws.client("organizations").describe_create_account_status(
        CreateAccountRequestId=request["Id"])["CreateAccountStatus"]["AccountId"]  # moto has it at once

    assert request["State"] == "IN_PROGRESS" and "AccountId" not in request
    clock.now += 1.9
    status = orgs.describe_create_account_status(CreateAccountRequestId=request["Id"])["CreateAccountStatus"]
    assert status["State"] == "IN_PROGRESS" and "AccountId" not in status
    in_progress = orgs.list_create_account_status(States=["IN_PROGRESS"])["CreateAccountStatuses"]
    assert [s["Id"] for s in in_progress] == [request["Id"]]
    assert account_id not in [a["Id"] for a in orgs.list_accounts()["Accounts"]]
    assert account_id not in [a["Id"] for a in orgs.list_accounts_for_parent(ParentId=root_id)["Accounts"]]
    assert account_id not in [c["Id"] for c in orgs.list_children(ParentId=root_id, ChildType="ACCOUNT")["Children"]]
    with pytest.raises(orgs.exceptions.AccountNotFoundException):
        orgs.describe_account(AccountId=account_id)

    clock.now += 0.1  # 2 s since the answer to CreateAccount
    status = orgs.describe_create_account_status(CreateAccountRequestId=request["Id"])["CreateAccountStatus"]
    assert status["State"] == "SUCCEEDED" and status["AccountId"] == account_id
    assert account_id in [a["Id"] for a in orgs.list_accounts()["Accounts"]]
    assert orgs.describe_account(AccountId=account_id)["Account"]["Name"] == "dev"
    assert orgs.list_create_account_status(States=["IN_PROGRESS"])["CreateAccountStatuses"] == []
    rewritten = [c["action"] for c in proxy.calls if c["rewritten"]]
    assert {"CreateAccount", "DescribeCreateAccountStatus", "ListAccounts", "DescribeAccount"} <= set(rewritten)


def _control(proxy, path, payload=None):
    data = None if payload is None else json.dumps(payload).encode()
    request = urllib.request.Request(proxy.url + path, data=data, method="GET" if data is None else "POST")
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def test_config_endpoint_changes_the_faults_between_runs_and_control_paths_are_never_faulted(proxy, moto_server):
    applied = _control(proxy, "/__proxy__/config", {"fault_rate": 1, "fault_kinds": ["reset"], "seed": 2})
    assert applied["fault_rate"] == 1 and applied["fault_kinds"] == {"reset": 1.0}
    assert _control(proxy, "/__proxy__/config") == applied
    assert proxy.config.fault_rate == 1
    # Every AWS call is reset now, but neither the proxy's own paths nor moto's API are.
    assert _control(proxy, "/__proxy__/calls") == []
    with urllib.request.urlopen(proxy.url + "/moto-api/data.json", timeout=10) as response:
        assert response.status == 200
    with pytest.raises(ConnectionClosedError):
        client(proxy, "sts", NO_RETRIES).get_caller_identity()

    with pytest.raises(urllib.error.HTTPError) as refused:
        _control(proxy, "/__proxy__/config", {"fault_rate": 2})
    assert refused.value.code == 400 and "fault_rate" in json.loads(refused.value.read())["error"]
    assert proxy.config.fault_rate == 1  # a refused configuration changes nothing

    _control(proxy, "/__proxy__/config", {})
    assert client(proxy, "sts", NO_RETRIES).get_caller_identity()["Account"]
    assert [c["injected"] for c in _control(proxy, "/__proxy__/calls") if c["service"] == "sts"] == ["reset", None]


def test_json_lines_log_has_one_line_per_call(moto_server, proxy, tmp_path):
    log = tmp_path / "calls.jsonl"
    logging_proxy = RecordingProxy(moto_server.url, log_path=str(log),
                                   config=FaultConfig(fault_rules={"iam:ListRoles": 1}, fault_kinds=["throttle"]))
    logging_proxy.start()
    try:
        client(logging_proxy, "sts").get_caller_identity()
        with pytest.raises(ClientError):
            client(logging_proxy, "iam", NO_RETRIES).list_roles()
        client(logging_proxy, "iam").create_role(RoleName="logged", AssumeRolePolicyDocument="{}")
    finally:
        logging_proxy.stop()
    lines = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    assert lines == logging_proxy.calls
    assert [(c["service"], c["action"], c["status"], c["mutating"], c["injected"]) for c in lines] == [
        ("sts", "GetCallerIdentity", 200, False, None),
        ("iam", "ListRoles", 400, False, "throttle"),
        ("iam", "CreateRole", 200, True, None),
    ]
    assert all(c["time"] > 1.6e9 and 0 <= c["elapsed"] < 5 for c in lines)


def test_clients_keep_their_connection_alive_through_the_proxy(proxy):
    sts = client(proxy, "sts")
    sts.get_caller_identity()
    before = proxy.connections
    for _call in range(5):
        sts.get_caller_identity()
    assert proxy.connections == before
    assert len(proxy.calls) == 6


class KeepAliveUpstream:
    """A tiny HTTP/1.1 server that keeps connections open (moto's server closes each one)."""

    def __init__(self):
        upstream = self
        self.connections = 0
        self.drop_after_answer = False

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def setup(self):
                super().setup()
                upstream.connections += 1

            def log_message(self, *args):
                pass

            def do_POST(self):
                self.rfile.read(int(self.headers["Content-Length"]))
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"{}")
                # Drop the connection as an idle timeout would: without a
                # Connection: close header, so the proxy only finds out on reuse.
                self.close_connection = upstream.drop_after_answer

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = "http://127.0.0.1:%d" % self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


def test_upstream_connections_are_reused_and_renewed_when_upstream_dropped_them():
    upstream = KeepAliveUpstream()
    keep_alive_proxy = RecordingProxy(upstream.url).start()
    connection = http.client.HTTPConnection("127.0.0.1", int(keep_alive_proxy.url.rsplit(":", 1)[1]), timeout=10)
    try:
        for index in range(6):
            if index == 3:
                upstream.drop_after_answer = True
            connection.request("POST", "/", body=b"Action=GetCallerIdentity")
            response = connection.getresponse()
            assert (response.status, response.read()) == (200, b"{}")
    finally:
        connection.close()
        keep_alive_proxy.stop()
        upstream.stop()
    # Calls 1-4 share one upstream connection; 5 and 6 each find the previous
    # one dropped and open a new one.  The client kept its single connection.
    assert upstream.connections == 3
    assert keep_alive_proxy.connections == 1
    assert [c["status"] for c in keep_alive_proxy.calls] == [200] * 6
