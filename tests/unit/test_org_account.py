"""org_account's input validation: every bad value fails naming the option, before any AWS call."""

import pytest

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.awsorg.landing_zone.plugins.module_utils.resources import org_account_reads
from ansible_collections.awsorg.landing_zone.plugins.module_utils.resources.org_account import validate

DEFAULTS = dict(
    name=None,
    email=None,
    account_id=None,
    ou=None,
    role_name="OrganizationAccountAccessRole",
    iam_user_access_to_billing="ALLOW",
    tags=None,
    purge_tags=False,
    state="present",
    quarantine_ou=None,
    close=False,
    wait=True,
    wait_timeout=900,
)


class Failed(Exception):
    pass


class ValidatingModule:
    """The part of AnsibleLandingZoneModule that validate() uses; it has no AWS client at all."""

    def __init__(self, **params):
        self.params = dict(DEFAULTS, **params)

    def fail_json(self, msg):
        raise Failed(msg)


@pytest.mark.parametrize(
    "params, message_start",
    [
        (dict(email="not-an-email"), "email: 'not-an-email'"),
        (dict(email="a b@example.com"), "email: 'a b@example.com'"),
        (dict(email="ops@example.com\n"), "email: 'ops@example.com\\n'"),
        (dict(email="x" * 60 + "@example.com"), "email: 'xxxx"),
        (dict(name=""), "name: ''"),
        (dict(name="n" * 51), "name: '" + "n" * 51 + "'"),
        (dict(name="café"), "name: 'café'"),
        (dict(name="app\n"), "name: 'app\\n'"),
        (dict(account_id="12345678901"), "account_id: '12345678901'"),
        (dict(account_id="123456789012\n"), "account_id: '123456789012\\n'"),
        (dict(role_name="bad role"), "role_name: 'bad role'"),
        (dict(wait_timeout=-1), "wait_timeout: -1"),
        (dict(ou="workloads"), "ou: OU path 'workloads'"),
        (dict(ou="/a/b/c/d/e/f"), "ou: OU path '/a/b/c/d/e/f' is 6 levels deep"),
        (dict(quarantine_ou="/a//b"), "quarantine_ou: OU path '/a//b'"),
    ],
)
def test_bad_values_fail_naming_the_option_and_the_value(params, message_start):
    with pytest.raises(Failed) as failed:
        validate(ValidatingModule(**params))
    assert str(failed.value).startswith(message_start)


@pytest.mark.parametrize(
    "params, message_start",
    [
        (dict(name="app"), "account_id or email: one of them is required"),
        (dict(email="ops@example.com", state="absent"), "quarantine_ou: required with state=absent"),
    ],
)
def test_missing_options_are_checked_per_account(params, message_start):
    # Checked by validate(), not the module's required_if, so that each entry of accounts is checked too.
    with pytest.raises(Failed) as failed:
        validate(ValidatingModule(**params))
    assert str(failed.value).startswith(message_start)


def test_good_values_pass():
    validate(
        ValidatingModule(
            name="n" * 50,
            email="aws+payments-prod@example.co.uk",
            account_id="012345678901",
            ou="/workloads/prod",
            quarantine_ou="/",
            role_name="LandingZone.Admin@ops",
            wait_timeout=0,
        )
    )


# --- a CreateAccount whose answer was lost ----------------------------------------
#
# botocore repeats a CreateAccount whose connection dropped after AWS took it.
# The repeat is a second request for the same email, which AWS fails with
# EMAIL_ALREADY_EXISTS (CONCURRENT_ACCOUNT_MODIFICATION while the first is
# still in progress), while the first request makes the account.  botocore's
# Stubber checks every request and answer against the Organizations model.

import datetime  # noqa: E402


from ansible_collections.awsorg.landing_zone.plugins.module_utils.resources import org_account  # noqa: E402
from ansible_collections.awsorg.landing_zone.plugins.module_utils.resources.account_creation import CreationFailed  # noqa: E402
from ansible_collections.awsorg.landing_zone.plugins.module_utils.resources.ou_resolver import OUResolver  # noqa: E402

ROOT_ID = "r-abcd"
ACCOUNT_ID = "210987654321"
FIRST_REQUEST = "car-0000000000first"
REPEATED_REQUEST = "car-00000000repeated"
NOW = datetime.datetime(2025, 1, 1, tzinfo=datetime.timezone.utc)
ACCOUNT = dict(Id=ACCOUNT_ID, Arn=f"arn:aws:organizations::123456789012:account/o-exampleorg/{ACCOUNT_ID}",
               Name="payments-prod", Email="Payments@Example.com", Status="ACTIVE", State="ACTIVE",
               JoinedMethod="CREATED", JoinedTimestamp=NOW)


class RunningModule(ValidatingModule):
    """A single-account run: params, check_mode and warn, no batch."""

    check_mode = False

    def __init__(self, **params):
        super().__init__(**params)
        self.warnings = []

    def warn(self, message):
        self.warnings.append(message)


def _request(request_id, state, **extra):
    return dict(Id=request_id, AccountName="payments-prod", State=state, RequestedTimestamp=NOW, **extra)


def _expect_create_again(client, request_id):
    client.stubber.add_response(
        "create_account", {"CreateAccountStatus": _request(request_id, "IN_PROGRESS")},
        {"AccountName": "payments-prod", "Email": "payments@example.com", "RoleName": "OrganizationAccountAccessRole",
         "IamUserAccessToBilling": "ALLOW"},
    )


def _expect_nothing_found_then_create(client):
    """locate finds neither the account nor a request; CreateAccount answers the repeat's request."""
    client.stubber.add_response("list_accounts", {"Accounts": []}, {})
    client.stubber.add_response("list_create_account_status", {"CreateAccountStatuses": []},
                                {"States": ["IN_PROGRESS", "SUCCEEDED"]})
    _expect_create_again(client, REPEATED_REQUEST)


def _expect_succeeded_and_converged(client, request_id):
    """``request_id`` reads SUCCEEDED with the account, which is described and converged."""
    client.stubber.add_response(
        "describe_create_account_status",
        {"CreateAccountStatus": _request(request_id, "SUCCEEDED", AccountId=ACCOUNT_ID)},
        {"CreateAccountRequestId": request_id},
    )
    client.stubber.add_response("describe_account", {"Account": ACCOUNT}, {"AccountId": ACCOUNT_ID})
    _expect_converge(client)


def _expect_repeat_fails(client, reason):
    client.stubber.add_response(
        "describe_create_account_status",
        {"CreateAccountStatus": _request(REPEATED_REQUEST, "FAILED", FailureReason=reason)},
        {"CreateAccountRequestId": REPEATED_REQUEST},
    )


def _expect_converge(client):
    client.stubber.add_response("list_parents", {"Parents": [{"Id": ROOT_ID, "Type": "ROOT"}]},
                                {"ChildId": ACCOUNT_ID})
    client.stubber.add_response("list_tags_for_resource", {"Tags": []}, {"ResourceId": ACCOUNT_ID})


def _run(client, **params):
    module = RunningModule(name="payments-prod", email="payments@example.com", **params)
    return module, org_account.ensure_present(module, client, OUResolver(client, ROOT_ID))


def test_email_already_exists_after_a_lost_answer_adopts_the_account_the_first_request_made(client):
    _expect_nothing_found_then_create(client)
    _expect_repeat_fails(client, "EMAIL_ALREADY_EXISTS")
    # The first request's account, listed by now (the email compares case-insensitively).
    client.stubber.add_response("list_accounts", {"Accounts": [ACCOUNT]}, {})
    _expect_converge(client)

    _module, result = _run(client)

    assert result["changed"] is True
    assert result["found_by"] == "created" and result["adopted"] is False
    assert result["account"]["id"] == ACCOUNT_ID and result["account"]["ou_path"] == "/"


def test_a_repeat_failing_while_the_first_request_runs_waits_on_the_first_request(client):
    _expect_nothing_found_then_create(client)
    _expect_repeat_fails(client, "CONCURRENT_ACCOUNT_MODIFICATION")
    # Not listed yet: the first request is still in progress, found by name and waited on.
    client.stubber.add_response("list_accounts", {"Accounts": []}, {})
    client.stubber.add_response("list_create_account_status",
                                {"CreateAccountStatuses": [_request(FIRST_REQUEST, "IN_PROGRESS")]},
                                {"States": ["IN_PROGRESS", "SUCCEEDED"]})
    _expect_succeeded_and_converged(client, FIRST_REQUEST)

    _module, result = _run(client)

    assert result["changed"] is True and result["account"]["id"] == ACCOUNT_ID


def test_an_internal_failure_is_sent_again_and_the_new_request_makes_the_account(client):
    _expect_nothing_found_then_create(client)
    _expect_repeat_fails(client, "INTERNAL_FAILURE")
    _expect_create_again(client, FIRST_REQUEST)
    _expect_succeeded_and_converged(client, FIRST_REQUEST)

    module, result = _run(client)

    assert result["changed"] is True and result["found_by"] == "created"
    assert result["account"]["id"] == ACCOUNT_ID
    assert module.warnings == [f"AWS could not create account 'payments-prod' (request {REPEATED_REQUEST}):"
                               " INTERNAL_FAILURE, AWS's own failure; the request is sent again"]


def test_internal_failures_past_the_resubmits_fail_with_aws_reason(client):
    _expect_nothing_found_then_create(client)
    _expect_repeat_fails(client, "INTERNAL_FAILURE")
    for _again in range(org_account.INTERNAL_FAILURE_RESUBMITS):
        _expect_create_again(client, REPEATED_REQUEST)
        _expect_repeat_fails(client, "INTERNAL_FAILURE")

    with pytest.raises(CreationFailed) as raised:
        _run(client)

    assert raised.value.reason == "INTERNAL_FAILURE" and "contact AWS Support" in raised.value.message


def test_a_failure_of_the_account_itself_is_not_sent_again(client):
    _expect_nothing_found_then_create(client)
    _expect_repeat_fails(client, "INVALID_EMAIL")  # the stubber would refuse a second CreateAccount

    with pytest.raises(CreationFailed) as raised:
        _run(client)

    assert raised.value.reason == "INVALID_EMAIL"


def test_email_already_exists_for_an_account_outside_the_organization_still_fails(client, monkeypatch):
    monkeypatch.setattr(org_account, "READ_BACK_DELAY", 0)
    _expect_nothing_found_then_create(client)
    _expect_repeat_fails(client, "EMAIL_ALREADY_EXISTS")
    for _attempt in range(org_account.READ_BACK_ATTEMPTS):
        client.stubber.add_response("list_accounts", {"Accounts": []}, {})
        client.stubber.add_response("list_create_account_status", {"CreateAccountStatuses": []},
                                    {"States": ["IN_PROGRESS", "SUCCEEDED"]})

    with pytest.raises(CreationFailed) as raised:
        _run(client)

    assert "EMAIL_ALREADY_EXISTS" in raised.value.message
    assert "email addresses are unique across all of AWS" in raised.value.message


def test_two_accounts_with_the_email_are_named_and_nothing_is_written(client):
    twin = dict(ACCOUNT, Id="310987654321", Name="payments-prod-2", Arn=ACCOUNT["Arn"][:-12] + "310987654321")
    client.stubber.add_response("list_accounts", {"Accounts": [ACCOUNT, twin]}, {})

    with pytest.raises(Failed) as failed:
        _run(client, ou=None)

    message = str(failed.value)
    assert message.startswith("email: 2 accounts of the organization have the email 'payments@example.com'")
    assert f"'payments-prod' ({ACCOUNT_ID})" in message and "'payments-prod-2' (310987654321)" in message


def test_a_new_account_not_yet_listed_under_a_parent_is_asked_again(monkeypatch):
    answers = [[], [], [{"Id": "r-ab12", "Type": "ROOT"}]]
    monkeypatch.setattr(org_account_reads.org, "list_parents", lambda client, account_id: answers.pop(0))
    slept = []
    assert org_account_reads.parent_id_of(None, "210987654321", sleep=slept.append) == "r-ab12"
    assert slept == [1, 2]


def test_an_account_never_listed_under_a_parent_fails_naming_it(monkeypatch):
    monkeypatch.setattr(org_account_reads.org, "list_parents", lambda client, account_id: [])
    slept = []
    with pytest.raises(AnsibleAWSError, match="lists no parent of account 210987654321 yet"):
        org_account_reads.parent_id_of(None, "210987654321", sleep=slept.append)
    assert slept == [1, 2, 4, 8]
