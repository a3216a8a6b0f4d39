"""Strict mode, service control policies: a deny-all SCP denies a member account's calls.

An account left in the quarantine OU (deny-all SCP) cannot be converged: its
calls are refused with AWS's explicit-deny AccessDenied, shaped per protocol.
The management account and service-linked roles are never affected, and an
SCP counts only while the policy type is enabled on the root.
"""

import json
import time

import pytest
from botocore.exceptions import ClientError

from tests.harness.clients import through

# These tests are about the strict layer: strict whatever STRICT_AWS says.
pytestmark = pytest.mark.usefixtures("strict_on")

MGMT = "123456789012"
DENY_ALL = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*"}]})
PHRASE = "with an explicit deny in a service control policy: arn:aws:organizations::"


@pytest.fixture
def member(organization):
    """A member account in OU /suspended, and a deny-all SCP (not attached yet), all made straight in moto."""
    client = organization["client"]
    account_id = client.create_account(AccountName="old", Email="old@example.com")["CreateAccountStatus"]["AccountId"]
    ou_id = client.create_organizational_unit(ParentId=organization["root_id"], Name="suspended")[
        "OrganizationalUnit"]["Id"]
    client.move_account(AccountId=account_id, SourceParentId=organization["root_id"], DestinationParentId=ou_id)
    policy = client.create_policy(Name="deny-all", Description="quarantine", Content=DENY_ALL,
                                  Type="SERVICE_CONTROL_POLICY")["Policy"]["PolicySummary"]
    return dict(account_id=account_id, ou_id=ou_id, policy_id=policy["Id"], policy_arn=policy["Arn"],
                client=client, root_id=organization["root_id"])


def member_session(proxy, account_id, role="OrganizationAccountAccessRole"):
    """The member role's session, assumed through the proxy by the management account (SCPs do not apply to it)."""
    return through(proxy, "sts").assume_role(RoleArn=f"arn:aws:iam::{account_id}:role/{role}",
                                             RoleSessionName="converge")["Credentials"]


def denial(call, **params):
    with pytest.raises(ClientError) as error:
        call(**params)
    return error.value.response


def assert_scp_denial(response, code, status, policy_arn, account_id, action):
    assert response["Error"]["Code"] == code
    assert response["ResponseMetadata"]["HTTPStatusCode"] == status
    message = response["Error"]["Message"]
    assert message.startswith(f"User: arn:aws:sts::{account_id}:assumed-role/OrganizationAccountAccessRole/converge"
                              f" is not authorized to perform: {action} on resource: "), message
    assert message.endswith(f" with an explicit deny in a service control policy: {policy_arn}"), message


def test_a_deny_all_scp_on_the_ou_denies_every_protocol(proxy, member, aws):
    member["client"].attach_policy(PolicyId=member["policy_id"], TargetId=member["ou_id"])
    session = member_session(proxy, member["account_id"])  # the management account's call: never affected
    account_id, arn = member["account_id"], member["policy_arn"]

    query = denial(through(proxy, "iam", session).create_role, RoleName="app",
                   AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": []}))
    assert_scp_denial(query, "AccessDenied", 403, arn, account_id, "iam:CreateRole")
    assert f"on resource: arn:aws:iam::{account_id}:role/app with" in query["Error"]["Message"]
    json_protocol = denial(through(proxy, "organizations", session).describe_organization)
    assert_scp_denial(json_protocol, "AccessDeniedException", 400, arn, account_id,
                      "organizations:DescribeOrganization")
    s3 = denial(through(proxy, "s3", session).list_buckets)
    assert s3["Error"]["Code"] == "AccessDenied" and s3["ResponseMetadata"]["HTTPStatusCode"] == 403
    assert PHRASE in s3["Error"]["Message"]
    rest_json = denial(through(proxy, "account", session).get_alternate_contact, AlternateContactType="SECURITY")
    assert rest_json["Error"]["Code"] == "AccessDeniedException"
    assert rest_json["ResponseMetadata"]["HTTPStatusCode"] == 403
    assert PHRASE in rest_json["Error"]["Message"]
    assert [c["strict"] for c in proxy.calls[-4:]] == ["AccessDenied", "AccessDeniedException", "AccessDenied",
                                                       "AccessDeniedException"]
    # GetCallerIdentity needs no permission: an explicit deny does not stop it (STS API Reference).
    assert through(proxy, "sts", session).get_caller_identity()["Account"] == account_id
    assert proxy.calls[-1]["strict"] is None
    # Nothing was written in the account.
    with pytest.raises(ClientError, match="NoSuchEntity"):
        aws.client("iam", account_id=account_id).get_role(RoleName="app")


def test_moto_alone_lets_the_quarantined_account_act(proxy, member, aws):
    member["client"].attach_policy(PolicyId=member["policy_id"], TargetId=member["ou_id"])
    proxy.configure_strict(enabled=False)
    session = member_session(proxy, member["account_id"])
    through(proxy, "iam", session).create_role(RoleName="app", AssumeRolePolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": []}))
    assert aws.client("iam", account_id=member["account_id"]).get_role(RoleName="app")["Role"]["RoleName"] == "app"


def test_without_a_deny_all_scp_the_member_account_acts(proxy, member):
    session = member_session(proxy, member["account_id"])
    # FullAWSAccess is attached everywhere by default; the deny-all exists but is attached nowhere.
    assert through(proxy, "iam", session).list_roles()["Roles"]
    # A narrower deny is not a deny-all: the layer does not evaluate it.
    narrow = member["client"].create_policy(Name="deny-iam", Description="", Type="SERVICE_CONTROL_POLICY", Content=(
        json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "iam:*", "Resource": "*"}]})
    ))["Policy"]["PolicySummary"]["Id"]
    member["client"].attach_policy(PolicyId=narrow, TargetId=member["account_id"])
    time.sleep(1.1)  # written straight to moto: the layer's cache lives one second
    assert through(proxy, "iam", session).list_roles()["Roles"]


@pytest.mark.parametrize("target", ["account_id", "root_id"])
def test_a_deny_all_on_the_account_or_the_root_denies_too_but_never_the_management_account(proxy, member, target):
    member["client"].attach_policy(PolicyId=member["policy_id"], TargetId=member[target])
    session = member_session(proxy, member["account_id"])
    response = denial(through(proxy, "iam", session).list_roles)
    assert_scp_denial(response, "AccessDenied", 403, member["policy_arn"], member["account_id"], "iam:ListRoles")
    # SCPs never apply to the management account, even attached to the root.
    assert "Roles" in through(proxy, "iam").list_roles()


def test_service_linked_roles_are_not_affected(proxy, member, aws):
    iam = aws.client("iam", account_id=member["account_id"])
    iam.create_role(RoleName="AWSServiceRoleForSupport", Path="/aws-service-role/support.amazonaws.com/",
                    AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
                        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{MGMT}:root"},
                         "Action": "sts:AssumeRole"}]}))
    member["client"].attach_policy(PolicyId=member["policy_id"], TargetId=member["ou_id"])
    linked = member_session(proxy, member["account_id"], role="AWSServiceRoleForSupport")
    assert "Roles" in through(proxy, "iam", linked).list_roles()


def test_only_while_scps_are_enabled_on_the_root(proxy, member):
    member["client"].attach_policy(PolicyId=member["policy_id"], TargetId=member["ou_id"])
    session = member_session(proxy, member["account_id"])
    assert denial(through(proxy, "iam", session).list_roles)["Error"]["Code"] == "AccessDenied"
    # Through the proxy: an Organizations write, so the layer forgets what it read at once.
    through(proxy, "organizations").disable_policy_type(RootId=member["root_id"], PolicyType="SERVICE_CONTROL_POLICY")
    assert "Roles" in through(proxy, "iam", session).list_roles()


def test_a_detach_through_the_proxy_counts_at_once_one_straight_to_moto_within_a_second(proxy, member):
    client = member["client"]
    client.attach_policy(PolicyId=member["policy_id"], TargetId=member["ou_id"])
    session = member_session(proxy, member["account_id"])
    iam = through(proxy, "iam", session)
    assert denial(iam.list_roles)["Error"]["Code"] == "AccessDenied"
    through(proxy, "organizations").detach_policy(PolicyId=member["policy_id"], TargetId=member["ou_id"])
    assert "Roles" in iam.list_roles()

    client.attach_policy(PolicyId=member["policy_id"], TargetId=member["account_id"])  # straight to moto
    deadline = time.monotonic() + 3
    while time.monotonic() < deadline:
        try:
            iam.list_roles()
        except ClientError as error:
            assert error.response["Error"]["Code"] == "AccessDenied"
            break
        time.sleep(0.1)
    else:
        pytest.fail("the deny-all attached straight to moto was not seen within 3 s")


def test_a_present_account_left_in_the_quarantine_ou_cannot_be_converged(ansible, proxy, member, aws):
    """The product acts in the account through its member role: every call is denied, nothing is written."""
    member["client"].attach_policy(PolicyId=member["policy_id"], TargetId=member["ou_id"])
    result = ansible.run_module("awsorg.landing_zone.iam_cross_account_role", dict(
        assume_role=dict(account_id=member["account_id"]), name="engineers", source_account_id=MGMT))
    # ansible-core 2.19 keeps ``failed`` out of the result dict: the recorded task status says it.
    assert [r["status"] for r in result["_run"].results] == ["failed"], result
    assert result["error"]["code"] == "AccessDenied"
    assert "explicit deny in a service control policy" in result["error"]["message"], result["error"]
    iam = aws.client("iam", account_id=member["account_id"])
    with pytest.raises(ClientError, match="NoSuchEntity"):
        iam.get_role(RoleName="engineers")
    denied = [c for c in proxy.calls if c["strict"]]
    assert denied and all(c["service"] == "iam" and c["status"] == 403 for c in denied), denied
