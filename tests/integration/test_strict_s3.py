"""Strict mode: S3 bucket names are global (behaviour 9).

moto 5.2.5 already answers these three cases as AWS does, so the same calls
with strict mode off give the same answers (shown for the refusal); the
strict rule answers them itself, with the BucketName element AWS adds.
"""

import pytest
from botocore.exceptions import ClientError

from tests.harness.clients import through

# These tests are about the strict layer: strict whatever STRICT_AWS says.
pytestmark = pytest.mark.usefixtures("strict_on")


@pytest.fixture
def member(aws, organization):
    return organization["client"].create_account(AccountName="m", Email="m@example.com")[
        "CreateAccountStatus"]["AccountId"]


def assert_conflict(raised, code):
    error = raised.value.response
    assert error["Error"]["Code"] == code
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 409
    assert type(raised.value).__name__ == code


def test_bucket_name_owned_by_another_account_is_bucket_already_exists(proxy, aws, member):
    aws.client("s3", account_id=member).create_bucket(Bucket="taken-name")
    with pytest.raises(ClientError) as refused:
        through(proxy, "s3").create_bucket(Bucket="taken-name")
    assert_conflict(refused, "BucketAlreadyExists")
    assert refused.value.response["Error"]["BucketName"] == "taken-name"
    assert refused.value.response["Error"]["Message"] == (
        "The requested bucket name is not available. The bucket namespace is shared by all users of the system."
        " Please select a different name and try again.")
    assert proxy.calls[-1]["strict"] == "BucketAlreadyExists"
    assert "taken-name" not in [b["Name"] for b in aws.client("s3").list_buckets()["Buckets"]]
    proxy.configure_strict(enabled=False)  # moto agrees
    with pytest.raises(ClientError) as refused:
        through(proxy, "s3").create_bucket(Bucket="taken-name")
    assert_conflict(refused, "BucketAlreadyExists")


def test_recreating_ones_own_bucket_in_us_east_1_is_200(proxy, aws):
    s3 = through(proxy, "s3")
    s3.create_bucket(Bucket="mine")
    answer = s3.create_bucket(Bucket="mine")
    assert answer["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert [b["Name"] for b in aws.client("s3").list_buckets()["Buckets"]] == ["mine"]


def test_recreating_ones_own_bucket_elsewhere_is_bucket_already_owned_by_you(proxy, aws):
    s3 = through(proxy, "s3", region="eu-west-1")
    config = {"LocationConstraint": "eu-west-1"}
    s3.create_bucket(Bucket="mine-eu", CreateBucketConfiguration=config)
    with pytest.raises(ClientError) as refused:
        s3.create_bucket(Bucket="mine-eu", CreateBucketConfiguration=config)
    assert_conflict(refused, "BucketAlreadyOwnedByYou")
    assert refused.value.response["Error"]["Message"] == (
        "Your previous request to create the named bucket succeeded and you already own it.")
    assert aws.client("s3").get_bucket_location(Bucket="mine-eu")["LocationConstraint"] == "eu-west-1"


def test_a_free_name_is_created(proxy, aws, member):
    aws.client("s3", account_id=member).create_bucket(Bucket="theirs")
    through(proxy, "s3").create_bucket(Bucket="free-name")
    assert [b["Name"] for b in aws.client("s3").list_buckets()["Buckets"]] == ["free-name"]
    assert [c["strict"] for c in proxy.calls] == [None]
