"""iam_cross_account_group against moto: the identity account's group that may assume roles elsewhere."""

import fnmatch
import json

import boto3
import pytest
import yaml
from botocore.exceptions import ClientError

from tests.harness.playbook import REPO_ROOT

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
EXPECTED_ARNS = sorted(["arn:aws:iam::*:role/infra", AUDIT_ROLE])
LISTED = {"StringEquals": {"aws:ResourceAccount": sorted([ACCOUNT_B, ACCOUNT_C])}}
MFA = {"Bool": {"aws:MultiFactorAuthPresent": "true"}}


@pytest.mark.long
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
    listed, explicit = document["Statement"]
    assert listed["Effect"] == explicit["Effect"] == "Allow"
    assert listed["Action"] == explicit["Action"] == "sts:AssumeRole"
    # The role once, in any account; the accounts in the condition.
    assert listed["Resource"] in ("arn:aws:iam::*:role/infra", ["arn:aws:iam::*:role/infra"])
    assert listed["Condition"] == {**LISTED, **MFA}
    assert explicit["Resource"] in (AUDIT_ROLE, [AUDIT_ROLE])
    assert explicit["Condition"] == MFA

    # The same roles listed differently change nothing; one account less and no
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
    assert narrowed["diff"]["before"]["policy"]["Statement"][0]["Condition"] == {**LISTED, **MFA}
    [statement] = iam.get_group_policy(GroupName="infra", PolicyName="assume-infra")["PolicyDocument"]["Statement"]
    assert list(statement["Condition"]) == ["StringEquals"]
    assert statement["Condition"]["StringEquals"]["aws:ResourceAccount"] in (ACCOUNT_B, [ACCOUNT_B])


@pytest.mark.long  # several runs of one group; present/absent basics stay in make test
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


# --- groups: several groups in one run ------------------------------------------

ORGANIZATION_ID = "o-a1b2c3d4e5"


def test_groups_converge_in_one_run_with_one_assume_role_and_rerun_writes_nothing(ansible, aws, proxy, organization):
    member = aws.client("organizations").create_account(AccountName="identity", Email="identity@example.com")
    identity = member["CreateAccountStatus"]["AccountId"]
    args = dict(
        assume_role=dict(account_id=identity),
        organization_id=ORGANIZATION_ID,
        groups=[
            dict(name="admins", roles=[dict(name="admin")], require_mfa=True),
            dict(name="developers", roles=[dict(name="developer", account_ids=[ACCOUNT_B])]),
        ],
    )
    proxy.reset()
    run = ansible.run_tasks([{"name": "predict", MODULE: args, "check_mode": True}, {"name": "groups", MODULE: args}],
                            diff=True)
    predicted, made = run.one("predict"), run.one("groups")
    assert predicted["changed"] is True and made["changed"] is True, made
    assert [r["group"]["group_name"] for r in made["results"]] == ["admins", "developers"]
    # The preview predicts the policies the run writes, keyed by group.
    assert predicted["diff"]["after"] == {
        name: dict(after, arn=None, group_id=None) for name, after in made["diff"]["after"].items()}
    # One session in the identity account for both groups, and only the real run wrote.
    assert sum(1 for c in proxy.calls if c["action"] == "AssumeRole") == 2
    assert sorted(c["action"] for c in proxy.mutating_calls()) == ["CreateGroup", "CreateGroup",
                                                                   "PutGroupPolicy", "PutGroupPolicy"]
    iam = aws.client("iam", account_id=identity)
    admins = iam.get_group_policy(GroupName="admins", PolicyName="assume-cross-account-roles")["PolicyDocument"]
    assert allows(admins, f"arn:aws:iam::{ACCOUNT_B}:role/admin",
                  {"aws:ResourceOrgID": ORGANIZATION_ID, "aws:MultiFactorAuthPresent": "true"})
    assert not allows(admins, f"arn:aws:iam::{ACCOUNT_B}:role/admin", {"aws:ResourceOrgID": ORGANIZATION_ID})
    developers = iam.get_group_policy(GroupName="developers", PolicyName="assume-cross-account-roles")["PolicyDocument"]
    assert allows(developers, f"arn:aws:iam::{ACCOUNT_B}:role/developer", {"aws:ResourceAccount": ACCOUNT_B})
    assert not allows(developers, f"arn:aws:iam::{ACCOUNT_C}:role/developer", {"aws:ResourceAccount": ACCOUNT_C})

    proxy.reset()
    again = ansible.run_module(MODULE, args)
    assert again["changed"] is False, again
    assert proxy.mutating_calls() == []


def test_groups_with_one_bad_element_or_one_policy_twice_write_nothing(ansible, proxy):
    good = dict(name="admins", role_name="admin", account_ids=[ACCOUNT_B])
    bad = dict(name="ops", role_name="ops", account_ids=["B"])
    roleless = dict(name="ops", account_ids=[ACCOUNT_B], role_arns=[AUDIT_ROLE])
    run = ansible.run_tasks([
        {"name": "bad", MODULE: dict(groups=[good, bad]), "ignore_errors": True},
        {"name": "twice", MODULE: dict(groups=[good, dict(good, account_ids=[ACCOUNT_C])]), "ignore_errors": True},
        {"name": "ids without a role", MODULE: dict(groups=[roleless]), "ignore_errors": True},
    ])
    assert run.one("bad")["msg"] == "item 1 (ops): account_ids: 'B' is not a 12-digit AWS account id"
    assert run.one("twice")["msg"] == (
        "item 1 (admins): name: another element of groups gives group 'admins' its policy 'assume-admin';"
        " list each group's policy once")
    assert run.one("ids without a role")["msg"] == (
        "item 0 (ops): account_ids: needs role_name, the role granted in those accounts")
    assert proxy.mutating_calls() == []


@pytest.mark.long
def test_users_converge_the_members_from_the_group_read_and_purge_the_others(ansible, aws, proxy):
    iam = aws.client("iam")
    for user in ("alice", "bob", "carol"):
        iam.create_user(UserName=user)
    iam.create_group(GroupName="infra")
    iam.add_user_to_group(GroupName="infra", UserName="carol")
    args = dict(ARGS, users=["bob", "alice"], purge_users=True)
    proxy.reset()
    run = ansible.run_tasks([{"name": "predict", MODULE: args, "check_mode": True}, {"name": "members", MODULE: args}],
                            diff=True)
    predicted, made = run.one("predict"), run.one("members")
    assert (predicted["added"], predicted["removed"]) == (["alice", "bob"], ["carol"])
    assert (made["added"], made["removed"]) == (["alice", "bob"], ["carol"])
    assert predicted["diff"] == made["diff"]
    assert made["diff"]["before"]["members"] == ["carol"] and made["diff"]["after"]["members"] == ["alice", "bob"]
    members = {u["UserName"] for u in iam.get_group(GroupName="infra")["Users"]}
    assert members == {"alice", "bob"}
    # The members come with the GetGroup the group is read with: no read of their own.
    reads = [c["action"] for c in proxy.calls if not c["mutating"]]
    assert reads.count("GetGroup") == 2 and "ListGroupsForUser" not in reads, reads
    assert sorted(c["action"] for c in proxy.mutating_calls()) == [
        "AddUserToGroup", "AddUserToGroup", "PutGroupPolicy", "RemoveUserFromGroup"]

    proxy.reset()
    again = ansible.run_module(MODULE, args)
    assert again["changed"] is False and again["group"]["members"] == ["alice", "bob"], again
    assert proxy.mutating_calls() == []

    # Without purge_users a member the task does not list stays; without users the members are not managed.
    iam.add_user_to_group(GroupName="infra", UserName="carol")
    kept = ansible.run_module(MODULE, dict(ARGS, users=["alice", "bob"]))
    unmanaged = ansible.run_module(MODULE, ARGS)
    assert kept["changed"] is False and kept["group"]["members"] == ["alice", "bob", "carol"], kept
    assert unmanaged["changed"] is False and "members" not in unmanaged["group"], unmanaged
    assert {u["UserName"] for u in iam.get_group(GroupName="infra")["Users"]} == {"alice", "bob", "carol"}


def test_a_bad_user_name_is_refused_before_any_call(ansible, proxy):
    proxy.reset()
    groups = [dict(ARGS, users=["alice"]), dict(ARGS, name="ops", users=["bad name!"])]
    result = ansible.run_module(MODULE, dict(groups=groups))
    assert result["msg"] == "item 1 (ops): users[0]: user name must match pattern [\\w+=,.@-]+ (got 'bad name!')"
    assert "results" not in result
    assert proxy.calls == []


# --- a large organization ----------------------------------------------------

# IAM and AWS STS quotas (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html):
# a group's inline policies together, white space not counted.
GROUP_POLICY_LIMIT = 5120
MANAGEMENT = "123456789012"


def iam_size(document):
    return len("".join(json.dumps(document).split()))


def allows(document, role_arn, context):
    """Whether the identity policy allows sts:AssumeRole on ``role_arn`` with the request ``context``.

    moto never evaluates an identity policy's Condition, so the test does, for
    the elements this policy uses: Resource (ARN wildcards), StringEquals on
    single-valued keys (any listed value matches) and Bool.
    """
    for statement in document["Statement"]:
        resources = statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
        if statement["Effect"] != "Allow" or statement["Action"] != "sts:AssumeRole":
            continue
        if not any(fnmatch.fnmatchcase(role_arn, pattern) for pattern in resources):
            continue
        met = True
        for operator, keys in statement.get("Condition", {}).items():
            for key, wanted in keys.items():
                wanted = wanted if isinstance(wanted, list) else [wanted]
                if operator not in ("StringEquals", "Bool") or context.get(key) not in wanted:
                    met = False
        if met:
            return True
    return False


def _trusting_role(aws, account_id, name):
    aws.client("iam", account_id=account_id).create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{MANAGEMENT}:root"},
                       "Action": "sts:AssumeRole"}]}))


def test_a_group_over_141_accounts_stays_under_the_limit_and_grants_the_right_roles(ansible, aws, proxy, organization):
    client = organization["client"]
    org_id = client.describe_organization()["Organization"]["Id"]
    members = [client.create_account(AccountName=f"acct{i:03d}", Email=f"acct{i:03d}@example.com")
               ["CreateAccountStatus"]["AccountId"] for i in range(141)]
    developers = members[:140]  # the developer role only in 140 of them
    args = dict(name="engineers", organization_id=org_id,
                roles=[dict(name="admin"), dict(name="developer", account_ids=developers)])

    run = ansible.run_tasks([{"name": "group", MODULE: args},
                             {"name": "user", "amazon.aws.iam_user": {"name": "carol", "state": "present"}},
                             {"name": "member", "amazon.aws.iam_group": {"name": "engineers", "users": ["carol"],
                                                                         "state": "present"}}])

    assert not run.failed(), run.output[-3000:]
    result = run.one("group")
    iam = aws.client("iam")
    document = iam.get_group_policy(GroupName="engineers", PolicyName="assume-cross-account-roles")["PolicyDocument"]
    size = iam_size(document)
    assert result["policy_size"] == size and result["policy_size_limit"] == GROUP_POLICY_LIMIT
    # 140 listed ids take 15 characters each; the organization-wide role costs the same at any size.
    assert 140 * 15 < size < GROUP_POLICY_LIMIT
    assert all(account_id in json.dumps(document) for account_id in developers)

    # What the policy allows, for every account of the organization and one outside it.
    outside = "999999999999"
    for account_id in members + [outside]:
        context = {"aws:ResourceAccount": account_id,
                   "aws:ResourceOrgID": org_id if account_id != outside else "o-otherorg00"}
        assert allows(document, f"arn:aws:iam::{account_id}:role/admin", context) is (account_id != outside)
        assert allows(document, f"arn:aws:iam::{account_id}:role/developer", context) is (account_id in developers)
        assert not allows(document, f"arn:aws:iam::{account_id}:role/OrganizationAccountAccessRole", context)

    # A member of the group assumes the admin role in a member account through the (strict) proxy.
    _trusting_role(aws, members[-1], "admin")
    keys = iam.create_access_key(UserName="carol")["AccessKey"]
    sts = boto3.client("sts", endpoint_url=proxy.url, region_name="us-east-1", aws_access_key_id=keys["AccessKeyId"],
                       aws_secret_access_key=keys["SecretAccessKey"])
    assumed = sts.assume_role(RoleArn=f"arn:aws:iam::{members[-1]}:role/admin", RoleSessionName="carol")
    assert assumed["AssumedRoleUser"]["Arn"].startswith(f"arn:aws:sts::{members[-1]}:assumed-role/admin/")


def test_preflight_refuses_a_group_whose_policy_would_not_fit(ansible, proxy, tmp_path):
    hosts = {f"acct{i:03d}": {"account_ou": "/workloads"} for i in range(350)}
    hosts["mgmt"] = {"account_id": MANAGEMENT, "account_name": "master", "account_email": "master@example.com"}
    inventory = {"all": {
        "vars": {
            "landing_zone_project": "acme",
            "landing_zone_email_pattern": "{owner}+{project}-{account}@{domain}",
            "landing_zone_email_tokens": {"owner": "aws", "domain": "acme.example"},
            "landing_zone_organizational_units": ["/workloads"],
            "landing_zone_identity_account": "mgmt",
            "landing_zone_cross_account_roles": [
                {"name": "admin", "managed_policy_arns": ["arn:aws:iam::aws:policy/AdministratorAccess"]},
                {"name": "developer", "accounts": sorted(h for h in hosts if h != "mgmt")},
            ],
            "landing_zone_groups": [{"name": "admins", "roles": ["admin"]},
                                    {"name": "developers", "roles": ["developer"]}],
        },
        "children": {"accounts": {"hosts": hosts}, "management": {"hosts": {"mgmt": None}}},
    }}
    path = tmp_path / "hosts.yml"
    path.write_text(yaml.safe_dump(inventory))

    run = ansible.run_playbook(REPO_ROOT / "playbooks" / "preflight.yml", inventory=path)

    assert run.rc != 0
    [failed] = run.failed()
    message = failed["result"]["msg"]
    assert "landing_zone_groups[developers]: group developers: its assume-role policy would be" in message
    assert f"over IAM's limit of {GROUP_POLICY_LIMIT}" in message
    assert "admins" not in message
    assert proxy.calls == []
