"""The account password policy against moto: predict, set, keep, delete (issue 13).

The standalone iam_password_policy module is gone; the password_policy
option of account_baseline sets the policy (one account, or many in one run)
and amazon.aws.iam_password_policy deletes it.  The old module's name fails
with a message that says so.
"""

import pytest
from botocore.exceptions import ClientError

MODULE = "awsorg.landing_zone.account_baseline"
REMOVED = "awsorg.landing_zone.iam_password_policy"
POLICY = dict(
    minimum_password_length=14,
    require_symbols=True,
    require_numbers=True,
    require_uppercase=True,
    require_lowercase=True,
    allow_password_change=True,
    password_max_age=90,
    password_reuse_prevent=24,
)


def _task(name, policy, **extra):
    return {"name": name, MODULE: dict(password_policy=policy), **extra}


def test_password_policy_is_set_kept_and_deleted(ansible, aws, proxy):
    iam = aws.client("iam")

    run = ansible.run_tasks([_task("predict", POLICY, check_mode=True), _task("set", POLICY)], diff=True)
    predicted, created = run.one("predict"), run.one("set")
    assert predicted["changed"] is True, run.output[-3000:]
    assert predicted["diff"]["before"]["password_policy"] is None
    assert predicted["baseline"]["password_policy"]["minimum_password_length"] == 14
    assert [c["action"] for c in proxy.mutating_calls()] == ["UpdateAccountPasswordPolicy"]  # the real task's

    assert created["changed"] is True
    assert created["diff"]["before"]["password_policy"] is None  # check mode had not set it
    assert created["diff"]["after"] == predicted["diff"]["after"]
    policy = iam.get_account_password_policy()["PasswordPolicy"]
    assert policy["MinimumPasswordLength"] == 14
    assert policy["RequireSymbols"] and policy["RequireNumbers"]
    assert policy["RequireUppercaseCharacters"] and policy["RequireLowercaseCharacters"]
    assert policy["AllowUsersToChangePassword"] is True
    assert policy["MaxPasswordAge"] == 90
    assert policy["PasswordReusePrevention"] == 24
    assert policy.get("HardExpiry", False) is False

    # The same policy again, then one change in check mode and a bad value: no write at all.
    proxy.reset()
    run = ansible.run_tasks(
        [
            _task("same", POLICY),
            _task("predict", dict(POLICY, password_max_age=0), check_mode=True, diff=True),
            _task("bad", dict(POLICY, password_reuse_prevent=25), ignore_errors=True),
        ]
    )
    assert run.one("same")["changed"] is False, run.output[-3000:]
    predicted = run.one("predict")
    assert predicted["changed"] is True
    assert (predicted["diff"]["before"]["password_policy"]["password_max_age"],
            predicted["diff"]["after"]["password_policy"]["password_max_age"]) == (90, 0)
    assert run.one("bad")["msg"] == "password_policy.password_reuse_prevent: 25 is not between 1 and 24 (or 0 for none)"
    assert proxy.mutating_calls() == []

    # Deleting (back to AWS's default rules) is amazon.aws's module.
    run = ansible.run_tasks([{"name": "delete", "amazon.aws.iam_password_policy": dict(state="absent")}])
    assert not run.failed(), run.output[-3000:]
    assert [c["action"] for c in proxy.mutating_calls()] == ["DeleteAccountPasswordPolicy"]
    with pytest.raises(ClientError, match="NoSuchEntity"):
        iam.get_account_password_policy()

    # The removed module's name fails the play before any task runs, saying where to go.
    proxy.reset()
    run = ansible.run_tasks([{"name": "removed", REMOVED: dict(minimum_password_length=14)}])
    assert run.rc != 0 and proxy.calls == []
    assert "The 'awsorg.landing_zone.iam_password_policy' module has been removed" in run.output, run.output[-3000:]
    assert "awsorg.landing_zone.account_baseline with only its password_policy option" in run.output
