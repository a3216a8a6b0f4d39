"""Pure logic of the strict rules for IAM limits, Organizations and S3."""

import datetime
import json

import pytest

from tests.harness.strict_aws import StrictConfig
from tests.harness.strict_rules.iam_limits import inline_total
from tests.harness.strict_rules.iam_limits import policy_size
from tests.harness.strict_rules.organizations import _epoch_times
from tests.harness.strict_rules.organizations import as_in_progress
from tests.harness.strict_rules.organizations import close_quota
from tests.harness.strict_rules.organizations import closures_within
from tests.harness.strict_rules.organizations import failure_reason
from tests.harness.strict_rules.s3 import bucket_of
from tests.harness.strict_rules.s3 import create_bucket_verdict

DOCUMENT = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}


def test_policy_size_does_not_count_white_space():
    compact = json.dumps(DOCUMENT, separators=(",", ":"))
    assert policy_size(compact) == len(compact)
    assert policy_size(json.dumps(DOCUMENT, indent=4)) == len(compact)
    assert policy_size(" \t\r\n{ }\n") == 2


def test_policy_size_of_a_parsed_document_keeps_every_counted_character():
    document = dict(DOCUMENT, Statement=[dict(DOCUMENT["Statement"][0], Sid="caf\u00e9")])
    text = json.dumps(document, ensure_ascii=False, indent=2)
    assert policy_size(document) == policy_size(text)  # é is one character, not \u00e9


def test_inline_total_adds_the_other_documents():
    assert inline_total("{ }", ["{}", {"a": 1}]) == 2 + 2 + len('{"a":1}')
    assert inline_total("{}", []) == 2


@pytest.mark.parametrize("members, minimum, expected", [
    (0, 250, 250), (1250, 250, 250), (1255, 250, 251), (2000, 250, 400), (5000, 250, 1000), (9000, 250, 1000),
    (3, 2, 2), (20, 2, 4),
])
def test_close_quota_is_the_higher_of_the_minimum_or_20_percent_at_most_1000(members, minimum, expected):
    assert close_quota(members, minimum) == expected


def test_closures_count_in_a_rolling_30_day_window():
    day = 24 * 3600
    assert closures_within([0, 10 * day, 29 * day], now=30 * day) == 2
    assert closures_within([0, 10 * day, 29 * day], now=29 * day + 1) == 3
    assert closures_within([], now=0) == 0


ACCOUNTS = [{"Id": "111111111111", "Email": "root@example.com"}, {"Id": "222222222222", "Email": "A@Example.com"}]


@pytest.mark.parametrize("email, in_flight, quota, expected", [
    ("a@example.com", set(), 10, "EMAIL_ALREADY_EXISTS"),
    ("a@example.com", {"222222222222"}, 10, "CONCURRENT_ACCOUNT_MODIFICATION"),
    ("new@example.com", set(), 3, None),
    ("new@example.com", set(), 2, "ACCOUNT_LIMIT_EXCEEDED"),
    ("root@example.com", set(), 2, "EMAIL_ALREADY_EXISTS"),
])
def test_failure_reason(email, in_flight, quota, expected):
    assert failure_reason(email, ACCOUNTS, in_flight, quota) == expected


def test_a_request_in_progress_shows_no_outcome():
    status = {"Id": "car-1", "State": "FAILED", "FailureReason": "EMAIL_ALREADY_EXISTS", "CompletedTimestamp": 2,
              "AccountName": "a", "RequestedTimestamp": 1}
    assert as_in_progress(status) == {"Id": "car-1", "State": "IN_PROGRESS", "AccountName": "a",
                                      "RequestedTimestamp": 1}


def test_timestamps_go_back_to_epoch_seconds():
    moment = datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc)
    assert _epoch_times({"RequestedTimestamp": moment, "Id": "x"}) == {"RequestedTimestamp": 1704067200.0, "Id": "x"}


@pytest.mark.parametrize("owned_region, elsewhere, request_region, expected", [
    ("us-east-1", False, "us-east-1", None),
    ("us-east-1", False, "eu-west-1", "BucketAlreadyOwnedByYou"),
    ("eu-west-1", False, "eu-west-1", "BucketAlreadyOwnedByYou"),
    (None, True, "us-east-1", "BucketAlreadyExists"),
    (None, False, "eu-west-1", None),
])
def test_create_bucket_verdict(owned_region, elsewhere, request_region, expected):
    assert create_bucket_verdict(owned_region, elsewhere, request_region) == expected


def test_bucket_of_a_path_style_request():
    assert bucket_of("/my-bucket") == "my-bucket"
    assert bucket_of("/my-bucket/") == "my-bucket"
    assert bucket_of("/my-bucket?acl") == "my-bucket"
    assert bucket_of("/my-bucket/key") is None
    assert bucket_of("/") is None


def test_close_quota_minimum_is_validated():
    assert StrictConfig().close_quota_minimum == 250
    with pytest.raises(ValueError, match="close_quota_minimum"):
        StrictConfig(close_quota_minimum=0)
