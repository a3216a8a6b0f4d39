"""batch/shared_clients.py: one client per service for every account of a batch, each call signed for its account.

The module is the real AnsibleLandingZoneModule with real botocore clients;
botocore's ``before-send`` event answers each request instead of the
network, and records the access key the request was signed with (its
Authorization header), so the tests read what AWS would have been sent.
"""

import threading

import pytest
import botocore.awsrequest
import botocore.exceptions

from ansible.module_utils import basic
from ansible.module_utils.testing import patch_module_args

from ansible_collections.awsorg.landing_zone.plugins.module_utils.batch.modules import AnsibleLandingZoneModule

ALPHA = dict(aws_access_key_id="ASIAALPHA", aws_secret_access_key="alpha-secret", aws_session_token="alpha-token")
BETA = dict(aws_access_key_id="ASIABETA", aws_secret_access_key="beta-secret", aws_session_token="beta-token")

ALIASES_PAGE = """<ListAccountAliasesResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">
  <ListAccountAliasesResult><IsTruncated>{truncated}</IsTruncated>{marker}
    <AccountAliases><member>{alias}</member></AccountAliases>
  </ListAccountAliasesResult>
</ListAccountAliasesResponse>"""


@pytest.fixture(autouse=True)
def module_profile(monkeypatch):
    monkeypatch.setattr(basic, "_ANSIBLE_PROFILE", "legacy")


@pytest.fixture
def module(monkeypatch):
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent/config")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/credentials")
    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.delenv(name, raising=False)
    args = dict(region="us-east-1", endpoint_url="http://127.0.0.1:1", access_key="CALLERKEY", secret_key="caller")
    with patch_module_args(args):
        return AnsibleLandingZoneModule(argument_spec={}, supports_check_mode=True)


class Answers:
    """Answers ListAccountAliases (two pages) and records the access key of each request."""

    def __init__(self):
        self.keys = []
        self.lock = threading.Lock()

    def __call__(self, request, **_kwargs):
        key = request.headers["Authorization"].decode().split("Credential=")[1].split("/")[0]
        with self.lock:
            self.keys.append(key)
        body = request.body or b""
        second_page = b"Marker=page2" in (body if isinstance(body, bytes) else body.encode())
        body = ALIASES_PAGE.format(truncated="false" if second_page else "true",
                                   marker="" if second_page else "<Marker>page2</Marker>",
                                   alias=f"{key.lower()}-{2 if second_page else 1}")
        return botocore.awsrequest.AWSResponse(request.url, 200, {}, _Raw(body.encode()))


class _Raw:
    def __init__(self, data):
        self.data = data

    def stream(self, **_kwargs):
        yield self.data


def answered(client, answers):
    client.meta.events.register("before-send.iam", answers, unique_id="test-answers")
    return client


def test_every_account_shares_one_client_and_each_call_is_signed_with_its_own_credentials(module):
    answers = Answers()
    alpha = module.shared_client("iam", **ALPHA)
    beta = module.shared_client("iam", **BETA)
    assert alpha.client is beta.client  # one client built for both accounts
    answered(alpha.client, answers)
    alpha.list_account_aliases()
    beta.list_account_aliases()
    alpha.list_account_aliases()
    assert answers.keys == ["ASIAALPHA", "ASIABETA", "ASIAALPHA"]


def test_the_callers_own_client_is_not_the_shared_one_and_keeps_its_credentials(module):
    answers = Answers()
    caller = answered(module.shared_client("iam"), answers)
    answered(module.shared_client("iam", **ALPHA).client, answers)
    assert caller is not module.shared_client("iam", **ALPHA).client
    caller.list_account_aliases()
    assert answers.keys == ["CALLERKEY"]


def test_every_page_of_a_paginator_is_signed_for_its_account(module):
    answers = Answers()
    beta = module.shared_client("iam", **BETA)
    answered(beta.client, answers)
    aliases = beta.get_paginator("list_account_aliases").paginate().build_full_result()["AccountAliases"]
    assert aliases == ["asiabeta-1", "asiabeta-2"]
    pages = list(module.shared_client("iam", **ALPHA).get_paginator("list_account_aliases").paginate())
    assert [page["AccountAliases"] for page in pages] == [["asiaalpha-1"], ["asiaalpha-2"]]
    assert answers.keys == ["ASIABETA", "ASIABETA", "ASIAALPHA", "ASIAALPHA"]


def test_threads_of_different_accounts_sign_with_their_own_credentials(module):
    answers = Answers()
    answered(module.shared_client("iam", **ALPHA).client, answers)
    barrier = threading.Barrier(8)
    signed = {}

    def run(index):
        credentials = dict(ALPHA, aws_access_key_id=f"ASIAKEY{index}")
        client = module.shared_client("iam", **credentials)
        barrier.wait()
        signed[index] = client.list_account_aliases()["AccountAliases"]

    threads = [threading.Thread(target=run, args=(index,)) for index in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert signed == {index: [f"asiakey{index}-1"] for index in range(8)}


def test_the_shared_client_itself_never_signs_with_anyones_credentials(module):
    # Used outside an account's binding it has no credentials: never the caller's, never the last account's.
    answers = Answers()
    shared = answered(module.shared_client("iam", **ALPHA).client, answers)
    module.shared_client("iam", **ALPHA).list_account_aliases()
    with pytest.raises(botocore.exceptions.NoCredentialsError):
        shared.list_account_aliases()
    assert answers.keys == ["ASIAALPHA"]


def test_a_retry_wrapper_goes_around_the_account_binding(module):
    answers = Answers()
    retried = []

    def retry(call):
        def wrapper(*args, **kwargs):
            retried.append(call.__name__)
            return call(*args, **kwargs)
        return wrapper

    client = module.shared_client("iam", retry_decorator=retry, **BETA)
    answered(client.client.client, answers)
    client.list_account_aliases(aws_retry=True)
    assert retried == ["list_account_aliases"] and answers.keys == ["ASIABETA"]
