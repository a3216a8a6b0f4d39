"""principal_propagation_retry: CreateRole / UpdateAssumeRolePolicy again while IAM does not know a principal yet."""

import pytest
from botocore.exceptions import ClientError

from ansible_collections.awsorg.landing_zone.plugins.module_utils.aws import retries


def _refusal(code="MalformedPolicyDocument", message='Invalid principal in policy: "AWS":"arn:aws:iam::1:role/x"'):
    return ClientError({"Error": {"Code": code, "Message": message}}, "CreateRole")


class Clock:
    def __init__(self):
        self.now = 0.0
        self.slept = []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.slept.append(seconds)
        self.now += seconds


def _call(answers):
    """A call that raises or returns ``answers`` in turn, counting its calls."""
    calls = []

    def call():
        calls.append(1)
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    return call, calls


def test_an_invalid_principal_is_asked_again_until_iam_knows_it():
    clock = Clock()
    call, calls = _call([_refusal(), _refusal(), {"Role": "made"}])
    assert retries.principal_propagation_retry(call, sleep=clock.sleep, clock=clock)() == {"Role": "made"}
    assert len(calls) == 3
    # Jittered within a doubling delay: 0.5-1 s, then 1-2 s.
    assert 0.5 <= clock.slept[0] <= 1.0 and 1.0 <= clock.slept[1] <= 2.0


@pytest.mark.parametrize("error", [
    _refusal(message="Syntax errors in policy."),  # the same code for a bad document: not retried
    _refusal(code="AccessDenied", message="Invalid principal in policy"),
])
def test_other_errors_fail_at_once(error):
    clock = Clock()
    call, calls = _call([error, {"Role": "made"}])
    with pytest.raises(ClientError) as raised:
        retries.principal_propagation_retry(call, sleep=clock.sleep, clock=clock)()
    assert raised.value is error and len(calls) == 1 and clock.slept == []


def test_a_principal_still_unknown_after_the_propagation_time_fails_with_iams_answer():
    clock = Clock()
    call, calls = _call([_refusal() for _attempt in range(100)])
    with pytest.raises(ClientError) as raised:
        retries.principal_propagation_retry(call, sleep=clock.sleep, clock=clock)()
    assert "Invalid principal in policy" in str(raised.value)
    assert retries.PRINCIPAL_PROPAGATION_SECONDS <= clock.now <= retries.PRINCIPAL_PROPAGATION_SECONDS + 15
    assert max(clock.slept) <= 15 and len(calls) < 20
