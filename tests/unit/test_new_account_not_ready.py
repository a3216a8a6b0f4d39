"""A just-created account's "not ready yet" answers, on both paths into it.

First its role: assume_member_role retries AccessDenied (and the services'
answers, should STS give them).  Then its services, once the role works:
every client of a member account (MemberAccountClient) retries
MEMBER_ACCOUNT_NOT_READY_CODES within one budget per account; the caller's
own clients never do (from the management account's credentials
AuthFailure is a real error).
"""

import botocore.exceptions
import pytest

from ansible_collections.awsorg.landing_zone.plugins.module_utils.aws.assume_role import ActsThroughMemberRole
from ansible_collections.awsorg.landing_zone.plugins.module_utils.aws.assume_role import MemberAccountClient
from ansible_collections.awsorg.landing_zone.plugins.module_utils.aws.assume_role import MemberAccountReadiness
from ansible_collections.awsorg.landing_zone.plugins.module_utils.aws.assume_role import assume_member_role
from ansible_collections.awsorg.landing_zone.plugins.module_utils.aws.retries import MEMBER_ACCOUNT_NOT_READY_CODES
from tests.unit.fake_time import FakeTime

CREDENTIALS = dict(AccessKeyId="ASIAEXAMPLE", SecretAccessKey="secret", SessionToken="token")
ROLE_ARN = "arn:aws:iam::210987654321:role/OrganizationAccountAccessRole"


def client_error(code, operation="GetEbsEncryptionByDefault"):
    return botocore.exceptions.ClientError({"Error": {"Code": code, "Message": "not yet"}}, operation)


class NotReadyThenReady:
    def __init__(self, code, times):
        self.code = code
        self.times = times
        self.calls = 0

    def assume_role(self, **params):
        self.calls += 1
        if self.calls <= self.times:
            raise botocore.exceptions.ClientError({"Error": {"Code": self.code, "Message": "not yet"}}, "AssumeRole")
        return {"Credentials": CREDENTIALS}


@pytest.mark.parametrize("code", ["AccessDenied", "SubscriptionRequiredException", "OptInRequired"])
def test_a_new_accounts_not_ready_answers_are_retried_until_it_is(code):
    sts = NotReadyThenReady(code, times=3)
    fake = FakeTime()
    credentials = assume_member_role(sts, dict(account_id="210987654321"), sleep=fake.sleep, clock=fake.clock)
    assert credentials == CREDENTIALS
    assert sts.calls == 4
    assert len(fake.sleeps) == 3


class FakeEC2:
    """Answers GetEbsEncryptionByDefault from a script: exceptions are raised, anything else is returned."""

    class meta:  # pylint: disable=invalid-name
        method_to_api_mapping = {"get_ebs_encryption_by_default": "GetEbsEncryptionByDefault"}

    def __init__(self, *answers):
        self.answers = list(answers)
        self.calls = 0

    def get_ebs_encryption_by_default(self):
        self.calls += 1
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, Exception):
            raise answer
        return {"EbsEncryptionByDefault": answer}

    def not_an_api_call(self):
        raise client_error("OptInRequired")


def readiness(fake, timeout=300):
    return MemberAccountReadiness(ROLE_ARN, timeout, sleep=fake.sleep, clock=fake.clock)


@pytest.mark.parametrize("code", MEMBER_ACCOUNT_NOT_READY_CODES)
def test_a_member_accounts_call_waits_out_each_not_ready_code(code):
    fake = FakeTime()
    ec2 = FakeEC2(client_error(code), client_error(code), False)
    client = MemberAccountClient(ec2, readiness(fake))
    assert client.get_ebs_encryption_by_default() == {"EbsEncryptionByDefault": False}
    assert ec2.calls == 3
    # Polled as AssumeRole is: about a second apart in the first minute.
    assert len(fake.sleeps) == 2 and all(0.75 <= s <= 1.25 for s in fake.sleeps)


def test_other_errors_and_non_api_methods_are_not_retried():
    fake = FakeTime()
    client = MemberAccountClient(FakeEC2(client_error("UnauthorizedOperation")), readiness(fake))
    with pytest.raises(botocore.exceptions.ClientError, match="UnauthorizedOperation"):
        client.get_ebs_encryption_by_default()
    with pytest.raises(botocore.exceptions.ClientError, match="OptInRequired"):
        client.not_an_api_call()
    assert fake.sleeps == []


def test_one_budget_per_account_from_its_first_not_ready_answer_then_the_answer_is_raised():
    fake = FakeTime()
    shared = readiness(fake, timeout=120)
    never = MemberAccountClient(FakeEC2(client_error("OptInRequired")), shared)
    with pytest.raises(botocore.exceptions.ClientError) as error:
        never.get_ebs_encryption_by_default()
    # The same code (handlers still recognise it), the message saying how long it was waited out.
    assert error.value.response["Error"]["Code"] == "OptInRequired"
    assert "still answered 120 seconds after the first not-ready answer" in str(error.value)
    assert ROLE_ARN in str(error.value) and "assume_role.timeout" in str(error.value)
    assert sum(fake.sleeps) == pytest.approx(120)
    # Never past the deadline; after the first minute, backing off up to 30 s.
    assert max(fake.sleeps) <= 30
    # Another client of the same account (another service or region): its budget is spent, it fails at once.
    slept = len(fake.sleeps)
    other = MemberAccountClient(FakeEC2(client_error("SubscriptionRequiredException")), shared)
    with pytest.raises(botocore.exceptions.ClientError, match="SubscriptionRequiredException"):
        other.get_ebs_encryption_by_default()
    assert len(fake.sleeps) == slept


class FakePaginator:
    def __init__(self, pages, failures):
        self.pages = pages
        self.failures = failures
        self.started = 0

    def paginate(self, **kwargs):
        owner = self

        class Pages:
            def __iter__(self):
                owner.started += 1
                if owner.failures:
                    owner.failures -= 1
                    raise client_error("SubscriptionRequiredException", "ListRoles")
                yield from owner.pages

            def build_full_result(self):
                return {"Roles": [role for page in self for role in page["Roles"]], "kwargs": kwargs}

        return Pages()


class FakeIAM:
    meta = FakeEC2.meta

    def __init__(self, failures):
        self.paginator = FakePaginator([{"Roles": ["a"]}, {"Roles": ["b"]}], failures)

    def get_paginator(self, name):
        assert name == "list_roles"
        return self.paginator


def test_paginated_results_wait_out_not_ready_answers_too():
    fake = FakeTime()
    iam = FakeIAM(failures=2)
    client = MemberAccountClient(iam, readiness(fake))
    assert client.get_paginator("list_roles").paginate(PathPrefix="/").build_full_result() == {
        "Roles": ["a", "b"], "kwargs": {"PathPrefix": "/"}}
    assert iam.paginator.started == 3 and len(fake.sleeps) == 2
    iam.paginator.failures = 1
    assert [page["Roles"] for page in client.get_paginator("list_roles").paginate()] == [["a"], ["b"]]


class Runner(ActsThroughMemberRole):
    """The module or an account run, as ActsThroughMemberRole sees it."""

    def __init__(self, assumed_role, client):
        self.assumed_role = assumed_role
        self._client = client

    def member_credentials(self):
        return CREDENTIALS

    def partition(self):
        return "aws"

    def caller_client(self, service, retry_decorator=None, **extra_params):
        return self._client


def test_only_a_member_accounts_clients_wait_the_callers_own_fail_at_once():
    ec2 = FakeEC2(client_error("AuthFailure"), True)
    caller = Runner(None, ec2).client("ec2")
    with pytest.raises(botocore.exceptions.ClientError, match="AuthFailure"):
        caller.get_ebs_encryption_by_default()
    assert ec2.calls == 1

    member_run = Runner(dict(account_id="210987654321", timeout=60), FakeEC2(True))
    member = member_run.client("ec2")
    assert isinstance(member, MemberAccountClient)
    readiness_of_run = member_run.member_readiness()
    assert readiness_of_run is member_run.member_readiness()
    assert (readiness_of_run.role_arn, readiness_of_run.timeout) == (ROLE_ARN, 60)
