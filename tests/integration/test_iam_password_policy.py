"""iam_password_policy against moto: predict, set, keep, delete."""

import pytest
from botocore.exceptions import ClientError

MODULE = "awsorg.landing_zone.iam_password_policy"
ARGS = dict(
    minimum_password_length=14,
    require_symbols=True,
    require_numbers=True,
    require_uppercase=True,
    require_lowercase=True,
    allow_password_change=True,
    password_max_age=90,
    password_reuse_prevent=24,
)

AMAZON_AWS_NAMES = dict(
    {k: v for k, v in ARGS.items() if k not in ("minimum_password_length", "password_max_age")},
    min_pw_length=14,
    pw_max_age=90,
)


def test_password_policy_is_set_kept_and_deleted(ansible, aws, proxy):
    iam = aws.client("iam")

    run = ansible.run_tasks([{"name": "predict", MODULE: ARGS, "check_mode": True}, {"name": "set", MODULE: ARGS}],
                            diff=True)
    predicted, created = run.one("predict"), run.one("set")
    assert predicted["changed"] is True, predicted
    assert predicted["diff"]["before"] is None
    assert predicted["password_policy"]["minimum_password_length"] == 14
    assert [c["action"] for c in proxy.mutating_calls()] == ["UpdateAccountPasswordPolicy"]  # the real task's

    assert created["changed"] is True
    assert created["diff"]["before"] is None  # check mode had not set it
    assert created["diff"]["after"] == predicted["diff"]["after"]
    policy = iam.get_account_password_policy()["PasswordPolicy"]
    assert policy["MinimumPasswordLength"] == 14
    assert policy["RequireSymbols"] and policy["RequireNumbers"]
    assert policy["RequireUppercaseCharacters"] and policy["RequireLowercaseCharacters"]
    assert policy["AllowUsersToChangePassword"] is True
    assert policy["MaxPasswordAge"] == 90
    assert policy["PasswordReusePrevention"] == 24
    assert policy.get("HardExpiry", False) is False

    # The same policy again (with amazon.aws's option names), then one change
    # in check mode, a bad value, and deletion twice: exactly one write.
    proxy.reset()
    run = ansible.run_tasks(
        [
            {"name": "same", MODULE: AMAZON_AWS_NAMES},
            {"name": "predict", MODULE: dict(ARGS, password_max_age=0), "check_mode": True, "diff": True},
            {"name": "bad", MODULE: dict(ARGS, password_reuse_prevent=25), "ignore_errors": True},
            {"name": "delete", MODULE: dict(state="absent")},
            {"name": "delete", MODULE: dict(state="absent")},
        ]
    )
    assert run.one("same")["changed"] is False, run.output[-3000:]
    predicted = run.one("predict")
    assert predicted["changed"] is True
    assert (predicted["diff"]["before"]["password_max_age"], predicted["diff"]["after"]["password_max_age"]) == (90, 0)
    assert run.one("bad")["msg"] == "password_reuse_prevent: 25 is not between 1 and 24 (or 0 for none)"
    assert [r["changed"] for r in run.of("delete")] == [True, False]
    assert [c["action"] for c in proxy.mutating_calls()] == ["DeleteAccountPasswordPolicy"]
    with pytest.raises(ClientError, match="NoSuchEntity"):
        iam.get_account_password_policy()
