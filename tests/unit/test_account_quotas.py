"""The close quota and the account quota as pure functions (common/account_quotas.py)."""

import datetime

import pytest
from botocore.exceptions import ClientError

from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.account_quotas import CLOSE_REQUESTED_TAG
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.account_quotas import account_quota_problem
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.account_quotas import close_quota
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.account_quotas import close_requested_at
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.account_quotas import close_requested_value
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.account_quotas import is_account_quota
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.account_quotas import is_close_quota_refusal
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.account_quotas import plan_closures
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.account_quotas import recent_closures

NOW = datetime.datetime(2026, 12, 5, 12, 0, tzinfo=datetime.timezone.utc)
DAY = datetime.timedelta(days=1)


@pytest.mark.parametrize("members, expected", [(3, 250), (1250, 250), (2000, 400), (10000, 1000)])
def test_close_quota_is_the_higher_of_250_and_20_percent_at_most_1000(members, expected):
    assert close_quota(members) == expected


def test_the_close_tag_round_trips_and_only_the_last_30_days_count():
    assert close_requested_at({CLOSE_REQUESTED_TAG: close_requested_value(NOW)}) == NOW
    assert close_requested_at({CLOSE_REQUESTED_TAG: "2026-11-20"}) == datetime.datetime(
        2026, 11, 20, tzinfo=datetime.timezone.utc)
    assert close_requested_at({CLOSE_REQUESTED_TAG: "soon"}) is None
    assert close_requested_at({}) is None
    assert recent_closures([NOW - 31 * DAY, NOW - 2 * DAY, None, NOW - 10 * DAY], NOW) == [NOW - 10 * DAY, NOW - 2 * DAY]


def test_closures_go_in_order_and_the_rest_wait_for_the_oldest_counted_closure():
    assert plan_closures(["a", "b", "c"], 5, [], NOW) == (["a", "b", "c"], None)
    assert plan_closures(["a", "b", "c"], 2, [], NOW) == (["a", "b"], NOW + 30 * DAY)
    assert plan_closures(["a", "b"], 2, [NOW - 10 * DAY, NOW - 2 * DAY], NOW) == ([], NOW + 20 * DAY)
    assert plan_closures(["a", "b"], 3, [NOW - 10 * DAY], NOW) == (["a", "b"], None)


def test_only_the_close_quota_refusal_is_recognised():
    def error(code, reason=None):
        response = {"Error": {"Code": code, "Message": "m"}}
        if reason:
            response["Reason"] = reason
        return ClientError(response, "CloseAccount")
    assert is_close_quota_refusal(error("ConstraintViolationException", "CLOSE_ACCOUNT_QUOTA_EXCEEDED"))
    assert not is_close_quota_refusal(error("ConstraintViolationException", "ACCOUNT_NUMBER_LIMIT_EXCEEDED"))
    assert not is_close_quota_refusal(error("AccountAlreadyClosedException"))
    assert not is_close_quota_refusal(None)


@pytest.mark.parametrize("name, expected", [
    ("Default maximum number of accounts", True),
    ("Maximum number of accounts", True),
    ("Maximum size of a service control policy document", False),
    ("Number of organizational units in an organization", False),
])
def test_the_account_quota_is_found_by_name(name, expected):
    assert is_account_quota({"QuotaName": name, "QuotaCode": "L-00000000"}) is expected


def test_the_account_quota_refusal_names_the_planned_accounts_and_the_numbers():
    assert account_quota_problem(8, ["a", "b"], 10) is None
    message = account_quota_problem(9, ["a", "b"], 10)
    assert "creates 2 account(s) (a, b)" in message and "has 9 account(s)" in message
    assert "account quota is 10: room for 1" in message
