"""Strict mode, AWS Account Management's account name and regions (moto answers "not yet implemented").

Each refusal is shown next to the call that passes once its condition is met.
"""

import time

import pytest
from botocore.exceptions import ClientError

from tests.harness.clients import through

pytestmark = pytest.mark.usefixtures("strict_on")

MGMT = "123456789012"
ROLE = "OrganizationAccountAccessRole"


def refused(call, **params):
    with pytest.raises(ClientError) as error:
        call(**params)
    response = error.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"], response["Error"].get("Message", "")


def member(organization, name):
    client = organization["client"]
    request = client.create_account(AccountName=name, Email=f"{name}@example.com")["CreateAccountStatus"]
    return client.describe_create_account_status(CreateAccountRequestId=request["Id"])["CreateAccountStatus"]["AccountId"]


def trust_account_management(organization):
    organization["client"].enable_aws_service_access(ServicePrincipal="account.amazonaws.com")


def test_account_id_needs_the_management_account_trusted_access_and_a_member(proxy, organization):
    first, second = member(organization, "first"), member(organization, "second")
    account = through(proxy, "account")
    # Without trusted access for account.amazonaws.com.
    code, status, message = refused(account.put_account_name, AccountId=first, AccountName="renamed")
    assert (code, status) == ("AccessDeniedException", 403) and "trusted access" in message
    trust_account_management(organization)
    account.put_account_name(AccountId=first, AccountName="renamed")
    # The management account names itself only without AccountId.
    code, status, message = refused(account.put_account_name, AccountId=MGMT, AccountName="management")
    assert (code, status) == ("AccessDeniedException", 403) and "standalone context" in message
    account.put_account_name(AccountName="management")
    # A member account may not name another account (nor pass any AccountId).
    creds = through(proxy, "sts").assume_role(RoleArn=f"arn:aws:iam::{first}:role/{ROLE}",
                                              RoleSessionName="test")["Credentials"]
    from_member = through(proxy, "account", creds)
    assert refused(from_member.put_account_name, AccountId=second, AccountName="hijacked")[:2] == (
        "AccessDeniedException", 403)
    from_member.put_account_name(AccountName="first-again")
    # An account name outside [ -;=?-~]{1,50}.
    assert refused(account.put_account_name, AccountName="x" * 51)[:2] == ("ValidationException", 400)

    organizations = through(proxy, "organizations")
    names = {a["Id"]: a["Name"] for a in organizations.list_accounts()["Accounts"]}
    assert (names[MGMT], names[first], names[second]) == ("management", "first-again", "second")
    assert organizations.describe_account(AccountId=first)["Account"]["Name"] == "first-again"
    assert account.get_account_information(AccountId=second)["AccountName"] == "second"


def test_regions_change_through_enabling_refuse_defaults_and_a_change_in_transition(proxy, organization):
    proxy.configure_strict(region_change_seconds=1.0)
    account_id = member(organization, "regions")
    trust_account_management(organization)
    account = through(proxy, "account")
    ask = dict(AccountId=account_id)

    assert account.get_region_opt_status(RegionName="us-east-1", **ask)["RegionOptStatus"] == "ENABLED_BY_DEFAULT"
    assert account.get_region_opt_status(RegionName="af-south-1", **ask)["RegionOptStatus"] == "DISABLED"
    with pytest.raises(ClientError) as error:
        account.enable_region(RegionName="us-east-1", **ask)
    assert error.value.response["Error"]["Code"] == "ValidationException"
    assert error.value.response["reason"] == "invalidRegionOptTarget"
    assert refused(account.enable_region, RegionName="xx-nowhere-1", **ask)[:2] == ("ValidationException", 400)

    account.enable_region(RegionName="af-south-1", **ask)
    assert account.get_region_opt_status(RegionName="af-south-1", **ask)["RegionOptStatus"] == "ENABLING"
    assert refused(account.disable_region, RegionName="af-south-1", **ask)[:2] == ("ConflictException", 409)
    account.enable_region(RegionName="af-south-1", **ask)  # the same change again: accepted
    time.sleep(1.1)
    assert account.get_region_opt_status(RegionName="af-south-1", **ask)["RegionOptStatus"] == "ENABLED"
    account.disable_region(RegionName="af-south-1", **ask)
    assert refused(account.enable_region, RegionName="af-south-1", **ask)[:2] == ("ConflictException", 409)

    listed = account.list_regions(RegionOptStatusContains=["DISABLING", "ENABLED"], **ask)["Regions"]
    assert listed == [{"RegionName": "af-south-1", "RegionOptStatus": "DISABLING"}]
    pages = list(account.get_paginator("list_regions").paginate(PaginationConfig={"PageSize": 10}, **ask))
    regions = [r for page in pages for r in page["Regions"]]
    assert len(pages) > 1 and len(regions) == len({r["RegionName"] for r in regions}) >= 34
    # State per account: the management account's own regions did not change.
    assert account.get_region_opt_status(RegionName="af-south-1")["RegionOptStatus"] == "DISABLED"
