"""org_account against moto: create, adopt (by id, email or creation request), move, tag, retire."""

import json

MODULE = "awsorg.landing_zone.org_account"
MANAGEMENT_ACCOUNT = "123456789012"
MANAGEMENT_EMAIL = "master@example.com"  # what moto gives the management account


def _status(run, task_name):
    """ok / failed / skipped of one task; ansible-core 2.19 keeps ``failed`` out of the result dict."""
    return next(r["status"] for r in run.results if r["task"] == task_name)


def _create_ou(client, parent_id, name):
    return client.create_organizational_unit(ParentId=parent_id, Name=name)["OrganizationalUnit"]["Id"]


def _create_account(client, name, email, **kwargs):
    return client.create_account(AccountName=name, Email=email, **kwargs)["CreateAccountStatus"]


def _account_by_email(client, email):
    return next((a for a in client.list_accounts()["Accounts"] if a["Email"] == email), None)


def _parent_id(client, account_id):
    return client.list_parents(ChildId=account_id)["Parents"][0]["Id"]


def _tags(client, resource_id):
    return {t["Key"]: t["Value"] for t in client.list_tags_for_resource(ResourceId=resource_id)["Tags"]}


def _actions(calls):
    return [c["action"] for c in calls]


def _check_then_apply(ansible, *args_list):
    """One playbook: each of ``args_list`` in check mode, then for real; the results in that order."""
    tasks = []
    for index, args in enumerate(args_list):
        tasks.append({"name": f"check {index}", MODULE: args, "check_mode": True})
        tasks.append({"name": f"apply {index}", MODULE: args})
    run = ansible.run_tasks(tasks, diff=True)
    return [run.one(task["name"]) for task in tasks]


def test_check_mode_predicts_then_apply_creates_then_rerun_is_a_noop(ansible, proxy, organization):
    client = organization["client"]
    prod_id = _create_ou(client, organization["root_id"], "prod")
    args = dict(name="payments-prod", email="payments-prod@example.com", ou="/prod", tags={"owner": "payments"})

    predicted = ansible.run_module(MODULE, args, check=True)
    assert predicted["changed"] is True, predicted
    assert predicted["account"] == dict(
        id=None,
        arn=None,
        name="payments-prod",
        email="payments-prod@example.com",
        status="ACTIVE",
        ou_path="/prod",
        parent_id=prod_id,
        tags={"owner": "payments"},
        joined_method="CREATED",
    )
    assert (predicted["found_by"], predicted["adopted"], predicted["create_request_id"]) == ("created", False, None)
    assert predicted["diff"]["before"] is None
    assert proxy.mutating_calls() == []
    assert _account_by_email(client, "payments-prod@example.com") is None

    created = ansible.run_module(MODULE, args)
    assert created["changed"] is True, created
    account = _account_by_email(client, "payments-prod@example.com")
    assert account is not None and account["Name"] == "payments-prod"
    assert created["account"]["id"] == account["Id"]
    assert created["account"]["arn"] == account["Arn"]
    assert _parent_id(client, account["Id"]) == prod_id
    assert _tags(client, account["Id"]) == {"owner": "payments"}
    requests = client.list_create_account_status()["CreateAccountStatuses"]
    assert created["create_request_id"] == next(r["Id"] for r in requests if r.get("AccountId") == account["Id"])
    assert (created["found_by"], created["adopted"]) == ("created", False)
    assert created["account"]["ou_path"] == "/prod"
    # The tags travel with CreateAccount; the move to the OU is the only other write.
    assert _actions(proxy.mutating_calls()) == ["CreateAccount", "MoveAccount"]

    proxy.reset()
    for again in _check_then_apply(ansible, args):
        assert again["changed"] is False, again
        assert (again["found_by"], again["adopted"]) == ("email", True)
        assert again["account"] == created["account"]
    assert proxy.mutating_calls() == []


def test_an_account_created_outside_is_adopted_moved_and_retagged(ansible, proxy, organization):
    client = organization["client"]
    sandbox_id = _create_ou(client, organization["root_id"], "sandbox")
    request = _create_account(
        client, "tools", "tools@example.com", Tags=[{"Key": "keep", "Value": "yes"}, {"Key": "owner", "Value": "a"}]
    )
    account_id = request["AccountId"]

    # moto lists the account at once, so the module finds it by email (in any case).
    moved = ansible.run_module(
        MODULE, dict(name="tools", email="Tools@Example.com", ou="/sandbox", tags={"owner": "b"})
    )
    assert moved["changed"] is True, moved
    assert (moved["found_by"], moved["adopted"], moved["account"]["id"]) == ("email", True, account_id)
    assert "CreateAccount" not in _actions(proxy.calls)
    names = [r["AccountName"] for r in client.list_create_account_status()["CreateAccountStatuses"]]
    assert names.count("tools") == 1
    assert _parent_id(client, account_id) == sandbox_id
    assert _tags(client, account_id) == {"keep": "yes", "owner": "b"}
    assert moved["diff"]["before"]["ou_path"] == "/" and moved["diff"]["after"]["ou_path"] == "/sandbox"

    proxy.reset()
    purged = ansible.run_module(
        MODULE, dict(email="tools@example.com", ou="/", tags={"owner": "b", "cost": "7"}, purge_tags=True)
    )
    assert purged["changed"] is True, purged
    assert _parent_id(client, account_id) == organization["root_id"]
    assert _tags(client, account_id) == {"owner": "b", "cost": "7"}
    assert purged["account"]["tags"] == {"owner": "b", "cost": "7"}
    assert sorted(_actions(proxy.mutating_calls())) == ["MoveAccount", "TagResource", "UntagResource"]


def test_a_run_cut_short_after_create_account_never_sends_a_second_request(ansible, proxy, organization):
    """The proxy keeps the creation IN_PROGRESS (and the account unlisted) for a minute, as AWS can.

    The first task gives up after one second, like a run killed after
    CreateAccount; the second task, in the same playbook, must find that
    request instead of sending another one.
    """
    proxy.configure(account_creation_seconds=60)
    args = dict(name="audit", email="audit@example.com", wait_timeout=1)
    run = ansible.run_tasks(
        [
            {"name": "cut short", MODULE: args, "ignore_errors": True},
            {"name": "again", MODULE: dict(args, wait=False)},
        ]
    )
    cut_short = run.one("cut short")
    assert _status(run, "cut short") == "failed"
    request_id = next(
        r["Id"]
        for r in organization["client"].list_create_account_status()["CreateAccountStatuses"]
        if r["AccountName"] == "audit"
    )
    assert f"{request_id} was still IN_PROGRESS after 1 seconds" in cut_short["msg"]
    again = run.one("again")
    assert again["changed"] is False, again
    assert (again["found_by"], again["adopted"], again["create_request_id"]) == ("create_request", True, request_id)
    assert again["account"]["id"] is None
    assert _actions(proxy.mutating_calls()) == ["CreateAccount"]


def _json_answer(payload):
    body = json.dumps(payload, default=lambda value: value.timestamp()).encode()
    return 200, {"Content-Type": "application/x-amz-json-1.1"}, body


def test_a_creation_request_still_in_flight_is_waited_on_not_sent_again(ansible, proxy, organization):
    """A run killed after CreateAccount: the request is IN_PROGRESS and the account is not listed yet.

    moto finishes CreateAccount at once, so the proxy answers ListAccounts
    without the new account and ListCreateAccountStatus with the request
    still IN_PROGRESS, as AWS does during the minutes an account takes.
    DescribeCreateAccountStatus reaches moto and answers SUCCEEDED.
    """
    client = organization["client"]
    ops_id = _create_ou(client, organization["root_id"], "ops")
    request = _create_account(client, "log-archive", "log-archive@example.com")

    def in_flight(call):
        if call["action"] == "ListAccounts":
            accounts = [a for a in client.list_accounts()["Accounts"] if a["Id"] != request["AccountId"]]
            return _json_answer({"Accounts": accounts})
        if call["action"] == "ListCreateAccountStatus":
            pending = {k: v for k, v in request.items() if k not in ("AccountId", "CompletedTimestamp")}
            return _json_answer({"CreateAccountStatuses": [dict(pending, State="IN_PROGRESS")]})
        return None

    proxy.before_forward = in_flight
    result = ansible.run_module(MODULE, dict(name="log-archive", email="log-archive@example.com", ou="/ops"))
    assert result["changed"] is True, result
    assert (result["found_by"], result["adopted"]) == ("create_request", True)
    assert result["create_request_id"] == request["Id"]
    assert result["account"]["id"] == request["AccountId"]
    actions = _actions(proxy.calls)
    assert "DescribeCreateAccountStatus" in actions
    assert _actions(proxy.mutating_calls()) == ["MoveAccount"]
    assert _parent_id(client, request["AccountId"]) == ops_id
    names = [r["AccountName"] for r in client.list_create_account_status()["CreateAccountStatuses"]]
    assert names.count("log-archive") == 1


def test_adopts_the_management_account_by_id_without_listing_the_organization(ansible, proxy, organization):
    client = organization["client"]
    args = dict(account_id=MANAGEMENT_ACCOUNT, tags={"role": "management"})

    by_id = ansible.run_module(MODULE, args)
    assert by_id["changed"] is True, by_id
    assert (by_id["found_by"], by_id["adopted"]) == ("account_id", True)
    assert by_id["account"]["email"] == MANAGEMENT_EMAIL
    assert by_id["account"]["ou_path"] == "/"
    assert _tags(client, MANAGEMENT_ACCOUNT) == {"role": "management"}
    assert "ListAccounts" not in _actions(proxy.calls)
    reads_small_org = _actions(c for c in proxy.calls if not c["mutating"])

    # The same adoption in a bigger organization makes exactly the same calls.
    for index in range(2):
        _create_account(client, f"member-{index}", f"member-{index}@example.com")
    proxy.reset()
    again = ansible.run_module(MODULE, args)
    assert again["changed"] is False, again
    assert _actions(proxy.calls) == reads_small_org
    assert proxy.mutating_calls() == []

    by_email = ansible.run_module(MODULE, dict(email=MANAGEMENT_EMAIL.upper()))
    assert by_email["changed"] is False, by_email
    assert (by_email["found_by"], by_email["account"]["id"]) == ("email", MANAGEMENT_ACCOUNT)


def test_retire_moves_to_quarantine_and_closes_only_when_asked(ansible, proxy, organization):
    client = organization["client"]
    prod_id = _create_ou(client, organization["root_id"], "prod")
    quarantine_id = _create_ou(client, organization["root_id"], "quarantine")
    account_id = _create_account(client, "old-app", "old-app@example.com")["AccountId"]
    client.move_account(AccountId=account_id, SourceParentId=organization["root_id"], DestinationParentId=prod_id)
    retire = dict(email="old-app@example.com", state="absent", quarantine_ou="/quarantine")

    retired = ansible.run_module(MODULE, retire)
    assert retired["changed"] is True, retired
    assert _parent_id(client, account_id) == quarantine_id
    described = client.describe_account(AccountId=account_id)["Account"]
    assert described["Status"] == "ACTIVE"
    assert retired["account"]["ou_path"] == "/quarantine"
    assert retired["diff"]["before"]["ou_path"] == "/prod"
    assert _actions(proxy.mutating_calls()) == ["MoveAccount"]

    proxy.reset()
    retire_and_close = dict(retire, close=True)
    predicted, closed = _check_then_apply(ansible, retire_and_close)
    assert predicted["changed"] is True, predicted
    assert predicted["account"]["status"] == "PENDING_CLOSURE"
    assert closed["changed"] is True, closed
    # moto moves a closed account straight to SUSPENDED (AWS passes through PENDING_CLOSURE).
    assert client.describe_account(AccountId=account_id)["Account"]["Status"] == "SUSPENDED"
    assert closed["account"]["status"] == "SUSPENDED"
    # One CloseAccount for the two tasks: the check-mode one wrote nothing.
    assert _actions(proxy.mutating_calls()) == ["CloseAccount"]

    proxy.reset()
    for again in _check_then_apply(ansible, retire, retire_and_close):
        assert again["changed"] is False, again
        assert again["account"]["status"] == "SUSPENDED"
    assert proxy.mutating_calls() == []


def test_bad_input_is_refused_before_any_write(ansible, proxy, organization):
    tasks = {
        "bad email": dict(name="app", email="not-an-email"),
        "long name": dict(name="n" * 51, email="long@example.com"),
        "unknown ou": dict(name="app", email="app@example.com", ou="/does/not/exist"),
        "short id": dict(account_id="12345"),
        "management": dict(account_id=MANAGEMENT_ACCOUNT, state="absent", quarantine_ou="/"),
        "missing quarantine": dict(email=MANAGEMENT_EMAIL, state="absent", quarantine_ou="/nope"),
    }
    run = ansible.run_tasks([{"name": name, MODULE: args, "ignore_errors": True} for name, args in tasks.items()])
    messages = {name: run.one(name)["msg"] for name in tasks}
    assert all(_status(run, name) == "failed" for name in tasks), messages
    assert messages["bad email"].startswith("email: 'not-an-email'")
    assert messages["long name"].startswith(f"name: '{'n' * 51}'") and "50" in messages["long name"]
    assert messages["unknown ou"].startswith("ou: the OU '/does/not/exist' does not exist")
    assert messages["short id"].startswith("account_id: '12345'")
    assert messages["management"].startswith(f"account_id: {MANAGEMENT_ACCOUNT} is the management account")
    assert messages["missing quarantine"].startswith("quarantine_ou: the OU '/nope' does not exist")
    assert proxy.mutating_calls() == []
    assert [a["Id"] for a in organization["client"].list_accounts()["Accounts"]] == [MANAGEMENT_ACCOUNT]
