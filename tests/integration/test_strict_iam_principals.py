"""Strict mode: a trust policy naming a role or user IAM does not know (yet) is MalformedPolicyDocument.

Shown refusing next to the call that passes once the principal exists and
its new-role delay is over, and next to moto alone, which stores any
principal.  Then iam_cross_account_role rides the refusal out: its role
trusts a role made a moment before, through the proxy.
"""

import pytest
from botocore.exceptions import ClientError

from tests.harness.clients import through
from tests.integration.test_strict_sts import MGMT
from tests.integration.test_strict_sts import FakeClock
from tests.integration.test_strict_sts import refused
from tests.integration.test_strict_sts import trust

pytestmark = pytest.mark.usefixtures("strict_on")

MISSING_ROLE = f"arn:aws:iam::{MGMT}:role/Nobody"
MISSING_USER = f"arn:aws:iam::{MGMT}:user/teams/nobody"


def assert_invalid_principal(response, arn):
    assert response["Error"]["Code"] == "MalformedPolicyDocument"
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert response["Error"]["Message"] == f'Invalid principal in policy: "AWS":"{arn}"'


def test_a_trust_policy_naming_a_missing_or_new_role_is_an_invalid_principal(proxy, monkeypatch):
    clock = FakeClock()
    monkeypatch.setattr(proxy.strict, "clock", clock)
    proxy.configure_strict(enabled=True, new_role_delay_seconds=5)
    iam = through(proxy, "iam")

    assert_invalid_principal(refused(iam.create_role, RoleName="Trusting",
                                     AssumeRolePolicyDocument=trust({"AWS": MISSING_ROLE})), MISSING_ROLE)
    fresh = iam.create_role(RoleName="Fresh", AssumeRolePolicyDocument=trust({"AWS": MGMT}))["Role"]["Arn"]
    assert_invalid_principal(refused(iam.create_role, RoleName="Trusting",
                                     AssumeRolePolicyDocument=trust({"AWS": fresh})), fresh)
    clock.now += 5.1
    iam.create_role(RoleName="Trusting", AssumeRolePolicyDocument=trust({"AWS": fresh}))

    # UpdateAssumeRolePolicy is judged the same way, every principal of the list.
    assert_invalid_principal(refused(iam.update_assume_role_policy, RoleName="Trusting",
                                     PolicyDocument=trust({"AWS": [fresh, MISSING_USER]})), MISSING_USER)
    # Account principals are not judged.
    iam.update_assume_role_policy(RoleName="Trusting", PolicyDocument=trust({"AWS": "arn:aws:iam::999999999999:root"}))
    assert "999999999999" in str(iam.get_role(RoleName="Trusting")["Role"]["AssumeRolePolicyDocument"])


def test_moto_alone_stores_a_principal_that_does_not_exist(proxy):
    proxy.configure_strict(enabled=False)
    iam = through(proxy, "iam")
    iam.create_role(RoleName="Trusting", AssumeRolePolicyDocument=trust({"AWS": MISSING_ROLE}))
    with pytest.raises(ClientError):  # and refuses nothing else: the role is there
        iam.create_role(RoleName="Trusting", AssumeRolePolicyDocument=trust({"AWS": MGMT}))


def test_a_role_trusting_a_role_made_a_moment_before_is_created_once_iam_knows_it(ansible, proxy):
    # Longer than the module's start: its CreateRole comes while IAM does not know the role yet.
    proxy.configure_strict(enabled=True, new_role_delay_seconds=6)
    fresh = through(proxy, "iam").create_role(RoleName="Deployer", AssumeRolePolicyDocument=trust({"AWS": MGMT}))[
        "Role"]["Arn"]
    proxy.reset()

    result = ansible.run_module("awsorg.landing_zone.iam_cross_account_role",
                                dict(name="ReadOnly", source_account_id=MGMT, trusted_principals=[fresh]))

    assert result.get("failed") is not True and result["changed"] is True, result.get("msg")
    creations = [(c["status"], c["strict"]) for c in proxy.calls if c["action"] == "CreateRole"]
    # Refused while IAM did not know the principal, then created: one role, no error.
    assert creations[-1] == (200, None) and len(creations) > 1, creations
    assert set(creations[:-1]) == {(400, "MalformedPolicyDocument")}, creations
    role = through(proxy, "iam").get_role(RoleName="ReadOnly")["Role"]
    assert role["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {"AWS": fresh}
