"""Strict mode: a new organization still initializing, and policy types that take a while to enable.

FinalizingOrganizationException right after CreateOrganization
(``StrictConfig.organization_finalizing_seconds``, strict_rules/finalizing.py)
and PENDING_ENABLE / PENDING_DISABLE after EnablePolicyType / DisablePolicyType
(``StrictConfig.policy_type_change_seconds``, strict_rules/policy_types.py):
the proxy answering as AWS does, then the collection's modules waiting them out.
"""

import pytest
from botocore.exceptions import ClientError

from tests.harness.clients import through

pytestmark = pytest.mark.usefixtures("strict_on")

FINALIZING = "FinalizingOrganizationException"


class FakeClock:
    def __init__(self, now=1000.0):
        self.now = now

    def __call__(self):
        return self.now


def code_of(call, **params):
    with pytest.raises(ClientError) as raised:
        call(**params)
    return raised.value.response["Error"]["Code"]


def refusals(proxy):
    """The calls the strict layer refused (a rewritten answer, such as a PENDING_ENABLE root, is no refusal)."""
    return [(c["action"], c["strict"]) for c in proxy.calls if c["strict"] not in (None, "rewritten")]


def statuses(root):
    return {p["Type"]: p["Status"] for p in root["PolicyTypes"]}


# --- FinalizingOrganizationException --------------------------------------------------------

def new_organization_on_a_fake_clock(proxy, monkeypatch, **strict):
    """(clock, Organizations client through the proxy, root id) of an organization made with ``strict`` settings."""
    clock = FakeClock()
    monkeypatch.setattr(proxy.strict, "clock", clock)
    proxy.configure_strict(**strict)
    orgs = through(proxy, "organizations")
    orgs.create_organization(FeatureSet="ALL")
    return clock, orgs, orgs.list_roots()["Roots"][0]["Id"]


def test_a_new_organization_refuses_ous_accounts_and_invitations_until_it_is_finalized(proxy, monkeypatch):
    clock, orgs, root_id = new_organization_on_a_fake_clock(proxy, monkeypatch, organization_finalizing_seconds=60)

    assert code_of(orgs.create_organizational_unit, ParentId=root_id, Name="workloads") == FINALIZING
    assert code_of(orgs.create_account, AccountName="log", Email="log@example.com") == FINALIZING
    assert code_of(orgs.invite_account_to_organization, Target=dict(Id="210987654321", Type="ACCOUNT")) == FINALIZING
    refused = [c for c in proxy.calls if c["strict"] == FINALIZING]
    assert [c["action"] for c in refused] == ["CreateOrganizationalUnit", "CreateAccount", "InviteAccountToOrganization"]
    assert all(c["status"] == 400 for c in refused)
    # Reads and the organization's own settings are not refused.
    orgs.enable_aws_service_access(ServicePrincipal="config.amazonaws.com")

    clock.now += 60
    assert orgs.create_organizational_unit(ParentId=root_id, Name="workloads")["OrganizationalUnit"]["Name"] == "workloads"
    assert orgs.create_account(AccountName="log", Email="log@example.com")["CreateAccountStatus"]


def test_an_organization_made_straight_in_moto_or_with_the_default_config_is_not_finalizing(proxy, organization):
    orgs = through(proxy, "organizations")
    proxy.configure_strict(organization_finalizing_seconds=60)
    orgs.create_organizational_unit(ParentId=organization["root_id"], Name="made-in-moto")
    assert proxy.strict.config.organization_finalizing_seconds == 60


def test_moto_alone_never_answers_finalizing(proxy):
    proxy.configure_strict(enabled=False, organization_finalizing_seconds=60)
    orgs = through(proxy, "organizations")
    orgs.create_organization(FeatureSet="ALL")
    root_id = orgs.list_roots()["Roots"][0]["Id"]
    assert orgs.create_organizational_unit(ParentId=root_id, Name="workloads")


def test_the_first_run_of_a_new_organization_waits_until_it_is_finalized(ansible, proxy, aws, monkeypatch):
    # Finalizing until the run has been refused once (a delay in seconds would race the run's start on a
    # loaded machine): then the organization is ready.
    proxy.configure_strict(organization_finalizing_seconds=3600)
    record = proxy.record

    def finalized_after_one_refusal(call):
        record(call)
        if call.get("strict") == FINALIZING:
            proxy.configure_strict(organization_finalizing_seconds=0)

    monkeypatch.setattr(proxy, "record", finalized_after_one_refusal)
    run = ansible.run_tasks([
        {"name": "organization", "awsorg.landing_zone.org_organization": {}},
        {"name": "ou", "awsorg.landing_zone.org_ou": {"path": "/workloads"}},
        {"name": "account", "awsorg.landing_zone.org_account": {
            "name": "log-archive", "email": "log-archive@example.com", "ou": "/workloads"}},
    ])
    assert run.rc == 0, run.output[-4000:]
    refused = {c["action"] for c in proxy.calls if c["strict"] == FINALIZING}
    assert "CreateOrganizationalUnit" in refused, [(c["action"], c["strict"]) for c in proxy.calls]
    client = aws.client("organizations")
    root_id = client.list_roots()["Roots"][0]["Id"]
    ous = client.list_organizational_units_for_parent(ParentId=root_id)["OrganizationalUnits"]
    assert [ou["Name"] for ou in ous] == ["workloads"]
    accounts = [a for a in client.list_accounts()["Accounts"] if a["Email"] == "log-archive@example.com"]
    assert len(accounts) == 1
    assert client.list_parents(ChildId=accounts[0]["Id"])["Parents"][0]["Id"] == ous[0]["Id"]


# --- policy types: PENDING_ENABLE / PENDING_DISABLE ------------------------------------------------

@pytest.mark.parametrize("policy_type", ["TAG_POLICY", "BACKUP_POLICY"])  # moto's, and one the layer emulates
def test_an_enabled_policy_type_reads_pending_enable_for_a_while(proxy, monkeypatch, policy_type):
    clock, orgs, root_id = new_organization_on_a_fake_clock(proxy, monkeypatch, policy_type_change_seconds=5)

    answered = orgs.enable_policy_type(RootId=root_id, PolicyType=policy_type)["Root"]
    assert statuses(answered)[policy_type] == "PENDING_ENABLE"
    assert statuses(orgs.list_roots()["Roots"][0])[policy_type] == "PENDING_ENABLE"
    content = '{"tags": {}}' if policy_type == "TAG_POLICY" else '{"plans": {}}'
    policy_id = orgs.create_policy(Name="p", Description="", Type=policy_type, Content=content)["Policy"][
        "PolicySummary"]["Id"]
    assert code_of(orgs.attach_policy, PolicyId=policy_id, TargetId=root_id) == "PolicyTypeNotEnabledException"

    clock.now += 5
    assert statuses(orgs.list_roots()["Roots"][0])[policy_type] == "ENABLED"
    orgs.attach_policy(PolicyId=policy_id, TargetId=root_id)
    orgs.detach_policy(PolicyId=policy_id, TargetId=root_id)

    answered = orgs.disable_policy_type(RootId=root_id, PolicyType=policy_type)["Root"]
    assert statuses(answered)[policy_type] == "PENDING_DISABLE"
    assert statuses(orgs.list_roots()["Roots"][0])[policy_type] == "PENDING_DISABLE"
    clock.now += 5
    assert policy_type not in statuses(orgs.list_roots()["Roots"][0])


def test_moto_alone_enables_at_once(proxy):
    proxy.configure_strict(enabled=False, policy_type_change_seconds=60)
    orgs = through(proxy, "organizations")
    orgs.create_organization(FeatureSet="ALL")
    root_id = orgs.list_roots()["Roots"][0]["Id"]
    assert statuses(orgs.enable_policy_type(RootId=root_id, PolicyType="TAG_POLICY")["Root"])["TAG_POLICY"] == "ENABLED"


def test_org_organization_waits_until_its_policy_types_are_enabled_then_a_policy_attaches(
        ansible, proxy, aws, organization):
    proxy.configure_strict(policy_type_change_seconds=3)
    proxy.reset()
    run = ansible.run_tasks([
        {"name": "types", "awsorg.landing_zone.org_organization": {
            "enabled_policy_types": ["SERVICE_CONTROL_POLICY", "TAG_POLICY"]}},
        {"name": "tag policy", "awsorg.landing_zone.org_policy": {"policies": [dict(
            type="TAG_POLICY", name="required-tags", policy={"tags": {}}, targets=["/"])]}},
    ])
    assert run.rc == 0, run.output[-4000:]
    types = run.one("types")
    assert types["changed"] is True and types["organization"]["enabled_policy_types"] == [
        "SERVICE_CONTROL_POLICY", "TAG_POLICY"]
    # It polled ListRoots until TAG_POLICY read ENABLED, and never had AttachPolicy refused.
    assert [c["action"] for c in proxy.calls].count("ListRoots") >= 3
    assert refusals(proxy) == []
    client = aws.client("organizations")
    tag_policies = client.list_policies_for_target(TargetId=organization["root_id"], Filter="TAG_POLICY")["Policies"]
    assert [p["Name"] for p in tag_policies] == ["required-tags"]

    proxy.reset()
    again = ansible.run_module("awsorg.landing_zone.org_organization",
                               {"enabled_policy_types": ["SERVICE_CONTROL_POLICY", "TAG_POLICY"]})
    assert again["changed"] is False
    assert proxy.mutating_calls() == []


def test_a_run_that_finds_a_type_pending_enable_waits_for_it_instead_of_stopping(
        ansible, proxy, aws, organization, monkeypatch):
    clock = FakeClock()
    monkeypatch.setattr(proxy.strict, "clock", clock)
    proxy.configure_strict(policy_type_change_seconds=60)
    through(proxy, "organizations").enable_policy_type(RootId=organization["root_id"], PolicyType="TAG_POLICY")
    args = {"policies": [dict(type="TAG_POLICY", name="required-tags", policy={"tags": {}}, targets=["/"])]}
    proxy.reset()
    # The preview takes the enabling under way as done (the real run waits for it), and writes nothing.
    preview = ansible.run_module("awsorg.landing_zone.org_policy", args, check=True)
    assert preview["changed"] is True and "msg" not in preview, preview
    assert proxy.mutating_calls() == []

    # The type settles once the run has seen it PENDING_ENABLE twice (its first read, then one poll).
    seen = []

    def settle_after_two_reads(call, answer):
        if call["action"] == "ListRoots":
            seen.append(call["strict"])
            if len(seen) == 2:
                clock.now += 60
        return None

    monkeypatch.setattr(proxy, "after_forward", settle_after_two_reads)
    proxy.reset()
    applied = ansible.run_module("awsorg.landing_zone.org_policy", args)
    assert applied["changed"] is True, applied
    assert seen[:2] == ["rewritten", "rewritten"] and len(seen) >= 3, seen
    assert refusals(proxy) == []
    tag_policies = aws.client("organizations").list_policies_for_target(
        TargetId=organization["root_id"], Filter="TAG_POLICY")["Policies"]
    assert [p["Name"] for p in tag_policies] == ["required-tags"]
