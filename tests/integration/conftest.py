"""Fixtures that run the collection against a real moto server process.

Per pytest worker: one ``moto_server`` on a free 127.0.0.1 port, with a
recording proxy in front of it.  Per test: moto is reset, the proxy forgets
its calls, and the test gets

* ``aws``: boto3 clients straight to moto (reading back the end state never
  shows up in the proxy's log), in the management account or, with
  ``account_id=``, through that account's OrganizationAccountAccessRole;
* ``ansible``: runs modules and playbooks with AWS_ENDPOINT_URL at the proxy;
* ``proxy``: what AWS calls the run made.
"""

import boto3
import pytest

from tests.harness.awsproxy import FaultConfig
from tests.harness.awsproxy import RecordingProxy
from tests.harness.motoserver import MotoServer
from tests.harness.strict_aws import StrictConfig
from tests.harness.playbook import AnsibleRunner

MANAGEMENT_ACCOUNT = "123456789012"


@pytest.hookimpl(trylast=True)  # after -m has deselected: only the tests that run are placed
def pytest_collection_modifyitems(items):
    """The tests of minutes (marked ``slow``) first, each followed by a short one, then the rest as collected.

    With ``--dist load --maxschedchunk 1`` (scripts/test.sh) pytest-xdist
    hands each worker its first two tests (two consecutive items), then one
    more each time it is almost done.  Two slow tests next to each other
    would both go to the first worker and run one after the other while the
    others finish the short tests and idle; one short test between two slow
    ones gives each worker at most one slow test to start with, and the
    next slow test goes to the first worker free.  The slow tests that run
    site.yml most often (``@pytest.mark.slow(site_runs=N)``) start first: the
    longest would otherwise wait for a worker and end last.  Every worker
    orders the same way (markers and collection order alone), as xdist requires.
    """
    slow = sorted((item for item in items if item.get_closest_marker("slow") is not None),
                  key=lambda item: -item.get_closest_marker("slow").kwargs.get("site_runs", 0))
    short = [item for item in items if item.get_closest_marker("slow") is None]
    ordered = []
    for test in slow:
        ordered.append(test)
        if short:
            ordered.append(short.pop(0))
    items[:] = ordered + short


@pytest.fixture(scope="session")
def moto_server(tmp_path_factory):
    log = tmp_path_factory.mktemp("moto") / "moto.log"
    server = MotoServer(log_path=str(log)).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def recording_proxy(moto_server):
    proxy = RecordingProxy(moto_server.url).start()
    yield proxy
    proxy.stop()


class AwsReader:
    """boto3 clients against moto for setting up and reading back the end state."""

    def __init__(self, url):
        self.url = url
        self._credentials = {}

    def client(self, service, account_id=None, region="us-east-1"):
        kwargs = dict(
            endpoint_url=self.url,
            region_name=region,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )
        if account_id and account_id != MANAGEMENT_ACCOUNT:
            creds = self._credentials.get(account_id)
            if creds is None:
                sts = boto3.client("sts", **kwargs)
                creds = sts.assume_role(
                    RoleArn=f"arn:aws:iam::{account_id}:role/OrganizationAccountAccessRole",
                    RoleSessionName="test-reader",
                )["Credentials"]
                self._credentials[account_id] = creds
            kwargs.update(
                aws_access_key_id=creds["AccessKeyId"],
                aws_secret_access_key=creds["SecretAccessKey"],
                aws_session_token=creds["SessionToken"],
            )
        return boto3.client(service, **kwargs)


@pytest.fixture
def proxy(recording_proxy, moto_server):
    moto_server.reset()
    recording_proxy.reset()
    recording_proxy.forget_aws_state()
    yield recording_proxy
    recording_proxy.before_forward = RecordingProxy.before_forward.__get__(recording_proxy)
    recording_proxy.configure(FaultConfig())  # no faults, no latency for the next test
    recording_proxy.configure_strict(StrictConfig())  # strict as by default


@pytest.fixture
def strict_on(proxy):
    """Strict whatever STRICT_AWS says: for the tests of the strict layer itself."""
    proxy.configure_strict(enabled=True)
    return proxy


@pytest.fixture
def aws(proxy, moto_server):
    return AwsReader(moto_server.url)


@pytest.fixture
def ansible(proxy, tmp_path):
    return AnsibleRunner(proxy.url, tmp_path)


@pytest.fixture
def organization(aws):
    """An organization (all features, SCPs enabled) created directly in moto."""
    client = aws.client("organizations")
    client.create_organization(FeatureSet="ALL")
    root_id = client.list_roots()["Roots"][0]["Id"]
    client.enable_policy_type(RootId=root_id, PolicyType="SERVICE_CONTROL_POLICY")
    return dict(root_id=root_id, client=client)
