"""Strict mode: Organizations as AWS answers it (behaviours 6 and 7).

Creation requests that AWS would end FAILED (an email already used, the
organization's account quota), more creations in flight than AWS runs, a
duplicate OU or policy name, an account that reads PENDING_CLOSURE before
SUSPENDED, and the rolling 30-day quota of closed accounts.
"""

import time

import pytest
from botocore.exceptions import ClientError
from botocore.exceptions import ConnectionClosedError

from tests.harness.clients import through

# These tests are about the strict layer: strict whatever STRICT_AWS says.
pytestmark = pytest.mark.usefixtures("strict_on")

LOST_ANSWER = dict(fault_rules={"organizations:*": 1.0}, fault_kinds={"reset_after": 1.0})


def create(orgs, email, name="acct"):
    return orgs.create_account(AccountName=name, Email=email)["CreateAccountStatus"]


def accounts_with(aws, email):
    return [a for a in aws.client("organizations").list_accounts()["Accounts"] if a["Email"] == email]


def all_statuses(orgs, **params):
    statuses, token = [], None
    while True:
        page = orgs.list_create_account_status(**params, **({"NextToken": token} if token else {}))
        statuses.extend(page["CreateAccountStatuses"])
        token = page.get("NextToken")
        if not token:
            return statuses


def assert_error(raised, code, status=400, message=None, reason=None):
    error = raised.value.response
    assert error["Error"]["Code"] == code
    assert type(raised.value).__name__ == code
    assert error["ResponseMetadata"]["HTTPStatusCode"] == status
    if message is not None:
        assert error["Error"]["Message"] == message
    if reason is not None:
        assert error["Reason"] == reason


# --- CreateAccount -------------------------------------------------------------------

def test_create_account_with_an_email_in_use_ends_failed_email_already_exists(proxy, aws, organization):
    orgs = through(proxy, "organizations")
    first = create(orgs, "dup@example.com")
    assert first["State"] == "SUCCEEDED"
    second = create(orgs, "dup@example.com")
    assert second["State"] == "IN_PROGRESS" and second["Id"].startswith("car-") and "AccountId" not in second
    described = orgs.describe_create_account_status(CreateAccountRequestId=second["Id"])["CreateAccountStatus"]
    assert described["State"] == "FAILED"
    assert described["FailureReason"] == "EMAIL_ALREADY_EXISTS"
    assert "AccountId" not in described
    assert len(accounts_with(aws, "dup@example.com")) == 1
    failed = all_statuses(orgs, States=["FAILED"])
    assert [s["Id"] for s in failed] == [second["Id"]]
    assert [s["Id"] for s in all_statuses(orgs, States=["SUCCEEDED"])] == [first["Id"]]
    assert [s["Id"] for s in all_statuses(orgs, MaxResults=1)] == [first["Id"], second["Id"]]


def test_moto_alone_makes_a_second_account_with_the_same_email(proxy, aws, organization):
    proxy.configure_strict(enabled=False)
    orgs = through(proxy, "organizations")
    create(orgs, "dup@example.com")
    assert create(orgs, "dup@example.com")["State"] == "SUCCEEDED"
    assert len(accounts_with(aws, "dup@example.com")) == 2


def test_lost_create_account_answer_then_retry_ends_failed_email_already_exists(proxy, aws, organization):
    orgs = through(proxy, "organizations")
    proxy.configure(**LOST_ANSWER)
    with pytest.raises(ConnectionClosedError):
        create(orgs, "lost@example.com")
    proxy.configure()
    retry = create(orgs, "lost@example.com")
    described = orgs.describe_create_account_status(CreateAccountRequestId=retry["Id"])["CreateAccountStatus"]
    assert (described["State"], described["FailureReason"]) == ("FAILED", "EMAIL_ALREADY_EXISTS")
    assert len(accounts_with(aws, "lost@example.com")) == 1


def test_same_email_while_the_first_creation_is_in_flight_ends_failed_concurrent_modification(proxy, aws,
                                                                                              organization):
    proxy.configure(account_creation_seconds=1.0)
    orgs = through(proxy, "organizations")
    first = create(orgs, "slow@example.com")
    second = create(orgs, "slow@example.com")
    assert (first["State"], second["State"]) == ("IN_PROGRESS", "IN_PROGRESS")
    assert orgs.describe_create_account_status(
        CreateAccountRequestId=second["Id"])["CreateAccountStatus"]["State"] == "IN_PROGRESS"
    assert {s["Id"] for s in all_statuses(orgs, States=["IN_PROGRESS"])} == {first["Id"], second["Id"]}
    time.sleep(1.1)
    described = orgs.describe_create_account_status(CreateAccountRequestId=second["Id"])["CreateAccountStatus"]
    assert (described["State"], described["FailureReason"]) == ("FAILED", "CONCURRENT_ACCOUNT_MODIFICATION")
    assert orgs.describe_create_account_status(
        CreateAccountRequestId=first["Id"])["CreateAccountStatus"]["State"] == "SUCCEEDED"
    assert len(accounts_with(aws, "slow@example.com")) == 1


def test_more_than_5_creations_in_flight_is_constraint_violation(proxy, aws, organization):
    proxy.configure(account_creation_seconds=60)
    orgs = through(proxy, "organizations")
    for index in range(5):
        assert create(orgs, f"a{index}@example.com")["State"] == "IN_PROGRESS"
    with pytest.raises(ClientError) as refused:
        create(orgs, "a5@example.com")
    assert_error(refused, "ConstraintViolationException", 400,
                 "You attempted to exceed the number of accounts that can be in progress at a time.",
                 "ACCOUNT_CREATION_RATE_LIMIT_EXCEEDED")
    assert accounts_with(aws, "a5@example.com") == []
    proxy.configure_strict(enabled=False)
    create(orgs, "a5@example.com")
    assert len(accounts_with(aws, "a5@example.com")) == 1


def test_create_account_beyond_the_account_quota_ends_failed_account_limit_exceeded(proxy, aws, organization):
    proxy.configure_strict(account_quota=3)  # the management account and two members
    orgs = through(proxy, "organizations")
    direct = aws.client("organizations")
    create(orgs, "m1@example.com")
    closed = create(orgs, "m2@example.com")["AccountId"]
    direct.close_account(AccountId=closed)  # a closed account still counts
    over = create(orgs, "m3@example.com")
    described = orgs.describe_create_account_status(CreateAccountRequestId=over["Id"])["CreateAccountStatus"]
    assert (described["State"], described["FailureReason"]) == ("FAILED", "ACCOUNT_LIMIT_EXCEEDED")
    assert len(direct.list_accounts()["Accounts"]) == 3
    proxy.configure_strict(account_quota=4)
    assert create(orgs, "m3@example.com")["State"] == "SUCCEEDED"
    proxy.configure_strict(account_quota=4, enabled=False)
    assert create(orgs, "m4@example.com")["State"] == "SUCCEEDED"
    assert len(direct.list_accounts()["Accounts"]) == 5


def test_configured_internal_failures_end_failed_and_make_no_account(proxy, aws, organization):
    proxy.configure_strict(creation_internal_failures=1)
    orgs = through(proxy, "organizations")
    failed = create(orgs, "i1@example.com")
    described = orgs.describe_create_account_status(CreateAccountRequestId=failed["Id"])["CreateAccountStatus"]
    assert (described["State"], described["FailureReason"]) == ("FAILED", "INTERNAL_FAILURE")
    assert "AccountId" not in described and accounts_with(aws, "i1@example.com") == []
    # One failure was configured: the next request makes the account.
    assert create(orgs, "i1@example.com")["State"] == "SUCCEEDED"
    assert len(accounts_with(aws, "i1@example.com")) == 1


# --- names that must be unique -----------------------------------------------------

def test_duplicate_ou_name_under_one_parent_is_refused(proxy, aws, organization):
    orgs = through(proxy, "organizations")
    root = organization["root_id"]
    parent = orgs.create_organizational_unit(ParentId=root, Name="Prod")["OrganizationalUnit"]["Id"]
    with pytest.raises(ClientError) as refused:
        orgs.create_organizational_unit(ParentId=root, Name="Prod")
    assert_error(refused, "DuplicateOrganizationalUnitException", 400, "An OU with the same name already exists.")
    orgs.create_organizational_unit(ParentId=parent, Name="Prod")  # another parent: allowed
    direct = aws.client("organizations")
    assert [ou["Name"] for ou in direct.list_organizational_units_for_parent(ParentId=root)[
        "OrganizationalUnits"]] == ["Prod"]
    proxy.configure_strict(enabled=False)
    orgs.create_organizational_unit(ParentId=root, Name="Prod")
    assert len(direct.list_organizational_units_for_parent(ParentId=root)["OrganizationalUnits"]) == 2


def test_lost_create_ou_answer_then_retry_is_duplicate(proxy, aws, organization):
    orgs = through(proxy, "organizations")
    proxy.configure(**LOST_ANSWER)
    with pytest.raises(ConnectionClosedError):
        orgs.create_organizational_unit(ParentId=organization["root_id"], Name="Lost")
    proxy.configure()
    with pytest.raises(ClientError) as refused:
        orgs.create_organizational_unit(ParentId=organization["root_id"], Name="Lost")
    assert_error(refused, "DuplicateOrganizationalUnitException", 400)
    assert len(aws.client("organizations").list_organizational_units_for_parent(
        ParentId=organization["root_id"])["OrganizationalUnits"]) == 1


SCP = '{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:DeleteBucket","Resource":"*"}]}'


def test_duplicate_policy_name_is_refused_and_a_lost_answer_retry_too(proxy, aws, organization):
    orgs = through(proxy, "organizations")
    orgs.create_policy(Name="Guard", Description="", Type="SERVICE_CONTROL_POLICY", Content=SCP)
    with pytest.raises(ClientError) as refused:
        orgs.create_policy(Name="Guard", Description="", Type="SERVICE_CONTROL_POLICY", Content=SCP)
    assert_error(refused, "DuplicatePolicyException", 400, "A policy with the same name already exists.")
    assert proxy.calls[-1]["strict"] == "DuplicatePolicyException"
    proxy.configure(**LOST_ANSWER)
    with pytest.raises(ConnectionClosedError):
        orgs.create_policy(Name="Lost", Description="", Type="SERVICE_CONTROL_POLICY", Content=SCP)
    proxy.configure()
    with pytest.raises(ClientError) as refused:
        orgs.create_policy(Name="Lost", Description="", Type="SERVICE_CONTROL_POLICY", Content=SCP)
    assert_error(refused, "DuplicatePolicyException", 400)
    names = [p["Name"] for p in aws.client("organizations").list_policies(
        Filter="SERVICE_CONTROL_POLICY")["Policies"]]
    assert sorted(n for n in names if n in ("Guard", "Lost")) == ["Guard", "Lost"]


def test_moto_alone_refuses_a_duplicate_policy_name_too(proxy, organization):
    proxy.configure_strict(enabled=False)
    orgs = through(proxy, "organizations")
    orgs.create_policy(Name="Guard", Description="", Type="SERVICE_CONTROL_POLICY", Content=SCP)
    with pytest.raises(ClientError) as refused:
        orgs.create_policy(Name="Guard", Description="", Type="SERVICE_CONTROL_POLICY", Content=SCP)
    assert_error(refused, "DuplicatePolicyException", 400)
    assert proxy.calls[-1]["strict"] is None


# --- CloseAccount --------------------------------------------------------------------

def _states(orgs, account_id, root_id):
    described = orgs.describe_account(AccountId=account_id)["Account"]
    listed = next(a for a in orgs.list_accounts()["Accounts"] if a["Id"] == account_id)
    in_parent = next(a for a in orgs.list_accounts_for_parent(ParentId=root_id)["Accounts"] if a["Id"] == account_id)
    return {(a["Status"], a["State"]) for a in (described, listed, in_parent)}


def test_closed_account_reads_pending_closure_then_suspended(proxy, aws, organization):
    proxy.configure_strict(close_pending_seconds=0.8)
    account = aws.client("organizations").create_account(AccountName="c", Email="c@example.com")[
        "CreateAccountStatus"]["AccountId"]
    orgs = through(proxy, "organizations")
    orgs.close_account(AccountId=account)
    assert _states(orgs, account, organization["root_id"]) == {("PENDING_CLOSURE", "PENDING_CLOSURE")}
    with pytest.raises(ClientError) as refused:
        orgs.close_account(AccountId=account)
    assert_error(refused, "AccountAlreadyClosedException", 400)
    time.sleep(0.9)
    assert _states(orgs, account, organization["root_id"]) == {("SUSPENDED", "SUSPENDED")}
    with pytest.raises(ClientError) as refused:
        orgs.close_account(AccountId=account)
    assert_error(refused, "AccountAlreadyClosedException", 400)


def test_moto_alone_suspends_at_once(proxy, aws, organization):
    proxy.configure_strict(enabled=False)
    account = aws.client("organizations").create_account(AccountName="c", Email="c@example.com")[
        "CreateAccountStatus"]["AccountId"]
    orgs = through(proxy, "organizations")
    orgs.close_account(AccountId=account)
    assert _states(orgs, account, organization["root_id"]) == {("SUSPENDED", "SUSPENDED")}


def test_closing_beyond_the_rolling_30_day_quota_is_constraint_violation(proxy, aws, organization):
    proxy.configure_strict(close_quota_minimum=2, close_pending_seconds=0)
    direct = aws.client("organizations")
    accounts = [direct.create_account(AccountName=f"c{i}", Email=f"c{i}@example.com")["CreateAccountStatus"][
        "AccountId"] for i in range(3)]
    orgs = through(proxy, "organizations")
    orgs.close_account(AccountId=accounts[0])
    orgs.close_account(AccountId=accounts[1])
    with pytest.raises(ClientError) as refused:
        orgs.close_account(AccountId=accounts[2])
    assert_error(refused, "ConstraintViolationException", 400,
                 "You have exceeded close account quota for the past 30 days.", "CLOSE_ACCOUNT_QUOTA_EXCEEDED")
    assert direct.describe_account(AccountId=accounts[2])["Account"]["Status"] == "ACTIVE"
    proxy.configure_strict(enabled=False)
    orgs.close_account(AccountId=accounts[2])
    assert direct.describe_account(AccountId=accounts[2])["Account"]["Status"] == "SUSPENDED"
