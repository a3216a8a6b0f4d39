"""org_policy: every Organizations policy type end to end, read back through boto3 (through the proxy).

moto holds service control, resource control, tag and AI services opt-out
policies; backup, chat applications and declarative policies are the strict
layer's (tests/harness/strict_rules/policy_types.py), so their end state is
read through the proxy too.  One converge is shared by the assertions it can
serve.
"""

import json

import pytest

from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.policy_documents import documents_differ
from tests.harness.clients import through

MODULE = "awsorg.landing_zone.org_policy"

RCP_TLS = {
    "Version": "2012-10-17",
    "Statement": [{
        "Sid": "EnforceTLS", "Effect": "Deny", "Principal": "*", "Action": ["s3:*", "sqs:*"], "Resource": "*",
        "Condition": {"BoolIfExists": {"aws:SecureTransport": "false"}, "Bool": {"aws:PrincipalIsAWSService": "false"}},
    }],
}
TAG_POLICY = {"tags": {"costcenter": {"tag_key": {"@@assign": "CostCenter"}, "tag_value": {"@@assign": ["100", "200"]}}}}
AI_OPT_OUT = {"services": {"default": {"opt_out_policy": {"@@assign": "optOut"}}}}
BACKUP = {"plans": {"daily": {"regions": {"@@assign": ["eu-west-1"]}, "rules": {"daily": {
    "schedule_expression": {"@@assign": "cron(0 5 ? * * *)"}, "target_backup_vault_name": {"@@assign": "Default"}}},
    "selections": {"tags": {"all": {"iam_role_arn": {"@@assign": "arn:aws:iam::$account:role/Backup"},
                                    "tag_key": {"@@assign": "backup"}, "tag_value": {"@@assign": ["daily"]}}}}}}}
DECLARATIVE = {"ec2_attributes": {"image_block_public_access": {"state": {"@@assign": "block_new_sharing"}}}}
CHATBOT = {"chatbot": {"platforms": {"slack": {"client": {"@@assign": "disabled"}}}}}

POLICIES = [
    ("RESOURCE_CONTROL_POLICY", "enforce-tls", RCP_TLS, ["/"]),
    ("TAG_POLICY", "required-tags", TAG_POLICY, ["/workloads"]),
    ("AISERVICES_OPT_OUT_POLICY", "ai-opt-out", AI_OPT_OUT, ["/"]),
    ("BACKUP_POLICY", "daily-backups", BACKUP, ["/workloads"]),
    ("DECLARATIVE_POLICY_EC2", "block-ami-sharing", DECLARATIVE, ["/"]),
    ("CHATBOT_POLICY", "no-slack", CHATBOT, ["/workloads"]),
]
TYPES = sorted({"SERVICE_CONTROL_POLICY"} | {p[0] for p in POLICIES})


def converge_tasks(account_id):
    tasks = [{"name": "policy types", "awsorg.landing_zone.org_organization": {"enabled_policy_types": TYPES}}]
    for policy_type, name, document, targets in POLICIES:
        targets = targets + [account_id] if policy_type == "BACKUP_POLICY" else targets
        params = dict(type=policy_type, name=name, policy=document, targets=targets, purge_targets=True,
                      tags={"owner": "platform"})
        tasks.append({"name": name, MODULE: params})
    return tasks


def read_back(client, policy_type, name):
    summary = next(p for p in client.list_policies(Filter=policy_type)["Policies"] if p["Name"] == name)
    content = json.loads(client.describe_policy(PolicyId=summary["Id"])["Policy"]["Content"])
    targets = {t["TargetId"] for t in client.list_targets_for_policy(PolicyId=summary["Id"])["Targets"]}
    tags = client.list_tags_for_resource(ResourceId=summary["Id"])["Tags"]
    return summary, content, targets, tags


@pytest.mark.skipif("not __import__('tests.harness.strict_aws', fromlist=['x']).strict_default()",
                    reason="backup, chat applications and declarative policies are the strict layer's")
@pytest.mark.long
def test_every_policy_type_created_attached_and_read_back_second_run_writes_nothing(ansible, proxy, organization):
    client = organization["client"]
    workloads = client.create_organizational_unit(ParentId=organization["root_id"], Name="workloads")
    workloads_id = workloads["OrganizationalUnit"]["Id"]
    account_id = client.create_account(AccountName="app", Email="app@example.com")["CreateAccountStatus"]["AccountId"]
    expected = {"/": organization["root_id"], "/workloads": workloads_id}
    proxy.reset()

    first = ansible.run_tasks(converge_tasks(account_id))
    assert first.rc == 0, first.output[-4000:]
    api = through(proxy, "organizations")
    enabled = {t["Type"] for t in api.list_roots()["Roots"][0]["PolicyTypes"] if t["Status"] == "ENABLED"}
    assert enabled >= set(TYPES)
    for policy_type, name, document, targets in POLICIES:
        result = first.one(name)
        assert result["changed"] is True, result
        summary, content, attached, tags = read_back(api, policy_type, name)
        assert summary["Type"] == policy_type and result["policy"]["id"] == summary["Id"]
        assert result["policy"]["type"] == policy_type
        assert not documents_differ(content, document), (name, content)
        wanted = {expected[t] for t in targets} | ({account_id} if policy_type == "BACKUP_POLICY" else set())
        # RCPFullAWSAccess stays on the root beside the task's RCP; ListTargetsForPolicy is per policy.
        assert attached == wanted, (name, attached)
        assert tags == [{"Key": "owner", "Value": "platform"}]
    assert first.one("ai-opt-out")["policy"]["size_limit"] == 2500
    assert first.one("enforce-tls")["policy"]["size_limit"] == 5120
    assert first.one("daily-backups")["policy"]["size_limit"] == 10000

    proxy.reset()
    again = ansible.run_tasks(converge_tasks(account_id), diff=True)
    assert again.rc == 0, again.output[-4000:]
    for _policy_type, name, _document, _targets in POLICIES:
        assert again.one(name)["changed"] is False, again.one(name)
    assert proxy.mutating_calls() == []

    # Deleting an emulated policy detaches it first; AWS keeps nothing of it.
    gone = ansible.run_module(MODULE, dict(type="BACKUP_POLICY", name="daily-backups", state="absent"))
    assert gone["changed"] is True, gone
    assert [p["Name"] for p in api.list_policies(Filter="BACKUP_POLICY")["Policies"]] == []


def refusal(title, args):
    return {"name": title, MODULE: args, "ignore_errors": True}


def test_refusals_before_any_write(ansible, proxy, organization, aws):
    client = organization["client"]
    root_id = organization["root_id"]
    client.enable_policy_type(RootId=root_id, PolicyType="RESOURCE_CONTROL_POLICY")
    client.enable_policy_type(RootId=root_id, PolicyType="AISERVICES_OPT_OUT_POLICY")
    # RCPFullAWSAccess and four more: the root is full (5 RCPs per target).
    for number in range(4):
        created = client.create_policy(Name=f"rcp-{number}", Description="", Type="RESOURCE_CONTROL_POLICY",
                                       Content=json.dumps(RCP_TLS))
        policy_id = created["Policy"]["PolicySummary"]["Id"]
        client.attach_policy(PolicyId=policy_id, TargetId=root_id)
    allow = {"Version": "2012-10-17", "Statement": [dict(RCP_TLS["Statement"][0], Effect="Allow")]}
    no_principal = {"Version": "2012-10-17", "Statement": [{k: v for k, v in RCP_TLS["Statement"][0].items() if k != "Principal"}]}
    oversized = {"services": {f"service{n:04d}": {"opt_out_policy": {"@@assign": "optOut"}} for n in range(60)}}
    proxy.reset()

    run = ansible.run_tasks([
        refusal("rcp allow", dict(type="RESOURCE_CONTROL_POLICY", name="allow", policy=allow)),
        refusal("rcp principal", dict(type="RESOURCE_CONTROL_POLICY", name="p", policy=no_principal)),
        refusal("rcp full root", dict(type="RESOURCE_CONTROL_POLICY", name="sixth", policy=RCP_TLS, targets=["/"])),
        refusal("tag policy as iam", dict(type="TAG_POLICY", name="t", policy=RCP_TLS)),
        refusal("tag key", dict(type="TAG_POLICY", name="t", policy={"tag": {}})),
        refusal("operator", dict(type="TAG_POLICY", name="t", policy={"tags": {"a": {"tag_key": {"@@set": "A"}}}})),
        refusal("ai oversized", dict(type="AISERVICES_OPT_OUT_POLICY", name="ai", policy=oversized)),
        refusal("not enabled", dict(type="BACKUP_POLICY", name="b", policy=BACKUP, targets=["/"])),
        refusal("managed", dict(type="RESOURCE_CONTROL_POLICY", name="RCPFullAWSAccess", policy=RCP_TLS)),
    ])
    messages = {name: run.one(name).get("msg", "") for name in (
        "rcp allow", "rcp principal", "rcp full root", "tag policy as iam", "tag key", "operator", "ai oversized",
        "not enabled", "managed")}
    statuses = {r["task"]: r["status"] for r in run.results}
    for name in messages:
        assert statuses[name] == "failed", (name, run.one(name))
    assert "Effect must be 'Deny'" in messages["rcp allow"]
    assert 'Principal must be "*"' in messages["rcp principal"]
    assert "already has 5 RESOURCE_CONTROL_POLICY policies attached, RCPFullAWSAccess included" in messages["rcp full root"]
    assert "management policy" in messages["tag policy as iam"]
    assert "under 'tags'" in messages["tag key"]
    assert "unknown operator '@@set'" in messages["operator"]
    assert "AI services opt-out policy size limit is 2500 characters" in messages["ai oversized"]
    assert "BACKUP_POLICY" in messages["not enabled"] and "not enabled" in messages["not enabled"]
    assert "AWS managed policy" in messages["managed"]
    assert proxy.mutating_calls() == []
    assert sorted(p["Name"] for p in aws.client("organizations").list_policies(
        Filter="RESOURCE_CONTROL_POLICY")["Policies"]) == ["RCPFullAWSAccess", "rcp-0", "rcp-1", "rcp-2", "rcp-3"]


def test_policies_of_several_types_in_one_run_each_name_once(ansible, proxy, organization, aws):
    client = organization["client"]
    for policy_type in ("TAG_POLICY", "AISERVICES_OPT_OUT_POLICY"):
        client.enable_policy_type(RootId=organization["root_id"], PolicyType=policy_type)
    policies = [dict(type="TAG_POLICY", name="required-tags", policy=TAG_POLICY, targets=["/"]),
                dict(type="AISERVICES_OPT_OUT_POLICY", name="ai-opt-out", policy=AI_OPT_OUT, targets=["/"])]
    proxy.reset()

    # One name in two types: refused before anything is written (CreatePolicy's names are not per type).
    twice = ansible.run_module(MODULE, dict(policies=policies + [dict(policies[1], name="required-tags")]))
    assert "'required-tags' is the name of another element of policies" in twice["msg"]
    # An element without a type, when the task gives none either.
    untyped = ansible.run_module(MODULE, dict(policies=[dict(name="x", policy=TAG_POLICY)]))
    assert "missing required arguments: type" in untyped["msg"], untyped["msg"]
    assert proxy.mutating_calls() == []

    first = ansible.run_module(MODULE, dict(policies=policies))
    assert [r["policy"]["type"] for r in first["results"]] == ["TAG_POLICY", "AISERVICES_OPT_OUT_POLICY"]
    api = through(proxy, "organizations")
    _summary, content, targets, _tags = read_back(api, "TAG_POLICY", "required-tags")
    assert not documents_differ(content, TAG_POLICY) and targets == {organization["root_id"]}
    _summary, content, targets, _tags = read_back(api, "AISERVICES_OPT_OUT_POLICY", "ai-opt-out")
    assert not documents_differ(content, AI_OPT_OUT) and targets == {organization["root_id"]}

    proxy.reset()
    again = ansible.run_module(MODULE, dict(policies=policies))
    assert again["changed"] is False, again
    assert proxy.mutating_calls() == []


def test_the_run_is_checked_as_a_whole_against_each_target_limit_before_any_write(ansible, proxy, organization, aws):
    """Each element is checked against the root as the elements before it leave it: a later one that would
    overfill it stops the run before the first write, and a deletion earlier in the list makes the room."""
    client = organization["client"]
    root_id = organization["root_id"]
    client.enable_policy_type(RootId=root_id, PolicyType="RESOURCE_CONTROL_POLICY")
    # RCPFullAWSAccess and two more: room for two (5 RCPs per target).
    for number in range(2):
        created = client.create_policy(Name=f"rcp-{number}", Description="", Type="RESOURCE_CONTROL_POLICY",
                                       Content=json.dumps(RCP_TLS))
        client.attach_policy(PolicyId=created["Policy"]["PolicySummary"]["Id"], TargetId=root_id)
    three = [dict(type="RESOURCE_CONTROL_POLICY", name=name, policy=RCP_TLS, targets=["/"])
             for name in ("tls-a", "tls-b", "tls-c")]
    api = through(proxy, "organizations")
    proxy.reset()

    refused = ansible.run_module(MODULE, dict(policies=three))
    assert [r["status"] for r in refused["_run"].results] == ["failed"], refused
    # The third element, with the root as the first two would leave it.
    assert "item 2 (tls-c): targets: / (" in refused["msg"], refused["msg"]
    assert "already has 5 RESOURCE_CONTROL_POLICY policies attached" in refused["msg"], refused["msg"]
    assert "tls-a" not in refused["msg"] and "tls-b" not in refused["msg"], refused["msg"]
    assert proxy.mutating_calls() == []
    # The root's count read once for the three elements.
    assert [c["action"] for c in proxy.calls].count("ListPoliciesForTarget") == 1
    assert sorted(p["Name"] for p in api.list_policies(Filter="RESOURCE_CONTROL_POLICY")["Policies"]) == [
        "RCPFullAWSAccess", "rcp-0", "rcp-1"]

    # Deleting rcp-0 first makes room for the three.
    proxy.reset()
    done = ansible.run_module(MODULE, dict(policies=[dict(type="RESOURCE_CONTROL_POLICY", name="rcp-0",
                                                          state="absent")] + three))
    assert done["changed"] is True, done
    on_root = {p["Name"] for p in api.list_policies_for_target(TargetId=root_id,
                                                               Filter="RESOURCE_CONTROL_POLICY")["Policies"]}
    assert on_root == {"RCPFullAWSAccess", "rcp-1", "tls-a", "tls-b", "tls-c"}
    writes = [c["action"] for c in proxy.mutating_calls()]
    assert writes == ["DetachPolicy", "DeletePolicy"] + ["CreatePolicy", "AttachPolicy"] * 3, writes
