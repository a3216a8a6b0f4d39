"""org_ou against moto: nested creation, depth limit, tags, removal of empty OUs only."""

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
        id=None, arn=None, name="l5", path=DEEP_PATH, parent_id=None, tags={"team": "platform", "tier": "1"}
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
