"""Waiting on and finding account creation requests, with a stubbed boto3 client and a fake clock.

botocore's Stubber checks every request and response against the
Organizations API model, so the answers below are ones AWS could give.
"""

import datetime

import botocore.session
import pytest

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError

from ansible_collections.awsorg.landing_zone.plugins.module_utils.resources import account_creation
from ansible_collections.awsorg.landing_zone.plugins.module_utils.resources.account_creation import FAILURE_REASONS
from ansible_collections.awsorg.landing_zone.plugins.module_utils.resources.account_creation import find_pending_request
from ansible_collections.awsorg.landing_zone.plugins.module_utils.resources.account_creation import wait_for_creation

REQUEST_ID = "car-0123456789abcdef"
ACCOUNT_ID = "210987654321"
NOW = datetime.datetime(2025, 1, 1, tzinfo=datetime.timezone.utc)


class FakeClock:
    """time.monotonic and time.sleep for the poll loop: sleeping only moves the clock."""

    def __init__(self):
        self.now = 1000.0
        self.sleeps = []

    def clock(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds


def _status(state, **extra):
    status = dict(Id=REQUEST_ID, AccountName="payments-prod", State=state, RequestedTimestamp=NOW)
    status.update(extra)
    return status


def _expect_describe(client, status):
    client.stubber.add_response(
        "describe_create_account_status",
        {"CreateAccountStatus": status},
        {"CreateAccountRequestId": REQUEST_ID},
    )


def test_in_progress_then_succeeded_returns_the_account_id_after_steady_then_growing_delays(client):
    fake = FakeClock()
    for _poll in range(66):
        _expect_describe(client, _status("IN_PROGRESS"))
    _expect_describe(client, _status("SUCCEEDED", AccountId=ACCOUNT_ID))

    status = wait_for_creation(client, REQUEST_ID, timeout=900, sleep=fake.sleep, clock=fake.clock)

    assert status["AccountId"] == ACCOUNT_ID
    # Every second for the first minute (a finished request is seen at most a
    # second late), then growing up to the 15 s ceiling, never shrinking.
    assert fake.sleeps == [1.0] * 60 + [1.5, 2.25, 3.375, 5.0625, 7.59375, 11.390625]


def test_in_progress_then_failed_explains_the_reason_in_plain_words(client):
    fake = FakeClock()
    _expect_describe(client, _status("IN_PROGRESS"))
    _expect_describe(client, _status("FAILED", FailureReason="EMAIL_ALREADY_EXISTS"))

    with pytest.raises(AnsibleAWSError) as raised:
        wait_for_creation(client, REQUEST_ID, timeout=900, sleep=fake.sleep, clock=fake.clock)

    message = raised.value.message
    assert "EMAIL_ALREADY_EXISTS" in message
    assert "an AWS account with this email address already exists" in message
    assert "'payments-prod'" in message and REQUEST_ID in message
    assert fake.sleeps == [1.0]


def test_still_in_progress_at_the_deadline_times_out_without_sleeping_past_it(client):
    fake = FakeClock()
    # 1 + 1 + 1 + 1 + 0.5 (cut to the deadline) = 4.5 seconds, then one last look.
    for _poll in range(6):
        _expect_describe(client, _status("IN_PROGRESS"))

    with pytest.raises(AnsibleAWSError) as raised:
        wait_for_creation(client, REQUEST_ID, timeout=4.5, sleep=fake.sleep, clock=fake.clock)

    assert fake.sleeps == [1.0, 1.0, 1.0, 1.0, 0.5]
    assert "still IN_PROGRESS after 4.5 seconds" in raised.value.message
    assert REQUEST_ID in raised.value.message
    assert "run the task again" in raised.value.message


def test_every_failure_reason_of_the_api_has_plain_words():
    model = botocore.session.get_session().get_service_model("organizations")
    reasons = set(model.shape_for("CreateAccountFailureReason").enum)
    assert reasons <= set(FAILURE_REASONS), sorted(reasons - set(FAILURE_REASONS))


def test_unknown_failure_reason_is_still_named():
    message = account_creation.failure_message(_status("FAILED", FailureReason="SOMETHING_NEW"))
    assert "SOMETHING_NEW" in message


def _expect_requests(client, statuses):
    client.stubber.add_response(
        "list_create_account_status",
        {"CreateAccountStatuses": statuses},
        {"States": ["IN_PROGRESS", "SUCCEEDED"]},
    )


def test_an_in_progress_request_with_the_same_name_is_found(client):
    other = dict(_status("IN_PROGRESS"), Id="car-0000000000other", AccountName="someone-else")
    _expect_requests(client, [other, _status("IN_PROGRESS")])
    request, account = find_pending_request(client, "payments-prod", set())
    assert (request["Id"], account) == (REQUEST_ID, None)


def test_a_succeeded_request_is_found_only_while_its_account_is_not_listed(client):
    succeeded = _status("SUCCEEDED", AccountId=ACCOUNT_ID)
    _expect_requests(client, [succeeded])
    assert find_pending_request(client, "payments-prod", {ACCOUNT_ID}) == (None, None)

    _expect_requests(client, [succeeded])
    account = dict(Id=ACCOUNT_ID, Name="payments-prod", Email="p@example.com", Status="ACTIVE")
    client.stubber.add_response("describe_account", {"Account": account}, {"AccountId": ACCOUNT_ID})
    request, found = find_pending_request(client, "payments-prod", set())
    assert (request["AccountId"], found["Name"]) == (ACCOUNT_ID, "payments-prod")


def test_a_succeeded_request_whose_account_left_the_organization_is_ignored(client):
    _expect_requests(client, [_status("SUCCEEDED", AccountId=ACCOUNT_ID)])
    client.stubber.add_client_error(
        "describe_account", "AccountNotFoundException", expected_params={"AccountId": ACCOUNT_ID}
    )
    assert find_pending_request(client, "payments-prod", set()) == (None, None)


def test_a_failed_request_raises_creation_failed_with_its_reason(client):
    # org_account tells EMAIL_ALREADY_EXISTS (a repeated CreateAccount whose
    # first answer was lost) from the other reasons by CreationFailed.reason.
    fake = FakeClock()
    _expect_describe(client, _status("FAILED", FailureReason="EMAIL_ALREADY_EXISTS"))

    with pytest.raises(account_creation.CreationFailed) as raised:
        wait_for_creation(client, REQUEST_ID, timeout=900, sleep=fake.sleep, clock=fake.clock)

    assert raised.value.reason == "EMAIL_ALREADY_EXISTS"
    assert raised.value.status["Id"] == REQUEST_ID
    assert isinstance(raised.value, AnsibleAWSError)
