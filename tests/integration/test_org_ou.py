"""org_ou against moto: nested creation, depth limit, tags, removal of empty OUs only."""

import json

import pytest

from tests.harness.lost_answers import FirstAnswerLost

MODULE = "awsorg.landing_zone.org_ou"
DEEP_PATH = "/l1/l2/l3/l4/l5"
DEEP_PATHS = ["/l1", "/l1/l2", "/l1/l2/l3", "/l1/l2/l3/l4", "/l1/l2/l3/l4/l5"]


def _child(client, parent_id, name):
    ous = client.list_organizational_units_for_parent(ParentId=parent_id)["OrganizationalUnits"]
    return next((ou for ou in ous if ou["Name"] == name), None)


def _status(run, task_name):
    """ok / failed / skipped of one task; ansible-core 2.19 keeps ``failed`` out of the result dict."""
    return next(r["status"] for r in run.results if r["task"] == task_name)


def _tags(client, resource_id):
    return {t["Key"]: t["Value"] for t in client.list_tags_for_resource(ResourceId=resource_id)["Tags"]}


def _create_ou(client, parent_id, name, **kwargs):
    return client.create_organizational_unit(ParentId=parent_id, Name=name, **kwargs)["OrganizationalUnit"]


def test_five_deep_check_mode_predicts_then_apply_creates_then_rerun_is_a_noop(ansible, proxy, organization):
    client = organization["client"]
    args = dict(path=DEEP_PATH, tags={"team": "platform", "tier": 1})

    predicted = ansible.run_module(MODULE, args, check=True)
    assert predicted["changed"] is True, predicted
    assert predicted["created"] == DEEP_PATHS
    assert predicted["ou"] == dict(
        # Placeholder ids (common/placeholders.py) for the OUs the real run creates.
        id=f"(new OU {DEEP_PATH})", arn=None, name="l5", path=DEEP_PATH, parent_id=f"(new OU {DEEP_PATHS[-2]})",
        tags={"team": "platform", "tier": "1"}
    )
    assert predicted["diff"]["before"] is None
    assert proxy.mutating_calls() == []
    assert _child(client, organization["root_id"], "l1") is None

    created = ansible.run_module(MODULE, args)
    assert created["changed"] is True, created
    assert created["created"] == DEEP_PATHS
    # Read every level back from moto: each OU sits under the one before it.
    parent_id = organization["root_id"]
    for name in ["l1", "l2", "l3", "l4", "l5"]:
        ou = _child(client, parent_id, name)
        assert ou is not None, f"{name} missing under {parent_id}"
        assert client.list_parents(ChildId=ou["Id"])["Parents"][0]["Id"] == parent_id
        leaf_parent_id, parent_id = parent_id, ou["Id"]
    assert created["ou"]["id"] == parent_id
    assert created["ou"]["parent_id"] == leaf_parent_id
    assert (
        created["ou"]["arn"]
        == client.describe_organizational_unit(OrganizationalUnitId=parent_id)["OrganizationalUnit"]["Arn"]
    )
    assert _tags(client, parent_id) == {"team": "platform", "tier": "1"}
    assert _tags(client, leaf_parent_id) == {}
    assert [c["action"] for c in proxy.mutating_calls()] == ["CreateOrganizationalUnit"] * 5

    proxy.reset()
    run = ansible.run_tasks(
        [{"name": "check", MODULE: args, "check_mode": True}, {"name": "apply", MODULE: args}], diff=True
    )
    for again in (run.one("check"), run.one("apply")):
        assert again["changed"] is False, again
        assert again["created"] == []
        assert again["ou"] == created["ou"]
    assert proxy.mutating_calls() == []


def test_six_deep_path_and_removing_the_root_are_refused_before_any_call(ansible, proxy, organization):
    run = ansible.run_tasks(
        [
            {"name": "too deep", MODULE: dict(path="/a/b/c/d/e/f"), "ignore_errors": True},
            {"name": "root absent", MODULE: dict(path="/", state="absent"), "ignore_errors": True},
        ]
    )
    too_deep = run.one("too deep")
    assert _status(run, "too deep") == "failed"
    assert too_deep["msg"].startswith("path: ")
    assert "'/a/b/c/d/e/f'" in too_deep["msg"] and "6 levels" in too_deep["msg"]
    root_absent = run.one("root absent")
    assert _status(run, "root absent") == "failed"
    assert root_absent["msg"].startswith("path: '/'")
    # Validation happens before the module even lists the roots.
    assert proxy.calls == []
    assert _child(organization["client"], organization["root_id"], "a") is None


def test_tags_are_added_and_only_purged_when_asked_and_missing_children_are_added(ansible, proxy, organization):
    client = organization["client"]
    ou = _create_ou(client, organization["root_id"], "shared", Tags=[{"Key": "owner", "Value": "ops"}])

    run = ansible.run_tasks(
        [
            {"name": "tags", MODULE: dict(path="/shared", tags={"cost-center": "42", "owner": "ops"})},
            {"name": "below", MODULE: dict(path="/shared/apps/api")},
        ],
        diff=True,
    )
    added = run.one("tags")
    assert added["changed"] is True, added
    assert added["created"] == []
    assert _tags(client, ou["Id"]) == {"cost-center": "42", "owner": "ops"}
    assert added["diff"]["before"]["tags"] == {"owner": "ops"}
    below = run.one("below")
    assert below["created"] == ["/shared/apps", "/shared/apps/api"]
    apps = _child(client, ou["Id"], "apps")
    assert below["ou"]["parent_id"] == apps["Id"]
    assert below["ou"]["id"] == _child(client, apps["Id"], "api")["Id"]
    assert sorted(c["action"] for c in proxy.mutating_calls()) == ["CreateOrganizationalUnit"] * 2 + ["TagResource"]

    proxy.reset()
    purged = ansible.run_module(MODULE, dict(path="/shared", tags={"cost-center": "43"}, purge_tags=True))
    assert purged["changed"] is True, purged
    assert _tags(client, ou["Id"]) == {"cost-center": "43"}
    assert purged["ou"]["tags"] == {"cost-center": "43"}
    assert purged["diff"]["after"]["tags"] == {"cost-center": "43"}
    assert sorted(c["action"] for c in proxy.mutating_calls()) == ["TagResource", "UntagResource"]


def test_absent_refuses_a_non_empty_ou_and_removes_an_empty_one(ansible, proxy, organization):
    client = organization["client"]
    team = _create_ou(client, organization["root_id"], "team")
    _create_ou(client, team["Id"], "app")
    empty = _create_ou(client, team["Id"], "empty")
    account_id = client.create_account(AccountName="team-tools", Email="team-tools@example.com")["CreateAccountStatus"][
        "AccountId"
    ]
    client.move_account(AccountId=account_id, SourceParentId=organization["root_id"], DestinationParentId=team["Id"])

    run = ansible.run_tasks(
        [
            {"name": "non-empty", MODULE: dict(path="/team", state="absent"), "ignore_errors": True},
            {"name": "empty, check", MODULE: dict(path="/team/empty", state="absent"), "check_mode": True},
            {"name": "empty", MODULE: dict(path="/team/empty", state="absent")},
        ],
        diff=True,
    )
    refused = run.one("non-empty")
    assert _status(run, "non-empty") == "failed"
    assert "/team" in refused["msg"]
    assert "2 child OUs (app, empty)" in refused["msg"]
    assert f"1 account (team-tools {account_id})" in refused["msg"]
    assert run.one("empty, check")["changed"] is True
    removed = run.one("empty")
    assert removed["changed"] is True
    assert removed["diff"]["before"]["id"] == empty["Id"]
    assert removed["ou"] is None
    # One deletion in the whole run: the refused task and the check-mode task wrote nothing.
    assert [c["action"] for c in proxy.mutating_calls()] == ["DeleteOrganizationalUnit"]
    assert _child(client, team["Id"], "empty") is None
    assert _child(client, team["Id"], "app") is not None
    assert _child(client, organization["root_id"], "team") is not None

    proxy.reset()
    gone = ansible.run_module(MODULE, dict(path="/team/empty", state="absent"))
    assert gone["changed"] is False, gone
    assert proxy.mutating_calls() == []


# --- paths: many OUs in one run -----------------------------------------------

BATCH_PATHS = ["/workloads", "/workloads/prod", "/workloads/prod/payments", "/workloads/dev", "/security"]


@pytest.mark.long
def test_paths_creates_nested_ous_in_order_in_one_run_then_a_rerun_is_a_noop(
    ansible, proxy, organization, monkeypatch
):
    client = organization["client"]
    root_id = organization["root_id"]
    created_names = []

    def watch(call, answer):
        if call["action"] == "CreateOrganizationalUnit" and answer[0] == 200:
            created_names.append(json.loads(answer[2])["OrganizationalUnit"]["Name"])

    monkeypatch.setattr(proxy, "after_forward", watch)
    args = dict(paths=BATCH_PATHS, tags={"owner": "platform"})
    run = ansible.run_tasks(
        [{"name": "check", MODULE: args, "check_mode": True}, {"name": "apply", MODULE: args}], diff=True
    )

    predicted = run.one("check")
    assert predicted["changed"] is True, predicted
    # Each path predicted as the real run does it: its parents come from the paths before it.
    assert [r["created"] for r in predicted["results"]] == [[path] for path in BATCH_PATHS]
    assert [r["ou"]["path"] for r in predicted["results"]] == BATCH_PATHS
    # A parent the run creates first has a placeholder id (common/placeholders.py).
    assert [r["ou"]["parent_id"] for r in predicted["results"]] == [
        root_id, "(new OU /workloads)", "(new OU /workloads/prod)", "(new OU /workloads)", root_id]
    assert sorted(predicted["diff"]["after"]) == sorted(BATCH_PATHS)

    applied = run.one("apply")
    assert applied["changed"] is True, applied
    # Five creations in the whole playbook (none from check mode), parents first, in the order given.
    assert created_names == ["workloads", "prod", "payments", "dev", "security"]
    assert [c["action"] for c in proxy.mutating_calls()] == ["CreateOrganizationalUnit"] * 5
    # The root is listed once per task, not once per path; so is each parent's OUs: the root's only
    # (an OU the run created holds nothing, its children are not listed).
    assert sum(1 for c in proxy.calls if c["action"] == "ListRoots") == 2
    assert sum(1 for c in proxy.calls if c["action"] == "ListOrganizationalUnitsForParent") == 2
    workloads = _child(client, root_id, "workloads")
    prod = _child(client, workloads["Id"], "prod")
    tree = {
        "/workloads": (workloads, root_id),
        "/workloads/prod": (prod, workloads["Id"]),
        "/workloads/prod/payments": (_child(client, prod["Id"], "payments"), prod["Id"]),
        "/workloads/dev": (_child(client, workloads["Id"], "dev"), workloads["Id"]),
        "/security": (_child(client, root_id, "security"), root_id),
    }
    for path, result in zip(BATCH_PATHS, applied["results"]):
        ou, parent_id = tree[path]
        assert ou is not None, path
        assert client.list_parents(ChildId=ou["Id"])["Parents"][0]["Id"] == parent_id, path
        assert _tags(client, ou["Id"]) == {"owner": "platform"}, path
        assert (result["ou"]["id"], result["ou"]["parent_id"], result["created"]) == (ou["Id"], parent_id, [path])
    assert applied["diff"]["after"]["/workloads/prod"]["id"] == prod["Id"]

    proxy.reset()
    again = ansible.run_tasks(
        [{"name": "check", MODULE: args, "check_mode": True}, {"name": "apply", MODULE: args}], diff=True
    )
    for name in ("check", "apply"):
        result = again.one(name)
        assert result["changed"] is False, result
        assert [r["ou"] for r in result["results"]] == [r["ou"] for r in applied["results"]]
        assert all(r["created"] == [] for r in result["results"])
    assert proxy.mutating_calls() == []
    # Each task lists the root, /workloads and /workloads/prod once.
    assert sum(1 for c in proxy.calls if c["action"] == "ListOrganizationalUnitsForParent") == 6


def test_paths_with_one_path_too_deep_is_refused_before_any_call_naming_it(ansible, proxy, organization):
    seven_deep = "/a/b/c/d/e/f/g"
    run = ansible.run_tasks(
        [{"name": "paths", MODULE: dict(paths=["/ok", "/ok/fine", seven_deep, "/after"]), "ignore_errors": True}]
    )
    result = run.one("paths")
    assert _status(run, "paths") == "failed", result
    assert result["msg"] == (
        f"item 2 ({seven_deep}): path: OU path '{seven_deep}' is 7 levels deep; AWS Organizations allows"
        " at most 5 levels below the root"
    )
    assert proxy.calls == []
    client = organization["client"]
    assert client.list_organizational_units_for_parent(ParentId=organization["root_id"])["OrganizationalUnits"] == []


def test_paths_absent_child_then_parent_check_mode_predicts_what_the_run_does(ansible, proxy, organization):
    client = organization["client"]
    team = _create_ou(client, organization["root_id"], "team")
    _create_ou(client, team["Id"], "app")
    args = dict(paths=["/team/app", "/team", "/team/app"], state="absent")
    run = ansible.run_tasks(
        [{"name": "check", MODULE: args, "check_mode": True}, {"name": "apply", MODULE: args}], diff=True
    )
    for name in ("check", "apply"):
        result = run.one(name)
        assert _status(run, name) == "ok", result
        # /team is empty once /team/app is gone; /team/app again then finds nothing to remove.
        assert [r["changed"] for r in result["results"]] == [True, True, False], result
        assert result["diff"]["before"]["/team"]["id"] == team["Id"]
        assert result["diff"]["after"]["/team"] is None
    assert [c["action"] for c in proxy.mutating_calls()] == ["DeleteOrganizationalUnit"] * 2
    assert _child(client, organization["root_id"], "team") is None


# --- lost answers and duplicates (issue 12) ------------------------------------------


def _children_named(client, parent_id, name):
    ous = client.list_organizational_units_for_parent(ParentId=parent_id)["OrganizationalUnits"]
    return [ou for ou in ous if ou["Name"] == name]


def test_a_lost_create_answer_adopts_the_ou_the_first_try_made(ansible, proxy, organization):
    if not proxy.strict.enabled:
        pytest.skip("moto alone makes a second OU of the name: only strict mode refuses it as AWS does")
    client = organization["client"]
    args = dict(path="/workloads/prod", tags={"team": "platform"})

    with FirstAnswerLost(proxy, "organizations:CreateOrganizationalUnit") as lost:
        result = ansible.run_module(MODULE, args)

    assert result.get("failed") is not True, result
    assert [c["action"] for c in lost.lost] == ["CreateOrganizationalUnit"]
    # botocore's repeat of the lost call is refused as AWS refuses it; the
    # module reads the OU back and goes on with the leaf.
    creations = [(c["injected"], c["status"], c["strict"]) for c in proxy.calls
                 if c["action"] == "CreateOrganizationalUnit"]
    assert creations == [("reset_after", 200, None), (None, 400, "DuplicateOrganizationalUnitException"),
                         (None, 200, None)]
    # Exactly one OU of each name, and the module reports them.
    [workloads] = _children_named(client, organization["root_id"], "workloads")
    [prod] = _children_named(client, workloads["Id"], "prod")
    assert result["changed"] is True
    assert result["created"] == ["/workloads", "/workloads/prod"]
    assert (result["ou"]["id"], result["ou"]["parent_id"]) == (prod["Id"], workloads["Id"])
    assert _tags(client, prod["Id"]) == {"team": "platform"}

    proxy.reset()
    again = ansible.run_module(MODULE, args)
    assert again["changed"] is False and again["ou"]["id"] == prod["Id"]
    assert proxy.mutating_calls() == []


def test_a_lost_answer_for_the_leaf_is_adopted_with_its_tags(ansible, proxy, organization):
    if not proxy.strict.enabled:
        pytest.skip("moto alone makes a second OU of the name: only strict mode refuses it as AWS does")
    client = organization["client"]

    with FirstAnswerLost(proxy, "organizations:CreateOrganizationalUnit"):
        result = ansible.run_module(MODULE, dict(path="/security", tags={"team": "secops"}))

    assert result.get("failed") is not True, result
    [security] = _children_named(client, organization["root_id"], "security")
    assert result["changed"] is True and result["ou"]["id"] == security["Id"]
    assert result["ou"]["tags"] == {"team": "secops"}
    assert _tags(client, security["Id"]) == {"team": "secops"}


def test_two_ous_of_one_name_are_named_and_the_run_stops_before_any_write(ansible, proxy, organization):
    client = organization["client"]
    root_id = organization["root_id"]
    # Straight to moto, which (unlike AWS) lets a parent have two OUs of one name.
    twins = [_create_ou(client, root_id, "workloads")["Id"], _create_ou(client, root_id, "workloads")["Id"]]

    run = ansible.run_tasks(
        [
            {"name": "paths", MODULE: dict(paths=["/workloads/prod", "/sandbox"]), "ignore_errors": True},
            {"name": "path", MODULE: dict(path="/workloads"), "ignore_errors": True},
        ]
    )

    for task_name in ("paths", "path"):
        assert _status(run, task_name) == "failed"
        message = run.one(task_name)["msg"]
        assert "2 OUs are named 'workloads' under /" in message, message
        assert all(twin in message for twin in twins), message
    assert run.one("paths")["msg"].startswith("/workloads/prod: path: OU path '/workloads/prod'")
    assert run.one("path")["msg"].startswith("path: OU path '/workloads'")
    # Neither prod under one of them nor the later /sandbox was created.
    assert proxy.mutating_calls() == []
    assert all(_children_named(client, twin, "prod") == [] for twin in twins)
    assert _children_named(client, root_id, "sandbox") == []
