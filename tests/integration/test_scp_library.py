"""The SCP library through the organization role against moto: plan, pack, converge, re-run, shrink."""

import json

import pytest

from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.policy_documents import documents_differ
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.scp_library import library_document
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.scp_packing import LIBRARY_TAG

SCP = "SERVICE_CONTROL_POLICY"
LIBRARY_TASKS = {
    "name": "library",
    "ansible.builtin.include_role": {"name": "awsorg.landing_zone.organization", "tasks_from": "scp_library"},
}
REGION_GUARD = dict(name="allow_regions", params=dict(regions=["us-east-1", "eu-west-1"],
                                                      exempt_roles=["OrganizationAccountAccessRole"]))
SELECTIONS = [
    dict(name="deny_root_user", targets=["/workloads"]),
    dict(name="protect_security_services", targets=["/workloads"]),
    dict(REGION_GUARD, targets=["/workloads"]),
    # An account host as target, and two entries packed together there.
    dict(name="require_imdsv2", targets=["sandbox"]),
    dict(name="deny_leave_organization", targets=["sandbox"]),
]
# Inline SCPs of the inventory: they count against the per-target limit.
INLINE = [dict(name=f"inline-{n}", targets=["/workloads"]) for n in range(7)]


def ou(client, parent_id, name):
    return client.create_organizational_unit(ParentId=parent_id, Name=name)["OrganizationalUnit"]["Id"]


def scps(client):
    """{name: {id, targets, content, tags}} of every customer SCP."""
    found = {}
    for summary in client.list_policies(Filter=SCP)["Policies"]:
        if summary["AwsManaged"]:
            continue
        policy_id = summary["Id"]
        found[summary["Name"]] = dict(
            id=policy_id,
            targets={t["TargetId"] for t in client.list_targets_for_policy(PolicyId=policy_id)["Targets"]},
            content=json.loads(client.describe_policy(PolicyId=policy_id)["Policy"]["Content"]),
            tags={t["Key"]: t["Value"] for t in client.list_tags_for_resource(ResourceId=policy_id)["Tags"]},
        )
    return found


def role_result(run, task):
    found = [r["result"] for r in run.results if r["task"].endswith(task)]
    assert len(found) == 1, f"{task}: {len(found)} results\n{run.output[-3000:]}"
    return found[0]


def library_run(ansible, sandbox_id, check=False, extra_tasks=(), selections=None, **extra_vars):
    # account_target turns the host "sandbox" into hostvars["sandbox"].account_id.
    inventory = ansible.workdir / "hosts.ini"
    inventory.write_text(f"localhost ansible_connection=local\nsandbox account_id={sandbox_id}\n")
    return ansible.run_tasks(
        [LIBRARY_TASKS, *extra_tasks], check=check, diff=True, inventory=inventory,
        play_vars=dict(landing_zone_scp_library=SELECTIONS if selections is None else selections,
                       landing_zone_service_control_policies=INLINE,
                       **extra_vars),
    )


@pytest.mark.long
def test_library_is_planned_packed_converged_kept_and_shrunk(ansible, aws, proxy, organization):
    client = organization["client"]
    root = organization["root_id"]
    workloads = ou(client, root, "workloads")
    prod = ou(client, workloads, "prod")
    suspended = ou(client, root, "suspended")
    sandbox = client.create_account(AccountName="sandbox", Email="sandbox@example.com")["CreateAccountStatus"]["AccountId"]
    # A packed SCP of an earlier run (tagged) that no selection has now, and
    # a look-alike someone made by hand (untagged) that must be left alone.
    stale = client.create_policy(Name="lz-suspended-1", Description="old", Type=SCP, Tags=[
        {"Key": LIBRARY_TAG, "Value": "/suspended"}],
        Content=json.dumps(library_document(["deny_all"])))["Policy"]["PolicySummary"]["Id"]
    client.attach_policy(PolicyId=stale, TargetId=suspended)
    client.create_policy(Name="lz-handmade-1", Description="not ours", Type=SCP,
                         Content=json.dumps(library_document(["deny_all"])))
    proxy.reset()

    # Check mode: the plan is shown, nothing is written.
    run = library_run(ansible, sandbox, check=True)
    plan = role_result(run, "SCP library - plan")["plan"]
    assert [(p["name"], p["target"], p["exists"]) for p in plan["policies"]] == [
        ("lz-workloads-1", "/workloads", False),
        (f"lz-{sandbox}-1", sandbox, False),
    ]
    assert plan["policies"][1]["statements"] == ["RequireImdsv2OnLaunch", "DenyImdsv1Credentials",
                                                 "DenyInstanceMetadataOptionsChange", "DenyLeaveOrganization"]
    workloads_plan = plan["policies"][0]
    assert workloads_plan["statements"] == ["DenyRootUser", "ProtectCloudTrail", "ProtectConfig", "ProtectGuardDuty",
                                            "ProtectSecurityHub", "ProtectAccessAnalyzer", "DenyOutsideAllowedRegions"]
    assert plan["targets"]["/workloads"]["attached"] == 9  # FullAWSAccess + 7 inline + 1 packed
    assert plan["retired"] == ["lz-suspended-1"]
    shown = role_result(run, "SCP library - which statements go into which SCP on which target")
    assert any(line.startswith("lz-workloads-1 on /workloads (") for line in shown["organization_scp_library_plan.plan.summary"])
    assert "lz-suspended-1: no longer planned, deleted" in shown["organization_scp_library_plan.plan.summary"]
    assert proxy.mutating_calls() == [], proxy.mutating_calls()
    assert set(scps(client)) == {"lz-suspended-1", "lz-handmade-1"}

    # Apply, plus an SCP built with the lookup and written by org_scp itself.
    lookup_task = {
        "name": "lookup",
        "awsorg.landing_zone.org_scp": {
            "name": "guardrails",
            "policy": "{{ lookup('awsorg.landing_zone.scp_library', 'deny_leave_organization', 'deny_root_user') }}",
            "targets": ["/workloads/prod"],
        },
    }
    run = library_run(ansible, sandbox, extra_tasks=[lookup_task])
    assert run.rc == 0, run.output[-4000:]
    found = scps(client)
    assert set(found) == {f"lz-{sandbox}-1", "lz-workloads-1", "lz-handmade-1", "guardrails"}
    expected_targets = {f"lz-{sandbox}-1": sandbox, "lz-workloads-1": workloads}
    for policy in plan["policies"]:
        stored = found[policy["name"]]
        assert stored["targets"] == {expected_targets[policy["name"]]}
        assert not documents_differ(stored["content"], policy["document"])
        assert stored["tags"] == {LIBRARY_TAG: policy["target"]}
    assert [s["Sid"] for s in found["lz-workloads-1"]["content"]["Statement"]] == workloads_plan["statements"]
    assert found["guardrails"]["content"] == library_document(["deny_leave_organization", "deny_root_user"])
    assert found["guardrails"]["targets"] == {prod}

    # Re-run: nothing changes. Two plans are refused before any write: one
    # that overflows the 10 SCPs of /workloads, one whose name is taken by
    # the hand-made SCP.
    proxy.reset()
    overflow = {"name": "overflow", "awsorg.landing_zone.org_scp_library_plan": {
        "library": [dict(name=n, targets=["/workloads"]) for n in ("deny_root_user", "deny_all", "require_imdsv2")],
        "other_policies": INLINE + [dict(name="inline-7", targets=["/workloads"])],
        "size_limit": 600}, "ignore_errors": True}
    taken = {"name": "taken", "awsorg.landing_zone.org_scp_library_plan": {
        "library": [dict(name="deny_all", targets=["/handmade"])]}, "ignore_errors": True}
    run = library_run(ansible, sandbox, extra_tasks=[overflow, taken])
    assert [r["task"] for r in run.changed()] == [], run.changed()
    assert "need 2 SCPs of at most 600 characters, but only 1 of the 10 SCPs a target may have are free" \
           " (9 taken: FullAWSAccess, inline-0" in run.one("overflow")["msg"]
    assert run.one("taken")["msg"] == (
        "library: the SCP lz-handmade-1 exists but was not packed from the library (it has no"
        " landing-zone:scp-library tag); rename it, or choose another prefix than 'lz'")
    assert proxy.mutating_calls() == [], proxy.mutating_calls()

    # Shrink: the account is no longer selected (its SCP goes), and a
    # smaller size limit splits /workloads in two.
    smaller = [s for s in SELECTIONS if s["targets"] != ["sandbox"]]
    run = library_run(ansible, sandbox, selections=smaller, landing_zone_scp_size_limit=2000)
    assert run.rc == 0, run.output[-4000:]
    plan = role_result(run, "SCP library - plan")["plan"]
    assert plan["retired"] == [f"lz-{sandbox}-1"]
    found = scps(client)
    assert set(found) == {"lz-workloads-1", "lz-workloads-2", "lz-handmade-1", "guardrails"}
    split = found["lz-workloads-1"]["content"]["Statement"] + found["lz-workloads-2"]["content"]["Statement"]
    assert sorted(s["Sid"] for s in split) == sorted(workloads_plan["statements"])
    for name in ("lz-workloads-1", "lz-workloads-2"):
        assert found[name]["targets"] == {workloads}
        assert len(json.dumps(found[name]["content"], separators=(",", ":"))) <= 2000


def test_libraries_are_planned_in_one_run_and_every_element_is_checked_first(ansible, aws, proxy, organization):
    client = organization["client"]
    ou(client, organization["root_id"], "workloads")
    client.enable_policy_type(RootId=organization["root_id"], PolicyType="RESOURCE_CONTROL_POLICY")
    libraries = [
        dict(library=[dict(name="deny_root_user", targets=["/workloads"])]),
        dict(type="RESOURCE_CONTROL_POLICY", prefix="lz-rcp", organization_id="o-exampleorgid",
             library=[dict(name="enforce_tls", targets=["/"])]),
    ]
    proxy.reset()
    result = ansible.run_module("awsorg.landing_zone.org_scp_library_plan", dict(libraries=libraries))
    assert result.get("failed") is not True, result
    assert result["changed"] is False and "diff" not in result
    scp_plan, rcp_plan = (element["plan"] for element in result["results"])
    assert [(p["name"], p["target"], p["exists"]) for p in scp_plan["policies"]] == [
        ("lz-workloads-1", "/workloads", False)]
    assert [(p["name"], p["target"]) for p in rcp_plan["policies"]] == [("lz-rcp-root-1", "/")]
    assert rcp_plan["policies"][0]["tags"] == {"landing-zone:rcp-library": "/"}
    assert proxy.mutating_calls() == []

    # An element the module refuses stops the run before any element is planned (no AWS call at all).
    proxy.reset()
    bad = libraries + [dict(type="TAG_POLICY", library=[])]
    result = ansible.run_module("awsorg.landing_zone.org_scp_library_plan", dict(libraries=bad))
    assert result["msg"].startswith("item 2: value of type must be one of: SERVICE_CONTROL_POLICY,"
                                    " RESOURCE_CONTROL_POLICY, got: TAG_POLICY"), result["msg"]
    assert "results" not in result
    assert proxy.calls == []
