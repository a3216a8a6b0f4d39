"""org_root_access and root_credentials end to end, through the strict layer's root access emulation.

moto has no centralized root access: the strict layer answers IAM's
organization features and sts:AssumeRoot and keeps each member account's
root credentials (tests/harness/strict_rules/root_access.py); the end state
is read back from it and through boto3 calls of the management account.
"""

import pytest
import yaml

from tests.harness.clients import through
from tests.harness.playbook import REPO_ROOT
from tests.harness.strict_rules.root_access import root_access_rule

pytestmark = pytest.mark.usefixtures("strict_on")

MGMT = "123456789012"
ROOT_ACCESS = "awsorg.landing_zone.org_root_access"
ROOT_CREDENTIALS = "awsorg.landing_zone.root_credentials"
BOTH = dict(credentials_management=True, root_sessions=True)
PLAYBOOK = REPO_ROOT / "playbooks" / "root_credentials.yml"
NOTHING = dict(password=False, access_keys=[], mfa_devices=[], signing_certificates=[])


def member(organization, name):
    client = organization["client"]
    request = client.create_account(AccountName=name, Email=f"{name}@example.com")["CreateAccountStatus"]
    return client.describe_create_account_status(CreateAccountRequestId=request["Id"])["CreateAccountStatus"]["AccountId"]


def failed(result):
    """Whether the module under test failed (the recorder keeps the task's status, not a ``failed`` key)."""
    return [r["status"] for r in result["_run"].results if r["task"] == "module under test"] == ["failed"]


def features(proxy):
    return through(proxy, "iam").list_organizations_features()["EnabledFeatures"]


@pytest.mark.long
def test_org_root_access_needs_trusted_access_then_enables_previews_and_disables(ansible, proxy, organization):
    refused = ansible.run_module(ROOT_ACCESS, BOTH)
    assert failed(refused), refused
    assert "trusted access for iam.amazonaws.com" in refused["msg"]
    assert proxy.mutating_calls() == []

    trusted = ansible.run_module("awsorg.landing_zone.org_organization",
                                 dict(aws_service_access_principals=["iam.amazonaws.com"]))
    assert trusted["changed"] is True, trusted
    proxy.reset()
    preview = ansible.run_module(ROOT_ACCESS, BOTH, check=True)
    assert preview["changed"] is True, preview
    assert preview["diff"] == dict(before=dict(enabled_features=[]),
                                   after=dict(enabled_features=["RootCredentialsManagement", "RootSessions"]))
    assert proxy.mutating_calls() == []
    assert features(proxy) == []

    applied = ansible.run_module(ROOT_ACCESS, BOTH)
    assert applied["changed"] is True, applied
    assert features(proxy) == ["RootCredentialsManagement", "RootSessions"]

    proxy.reset()
    for check in (True, False):
        again = ansible.run_module(ROOT_ACCESS, BOTH, check=check)
        assert again["changed"] is False, again
    assert proxy.mutating_calls() == []

    opted_out = ansible.run_module(ROOT_ACCESS, dict(root_sessions=False))
    assert opted_out["changed"] is True
    assert features(proxy) == ["RootCredentialsManagement"]


@pytest.mark.long
def test_org_organization_converges_root_access_after_the_trusted_access_in_one_run(ansible, proxy, organization):
    organization_module = "awsorg.landing_zone.org_organization"
    # Without the trusted access it needs, refused before the first write (the service access included).
    proxy.reset()
    refused = ansible.run_module(organization_module, dict(aws_service_access_principals=["config.amazonaws.com"],
                                                           root_access=BOTH))
    assert failed(refused), refused
    assert refused["msg"].startswith("root_access: trusted access for iam.amazonaws.com is not enabled")
    assert proxy.mutating_calls() == []

    wanted = dict(aws_service_access_principals=["iam.amazonaws.com"], root_access=BOTH)
    preview = ansible.run_module(organization_module, wanted, check=True)
    assert preview["changed"] is True, preview
    assert preview["diff"]["before"]["root_access_features"] == []
    assert preview["diff"]["after"]["root_access_features"] == ["RootCredentialsManagement", "RootSessions"]
    assert proxy.mutating_calls() == []

    applied = ansible.run_module(organization_module, wanted)
    assert applied["diff"] == preview["diff"]
    assert applied["organization"]["aws_service_access_principals"] == ["iam.amazonaws.com"]
    assert features(proxy) == ["RootCredentialsManagement", "RootSessions"]
    # The trusted access came first: IAM refuses the features without it.
    writes = [call["action"] for call in proxy.mutating_calls()]
    assert writes == ["EnableAWSServiceAccess", "EnableOrganizationsRootCredentialsManagement",
                      "EnableOrganizationsRootSessions"], writes

    proxy.reset()
    for check in (True, False):
        again = ansible.run_module(organization_module, wanted, check=check)
        assert again["changed"] is False, again
    assert proxy.mutating_calls() == []

    # A feature left unset stays as it is; one set to false is turned off.
    ansible.run_module(organization_module, dict(wanted, root_access=dict(root_sessions=False)))
    assert features(proxy) == ["RootCredentialsManagement"]
    unmanaged = ansible.run_module(organization_module, dict(aws_service_access_principals=["iam.amazonaws.com"]))
    assert unmanaged["changed"] is False and "root_access_features" not in unmanaged["organization"], unmanaged


@pytest.mark.long
def test_root_credentials_reported_then_removed_account_by_account(ansible, proxy, organization):
    with_root, clean = member(organization, "workload"), member(organization, "sandbox")
    rule = root_access_rule(proxy)
    rule.seed(with_root, password=True, access_keys=2, mfa_devices=1, signing_certificates=1)
    seeded = rule.root_credentials(with_root)
    accounts = [dict(account_id=with_root), dict(account_id=clean)]

    # Before root credentials management is on, AssumeRoot is refused: the account fails, nothing is written.
    before_enabled = ansible.run_module(ROOT_CREDENTIALS, dict(accounts=accounts))
    assert failed(before_enabled) and "AccessDenied" in before_enabled["msg"], before_enabled
    through(proxy, "organizations").enable_aws_service_access(ServicePrincipal="iam.amazonaws.com")
    through(proxy, "iam").enable_organizations_root_credentials_management()

    proxy.reset()
    report = ansible.run_module(ROOT_CREDENTIALS, dict(accounts=accounts))
    assert report["changed"] is False, report
    by_account = {result["account_id"]: result for result in report["accounts"]}
    assert by_account[with_root]["root_credentials"] == seeded
    assert by_account[clean]["root_credentials"] == NOTHING
    assert proxy.mutating_calls() == []

    preview = ansible.run_module(ROOT_CREDENTIALS, dict(accounts=accounts, remove=True), check=True)
    assert preview["changed"] is True
    assert preview["diff"]["before"][with_root] == seeded
    assert preview["diff"]["after"][with_root] == NOTHING
    assert proxy.mutating_calls() == []
    assert rule.root_credentials(with_root) == seeded

    removed = ansible.run_module(ROOT_CREDENTIALS, dict(accounts=accounts, remove=True))
    assert removed["changed"] is True, removed
    by_account = {result["account_id"]: result for result in removed["accounts"]}
    assert by_account[with_root]["removed"] == seeded
    assert by_account[with_root]["remaining"] == NOTHING
    assert by_account[clean]["changed"] is False
    assert rule.root_credentials(with_root) == NOTHING
    writes = {call["action"] for call in proxy.mutating_calls()}
    assert writes == {"DeleteAccessKey", "DeleteSigningCertificate", "DeactivateMFADevice", "DeleteLoginProfile"}

    proxy.reset()
    again = ansible.run_module(ROOT_CREDENTIALS, dict(accounts=accounts, remove=True))
    assert again["changed"] is False, again
    assert proxy.mutating_calls() == []


def test_the_management_account_is_refused_before_any_call(ansible, proxy, organization):
    refused = ansible.run_module(ROOT_CREDENTIALS, dict(account_id=MGMT, remove=True))
    assert failed(refused) and "management account" in refused["msg"], refused
    assert [call["action"] for call in proxy.calls if call["action"] == "AssumeRoot"] == []


def _write_inventory(directory, members):
    """A landing-zone inventory of the management account and ``members`` ({host: (account id, wave)})."""
    hosts = dict(mgmt=dict(account_id=MGMT, account_name="master", account_email="master@example.com"))
    for host, (account_id, wave) in members.items():
        hosts[host] = dict(account_id=account_id, account_name=host, account_email=f"{host}@example.com",
                           account_wave=wave)
    inventory = dict(all=dict(
        vars=dict(landing_zone_project="acme", landing_zone_root_access=dict(credentials_management=True)),
        children=dict(accounts=dict(hosts=hosts), management=dict(hosts=dict(mgmt=None)))))
    directory.mkdir(parents=True)
    path = directory / "hosts.yml"
    path.write_text(yaml.safe_dump(inventory, sort_keys=False), encoding="utf-8")
    return path


def test_root_credentials_playbook_reports_then_removes_wave_by_wave(ansible, proxy, organization, tmp_path):
    first, second = member(organization, "first"), member(organization, "second")
    inventory = _write_inventory(tmp_path / "acme", dict(first=(first, 1), second=(second, 2)))
    through(proxy, "organizations").enable_aws_service_access(ServicePrincipal="iam.amazonaws.com")
    through(proxy, "iam").enable_organizations_root_credentials_management()
    rule = root_access_rule(proxy)
    rule.seed(first, password=True, access_keys=1, mfa_devices=0, signing_certificates=0)
    rule.seed(second, password=False, access_keys=0, mfa_devices=1, signing_certificates=1)
    seeded = {first: rule.root_credentials(first), second: rule.root_credentials(second)}

    proxy.reset()
    report = ansible.run_playbook(PLAYBOOK, inventory=inventory)
    assert report.rc == 0, report.output[-4000:]
    assert report.one("Root credentials found (and removed), by account")["msg"] == seeded
    assert proxy.mutating_calls() == []

    issued_before = len(rule.sessions_issued())
    removal = ansible.run_playbook(PLAYBOOK, inventory=inventory, extra_vars=dict(remove=True))
    assert removal.rc == 0, removal.output[-4000:]
    assert rule.root_credentials(first) == NOTHING
    assert rule.root_credentials(second) == NOTHING
    # Wave 1's account is done before wave 2's is touched.
    order = [account for account, _task in rule.sessions_issued()[issued_before:]]
    assert set(order) == {first, second}
    assert max(i for i, a in enumerate(order) if a == first) < min(i for i, a in enumerate(order) if a == second)
