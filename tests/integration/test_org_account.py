"""org_account against moto: create, adopt (by id, email or creation request), move, tag, retire."""

import json
import time

import pytest

from tests.harness.lost_answers import FirstAnswerLost

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


@pytest.mark.long
def test_check_mode_predicts_then_apply_creates_then_rerun_is_a_noop(ansible, proxy, organization):
    client = organization["client"]
    prod_id = _create_ou(client, organization["root_id"], "prod")
    args = dict(name="payments-prod", email="payments-prod@example.com", ou="/prod", tags={"owner": "payments"})

    predicted = ansible.run_module(MODULE, args, check=True)
    assert predicted["changed"] is True, predicted
    assert predicted["account"] == dict(
        id="(new account payments-prod)",  # a placeholder the preview's later steps recognise
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


@pytest.mark.long
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


@pytest.mark.long
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
    # AWS keeps a closed account PENDING_CLOSURE for a while (strict mode: as long as this says).
    proxy.configure_strict(close_pending_seconds=120)
    retire_and_close = dict(retire, close=True)
    predicted, closed = _check_then_apply(ansible, retire_and_close)
    assert predicted["changed"] is True, predicted
    assert predicted["account"]["status"] == "PENDING_CLOSURE"
    assert closed["changed"] is True, closed
    assert closed["account"]["status"] == "PENDING_CLOSURE"
    # One CloseAccount for the two tasks: the check-mode one wrote nothing.  Right before it, the
    # closure's time is tagged (Organizations shows none; the close quota's plan counts it).
    assert _actions(proxy.mutating_calls()) == ["TagResource", "CloseAccount"]
    assert "landing-zone:close-requested" in _tags(client, account_id)

    proxy.reset()
    # Closing: nothing more to do, whether it is still pending or already suspended.
    for again in _check_then_apply(ansible, retire, retire_and_close):
        assert again["changed"] is False, again
        assert again["account"]["status"] == "PENDING_CLOSURE"
    proxy.configure_strict(close_pending_seconds=0)
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


# --- accounts: many accounts in one run --------------------------------------

# Seven new accounts in three OUs: (name, OU path).
BATCH_LAYOUT = (
    ("audit", "/security"),
    ("log-archive", "/security"),
    ("pay-prod", "/workloads/prod"),
    ("shop-prod", "/workloads/prod"),
    ("api-prod", "/workloads/prod"),
    ("dev-a", "/sandbox"),
    ("dev-b", "/sandbox"),
)


def _batch_ous(client, root_id):
    """The three OUs of BATCH_LAYOUT (and /workloads above prod): {path: id}."""
    workloads = _create_ou(client, root_id, "workloads")
    return {
        "/security": _create_ou(client, root_id, "security"),
        "/workloads/prod": _create_ou(client, workloads, "prod"),
        "/sandbox": _create_ou(client, root_id, "sandbox"),
    }


def _batch_entries(layout=BATCH_LAYOUT, management_at=3):
    """One entry per new account, with the management account adopted by id in the middle."""
    entries = [
        dict(params=dict(name=name, email=f"{name}@example.com", ou=ou, tags={"team": name, "batch": "yes"}))
        for name, ou in layout
    ]
    entries.insert(management_at, dict(account_id=MANAGEMENT_ACCOUNT, params=dict(tags={"role": "management"})))
    return entries


def _count(calls, action):
    return sum(1 for c in calls if c["action"] == action)


@pytest.mark.long
def test_accounts_creates_seven_in_three_ous_and_adopts_the_management_account_in_one_run(
    ansible, proxy, organization
):
    client = organization["client"]
    ou_ids = _batch_ous(client, organization["root_id"])
    entries = _batch_entries()
    proxy.reset()

    # Check mode: every new account predicted in its OU, nothing written.
    predicted = ansible.run_module(MODULE, dict(accounts=entries), check=True)
    assert predicted["changed"] is True, predicted
    assert proxy.mutating_calls() == []
    assert [a["Id"] for a in client.list_accounts()["Accounts"]] == [MANAGEMENT_ACCOUNT]
    assert len(predicted["accounts"]) == 8
    for entry, result in zip(entries, predicted["accounts"]):
        if entry.get("account_id"):
            assert result["account_id"] == MANAGEMENT_ACCOUNT
            assert (result["found_by"], result["changed"]) == ("account_id", True), result
            assert result["account"]["tags"] == {"role": "management"}
        else:
            params = entry["params"]
            placeholder = f"(new account {params['name']})"  # common/placeholders.py
            assert (result["account_id"], result["found_by"], result["changed"]) == (placeholder, "created", True), result
            assert result["account"]["name"] == params["name"]
            assert result["account"]["email"] == params["email"]
            assert result["account"]["ou_path"] == params["ou"]
            assert result["account"]["parent_id"] == ou_ids[params["ou"]]
            assert result["account"]["tags"] == params["tags"]
    for action in ("ListRoots", "ListAccounts", "ListCreateAccountStatus"):
        assert _count(proxy.calls, action) == 1, (action, _actions(proxy.calls))

    proxy.reset()
    created = ansible.run_module(MODULE, dict(accounts=entries))
    assert created["changed"] is True, created
    calls = list(proxy.calls)
    accounts = client.list_accounts()["Accounts"]
    by_email = {a["Email"]: a for a in accounts}
    # Every account exists once, in its OU, with its tags.
    assert len(accounts) == 8
    assert sorted(by_email) == sorted([f"{name}@example.com" for name, _ou in BATCH_LAYOUT] + [MANAGEMENT_EMAIL])
    # moto keeps a creation request for the management account too ("master").
    request_names = [r["AccountName"] for r in client.list_create_account_status()["CreateAccountStatuses"]]
    assert sorted(request_names) == sorted(["master"] + [name for name, _ou in BATCH_LAYOUT])
    for name, ou in BATCH_LAYOUT:
        account = by_email[f"{name}@example.com"]
        assert account["Name"] == name
        assert _parent_id(client, account["Id"]) == ou_ids[ou], name
        assert _tags(client, account["Id"]) == {"team": name, "batch": "yes"}
    assert _tags(client, MANAGEMENT_ACCOUNT) == {"role": "management"}
    assert _parent_id(client, MANAGEMENT_ACCOUNT) == organization["root_id"]
    # One result per entry, in the order given, each with its account id.
    expected_ids = [e.get("account_id") or by_email[e["params"]["email"]]["Id"] for e in entries]
    assert [r["account_id"] for r in created["accounts"]] == expected_ids
    assert [r["account"]["id"] for r in created["accounts"]] == expected_ids
    assert [r["found_by"] for r in created["accounts"]] == ["created"] * 3 + ["account_id"] + ["created"] * 4
    assert all(r["changed"] for r in created["accounts"])
    # The organization is listed once for the whole run, not once per account.
    for action in ("ListRoots", "ListAccounts", "ListCreateAccountStatus"):
        assert _count(calls, action) == 1, (action, _actions(calls))
    assert sorted(_actions(c for c in calls if c["mutating"])) == sorted(
        ["CreateAccount"] * 7 + ["MoveAccount"] * 7 + ["TagResource"]
    )

    proxy.reset()
    again = ansible.run_module(MODULE, dict(accounts=entries))
    assert again["changed"] is False, again
    assert proxy.mutating_calls() == []
    assert [r["account_id"] for r in again["accounts"]] == expected_ids
    assert [r["found_by"] for r in again["accounts"]] == ["email"] * 3 + ["account_id"] + ["email"] * 4
    assert not any(r["changed"] for r in again["accounts"])
    assert _count(proxy.calls, "ListRoots") == 1
    assert _count(proxy.calls, "ListAccounts") <= 1
    assert _count(proxy.calls, "ListCreateAccountStatus") <= 1
    assert len(client.list_accounts()["Accounts"]) == 8


def _in_flight_peak(intervals):
    """The most intervals (start, end) open at the same moment; an end at t closes before a start at t."""
    events = sorted([(start, 1) for start, _end in intervals] + [(end, -1) for _start, end in intervals])
    peak = open_now = 0
    for _moment, step in events:
        open_now += step
        peak = max(peak, open_now)
    return peak


def test_accounts_keeps_at_most_five_creations_in_flight(ansible, proxy, organization, monkeypatch):
    """Seven new accounts while each creation takes three seconds: five requests in flight, never six.

    A request is in flight from the moment CreateAccount reaches the proxy
    until the first DescribeCreateAccountStatus answer saying SUCCEEDED
    leaves it (the module only learns then that its slot is free).
    """
    client = organization["client"]
    ou_ids = _batch_ous(client, organization["root_id"])
    entries = _batch_entries(management_at=0)[1:]  # the seven new accounts only
    created, succeeded = {}, {}

    def watch(call, answer):
        status, _headers, body = answer
        if call["service"] != "organizations" or status != 200:
            return None
        if call["action"] in ("CreateAccount", "DescribeCreateAccountStatus"):
            request = json.loads(body)["CreateAccountStatus"]
            if call["action"] == "CreateAccount":
                created[request["Id"]] = call["time"]  # when the call arrived
            elif request["State"] == "SUCCEEDED":
                succeeded.setdefault(request["Id"], time.time())  # just before the answer leaves
        return None

    monkeypatch.setattr(proxy, "after_forward", watch)
    proxy.configure(account_creation_seconds=3)
    result = ansible.run_module(MODULE, dict(accounts=entries))
    assert result["changed"] is True, result

    assert len(created) == 7 and sorted(succeeded) == sorted(created), (created, succeeded)
    intervals = [(created[request_id], succeeded[request_id]) for request_id in created]
    assert all(start < end for start, end in intervals)
    # Five at once (the batch does run them in parallel), never a sixth.
    assert _in_flight_peak(intervals) == 5, sorted(intervals)
    # The last two were sent only after earlier requests had finished.
    starts = sorted(start for start, _end in intervals)
    assert min(end for _start, end in intervals) < starts[5]
    assert _count(proxy.calls, "CreateAccount") == 7
    for name, ou in BATCH_LAYOUT:
        account = _account_by_email(client, f"{name}@example.com")
        assert account is not None, name
        assert _parent_id(client, account["Id"]) == ou_ids[ou], name
    assert [r["account"]["name"] for r in result["accounts"]] == [name for name, _ou in BATCH_LAYOUT]


def test_accounts_with_a_bad_entry_fail_before_any_call_naming_the_entry(ansible, proxy, organization):
    good = dict(params=dict(name="good", email="good@example.com", ou="/"))
    other = dict(params=dict(name="other", email="other@example.com"))
    tasks = {
        "bad email": [good, dict(params=dict(name="bad-mail", email="bad-mail.example.com")), other],
        "no id nor email": [good, dict(params=dict(name="nameless", ou="/")), other],
        "email twice": [good, other, dict(params=dict(name="again", email="Good@Example.com"))],
    }
    run = ansible.run_tasks(
        [{"name": name, MODULE: dict(accounts=entries), "ignore_errors": True} for name, entries in tasks.items()]
    )
    messages = {name: run.one(name)["msg"] for name in tasks}
    assert all(_status(run, name) == "failed" for name in tasks), messages
    assert messages["bad email"] == (
        "accounts[1] (account bad-mail): email: 'bad-mail.example.com' is not a valid email address"
        " (name@domain.tld, 6-64 characters)"
    )
    assert messages["no id nor email"] == (
        "accounts[1] (account nameless): account_id or email: one of them is required to find the account"
    )
    assert messages["email twice"] == (
        "accounts[2] (account again): email: 'Good@Example.com' is also the email of accounts[0] (account good);"
        " list each account once"
    )
    # Every entry is checked before the first AWS call: the good entries were not created either.
    assert proxy.calls == []
    assert [a["Id"] for a in organization["client"].list_accounts()["Accounts"]] == [MANAGEMENT_ACCOUNT]


# --- lost answers and duplicates (issue 12) ------------------------------------------


def _accounts_with_email(client, email):
    return [a for a in client.list_accounts()["Accounts"] if a["Email"].lower() == email.lower()]


def _creation_requests_named(client, name):
    return [r for r in client.list_create_account_status()["CreateAccountStatuses"] if r["AccountName"] == name]


def test_a_lost_create_account_answer_adopts_the_account_the_first_request_made(ansible, proxy, organization):
    if not proxy.strict.enabled:
        pytest.skip("moto alone makes a second account of the email: only strict mode fails the repeat as AWS does")
    client = organization["client"]
    ops_id = _create_ou(client, organization["root_id"], "ops")
    args = dict(name="audit", email="audit@example.com", ou="/ops", tags={"team": "security"})

    with FirstAnswerLost(proxy, "organizations:CreateAccount") as lost:
        result = ansible.run_module(MODULE, args)

    assert result.get("failed") is not True, result
    assert [c["action"] for c in lost.lost] == ["CreateAccount"]
    # botocore sent the lost call again; AWS (strict mode) takes the repeat and fails it.
    creations = [(c["injected"], c["status"], c["strict"]) for c in proxy.calls if c["action"] == "CreateAccount"]
    assert creations == [("reset_after", 200, None), (None, 200, "rewritten")], creations
    # The module waited on the repeat (FAILED, EMAIL_ALREADY_EXISTS), then read the account back by email.
    actions = _actions(proxy.calls)
    assert actions[actions.index("DescribeCreateAccountStatus") + 1] == "ListAccounts", actions
    # Exactly one account with the email, placed and tagged; the module reports it as created.
    [account] = _accounts_with_email(client, "audit@example.com")
    assert (result["changed"], result["found_by"], result["adopted"]) == (True, "created", False)
    assert result["account"]["id"] == account["Id"]
    assert _parent_id(client, account["Id"]) == ops_id
    assert _tags(client, account["Id"]) == {"team": "security"}
    assert [r["State"] for r in _creation_requests_named(client, "audit")] == ["SUCCEEDED"]  # moto made one

    proxy.reset()
    again = ansible.run_module(MODULE, args)
    assert (again["changed"], again["found_by"], again["account"]["id"]) == (False, "email", account["Id"])
    assert proxy.mutating_calls() == []


def test_an_internal_failure_is_sent_again_and_ends_with_one_account(ansible, proxy, organization):
    if not proxy.strict.enabled:
        pytest.skip("moto never fails a creation: only strict mode ends one FAILED with INTERNAL_FAILURE")
    client = organization["client"]
    ops_id = _create_ou(client, organization["root_id"], "ops")
    proxy.configure_strict(creation_internal_failures=1)
    args = dict(accounts=[dict(params=dict(name="audit", email="audit@example.com", ou="/ops"))])

    result = ansible.run_module(MODULE, args)

    assert result.get("failed") is not True, result
    creations = [c["strict"] for c in proxy.calls if c["action"] == "CreateAccount"]
    assert creations == ["rewritten", None], creations  # the failed request (the strict layer's), then moto's
    [account] = _accounts_with_email(client, "audit@example.com")
    assert _parent_id(client, account["Id"]) == ops_id
    [entry] = result["accounts"]
    assert (entry["changed"], entry["found_by"], entry["account"]["id"]) == (True, "created", account["Id"])
    assert any("INTERNAL_FAILURE" in w and "sent again" in w for w in result.get("warnings", [])), result
    assert sorted(r["State"] for r in _creation_requests_named(client, "audit")) == ["SUCCEEDED"]  # moto's own

    proxy.reset()
    again = ansible.run_module(MODULE, args)
    assert again["changed"] is False and proxy.mutating_calls() == []


def test_accounts_with_two_accounts_of_one_email_stop_before_any_write(ansible, proxy, organization):
    client = organization["client"]
    # Straight to moto, which (unlike AWS) gives an email to two accounts.
    twins = [_create_account(client, name, "shared@example.com")["AccountId"] for name in ("shared-a", "shared-b")]
    entries = [
        dict(params=dict(name="new-one", email="new-one@example.com")),
        dict(params=dict(name="shared-a", email="Shared@Example.com")),
    ]

    run = ansible.run_tasks([{"name": "batch", MODULE: dict(accounts=entries), "ignore_errors": True}])

    assert _status(run, "batch") == "failed"
    message = run.one("batch")["msg"]
    assert (f"account shared-a: accounts[1] (account shared-a): email: 2 accounts of the organization have the"
            f" email 'Shared@Example.com': 'shared-a' ({twins[0]}), 'shared-b' ({twins[1]})") in message, message
    assert "account new-one: not converged: another entry of accounts names duplicates" in message, message
    assert proxy.mutating_calls() == []
    assert _accounts_with_email(client, "new-one@example.com") == []
    # One listing of the organization for the whole batch.
    assert _actions(proxy.calls).count("ListAccounts") == 1


def test_accounts_with_two_ous_of_one_name_on_an_ou_path_stop_before_any_write(ansible, proxy, organization):
    client = organization["client"]
    root_id = organization["root_id"]
    twins = [_create_ou(client, root_id, "prod"), _create_ou(client, root_id, "prod")]
    entries = [
        dict(params=dict(name="new-one", email="new-one@example.com", ou="/")),
        dict(params=dict(name="payments", email="payments@example.com", ou="/prod")),
    ]

    run = ansible.run_tasks([{"name": "batch", MODULE: dict(accounts=entries), "ignore_errors": True}])

    assert _status(run, "batch") == "failed"
    message = run.one("batch")["msg"]
    assert "accounts[1] (account payments): ou: OU path '/prod': 2 OUs are named 'prod' under /" in message, message
    assert all(twin in message for twin in twins), message
    assert proxy.mutating_calls() == []
    assert _accounts_with_email(client, "new-one@example.com") == []
    assert _accounts_with_email(client, "payments@example.com") == []
