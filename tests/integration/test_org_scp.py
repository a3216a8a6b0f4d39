"""org_scp against moto: create and attach, update, targets, refusals, delete."""

import json

import pytest

from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.policy_documents import documents_differ
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.policy_documents import minify
from tests.harness.lost_answers import FirstAnswerLost

MODULE = "awsorg.landing_zone.org_scp"
FULL_AWS_ACCESS_ID = "p-FullAWSAccess"
DENY_LEAVE = {
    "Version": "2012-10-17",
    "Statement": [
        {"Sid": "DenyLeave", "Effect": "Deny", "Action": "organizations:LeaveOrganization", "Resource": "*"}
    ],
}
# DENY_LEAVE as someone else would write it: other key order, one-item
# lists, a statement object instead of a list, indented JSON text.
DENY_LEAVE_REWRITTEN = json.dumps(
    {
        "Statement": {
            "Resource": ["*"],
            "Action": ["organizations:LeaveOrganization"],
            "Effect": "Deny",
            "Sid": "DenyLeave",
        },
        "Version": "2012-10-17",
    },
    indent=4,
)


def make_ou(client, parent_id, name):
    return client.create_organizational_unit(ParentId=parent_id, Name=name)["OrganizationalUnit"]["Id"]


def make_account(client, name):
    return client.create_account(AccountName=name, Email=f"{name}@example.com")["CreateAccountStatus"]["AccountId"]


def make_policy(client, name, document, *target_ids):
    policy_id = client.create_policy(
        Name=name, Description=f"{name} (set up by the test)", Type="SERVICE_CONTROL_POLICY",
        Content=json.dumps(document, indent=2),
    )["Policy"]["PolicySummary"]["Id"]
    for target_id in target_ids:
        client.attach_policy(PolicyId=policy_id, TargetId=target_id)
    return policy_id


def scp_names(client):
    return {p["Name"] for p in client.list_policies(Filter="SERVICE_CONTROL_POLICY")["Policies"]}


def policy_id_of(client, name):
    return next(p["Id"] for p in client.list_policies(Filter="SERVICE_CONTROL_POLICY")["Policies"] if p["Name"] == name)


def attached_ids(client, policy_id):
    return {t["TargetId"] for t in client.list_targets_for_policy(PolicyId=policy_id)["Targets"]}


def mutating_actions(proxy):
    return [c["action"] for c in proxy.mutating_calls()]


def task(title, args, check_mode=False):
    return {"name": title, MODULE: args, "ignore_errors": True, "check_mode": check_mode}


@pytest.mark.long
def test_check_mode_predicts_apply_creates_and_attaches_rerun_is_a_noop(ansible, aws, proxy, organization):
    client = organization["client"]
    prod = make_ou(client, make_ou(client, organization["root_id"], "workloads"), "prod")
    sandbox = make_account(client, "sandbox")
    args = dict(
        name="deny-leave",
        description="Members cannot leave",
        policy=DENY_LEAVE,
        targets=["/workloads/prod", sandbox],
        tags={"owner": "platform"},
    )
    expected_targets = [
        dict(target_id=prod, type="ORGANIZATIONAL_UNIT", name_or_path="/workloads/prod"),
        dict(target_id=sandbox, type="ACCOUNT", name_or_path="sandbox"),
    ]
    proxy.reset()

    predicted = ansible.run_module(MODULE, args, check=True)
    assert predicted["changed"] is True, predicted
    assert predicted["policy"]["id"] is None
    assert predicted["policy"]["targets"] == expected_targets
    assert predicted["policy"]["size"] == len(minify(DENY_LEAVE))
    assert predicted["policy"]["size_limit"] == 10240
    assert predicted["diff"]["before"] is None
    assert predicted["diff"]["after"]["content"] == DENY_LEAVE
    assert predicted["diff"]["after"]["targets"] == expected_targets
    assert proxy.mutating_calls() == []
    assert "deny-leave" not in scp_names(client)

    created = ansible.run_module(MODULE, args)
    assert created["changed"] is True, created
    assert sorted(mutating_actions(proxy)) == ["AttachPolicy", "AttachPolicy", "CreatePolicy"]
    policy_id = policy_id_of(client, "deny-leave")
    assert created["policy"]["id"] == policy_id
    stored = client.describe_policy(PolicyId=policy_id)["Policy"]
    assert stored["Content"] == minify(DENY_LEAVE)
    assert not documents_differ(json.loads(stored["Content"]), DENY_LEAVE)
    assert stored["PolicySummary"]["Description"] == "Members cannot leave"
    assert attached_ids(client, policy_id) == {prod, sandbox}
    assert client.list_tags_for_resource(ResourceId=policy_id)["Tags"] == [{"Key": "owner", "Value": "platform"}]
    assert created["policy"]["targets"] == expected_targets

    proxy.reset()
    rerun = ansible.run_tasks(
        [
            task("again in check mode", dict(args, policy=DENY_LEAVE_REWRITTEN), check_mode=True),
            task("again", dict(args, policy=DENY_LEAVE_REWRITTEN, targets=[sandbox, "/workloads/prod/"])),
        ],
        diff=True,
    )
    for name in ("again in check mode", "again"):
        result = rerun.one(name)
        assert result["changed"] is False, result
        assert result["policy"]["id"] == policy_id
        assert result["diff"]["before"] == result["diff"]["after"]
    assert proxy.mutating_calls() == []


@pytest.mark.long
def test_document_change_updates_only_then_targets_description_and_tags_move(
    ansible, aws, proxy, organization, tmp_path
):
    client = organization["client"]
    workloads = make_ou(client, organization["root_id"], "workloads")
    prod = make_ou(client, workloads, "prod")
    dev = make_ou(client, workloads, "dev")
    sandbox = make_account(client, "sandbox")
    policy_id = make_policy(client, "deny-leave", DENY_LEAVE, prod)
    client.tag_resource(ResourceId=policy_id, Tags=[{"Key": "owner", "Value": "old"}, {"Key": "stale", "Value": "x"}])
    widened = {
        "Version": "2012-10-17",
        "Statement": [
            dict(DENY_LEAVE["Statement"][0], Action=["organizations:LeaveOrganization", "account:CloseAccount"])
        ],
    }
    policy_file = tmp_path / "deny-leave.json"
    policy_file.write_text(json.dumps(widened, indent=2), encoding="utf-8")
    proxy.reset()

    updated = ansible.run_module(
        MODULE, dict(name="deny-leave", policy_file=str(policy_file), targets=["/workloads/prod"])
    )
    assert updated["changed"] is True, updated
    assert mutating_actions(proxy) == ["UpdatePolicy"]
    stored = client.describe_policy(PolicyId=policy_id)["Policy"]
    assert stored["Content"] == minify(widened)
    assert stored["PolicySummary"]["Description"] == "deny-leave (set up by the test)"
    assert updated["diff"]["before"]["content"] == DENY_LEAVE
    assert updated["diff"]["after"]["content"] == widened
    assert attached_ids(client, policy_id) == {prod}

    proxy.reset()
    moved = ansible.run_module(
        MODULE,
        dict(
            name="deny-leave",
            policy=widened,
            description="Members cannot leave or close",
            targets=["/workloads/dev", sandbox],
            purge_targets=True,
            tags={"owner": "platform"},
        ),
    )
    assert moved["changed"] is True, moved
    assert sorted(mutating_actions(proxy)) == [
        "AttachPolicy", "AttachPolicy", "DetachPolicy", "TagResource", "UntagResource", "UpdatePolicy"
    ]
    stored = client.describe_policy(PolicyId=policy_id)["Policy"]
    assert stored["Content"] == minify(widened)
    assert stored["PolicySummary"]["Description"] == "Members cannot leave or close"
    assert client.list_tags_for_resource(ResourceId=policy_id)["Tags"] == [{"Key": "owner", "Value": "platform"}]
    assert moved["diff"]["before"]["tags"] == {"owner": "old", "stale": "x"}
    assert moved["diff"]["after"]["description"] == "Members cannot leave or close"
    assert attached_ids(client, policy_id) == {dev, sandbox}
    assert [t["name_or_path"] for t in moved["diff"]["before"]["targets"]] == ["/workloads/prod"]
    assert moved["diff"]["after"]["targets"] == [
        dict(target_id=dev, type="ORGANIZATIONAL_UNIT", name_or_path="/workloads/dev"),
        dict(target_id=sandbox, type="ACCOUNT", name_or_path="sandbox"),
    ]
    assert moved["policy"]["targets"] == moved["diff"]["after"]["targets"]


def test_bad_documents_targets_and_limits_are_refused_before_any_write(ansible, aws, proxy, organization):
    client = organization["client"]
    root_id = organization["root_id"]
    full = make_ou(client, root_id, "full")
    # FullAWSAccess plus nine more: the OU is at the limit of ten SCPs.
    for number in range(9):
        make_policy(client, f"existing-{number}", DENY_LEAVE, full)
    assert len(client.list_policies_for_target(TargetId=full, Filter="SERVICE_CONTROL_POLICY")["Policies"]) == 10
    # An account whose only SCP is "only-scp": AWS refuses to detach it.
    lonely = make_account(client, "lonely")
    client.detach_policy(PolicyId=FULL_AWS_ACCESS_ID, TargetId=lonely)
    only_scp = make_policy(client, "only-scp", DENY_LEAVE, lonely)
    names_before = scp_names(client)

    oversize = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Deny", "Action": [f"ec2:DescribeSomething{n:04d}" for n in range(400)], "Resource": "*"}
        ],
    }
    oversize_size = len(minify(oversize))
    assert oversize_size > 10240
    missing_effect = {"Version": "2012-10-17", "Statement": [{"Action": "s3:*", "Resource": "*"}]}
    # (task title, module arguments, what the failure message must say)
    refusals = [
        (
            "oversize",
            dict(name="oversize", policy=oversize),
            f"is {oversize_size} characters; the service control policy size limit is 10240",
        ),
        (
            "bad json",
            dict(name="bad-json", policy='{"Version": "2012-10-17", "Statement": ['),
            "policy: not valid JSON",
        ),
        (
            "wrong version",
            dict(name="wrong-version", policy=dict(DENY_LEAVE, Version="2008-10-17")),
            "policy: Version must be '2012-10-17', found '2008-10-17'",
        ),
        (
            "missing effect",
            dict(name="missing-effect", policy=missing_effect),
            "policy: Statement[0]: Effect is missing",
        ),
        (
            "eleventh scp",
            dict(name="eleventh", policy=DENY_LEAVE, targets=["/", "/full"]),
            f"targets: /full ({full}) already has 10 SCPs attached, FullAWSAccess included; AWS allows at most 10",
        ),
        (
            "unknown targets",
            dict(name="unknown-targets", policy=DENY_LEAVE, targets=["/full", "/nowhere/else", "999999999999"]),
            "targets: the OU path '/nowhere/else' does not exist in the organization;"
            " targets: account 999999999999 is not a member of the organization",
        ),
        (
            "aws managed",
            dict(name="FullAWSAccess", state="absent"),
            "name: 'FullAWSAccess' is the AWS managed SCP",
        ),
        (
            "last scp",
            dict(name="only-scp", state="absent"),
            f"this policy is the only SCP attached to lonely ({lonely})",
        ),
    ]
    proxy.reset()
    run = ansible.run_tasks([task(refusal[0], refusal[1]) for refusal in refusals])

    statuses = {r["task"]: r["status"] for r in run.results}
    for title, message in ((refusal[0], refusal[2]) for refusal in refusals):
        assert statuses[title] == "failed", (title, run.one(title))
        assert message in run.one(title)["msg"], (title, run.one(title)["msg"])
    assert proxy.mutating_calls() == []
    assert scp_names(client) == names_before
    assert attached_ids(client, only_scp) == {lonely}


@pytest.mark.long
def test_absent_detaches_everywhere_then_deletes(ansible, aws, proxy, organization):
    client = organization["client"]
    prod = make_ou(client, organization["root_id"], "prod")
    policy_id = make_policy(client, "deny-leave", DENY_LEAVE, organization["root_id"], prod)
    proxy.reset()

    predicted = ansible.run_module(MODULE, dict(name="deny-leave", state="absent"), check=True)
    assert predicted["changed"] is True, predicted
    assert [t["name_or_path"] for t in predicted["diff"]["before"]["targets"]] == ["/", "/prod"]
    assert predicted["diff"]["after"] is None
    assert proxy.mutating_calls() == []
    assert attached_ids(client, policy_id) == {organization["root_id"], prod}

    absent = dict(name="deny-leave", state="absent")
    run = ansible.run_tasks([task("delete", absent), task("again", absent)])
    assert run.one("delete")["changed"] is True, run.one("delete")
    assert run.one("again")["changed"] is False, run.one("again")
    # Both detaches come before the delete, and the second task wrote nothing.
    assert mutating_actions(proxy) == ["DetachPolicy", "DetachPolicy", "DeletePolicy"]
    assert "deny-leave" not in scp_names(client)
    left_on_prod = client.list_policies_for_target(TargetId=prod, Filter="SERVICE_CONTROL_POLICY")["Policies"]
    assert [p["Id"] for p in left_on_prod] == [FULL_AWS_ACCESS_ID]


# --- policies: many SCPs in one run -------------------------------------------

DENY_REGIONS = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "DenyOtherRegions",
            "Effect": "Deny",
            "NotAction": ["iam:*", "organizations:*", "sts:*"],
            "Resource": "*",
            "Condition": {"StringNotEquals": {"aws:RequestedRegion": ["eu-west-1", "us-east-1"]}},
        }
    ],
}


def test_policies_two_with_targets_in_one_run_then_a_rerun_writes_nothing(ansible, proxy, organization):
    client = organization["client"]
    root_id = organization["root_id"]
    prod = make_ou(client, make_ou(client, root_id, "workloads"), "prod")
    sandbox = make_account(client, "sandbox")
    args = dict(
        policies=[
            dict(name="deny-leave", policy=DENY_LEAVE, targets=["/workloads/prod", sandbox]),
            dict(name="deny-regions", description="Two regions only", policy=DENY_REGIONS, targets=["/"]),
        ],
        tags={"owner": "platform"},
    )
    proxy.reset()

    created = ansible.run_module(MODULE, args)
    assert created["changed"] is True, created
    # In the order given: the first policy is created and attached before the second.
    assert mutating_actions(proxy) == ["CreatePolicy", "AttachPolicy", "AttachPolicy", "CreatePolicy", "AttachPolicy"]
    leave_id, regions_id = policy_id_of(client, "deny-leave"), policy_id_of(client, "deny-regions")
    assert [r["policy"]["id"] for r in created["results"]] == [leave_id, regions_id]
    assert [r["changed"] for r in created["results"]] == [True, True]
    assert client.describe_policy(PolicyId=leave_id)["Policy"]["Content"] == minify(DENY_LEAVE)
    regions = client.describe_policy(PolicyId=regions_id)["Policy"]
    assert regions["Content"] == minify(DENY_REGIONS)
    assert regions["PolicySummary"]["Description"] == "Two regions only"
    assert attached_ids(client, leave_id) == {prod, sandbox}
    assert attached_ids(client, regions_id) == {root_id}
    for policy_id in (leave_id, regions_id):
        assert client.list_tags_for_resource(ResourceId=policy_id)["Tags"] == [{"Key": "owner", "Value": "platform"}]
    assert created["diff"]["before"] == {"deny-leave": None, "deny-regions": None}
    assert created["diff"]["after"]["deny-regions"]["targets"] == [
        dict(target_id=root_id, type="ROOT", name_or_path="/")
    ]
    # What every element needs is read once per run, not once per element (and again by its check).
    reads = [c["action"] for c in proxy.calls]
    assert reads.count("ListRoots") == 1, reads
    assert reads.count("ListPolicies") == 1, reads
    assert reads.count("ListAWSDefaultServiceQuotas") == 1, reads
    assert reads.count("ListOrganizationalUnitsForParent") == 2, reads  # /workloads, then /workloads/prod

    proxy.reset()
    rerun = ansible.run_tasks([task("again in check mode", args, check_mode=True), task("again", args)], diff=True)
    for name in ("again in check mode", "again"):
        result = rerun.one(name)
        assert result["changed"] is False, result
        assert [r["policy"]["id"] for r in result["results"]] == [leave_id, regions_id]
        assert result["diff"]["before"] == result["diff"]["after"]
    assert proxy.mutating_calls() == []


def test_policies_with_one_bad_element_write_nothing_at_all(ansible, proxy, organization):
    client = organization["client"]
    make_ou(client, organization["root_id"], "prod")
    first = dict(name="first", policy=DENY_LEAVE, targets=["/prod"])
    refusals = [
        (
            "bad json second",
            [first, dict(name="broken", policy='{"Version": "2012-10-17", "Statement": [')],
            "item 1 (broken): policy: not valid JSON",
        ),
        (
            "unknown target second",
            [first, dict(name="lost", policy=DENY_LEAVE, targets=["/nowhere"])],
            "item 1 (lost): targets: the OU path '/nowhere' does not exist in the organization",
        ),
        (
            "same name twice",
            [first, dict(first, targets=["/"])],
            "item 1 (first): name: 'first' is the name of another element of policies; list each policy once",
        ),
    ]
    names_before = scp_names(client)
    proxy.reset()
    run = ansible.run_tasks([task(title, dict(policies=policies)) for title, policies, _message in refusals])

    statuses = {r["task"]: r["status"] for r in run.results}
    for title, _policies, message in refusals:
        assert statuses[title] == "failed", (title, run.one(title))
        assert run.one(title)["msg"].startswith(message), (title, run.one(title)["msg"])
        assert "item 0" not in run.one(title)["msg"]
    # The first policy, valid on its own, was created by none of the three runs.
    assert proxy.mutating_calls() == []
    assert scp_names(client) == names_before
    assert "first" not in scp_names(client)


# --- lost answers and duplicates (issue 12) ------------------------------------------


def scps_named(client, name):
    return [p for p in client.list_policies(Filter="SERVICE_CONTROL_POLICY")["Policies"] if p["Name"] == name]


def test_a_lost_create_answer_adopts_the_policy_the_first_try_made(ansible, aws, proxy, organization):
    client = organization["client"]
    ou_id = make_ou(client, organization["root_id"], "workloads")
    args = dict(name="deny-leave", description="members stay", policy=DENY_LEAVE, targets=["/workloads"],
                tags={"owner": "platform"})

    with FirstAnswerLost(proxy, "organizations:CreatePolicy") as lost:
        result = ansible.run_module(MODULE, args)

    assert result.get("failed") is not True, result
    assert [c["action"] for c in lost.lost] == ["CreatePolicy"]
    creations = [(c["injected"], c["status"]) for c in proxy.calls if c["action"] == "CreatePolicy"]
    assert creations == [("reset_after", 200), (None, 400)]  # botocore's repeat: DuplicatePolicyException
    # One policy of the name, as asked, attached, and the module reports it.
    [summary] = scps_named(client, "deny-leave")
    policy = client.describe_policy(PolicyId=summary["Id"])["Policy"]
    assert not documents_differ(json.loads(policy["Content"]), DENY_LEAVE)
    assert policy["PolicySummary"]["Description"] == "members stay"
    assert attached_ids(client, summary["Id"]) == {ou_id}
    assert {t["Key"]: t["Value"] for t in client.list_tags_for_resource(ResourceId=summary["Id"])["Tags"]} == \
        {"owner": "platform"}
    assert result["changed"] is True
    assert result["policy"]["id"] == summary["Id"]
    assert [t["target_id"] for t in result["policy"]["targets"]] == [ou_id]
    assert mutating_actions(proxy) == ["CreatePolicy", "CreatePolicy", "AttachPolicy"]

    proxy.reset()
    again = ansible.run_module(MODULE, args)
    assert again["changed"] is False and again["policy"]["id"] == summary["Id"]
    assert proxy.mutating_calls() == []


def test_two_policies_of_one_name_are_named_and_the_run_stops_before_any_write(ansible, proxy, organization):
    client = organization["client"]
    first = make_policy(client, "guard", DENY_LEAVE)
    # moto refuses a second "guard" on CreatePolicy, as AWS does, but lets a rename make one.
    second = make_policy(client, "guard-copy", DENY_LEAVE)
    client.update_policy(PolicyId=second, Name="guard")

    run = ansible.run_tasks(
        [
            task("policies", dict(policies=[
                dict(name="guard", policy=DENY_LEAVE, targets=["/"]),
                dict(name="later", policy=DENY_LEAVE),
            ])),
            task("absent", dict(name="guard", state="absent")),
        ]
    )

    for task_name in ("policies", "absent"):
        message = run.one(task_name)["msg"]
        assert "2 service control policies are named 'guard'" in message, message
        assert first in message and second in message, message
    # Found by the check of every element before the first write, which names the element.
    assert run.one("policies")["msg"].startswith("item 0 (guard): name: 2 service control policies")
    assert proxy.mutating_calls() == []
    assert len(scps_named(client, "guard")) == 2 and scps_named(client, "later") == []
    assert attached_ids(client, first) == set() and attached_ids(client, second) == set()
