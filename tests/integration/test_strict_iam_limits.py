"""Strict mode: IAM's size and count quotas (behaviour 5), refused with IAM's LimitExceeded (409)."""

import json

import pytest
from botocore.exceptions import ClientError

from tests.harness.clients import through
from tests.harness.strict_rules.iam_limits import policy_size

# These tests are about the strict layer: strict whatever STRICT_AWS says.
pytestmark = pytest.mark.usefixtures("strict_on")


MANAGEMENT = "123456789012"


def identity_policy(size):
    """An identity policy of exactly ``size`` counted characters, pretty-printed (its white space is not counted)."""
    def build(padding):
        return {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::" + "a" * padding}]}
    text = json.dumps(build(size - policy_size(build(0))), indent=4)
    assert policy_size(text) == size and len(text) > size
    return text


def trust_policy(size):
    def build(padding):
        return {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{MANAGEMENT}:root"}, "Action": "sts:AssumeRole",
             "Condition": {"StringEquals": {"sts:ExternalId": "x" * padding}}}]}
    text = json.dumps(build(size - policy_size(build(0))), indent=2)
    assert policy_size(text) == size
    return text


def assert_limit_exceeded(raised, message):
    error = raised.value.response
    assert error["Error"]["Code"] == "LimitExceeded"
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 409
    assert error["Error"]["Message"] == message
    assert type(raised.value).__name__ == "LimitExceededException"


ENTITIES = {
    "user": dict(limit=2048, make=lambda iam: iam.create_user(UserName="E"),
                 put=lambda iam, name, doc: iam.put_user_policy(UserName="E", PolicyName=name, PolicyDocument=doc),
                 names=lambda iam: iam.list_user_policies(UserName="E")["PolicyNames"]),
    "group": dict(limit=5120, make=lambda iam: iam.create_group(GroupName="E"),
                  put=lambda iam, name, doc: iam.put_group_policy(GroupName="E", PolicyName=name, PolicyDocument=doc),
                  names=lambda iam: iam.list_group_policies(GroupName="E")["PolicyNames"]),
    "role": dict(limit=10240, make=lambda iam: iam.create_role(RoleName="E", AssumeRolePolicyDocument=trust_policy(200)),
                 put=lambda iam, name, doc: iam.put_role_policy(RoleName="E", PolicyName=name, PolicyDocument=doc),
                 names=lambda iam: iam.list_role_policies(RoleName="E")["PolicyNames"]),
}


@pytest.mark.parametrize("kind", sorted(ENTITIES))
def test_inline_policies_of_one_entity_count_together(proxy, aws, kind):
    entity = ENTITIES[kind]
    limit = entity["limit"]
    direct = aws.client("iam")
    entity["make"](direct)
    iam = through(proxy, "iam")
    entity["put"](iam, "first", identity_policy(limit - 600))
    with pytest.raises(ClientError) as refused:
        entity["put"](iam, "second", identity_policy(601))
    assert_limit_exceeded(refused, f"Maximum policy size of {limit} bytes exceeded for {kind} E")
    assert entity["names"](direct) == ["first"]
    # Exactly at the quota (white space not counted), and replacing one by the same name, go through.
    entity["put"](iam, "second", identity_policy(600))
    entity["put"](iam, "first", identity_policy(limit - 600))
    assert sorted(entity["names"](direct)) == ["first", "second"]
    assert proxy.calls[1]["strict"] == "LimitExceeded"


def test_one_inline_policy_over_the_quota_alone_is_refused_and_moto_alone_stores_it(proxy, aws):
    aws.client("iam").create_user(UserName="E")
    with pytest.raises(ClientError) as refused:
        through(proxy, "iam").put_user_policy(UserName="E", PolicyName="big", PolicyDocument=identity_policy(2049))
    assert_limit_exceeded(refused, "Maximum policy size of 2048 bytes exceeded for user E")
    proxy.configure_strict(enabled=False)
    through(proxy, "iam").put_user_policy(UserName="E", PolicyName="big", PolicyDocument=identity_policy(2049))
    assert aws.client("iam").list_user_policies(UserName="E")["PolicyNames"] == ["big"]


def test_inline_quota_reads_the_callers_own_account(proxy, aws, organization):
    proxy.configure_strict(member_role_delay_seconds=0, new_role_delay_seconds=0)
    member = organization["client"].create_account(AccountName="m", Email="m@example.com")[
        "CreateAccountStatus"]["AccountId"]
    # The management account's role E is full; the member's role E is empty.
    ENTITIES["role"]["make"](aws.client("iam"))
    aws.client("iam").put_role_policy(RoleName="E", PolicyName="full", PolicyDocument=identity_policy(10000))
    ENTITIES["role"]["make"](aws.client("iam", account_id=member))
    sts = through(proxy, "sts")
    creds = sts.assume_role(RoleArn=f"arn:aws:iam::{member}:role/OrganizationAccountAccessRole",
                            RoleSessionName="test")["Credentials"]
    in_member = through(proxy, "iam", creds)
    in_member.put_role_policy(RoleName="E", PolicyName="p", PolicyDocument=identity_policy(5000))
    assert aws.client("iam", account_id=member).list_role_policies(RoleName="E")["PolicyNames"] == ["p"]
    with pytest.raises(ClientError) as refused:
        through(proxy, "iam").put_role_policy(RoleName="E", PolicyName="p", PolicyDocument=identity_policy(5000))
    assert_limit_exceeded(refused, "Maximum policy size of 10240 bytes exceeded for role E")


def test_managed_policy_document_over_6144_is_refused(proxy, aws):
    iam = through(proxy, "iam")
    with pytest.raises(ClientError) as refused:
        iam.create_policy(PolicyName="big", PolicyDocument=identity_policy(6145))
    assert_limit_exceeded(refused, "Cannot exceed quota for PolicySize: 6144")
    arn = iam.create_policy(PolicyName="fits", PolicyDocument=identity_policy(6144))["Policy"]["Arn"]
    with pytest.raises(ClientError) as refused:
        iam.create_policy_version(PolicyArn=arn, PolicyDocument=identity_policy(6145), SetAsDefault=True)
    assert_limit_exceeded(refused, "Cannot exceed quota for PolicySize: 6144")
    direct = aws.client("iam")
    assert [p["PolicyName"] for p in direct.list_policies(Scope="Local")["Policies"]] == ["fits"]
    assert len(direct.list_policy_versions(PolicyArn=arn)["Versions"]) == 1
    proxy.configure_strict(enabled=False)
    iam.create_policy(PolicyName="big", PolicyDocument=identity_policy(6145))
    assert sorted(p["PolicyName"] for p in direct.list_policies(Scope="Local")["Policies"]) == ["big", "fits"]


def test_role_trust_policy_over_2048_is_refused(proxy, aws):
    iam = through(proxy, "iam")
    with pytest.raises(ClientError) as refused:
        iam.create_role(RoleName="R", AssumeRolePolicyDocument=trust_policy(2049))
    assert_limit_exceeded(refused, "Cannot exceed quota for ACLSizePerRole: 2048")
    iam.create_role(RoleName="R", AssumeRolePolicyDocument=trust_policy(2048))
    with pytest.raises(ClientError) as refused:
        iam.update_assume_role_policy(RoleName="R", PolicyDocument=trust_policy(2049))
    assert_limit_exceeded(refused, "Cannot exceed quota for ACLSizePerRole: 2048")
    stored = aws.client("iam").get_role(RoleName="R")["Role"]["AssumeRolePolicyDocument"]
    assert policy_size(stored) == 2048
    proxy.configure_strict(enabled=False)
    iam.update_assume_role_policy(RoleName="R", PolicyDocument=trust_policy(2049))
    assert policy_size(aws.client("iam").get_role(RoleName="R")["Role"]["AssumeRolePolicyDocument"]) == 2049


ATTACH = {
    "role": ("PoliciesPerRole", lambda iam, arn: iam.attach_role_policy(RoleName="E", PolicyArn=arn),
             lambda iam: iam.list_attached_role_policies(RoleName="E")["AttachedPolicies"]),
    "user": ("PoliciesPerUser", lambda iam, arn: iam.attach_user_policy(UserName="E", PolicyArn=arn),
             lambda iam: iam.list_attached_user_policies(UserName="E")["AttachedPolicies"]),
    "group": ("PoliciesPerGroup", lambda iam, arn: iam.attach_group_policy(GroupName="E", PolicyArn=arn),
              lambda iam: iam.list_attached_group_policies(GroupName="E")["AttachedPolicies"]),
}


@pytest.mark.parametrize("kind", sorted(ATTACH))
def test_at_most_10_managed_policies_attached(proxy, aws, kind):
    quota, attach, attached = ATTACH[kind]
    direct = aws.client("iam")
    ENTITIES[kind]["make"](direct)
    arns = [direct.create_policy(PolicyName=f"p{i}", PolicyDocument=identity_policy(200))["Policy"]["Arn"]
            for i in range(11)]
    iam = through(proxy, "iam")
    for arn in arns[:10]:
        attach(iam, arn)
    attach(iam, arns[0])  # attaching one already attached is no new attachment
    with pytest.raises(ClientError) as refused:
        attach(iam, arns[10])
    assert_limit_exceeded(refused, f"Cannot exceed quota for {quota}: 10")
    assert sorted(p["PolicyArn"] for p in attached(direct)) == sorted(arns[:10])
    proxy.configure_strict(enabled=False)
    attach(iam, arns[10])
    assert len(attached(direct)) == 11
