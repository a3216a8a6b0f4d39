"""tests/harness/moto_speedups.py: moto answers who owns a key as before, without building a backend per partition."""

import boto3
from moto import mock_aws
from moto.core import DEFAULT_ACCOUNT_ID
from moto.iam import models as iam_models

from tests.harness.moto_speedups import _account_of_key

OTHER_ACCOUNT = "210987654321"


def _partitions(account_id):
    return sorted(dict.keys(dict.get(iam_models.iam_backends, account_id, {})))


@mock_aws
def test_the_owner_of_a_key_is_found_remembered_and_no_partition_backend_is_built():
    iam = boto3.client("iam", region_name="us-east-1", aws_access_key_id="AKIAOUTSIDE0000000000",
                       aws_secret_access_key="x")
    iam.create_user(UserName="someone")
    key = iam.create_access_key(UserName="someone")["AccessKey"]["AccessKeyId"]
    member_key = iam_models.iam_backends[OTHER_ACCOUNT]["aws"].create_temp_access_key().access_key_id
    # (The create_user call above, signed with a key moto does not hold, built the
    # caller's account a backend in every partition: moto's own walk.)
    assert _partitions(OTHER_ACCOUNT) == ["aws"]

    account_of = _account_of_key(iam_models.iam_backends, DEFAULT_ACCOUNT_ID)
    assert account_of(member_key) == OTHER_ACCOUNT
    assert account_of(member_key) == OTHER_ACCOUNT  # remembered, and checked again
    assert account_of(key) == DEFAULT_ACCOUNT_ID
    assert account_of("AKIAUNKNOWN000000000") == DEFAULT_ACCOUNT_ID
    assert _partitions(OTHER_ACCOUNT) == ["aws"]
    # moto's own lookup gives the same answers, and builds the partitions it walks.
    assert iam_models.get_account_id_from(member_key) == OTHER_ACCOUNT
    assert iam_models.get_account_id_from("AKIAUNKNOWN000000000") == DEFAULT_ACCOUNT_ID
    assert len(_partitions(OTHER_ACCOUNT)) > 1


@mock_aws
def test_a_remembered_key_that_is_gone_is_looked_for_again():
    backend = iam_models.iam_backends[OTHER_ACCOUNT]["aws"]
    member_key = backend.create_temp_access_key().access_key_id
    account_of = _account_of_key(iam_models.iam_backends, DEFAULT_ACCOUNT_ID)
    assert account_of(member_key) == OTHER_ACCOUNT
    del backend.access_keys[member_key]
    assert account_of(member_key) == DEFAULT_ACCOUNT_ID
