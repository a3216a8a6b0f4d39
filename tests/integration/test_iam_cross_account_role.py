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


@pytest.mark.long
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


@pytest.mark.long
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

    # As the warning says, acting through the role now takes credentials from
    # an MFA sign-in: AWS (and the strict proxy) refuse the harness's
    # long-term keys.  A GetSessionToken with the MFA device gives them.
    mfa_session = boto3.client("sts", endpoint_url=proxy.url, region_name="us-east-1", aws_access_key_id="testing",
                               aws_secret_access_key="testing").get_session_token(
        SerialNumber=f"arn:aws:iam::{ACCOUNT_A}:mfa/engineer", TokenCode="123456")["Credentials"]
    proxy.reset()
    rerun = ansible.run_tasks(
        [
            {"name": "again", MODULE: args},
            {"name": "moved", MODULE: dict(args, path="/elsewhere/"), "ignore_errors": True},
            {"name": "bad input", MODULE: dict(args, source_account_id="12345"), "ignore_errors": True},
            {"name": "bad input", MODULE: dict(args, trusted_principals=["arn:aws:iam::999999999999:role/x"]),
             "ignore_errors": True},
        ],
        env=dict(AWS_ACCESS_KEY_ID=mfa_session["AccessKeyId"], AWS_SECRET_ACCESS_KEY=mfa_session["SecretAccessKey"],
                 AWS_SESSION_TOKEN=mfa_session["SessionToken"]),
    )
    assert rerun.one("again")["changed"] is False
    assert [r["status"] for r in rerun.results] == ["ok", "failed", "failed", "failed"]
    assert rerun.one("moved")["msg"].startswith(f"path: the role {role_name} exists with path '/'")
    assert "'/elsewhere/'" in rerun.one("moved")["msg"]
    messages = [r["msg"] for r in rerun.of("bad input")]
    assert messages[0].startswith("source_account_id: '12345' is not a 12-digit AWS account id")
    assert messages[1].startswith("trusted_principals: 'arn:aws:iam::999999999999:role/x' is not in source_account_id")
    assert mutating_actions(proxy) == []


@pytest.mark.long
def test_one_run_converges_the_role_in_many_accounts(ansible, aws, proxy, organization, account_b):
    client = organization["client"]
    account_c = client.create_account(AccountName="data", Email="data@example.com")["CreateAccountStatus"]["AccountId"]
    accounts = [
        dict(account_id=account_c, params=dict(description="Engineers, data account")),
        dict(account_id=ACCOUNT_A, caller=True),  # the management account has no member role
        dict(account_id=account_b),
    ]
    args = dict(accounts=accounts, name="engineers", source_account_id=ACCOUNT_A, require_mfa=True,
                description="Engineers", tags={"ManagedBy": "ansible"})
    proxy.reset()

    run = ansible.run_tasks([{"name": "predict", MODULE: args, "check_mode": True}, {"name": "create", MODULE: args}],
                            diff=True)
    predicted, created = run.one("predict"), run.one("create")
    assert predicted["changed"] is True, run.output[-3000:]
    assert [entry["account_id"] for entry in predicted["accounts"]] == [account_c, ACCOUNT_A, account_b]
    assert [entry["role"]["arn"] for entry in predicted["accounts"]] == [None, None, None]
    # Only the real run wrote: one CreateRole per account (its tags go with it).
    assert sorted(mutating_actions(proxy)) == ["CreateRole"] * 3, mutating_actions(proxy)
    # Two module runs, each assuming each member role once.
    assert [call["action"] for call in proxy.calls if call["service"] == "sts"].count("AssumeRole") == 4

    assert created["changed"] is True, created
    assert [entry["account_id"] for entry in created["accounts"]] == [account_c, ACCOUNT_A, account_b]
    assert [entry["changed"] for entry in created["accounts"]] == [True, True, True]
    assert set(created["diff"]["before"]) == set(created["diff"]["after"]) == {account_c, ACCOUNT_A, account_b}
    assert all(before is None for before in created["diff"]["before"].values())
    assert created["diff"]["after"][account_c]["description"] == "Engineers, data account"
    assert created["diff"]["after"][account_b]["description"] == "Engineers"
    for account_id, description in ((account_c, "Engineers, data account"), (ACCOUNT_A, "Engineers"),
                                    (account_b, "Engineers")):
        role = aws.client("iam", account_id=account_id).get_role(RoleName="engineers")["Role"]
        assert role["Arn"] == f"arn:aws:iam::{account_id}:role/engineers"
        assert role["Description"] == description, account_id
        assert statement(role)["Principal"] == {"AWS": f"arn:aws:iam::{ACCOUNT_A}:root"}
        assert statement(role)["Condition"] == MFA
        entry = created["accounts"][[account_c, ACCOUNT_A, account_b].index(account_id)]
        assert entry["role"]["arn"] == role["Arn"]

    proxy.reset()
    again = ansible.run_module(MODULE, args)
    assert again["changed"] is False, again
    assert [entry["changed"] for entry in again["accounts"]] == [False, False, False]
    assert mutating_actions(proxy) == []
    assert [call["action"] for call in proxy.calls if call["service"] == "sts"].count("AssumeRole") == 2
    assert again["diff"]["before"] == again["diff"]["after"]
    assert list(again["diff"]["after"]) == [account_c, ACCOUNT_A, account_b]


def test_account_access_role_runs_once_per_batch_of_the_play(ansible, aws, proxy, organization, account_b, tmp_path):
    """The role on `hosts: all` with serial: each batch's accounts in one module run per role, no others."""
    client = organization["client"]
    account_c = client.create_account(AccountName="data", Email="data@example.com")["CreateAccountStatus"]["AccountId"]
    inventory = tmp_path / "hosts.json"
    inventory.write_text(json.dumps({"all": {
        "vars": {
            "ansible_connection": "local",
            "landing_zone_identity_account": "mgmt",
            "landing_zone_member_role_requires_mfa": True,
            "landing_zone_cross_account_roles": [
                {"name": "engineers", "accounts": ["mgmt", "b"], "require_mfa": False},
                {"name": "auditors", "description": "Read only"},
            ],
        },
        "children": {
            "management": {"hosts": {"mgmt": {"account_id": ACCOUNT_A}}},
            "members": {"hosts": {"b": {"account_id": account_b}, "c": {"account_id": account_c},
                                  "planned": {}}},  # no account yet: left out
        },
    }}))
    playbook = tmp_path / "access.yml"
    playbook.write_text(json.dumps([{
        "name": "access", "hosts": "mgmt,b,c,planned", "gather_facts": False, "serial": 2,
        "tasks": [{"name": "access", "ansible.builtin.include_role": {"name": "awsorg.landing_zone.account_access"}}],
    }]))

    run = ansible.run_playbook(playbook, inventory=inventory)
    assert run.rc == 0, run.output[-3000:]
    roles = [r for r in run.results if r["task"].endswith("Cross-account roles trusting the identity account")]
    batches = [{item["account_access_role"]["name"]: [a["account_id"] for a in item.get("accounts", [])]
                for item in record["result"]["results"]} for record in roles]
    assert batches == [{"engineers": [ACCOUNT_A, account_b], "auditors": [ACCOUNT_A, account_b]},
                       {"engineers": [], "auditors": [account_c]}], run.output[-3000:]
    mfa = [r["result"] for r in run.results if r["task"].endswith("MFA on the member role's trust of the management account")]
    assert [[a["account_id"] for a in result.get("accounts", [])] for result in mfa] == [[account_b], [account_c]]

    for account_id, roles in ((ACCOUNT_A, {"engineers", "auditors"}), (account_b, {"engineers", "auditors"}),
                              (account_c, {"auditors"})):
        iam = aws.client("iam", account_id=account_id)
        names = {role["RoleName"] for role in iam.list_roles()["Roles"]}
        assert roles <= names and ({"engineers", "auditors"} - roles).isdisjoint(names), (account_id, names)
        assert iam.get_role(RoleName="auditors")["Role"]["Description"] == "Read only"
    for account_id in (account_b, account_c):
        member = aws.client("iam", account_id=account_id).get_role(RoleName="OrganizationAccountAccessRole")["Role"]
        assert statement(member)["Condition"] == MFA, account_id
