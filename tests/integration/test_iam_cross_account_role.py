"""iam_cross_account_role against moto: a role in member account B trusting account A."""

import json

import boto3
import pytest
from botocore.exceptions import ClientError

from ansible_collections.amazon.aws.plugins.module_utils.policy import compare_policies

MODULE = "awsorg.landing_zone.iam_cross_account_role"
ACCOUNT_A = "123456789012"  # the caller: management (and, here, identity) account
MFA = {"Bool": {"aws:MultiFactorAuthPresent": "true"}}
READ_POLICY = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"], "Resource": "*"}],
}


@pytest.fixture
def account_b(organization):
    client = organization["client"]
    request = client.create_account(AccountName="workload", Email="workload@example.com")["CreateAccountStatus"]
    status = client.describe_create_account_status(CreateAccountRequestId=request["Id"])["CreateAccountStatus"]
    assert status["State"] == "SUCCEEDED"
    return status["AccountId"]


def mutating_actions(proxy):
    return [call["action"] for call in proxy.mutating_calls()]


def statement(role):
    [only] = role["AssumeRolePolicyDocument"]["Statement"]
    return only


def test_role_in_b_trusting_a_with_mfa(ansible, aws, proxy, organization, account_b):
    iam_b = aws.client("iam", account_id=account_b)
    org_id = organization["client"].describe_organization()["Organization"]["Id"]
    policy_arn = iam_b.create_policy(PolicyName="infra-power", PolicyDocument=json.dumps(READ_POLICY))["Policy"]["Arn"]
    args = dict(
        assume_role=dict(account_id=account_b),
        name="infra",
        source_account_id=ACCOUNT_A,
        require_mfa=True,
        organization_id=org_id,
        managed_policy_arns=[policy_arn],
        inline_policies={"read": READ_POLICY},
        max_session_duration=7200,
        path="/landing-zone/",
        description="Engineers of the identity account",
        tags={"ManagedBy": "ansible"},
    )
    expected_trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT_A}:root"},
                "Action": "sts:AssumeRole",
                "Condition": {**MFA, "StringEquals": {"aws:PrincipalOrgID": org_id}},
            }
        ],
    }

    # Check mode first, then for real, in one run: the only writes of the
    # run are the real task's.
    run = ansible.run_tasks([{"name": "predict", MODULE: args, "check_mode": True}, {"name": "create", MODULE: args}],
                            diff=True)
    predicted, created = run.one("predict"), run.one("create")
    assert predicted["changed"] is True, predicted
    assert predicted["role"]["arn"] is None
    assert predicted["diff"]["before"] is None
    assert not compare_policies(predicted["role"]["trust_policy"], expected_trust)
    assert sorted(mutating_actions(proxy)) == ["AttachRolePolicy", "CreateRole", "PutRolePolicy"]

    assert created["changed"] is True, created
    assert created["diff"]["before"] is None  # check mode had not created it
    role = iam_b.get_role(RoleName="infra")["Role"]
    assert not compare_policies(role["AssumeRolePolicyDocument"], expected_trust)
    assert statement(role)["Condition"]["Bool"] == MFA["Bool"]
    assert role["Path"] == "/landing-zone/"
    assert role["MaxSessionDuration"] == 7200
    assert role["Description"] == "Engineers of the identity account"
    assert created["role"]["arn"] == role["Arn"] == f"arn:aws:iam::{account_b}:role/landing-zone/infra"
    attached = iam_b.list_attached_role_policies(RoleName="infra")["AttachedPolicies"]
    assert [p["PolicyArn"] for p in attached] == [policy_arn]
    assert not compare_policies(iam_b.get_role_policy(RoleName="infra", PolicyName="read")["PolicyDocument"],
                                READ_POLICY)
    assert iam_b.list_role_tags(RoleName="infra")["Tags"] == [{"Key": "ManagedBy", "Value": "ansible"}]
    with pytest.raises(ClientError, match="NoSuchEntity"):
        aws.client("iam").get_role(RoleName="infra")  # B only, not the caller's account

    # A second run with the same role written differently (JSON string, other
    # key and value order, whitespace, one-element lists) changes nothing;
    # then MFA off is one parameter and exactly one call, UpdateAssumeRolePolicy.
    reordered = dict(args)
    reordered["inline_policies"] = {
        "read": json.dumps(
            {"Statement": [{"Resource": ["*"], "Action": ["s3:ListBucket", "s3:GetObject"], "Effect": "Allow"}],
             "Version": "2012-10-17"},
            indent=4,
        )
    }
    proxy.reset()
    run = ansible.run_tasks(
        [{"name": "again", MODULE: reordered}, {"name": "no mfa", MODULE: dict(args, require_mfa=False)}], diff=True
    )
    assert run.one("again")["changed"] is False, run.output[-3000:]
    flipped = run.one("no mfa")
    assert flipped["changed"] is True
    assert mutating_actions(proxy) == ["UpdateAssumeRolePolicy"]
    assert "Bool" in flipped["diff"]["before"]["trust_policy"]["Statement"][0]["Condition"]
    assert "Bool" not in flipped["diff"]["after"]["trust_policy"]["Statement"][0]["Condition"]
    assert flipped["diff"]["before"]["managed_policy_arns"] == flipped["diff"]["after"]["managed_policy_arns"]
    role = iam_b.get_role(RoleName="infra")["Role"]
    assert statement(role)["Condition"] == {"StringEquals": {"aws:PrincipalOrgID": org_id}}
    assert role["MaxSessionDuration"] == 7200
    assert role["Description"] == "Engineers of the identity account"

    # A's credentials assume the new role and act in B, directly and through
    # a module whose assume_role names the role's ARN.
    credentials = aws.client("sts").assume_role(RoleArn=role["Arn"], RoleSessionName="engineer")["Credentials"]
    as_infra = dict(
        endpoint_url=aws.url,
        region_name="us-east-1",
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
    )
    identity = boto3.client("sts", **as_infra).get_caller_identity()
    assert identity["Account"] == account_b
    assert ":assumed-role/infra/engineer" in identity["Arn"]
    assert boto3.client("iam", **as_infra).get_role(RoleName="infra")["Role"]["Arn"] == role["Arn"]

    removal = ansible.run_tasks(
        [
            {
                "name": "through infra",
                MODULE: dict(assume_role=dict(role_arn=role["Arn"]), name="reader", source_account_id=ACCOUNT_A),
            },
            {"name": "remove", MODULE: dict(assume_role=dict(account_id=account_b), name="infra", state="absent")},
        ]
    )
    assert removal.one("through infra")["role"]["arn"] == f"arn:aws:iam::{account_b}:role/reader"
    assert iam_b.get_role(RoleName="reader")["Role"]["RoleName"] == "reader"
    assert removal.one("remove")["changed"] is True
    assert removal.one("remove")["diff"]["after"] is None
    with pytest.raises(ClientError, match="NoSuchEntity"):
        iam_b.get_role(RoleName="infra")
    assert iam_b.get_policy(PolicyArn=policy_arn)["Policy"]["AttachmentCount"] == 0


def test_only_the_trust_policy_of_organization_account_access_role_changes(ansible, aws, proxy, account_b):
    iam_b = aws.client("iam", account_id=account_b)
    role_name = "OrganizationAccountAccessRole"
    admin_arn = iam_b.create_policy(PolicyName="admin", PolicyDocument=json.dumps(READ_POLICY))["Policy"]["Arn"]
    iam_b.attach_role_policy(RoleName=role_name, PolicyArn=admin_arn)
    iam_b.put_role_policy(RoleName=role_name, PolicyName="extra", PolicyDocument=json.dumps(READ_POLICY))
    iam_b.update_role(RoleName=role_name, Description="created by Organizations", MaxSessionDuration=3600)
    iam_b.tag_role(RoleName=role_name, Tags=[{"Key": "owner", "Value": "platform"}])
    before = iam_b.get_role(RoleName=role_name)["Role"]
    args = dict(assume_role=dict(account_id=account_b), name=role_name, source_account_id=ACCOUNT_A, require_mfa=True)

    proxy.reset()
    result = ansible.run_module(MODULE, args)
    assert result["changed"] is True, result
    assert mutating_actions(proxy) == ["UpdateAssumeRolePolicy"]
    # The module acted through the role it just locked behind MFA: it says so.
    [warning] = result["warnings"]
    assert f"arn:aws:iam::{account_b}:role/{role_name} now requires MFA" in warning
    after = iam_b.get_role(RoleName=role_name)["Role"]
    assert statement(after)["Condition"] == MFA
    assert statement(after)["Principal"] == statement(before)["Principal"]
    for key in ("Description", "MaxSessionDuration", "Path", "Arn"):
        assert after[key] == before[key], key
    assert [p["PolicyArn"] for p in iam_b.list_attached_role_policies(RoleName=role_name)["AttachedPolicies"]] == [
        admin_arn
    ]
    assert iam_b.list_role_policies(RoleName=role_name)["PolicyNames"] == ["extra"]
    assert iam_b.list_role_tags(RoleName=role_name)["Tags"] == [{"Key": "owner", "Value": "platform"}]

    proxy.reset()
    rerun = ansible.run_tasks(
        [
            {"name": "again", MODULE: args},
            {"name": "moved", MODULE: dict(args, path="/elsewhere/"), "ignore_errors": True},
            {"name": "bad input", MODULE: dict(args, source_account_id="12345"), "ignore_errors": True},
            {"name": "bad input", MODULE: dict(args, trusted_principals=["arn:aws:iam::999999999999:role/x"]),
             "ignore_errors": True},
        ]
    )
    assert rerun.one("again")["changed"] is False
    assert [r["status"] for r in rerun.results] == ["ok", "failed", "failed", "failed"]
    assert rerun.one("moved")["msg"].startswith(f"path: the role {role_name} exists with path '/'")
    assert "'/elsewhere/'" in rerun.one("moved")["msg"]
    messages = [r["msg"] for r in rerun.of("bad input")]
    assert messages[0].startswith("source_account_id: '12345' is not a 12-digit AWS account id")
    assert messages[1].startswith("trusted_principals: 'arn:aws:iam::999999999999:role/x' is not in source_account_id")
    assert mutating_actions(proxy) == []
