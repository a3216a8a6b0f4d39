"""A just-created account's "not ready yet" answers are retried on the one path into it: assume_role.

retries.new_account_retry (never used) is gone; what it meant to catch is
caught where every call into a member account starts.
"""

import botocore.exceptions
import pytest

from ansible_collections.awsorg.landing_zone.plugins.module_utils.aws.assume_role import assume_member_role

CREDENTIALS = dict(AccessKeyId="ASIAEXAMPLE", SecretAccessKey="secret", SessionToken="token")


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
    slept = []
    now = [0.0]

    def sleep(seconds):
        slept.append(seconds)
        now[0] += seconds

    credentials = assume_member_role(sts, dict(account_id="210987654321"), sleep=sleep, clock=lambda: now[0])
    assert credentials == CREDENTIALS
    assert sts.calls == 4
    assert len(slept) == 3
