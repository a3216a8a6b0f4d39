"""The inventory's policies of every type through the organization role, read back through boto3 (the proxy).

One converge of a small inventory (the role's main tasks, then its policy
tasks, as playbooks/organization.yml runs them): an inline RCP, a tag policy
from a few lines, the AI services opt-out at the root and two entries of the
RCP library; the policy types enabled are those the inventory uses.  Every
policy is read back, and a second run writes nothing.
"""

import json

import pytest

from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.policy_documents import documents_differ
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.policy_inventory import ai_opt_out_document
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.policy_inventory import tag_policy_document
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.rcp_library import LIBRARY as RCP_LIBRARY
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.scp_packing import RCP_LIBRARY_TAG
from tests.harness.clients import through

RCP = "RESOURCE_CONTROL_POLICY"
TAG = "TAG_POLICY"
AI = "AISERVICES_OPT_OUT_POLICY"
INLINE_RCP = {
    "Version": "2012-10-17",
    "Statement": [{"Sid": "DenyDeleteSecrets", "Effect": "Deny", "Principal": "*", "Action": "secretsmanager:DeleteSecret",
                   "Resource": "*"}],
}
REQUIRED_TAGS = {"CostCenter": ["100", "200"], "Owner": None}
INVENTORY = dict(
    landing_zone_organizational_units=["/workloads"],
    landing_zone_policies=[dict(type=RCP, name="keep-secrets", description="Secrets are not deleted",
                                document=INLINE_RCP, targets=["/workloads"])],
    landing_zone_tag_policy=dict(required_tags=REQUIRED_TAGS, targets=["/workloads", "app"]),
    landing_zone_ai_services_opt_out=True,
    # A packed SCP on /workloads (lz-workloads-1): the packed RCPs are named apart from it.
    landing_zone_scp_library=[dict(name="deny_leave_organization", targets=["/workloads"])],
    landing_zone_rcp_library=[dict(name="enforce_tls", targets=["/"]),
                              dict(name="data_perimeter", params=dict(services=["s3", "sts"]), targets=["/workloads"])],
)
TASKS = [
    {"name": "organization", "ansible.builtin.include_role": {"name": "awsorg.landing_zone.organization"}},
    {"name": "policies", "ansible.builtin.include_role": {"name": "awsorg.landing_zone.organization", "tasks_from": "policies"}},
]


def converge(ansible, app_id):
    # account_target turns the host "app" into hostvars["app"].account_id.
    inventory = ansible.workdir / "hosts.ini"
    inventory.write_text(f"localhost ansible_connection=local\napp account_id={app_id}\n")
    return ansible.run_tasks(TASKS, diff=True, inventory=inventory, play_vars=INVENTORY)


def policies_of(api, policy_type):
    """{name: (content, {target ids}, {tag: value})} of the customer policies of one type."""
    found = {}
    for summary in api.list_policies(Filter=policy_type)["Policies"]:
        if summary["AwsManaged"]:
            continue
        policy_id = summary["Id"]
        found[summary["Name"]] = (
            json.loads(api.describe_policy(PolicyId=policy_id)["Policy"]["Content"]),
            {t["TargetId"] for t in api.list_targets_for_policy(PolicyId=policy_id)["Targets"]},
            {t["Key"]: t["Value"] for t in api.list_tags_for_resource(ResourceId=policy_id)["Tags"]},
        )
    return found


def rcp_document(name, **params):
    return {"Version": "2012-10-17", "Statement": RCP_LIBRARY[name].statements(params)}


@pytest.mark.long
def test_inventory_policies_of_every_type_converge_read_back_and_second_run_writes_nothing(ansible, proxy, organization):
    client = organization["client"]
    root = organization["root_id"]
    app_id = client.create_account(AccountName="app", Email="app@example.com")["CreateAccountStatus"]["AccountId"]
    org_id = client.describe_organization()["Organization"]["Id"]
    proxy.reset()

    first = converge(ansible, app_id)
    assert first.rc == 0, first.output[-4000:]
    # Every policy, the libraries' packed ones included, converged by one module run.
    [converged] = [r["result"] for r in first.results if r["task"].endswith("Organizations policies of every type, in one run")]
    assert [(r["policy"]["type"], r["policy"]["name"]) for r in converged["results"]] == [
        ("SERVICE_CONTROL_POLICY", "lz-workloads-1"), (RCP, "keep-secrets"), (TAG, "lz-tag-policy"),
        (AI, "lz-ai-services-opt-out"), (RCP, "lz-rcp-root-1"), (RCP, "lz-rcp-workloads-1")]
    api = through(proxy, "organizations")
    workloads = next(ou["Id"] for ou in api.list_organizational_units_for_parent(ParentId=root)["OrganizationalUnits"]
                     if ou["Name"] == "workloads")
    assert "lz-workloads-1" in policies_of(api, "SERVICE_CONTROL_POLICY")
    enabled = {t["Type"] for t in api.list_roots()["Roots"][0]["PolicyTypes"] if t["Status"] == "ENABLED"}
    assert enabled == {"SERVICE_CONTROL_POLICY", RCP, TAG, AI}

    content, targets, _tags = policies_of(api, TAG)["lz-tag-policy"]
    assert content == tag_policy_document(REQUIRED_TAGS)
    assert content["tags"]["costcenter"] == {"tag_key": {"@@assign": "CostCenter"}, "tag_value": {"@@assign": ["100", "200"]}}
    assert content["tags"]["owner"] == {"tag_key": {"@@assign": "Owner"}}
    assert targets == {workloads, app_id}

    content, targets, _tags = policies_of(api, AI)["lz-ai-services-opt-out"]
    assert content == ai_opt_out_document()
    assert content["services"]["default"]["opt_out_policy"]["@@assign"] == "optOut"
    assert targets == {root}

    rcps = policies_of(api, RCP)
    assert set(rcps) == {"keep-secrets", "lz-rcp-root-1", "lz-rcp-workloads-1"}
    content, targets, _tags = rcps["keep-secrets"]
    assert not documents_differ(content, INLINE_RCP) and targets == {workloads}
    content, targets, tags = rcps["lz-rcp-root-1"]
    assert not documents_differ(content, rcp_document("enforce_tls")) and targets == {root}
    assert tags == {RCP_LIBRARY_TAG: "/"}
    content, targets, tags = rcps["lz-rcp-workloads-1"]
    # The organization's own id, filled in from org_organization's result.
    assert not documents_differ(content, rcp_document("data_perimeter", organization_id=org_id, services=["s3", "sts"]))
    assert content["Statement"][0]["Condition"]["StringNotEqualsIfExists"]["aws:PrincipalOrgID"] == org_id
    assert targets == {workloads} and tags == {RCP_LIBRARY_TAG: "/workloads"}

    proxy.reset()
    second = converge(ansible, app_id)
    assert second.rc == 0, second.output[-4000:]
    assert second.changed() == [], [r["task"] for r in second.changed()]
    assert proxy.mutating_calls() == [], proxy.mutating_calls()
