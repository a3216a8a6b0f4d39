"""iam_cross_account_group against moto: the identity account's group that may assume roles elsewhere."""

import json

import pytest
from botocore.exceptions import ClientError

MODULE = "awsorg.landing_zone.iam_cross_account_group"
ACCOUNT_B = "210987654321"
ACCOUNT_C = "310987654321"
AUDIT_ROLE = "arn:aws:iam::410987654321:role/landing-zone/audit"
ARGS = dict(
    name="infra",
    role_name="infra",
    account_ids=[ACCOUNT_C, ACCOUNT_B],
    role_arns=[AUDIT_ROLE],
    require_mfa=True,
)
EXPECTED_ARNS = sorted([f"arn:aws:iam::{ACCOUNT_B}:role/infra", f"arn:aws:iam::{ACCOUNT_C}:role/infra", AUDIT_ROLE])


def test_group_policy_allows_exactly_the_listed_roles(ansible, aws, proxy):
    iam = aws.client("iam")

    # Check mode, then for real, then membership through amazon.aws; the only
    # writes of our module are the real task's.
    run = ansible.run_tasks(
        [
            {"name": "predict", MODULE: ARGS, "check_mode": True},
            {"name": "group", MODULE: ARGS},
            {"name": "user", "amazon.aws.iam_user": {"name": "alice", "state": "present"}},
            {"name": "membership", "amazon.aws.iam_group": {"name": "infra", "users": ["alice"], "state": "present"}},
        ],
        diff=True,
    )
    assert not run.failed(), run.output[-3000:]
    predicted, created = run.one("predict"), run.one("group")
    assert predicted["changed"] is True
    assert predicted["group"]["arn"] is None
    assert predicted["role_arns"] == EXPECTED_ARNS
    iam_actions = [c["action"] for c in proxy.mutating_calls() if "Group" in c["action"]]
    assert iam_actions.count("CreateGroup") == 1 and iam_actions.count("PutGroupPolicy") == 1

    assert created["changed"] is True
    assert created["diff"]["before"] is None  # check mode had not created it
    group = iam.get_group(GroupName="infra")
    assert created["group"]["arn"] == group["Group"]["Arn"]
    assert [u["UserName"] for u in group["Users"]] == ["alice"]
    assert iam.list_group_policies(GroupName="infra")["PolicyNames"] == ["assume-infra"]
    document = iam.get_group_policy(GroupName="infra", PolicyName="assume-infra")["PolicyDocument"]
    [statement] = document["Statement"]
    assert statement["Effect"] == "Allow"
    assert statement["Action"] == "sts:AssumeRole"
    assert sorted(statement["Resource"]) == EXPECTED_ARNS
    assert statement["Condition"] == {"Bool": {"aws:MultiFactorAuthPresent": "true"}}

    # The same roles listed differently change nothing; one role less and no
    # MFA is exactly one PutGroupPolicy, shown in the diff.
    proxy.reset()
    run = ansible.run_tasks(
        [
            {"name": "again", MODULE: dict(ARGS, account_ids=[ACCOUNT_B, ACCOUNT_C, ACCOUNT_B])},
            {"name": "narrowed", MODULE: dict(ARGS, account_ids=[ACCOUNT_B], role_arns=[], require_mfa=False)},
        ],
        diff=True,
    )
    assert run.one("again")["changed"] is False, run.output[-3000:]
    narrowed = run.one("narrowed")
    assert narrowed["changed"] is True
    assert [c["action"] for c in proxy.mutating_calls()] == ["PutGroupPolicy"]
    assert sorted(narrowed["diff"]["before"]["policy"]["Statement"][0]["Resource"]) == EXPECTED_ARNS
    [statement] = iam.get_group_policy(GroupName="infra", PolicyName="assume-infra")["PolicyDocument"]["Statement"]
    assert statement["Resource"] in (f"arn:aws:iam::{ACCOUNT_B}:role/infra", [f"arn:aws:iam::{ACCOUNT_B}:role/infra"])
    assert "Condition" not in statement


def test_absent_removes_the_policy_and_the_group_only_when_asked(ansible, aws, proxy):
    iam = aws.client("iam")
    iam.create_user(UserName="bob")
    iam.create_group(GroupName="ops")
    iam.add_user_to_group(GroupName="ops", UserName="bob")
    other = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "s3:ListAllMyBuckets", "Resource": "*"}],
    }
    iam.put_group_policy(GroupName="ops", PolicyName="other", PolicyDocument=json.dumps(other))
    args = dict(name="ops", role_name="ops", account_ids=[ACCOUNT_B])

    run = ansible.run_tasks(
        [
            {"name": "existing group", MODULE: args},
            {"name": "policy only", MODULE: dict(args, state="absent")},
        ]
    )
    assert run.one("existing group")["changed"] is True
    assert run.one("policy only")["changed"] is True
    assert run.one("policy only")["group"]["policy"] is None
    assert iam.list_group_policies(GroupName="ops")["PolicyNames"] == ["other"]
    assert [u["UserName"] for u in iam.get_group(GroupName="ops")["Users"]] == ["bob"]

    proxy.reset()
    run = ansible.run_tasks(
        [
            {"name": "already gone", MODULE: dict(args, state="absent")},
            {"name": "group too", MODULE: dict(args, state="absent", delete_group=True)},
            {"name": "bad input", MODULE: dict(args, account_ids=["B"]), "ignore_errors": True},
        ]
    )
    assert run.one("already gone")["changed"] is False
    assert run.one("group too")["changed"] is True
    assert run.one("bad input")["msg"] == "account_ids: 'B' is not a 12-digit AWS account id"
    assert sorted(c["action"] for c in proxy.mutating_calls()) == [
        "DeleteGroup", "DeleteGroupPolicy", "RemoveUserFromGroup"
    ]
    with pytest.raises(ClientError, match="NoSuchEntity"):
        iam.get_group(GroupName="ops")
    assert iam.get_user(UserName="bob")["User"]["UserName"] == "bob"
