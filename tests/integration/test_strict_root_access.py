"""Strict mode, centralized root access (behaviour 12): IAM's organization features and sts:AssumeRoot.

moto has neither; the strict layer answers them with botocore's shapes and
AWS's refusals, and keeps each member account's root credentials.  Each
refusal is shown next to the call that passes once its condition is met.
"""

import pytest
from botocore.exceptions import ClientError

from tests.harness.clients import credential_params
from tests.harness.clients import through
from tests.harness.strict_rules.root_access import root_access_rule

pytestmark = pytest.mark.usefixtures("strict_on")

MGMT = "123456789012"
AUDIT = "arn:aws:iam::aws:policy/root-task/IAMAuditRootUserCredentials"
DELETE = "arn:aws:iam::aws:policy/root-task/IAMDeleteRootUserCredentials"


def refused(call, **params):
    with pytest.raises(ClientError) as error:
        call(**params)
    return error.value.response["Error"]["Code"], error.value.response["ResponseMetadata"]["HTTPStatusCode"]


def trust_iam(proxy):
    """Trusted access for IAM, through the proxy: moto alone refuses iam.amazonaws.com."""
    through(proxy, "organizations").enable_aws_service_access(ServicePrincipal="iam.amazonaws.com")


def member(organization, name="member"):
    client = organization["client"]
    request = client.create_account(AccountName=name, Email=f"{name}@example.com")["CreateAccountStatus"]
    return client.describe_create_account_status(CreateAccountRequestId=request["Id"])["CreateAccountStatus"]["AccountId"]


def test_features_need_trusted_access_then_enable_list_and_disable(proxy, organization):
    iam = through(proxy, "iam")
    assert refused(iam.list_organizations_features) == ("ServiceAccessNotEnabledException", 400)
    assert refused(iam.enable_organizations_root_credentials_management) == ("ServiceAccessNotEnabledException", 400)

    trust_iam(proxy)
    org_id = organization["client"].describe_organization()["Organization"]["Id"]
    listed = through(proxy, "organizations").list_aws_service_access_for_organization()["EnabledServicePrincipals"]
    assert [p["ServicePrincipal"] for p in listed] == ["iam.amazonaws.com"]
    assert iam.list_organizations_features()["EnabledFeatures"] == []
    enabled = iam.enable_organizations_root_credentials_management()
    assert enabled["OrganizationId"] == org_id
    assert enabled["EnabledFeatures"] == ["RootCredentialsManagement"]
    iam.enable_organizations_root_sessions()
    assert iam.list_organizations_features()["EnabledFeatures"] == ["RootCredentialsManagement", "RootSessions"]
    iam.disable_organizations_root_sessions()
    assert iam.list_organizations_features()["EnabledFeatures"] == ["RootCredentialsManagement"]


def test_a_member_account_cannot_read_or_enable_the_features(proxy, aws, organization):
    account_id = member(organization)
    trust_iam(proxy)
    role_arn = f"arn:aws:iam::{account_id}:role/OrganizationAccountAccessRole"
    creds = through(proxy, "sts").assume_role(RoleArn=role_arn, RoleSessionName="test")["Credentials"]
    iam = through(proxy, "iam", creds)
    assert refused(iam.list_organizations_features) == ("AccountNotManagementOrDelegatedAdministratorException", 400)
    through(proxy, "organizations").register_delegated_administrator(AccountId=account_id,
                                                                     ServicePrincipal="iam.amazonaws.com")
    assert iam.list_organizations_features()["EnabledFeatures"] == []
    # A delegated administrator reads, but only the management account enables.
    assert refused(iam.enable_organizations_root_sessions) == ("CallerIsNotManagementAccountException", 400)


def test_assume_root_refused_until_credentials_management_then_scoped_by_the_task_policy(proxy, organization):
    account_id = member(organization)
    rule = root_access_rule(proxy)
    rule.seed(account_id, password=True, access_keys=2, mfa_devices=1, signing_certificates=1)
    sts = through(proxy, "sts")
    ask = dict(TargetPrincipal=account_id, TaskPolicyArn={"arn": AUDIT})
    assert refused(sts.assume_root, **ask) == ("AccessDenied", 403)  # no trusted access, feature off
    trust_iam(proxy)
    assert refused(sts.assume_root, **ask) == ("AccessDenied", 403)  # feature off
    through(proxy, "iam").enable_organizations_root_credentials_management()
    # Never the management account itself.
    assert refused(sts.assume_root, TargetPrincipal=MGMT, TaskPolicyArn={"arn": AUDIT}) == ("AccessDenied", 403)

    audit = sts.assume_root(**ask)["Credentials"]
    root_sts = through(proxy, "sts", audit)
    assert root_sts.get_caller_identity()["Arn"] == f"arn:aws:iam::{account_id}:root"
    root_iam = through(proxy, "iam", audit)
    assert len(root_iam.list_access_keys()["AccessKeyMetadata"]) == 2
    assert root_iam.get_login_profile()["LoginProfile"]["CreateDate"]
    assert len(root_iam.list_mfa_devices()["MFADevices"]) == 1
    assert len(root_iam.list_signing_certificates()["Certificates"]) == 1
    # The audit task policy cannot delete, nor reach anything but the root user's credentials.
    assert refused(root_iam.delete_login_profile) == ("AccessDenied", 403)
    assert refused(root_iam.list_users) == ("AccessDenied", 403)
    assert refused(through(proxy, "s3", audit).list_buckets)[0] == "AccessDenied"
    # A root session cannot call AssumeRoot.
    assert refused(root_sts.assume_root, **ask) == ("AccessDenied", 403)

    delete = sts.assume_root(TargetPrincipal=account_id, TaskPolicyArn={"arn": DELETE})["Credentials"]
    root_iam = through(proxy, "iam", delete)
    root_iam.delete_login_profile()
    for key in root_iam.list_access_keys()["AccessKeyMetadata"]:
        root_iam.delete_access_key(AccessKeyId=key["AccessKeyId"])
    assert refused(root_iam.get_login_profile) == ("NoSuchEntity", 404)
    assert rule.root_credentials(account_id)["password"] is False
    assert rule.root_credentials(account_id)["access_keys"] == []
    assert credential_params(delete)["aws_session_token"]
