"""assume_member_role: retries while a new account's role is not ready, within a bounded time."""

import botocore.exceptions
import pytest

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError

from ansible_collections.awsorg.landing_zone.plugins.module_utils.aws.assume_role import assume_member_role
from ansible_collections.awsorg.landing_zone.plugins.module_utils.aws.assume_role import member_role_arn
from tests.unit.fake_time import FakeTime

CREDENTIALS = dict(AccessKeyId="ASIAEXAMPLE", SecretAccessKey="secret", SessionToken="token")
ROLE_ARN = "arn:aws:iam::210987654321:role/OrganizationAccountAccessRole"


def client_error(code, message="denied"):
    return botocore.exceptions.ClientError({"Error": {"Code": code, "Message": message}}, "AssumeRole")


class ScriptedSTS:
    """Answers AssumeRole from a script: exceptions are raised, anything else is returned."""

    def __init__(self, *answers, repeat_last=False):
        self.answers = list(answers)
        self.repeat_last = repeat_last
        self.calls = []

    def assume_role(self, **params):
        self.calls.append(params)
        answer = self.answers[0] if self.repeat_last and len(self.answers) == 1 else self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return {"Credentials": answer}


def test_retries_access_denied_then_returns_the_credentials():
    sts = ScriptedSTS(client_error("AccessDenied"), client_error("AccessDenied"), CREDENTIALS)
    fake = FakeTime()
    credentials = assume_member_role(
        sts, dict(account_id="210987654321", external_id="xid"), sleep=fake.sleep, clock=fake.clock
    )
    assert credentials == CREDENTIALS
    assert len(sts.calls) == 3
    assert sts.calls[0] == dict(
        RoleArn=ROLE_ARN, RoleSessionName="awsorg-landing-zone", DurationSeconds=3600, ExternalId="xid"
    )
    assert len(fake.sleeps) == 2
    # Steady polling while the role is new: about every second (0.75 to 1.25 s), not doubling.
    assert all(0.75 <= pause <= 1.25 for pause in fake.sleeps)


def test_gives_up_at_the_deadline_with_a_clear_message():
    sts = ScriptedSTS(client_error("AccessDenied", "not authorized to perform sts:AssumeRole"), repeat_last=True)
    fake = FakeTime()
    with pytest.raises(AnsibleAWSError) as raised:
        assume_member_role(sts, dict(account_id="210987654321", timeout=60), sleep=fake.sleep, clock=fake.clock)
    message = raised.value.message
    assert f"Could not assume {ROLE_ARN}" in message
    assert "AccessDenied" in message
    assert f"after {len(sts.calls)} attempts over 60 seconds" in message
    assert "assume_role.timeout" in message
    assert raised.value.exception.response["Error"]["Code"] == "AccessDenied"
    # It kept trying for the whole minute, never slept past the deadline, and
    # made its last attempt exactly at it.
    assert len(sts.calls) > 3
    assert sum(fake.sleeps) == pytest.approx(60.0)
    assert max(fake.sleeps) <= 30.0


def test_polls_steadily_for_a_minute_then_backs_off():
    sts = ScriptedSTS(client_error("AccessDenied"), repeat_last=True)
    fake = FakeTime()
    with pytest.raises(AnsibleAWSError):
        assume_member_role(sts, dict(account_id="210987654321", timeout=300), sleep=fake.sleep, clock=fake.clock)
    elapsed, steady, backoff = 0.0, [], []
    for pause in fake.sleeps:
        (steady if elapsed < 60 else backoff).append(pause)
        elapsed += pause
    # The first minute: a call every 0.75 to 1.25 seconds (about 48-80 calls).
    assert all(0.75 <= pause <= 1.25 for pause in steady)
    assert 48 <= len(steady) <= 80
    # Then jittered doubling from 2-4 s up to 15-30 s, never past the deadline.
    assert 2.0 <= backoff[0] <= 4.0
    assert all(pause <= 30.0 for pause in backoff)
    assert any(pause > 15.0 for pause in backoff)
    assert sum(fake.sleeps) == pytest.approx(300.0)


def test_timeout_zero_tries_once():
    sts = ScriptedSTS(client_error("AccessDenied"))
    fake = FakeTime()
    with pytest.raises(AnsibleAWSError) as raised:
        assume_member_role(sts, dict(account_id="210987654321", timeout=0), sleep=fake.sleep, clock=fake.clock)
    assert "after 1 attempt over 0 seconds" in raised.value.message
    assert fake.sleeps == []


@pytest.mark.parametrize("code", ["ExpiredToken", "InvalidClientTokenId", "ValidationError", "MalformedPolicyDocument"])
def test_other_errors_fail_at_once(code):
    sts = ScriptedSTS(client_error(code, "nope"), CREDENTIALS)
    fake = FakeTime()
    with pytest.raises(AnsibleAWSError) as raised:
        assume_member_role(sts, dict(role_arn=ROLE_ARN), sleep=fake.sleep, clock=fake.clock)
    assert raised.value.message == f"Failed to assume {ROLE_ARN}"
    assert raised.value.exception.response["Error"]["Code"] == code
    assert len(sts.calls) == 1
    assert fake.sleeps == []


@pytest.mark.parametrize(
    "options, field",
    [
        (dict(account_id="12345"), "assume_role.account_id"),
        (dict(account_id="210987654321", role_name="bad name"), "assume_role.role_name"),
        (dict(role_arn="arn:aws:iam::210987654321:user/alice"), "assume_role.role_arn"),
        (dict(account_id="210987654321", duration_seconds=60), "assume_role.duration_seconds"),
        (dict(account_id="210987654321", session_name="a b"), "assume_role.session_name"),
        (dict(account_id="210987654321", timeout=-1), "assume_role.timeout"),
    ],
)
def test_bad_options_fail_before_calling_sts(options, field):
    sts = ScriptedSTS(CREDENTIALS)
    with pytest.raises(AnsibleAWSError) as raised:
        assume_member_role(sts, options, sleep=pytest.fail, clock=lambda: 0.0)
    assert raised.value.message.startswith(field)
    bad_value = [v for k, v in options.items() if field.endswith(k)][0]
    assert repr(bad_value) in raised.value.message
    assert sts.calls == []


def test_role_arn_from_account_and_role_name():
    assert member_role_arn(dict(account_id="210987654321")) == ROLE_ARN
    assert member_role_arn(dict(account_id="210987654321", role_name="infra")) == "arn:aws:iam::210987654321:role/infra"
    path_arn = "arn:aws-us-gov:iam::210987654321:role/landing-zone/admin"
    assert member_role_arn(dict(role_arn=path_arn)) == path_arn
