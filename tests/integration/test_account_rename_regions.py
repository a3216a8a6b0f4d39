"""org_account renames accounts and opts them in to / out of regions (AWS Account Management, issue 15).

moto lacks the calls; the strict layer answers them (strict_rules/account_management.py).
The end state is read back through the proxy, as AWS would show it: Organizations'
ListAccounts / DescribeAccount with the new names, GetRegionOptStatus per region.
"""

import time

import pytest
import yaml

from tests.harness.clients import through
from tests.harness.playbook import REPO_ROOT

pytestmark = pytest.mark.usefixtures("strict_on")

MODULE = "awsorg.landing_zone.org_account"
MGMT = "123456789012"


def _member(organization, name):
    client = organization["client"]
    request = client.create_account(AccountName=name, Email=f"{name}@example.com")["CreateAccountStatus"]
    return client.describe_create_account_status(CreateAccountRequestId=request["Id"])["CreateAccountStatus"]["AccountId"]


def _writes(proxy):
    return sorted(c["action"] for c in proxy.mutating_calls())


def _status(proxy, region, account_id=None):
    ask = dict(AccountId=account_id) if account_id else {}
    return through(proxy, "account").get_region_opt_status(RegionName=region, **ask)["RegionOptStatus"]


def test_rename_and_regions_of_a_member_and_the_management_account(ansible, proxy, organization):
    member = _member(organization, "old-name")
    organization["client"].enable_aws_service_access(ServicePrincipal="account.amazonaws.com")
    # me-south-1 enabled before the run; the task disables it.
    through(proxy, "account").enable_region(AccountId=member, RegionName="me-south-1")
    time.sleep(0.6)
    proxy.reset()
    args = dict(accounts=[
        dict(account_id=member, params=dict(name="new-name", opt_in_regions=["af-south-1", "eu-south-2"],
                                            opt_out_regions=["me-south-1"])),
        dict(account_id=MGMT, params=dict(name="management", opt_in_regions=["ap-east-1"])),
    ])

    predicted = ansible.run_module(MODULE, args, check=True)
    assert predicted["changed"] is True, predicted
    assert _writes(proxy) == []
    by_id = {r["account_id"]: r for r in predicted["accounts"]}
    assert by_id[member]["account"]["name"] == "new-name"
    assert by_id[member]["account"]["regions"] == {"af-south-1": "ENABLED", "eu-south-2": "ENABLED",
                                                   "me-south-1": "DISABLED"}
    assert by_id[MGMT]["account"]["name"] == "management"
    assert by_id[MGMT]["account"]["regions"] == {"ap-east-1": "ENABLED"}
    assert _status(proxy, "af-south-1", member) == "DISABLED"

    proxy.reset()
    applied = ansible.run_module(MODULE, args, check=False)
    assert applied["changed"] is True, applied
    assert _writes(proxy) == ["REST.POST.disableRegion"] + ["REST.POST.enableRegion"] * 3 + [
        "REST.POST.putAccountName"] * 2
    by_id = {r["account_id"]: r for r in applied["accounts"]}
    # The task waited for the changes: ENABLED / DISABLED, not ENABLING / DISABLING.
    assert by_id[member]["account"]["regions"] == {"af-south-1": "ENABLED", "eu-south-2": "ENABLED",
                                                   "me-south-1": "DISABLED"}
    organizations = through(proxy, "organizations")
    assert organizations.describe_account(AccountId=member)["Account"]["Name"] == "new-name"
    assert {a["Id"]: a["Name"] for a in organizations.list_accounts()["Accounts"]} == {
        MGMT: "management", member: "new-name"}
    assert [_status(proxy, r, member) for r in ("af-south-1", "eu-south-2", "me-south-1")] == [
        "ENABLED", "ENABLED", "DISABLED"]
    assert _status(proxy, "ap-east-1") == "ENABLED"
    assert _status(proxy, "ap-east-1", member) == "DISABLED"  # never named for the member: left alone

    proxy.reset()
    again = ansible.run_module(MODULE, args)
    assert again["changed"] is False, again
    assert _writes(proxy) == []


@pytest.mark.long  # three module runs; the rename itself: test_rename_and_regions_of_a_member_and_the_management_account
def test_single_account_diff_shows_the_old_and_new_name(ansible, proxy, organization):
    predicted = ansible.run_module(MODULE, dict(account_id=MGMT, name="management", opt_in_regions=["il-central-1"]),
                                   check=True)
    assert predicted["changed"] is True
    assert predicted["diff"]["before"]["name"] != "management"
    assert predicted["diff"]["after"]["name"] == "management"
    assert predicted["diff"]["before"]["regions"] == {"il-central-1": "DISABLED"}
    assert predicted["diff"]["after"]["regions"] == {"il-central-1": "ENABLED"}
    assert _writes(proxy) == []

    # rename=false (the roles' choice when the inventory leaves account_name to its default): a warning, no rename.
    kept = ansible.run_module(MODULE, dict(account_id=MGMT, name="management", rename=False))
    assert kept["changed"] is False
    [warning] = kept["warnings"]
    assert "not renamed" in warning and "account_name" in warning
    assert _writes(proxy) == []
    assert through(proxy, "organizations").describe_account(AccountId=MGMT)["Account"]["Name"] != "management"


def test_without_trusted_access_a_member_keeps_its_name_and_its_regions_fail(ansible, proxy, organization):
    member = _member(organization, "kept-name")
    run = ansible.run_tasks([
        {"name": "rename", MODULE: dict(account_id=member, name="other-name")},
        {"name": "regions", MODULE: dict(account_id=member, opt_in_regions=["af-south-1"]), "ignore_errors": True},
        {"name": "default region", MODULE: dict(account_id=member, opt_in_regions=["eu-west-1"]),
         "ignore_errors": True},
        {"name": "both", MODULE: dict(account_id=member, opt_in_regions=["af-south-1"],
                                      opt_out_regions=["af-south-1"]), "ignore_errors": True},
    ])
    renamed = run.one("rename")
    assert renamed["changed"] is False
    [warning] = renamed["warnings"]
    assert "does not rename accounts" in warning and "account.amazonaws.com" in warning
    assert "account.amazonaws.com" in run.one("regions")["msg"]
    assert "enabled by default" in run.one("default region")["msg"]
    assert "cannot be both enabled and disabled" in run.one("both")["msg"]
    assert _writes(proxy) == []
    assert through(proxy, "organizations").describe_account(AccountId=member)["Account"]["Name"] == "kept-name"


@pytest.mark.long
def test_the_organization_role_trusts_account_management_for_an_accounts_regions(
        ansible, proxy, organization, tmp_path):
    member = _member(organization, "member-old")
    hosts = dict(mgmt=dict(account_id=MGMT, account_name="master", account_email="master@example.com"),
                 member=dict(account_id=member, account_name="member-new", account_email="member-old@example.com",
                             account_opt_in_regions=["af-south-1"]))
    inventory = dict(all=dict(vars=dict(landing_zone_project="acme"), children=dict(
        accounts=dict(hosts=hosts), management=dict(hosts=dict(mgmt=None)))))
    (tmp_path / "acme").mkdir()
    path = tmp_path / "acme" / "hosts.yml"
    path.write_text(yaml.safe_dump(inventory, sort_keys=False), encoding="utf-8")
    playbook = tmp_path / "organization.yml"
    playbook.write_text(yaml.safe_dump([
        {"ansible.builtin.import_playbook": str(REPO_ROOT / "playbooks" / "preflight.yml")},
        {"ansible.builtin.import_playbook": str(REPO_ROOT / "playbooks" / "organization.yml")},
    ]), encoding="utf-8")

    run = ansible.run_playbook(playbook, inventory=path)
    assert run.rc == 0, run.output[-5000:]
    trusted = organization["client"].list_aws_service_access_for_organization()["EnabledServicePrincipals"]
    assert "account.amazonaws.com" in [p["ServicePrincipal"] for p in trusted]
    assert through(proxy, "organizations").describe_account(AccountId=member)["Account"]["Name"] == "member-new"
    assert _status(proxy, "af-south-1", member) == "ENABLED"

    proxy.reset()
    again = ansible.run_playbook(playbook, inventory=path)
    assert again.rc == 0, again.output[-5000:]
    assert _writes(proxy) == []
