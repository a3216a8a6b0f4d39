"""The Terraform backend's pure parts: name rules, policy and lifecycle merging (hardened_bucket), the backend file;
and how its KMS wrappers answer KMS's eventual consistency and a repeated CreateAlias."""

import json

import botocore.exceptions
import pytest

from ansible_collections.amazon.aws.plugins.module_utils import cloud as aws_cloud
from ansible_collections.awsorg.landing_zone.plugins.module_utils.aws import kms
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common import terraform_backend as tfb
from ansible_collections.awsorg.landing_zone.plugins.module_utils.resources import hardened_bucket as hb
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common import service_inputs


@pytest.mark.parametrize(
    "name",
    ["acme-management-terraform-state", "a.b-c", "abc", "x" * 63, "my.bucket.1", "acme-state-japan"],
)
def test_valid_bucket_names(name):
    assert service_inputs.bucket_name_problem(name) is None


@pytest.mark.parametrize(
    "name, problem",
    [
        ("ab", "3 to 63"),
        ("x" * 64, "3 to 63"),
        ("Acme-State", "lowercase"),
        ("acme_state", "lowercase"),
        ("-acme", "start and end"),
        ("acme.", "start and end"),
        ("acme..state", "two adjacent dots"),
        ("192.168.10.20", "IP address"),
        ("xn--acme", "must not start"),
        ("sthree-acme", "must not start"),
        ("acme-s3alias", "must not end"),
        ("acme--ol-s3", "must not end"),
        ("acme--x-s3", "must not end"),
        ("acme--table-s3", "must not end"),
        ("acme-state-123456789012-us-east-1-an", "must not end"),  # an account regional namespace's
    ],
)
def test_invalid_bucket_names(name, problem):
    assert problem in service_inputs.bucket_name_problem(name)


def test_table_names():
    assert service_inputs.table_name_problem("acme-dev.lock_table") is None
    assert service_inputs.table_name_problem("ab") is not None
    assert service_inputs.table_name_problem("lock table") is not None
    assert service_inputs.table_name_problem("x" * 256) is not None


@pytest.mark.parametrize("key", ["", "/a", "a/", "a//b", "a\nb", "k" * 1025])
def test_state_keys_terraform_refuses(key):
    assert tfb.state_key_problem(key) is not None


def test_expand_name_fields():
    values = dict(project="acme", account="dev", account_id="111111111111", region="eu-west-1")
    assert tfb.expand_name("bucket", "{project}-{account}-{account_id}-{region}", values) == (
        "acme-dev-111111111111-eu-west-1"
    )
    with pytest.raises(tfb.BackendSpecError, match=r"bucket: may only use"):
        tfb.expand_name("bucket", "{project}-{owner}", values)
    with pytest.raises(tfb.BackendSpecError, match=r"project: required because lock_table"):
        tfb.expand_name("lock_table", "{project}-lock", dict(values, project=None))
    with pytest.raises(tfb.BackendSpecError, match=r"bucket: "):
        tfb.expand_name("bucket", "{project", values)


def _names(**overrides):
    params = dict(bucket="{project}-{account}-terraform-state", lock_table="{project}-{account}-lock",
                  locking="dynamodb", access_logging=None, create_kms_key=False, kms_key_alias=None,
                  project="acme", account="dev")
    params.update(overrides)
    return tfb.Names(params, "111111111111", "us-east-1")


def test_names_are_checked_and_expanded():
    names = _names(access_logging=dict(target_bucket="{project}-logs"), create_kms_key=True)
    assert (names.bucket, names.table, names.log_bucket) == ("acme-dev-terraform-state", "acme-dev-lock", "acme-logs")
    assert names.kms_alias == "alias/acme-dev-terraform-state"
    assert _names(locking="s3").table is None
    with pytest.raises(tfb.BackendSpecError, match="access_logging.target_bucket: .* is the state bucket itself"):
        _names(access_logging=dict(target_bucket="{project}-{account}-terraform-state"))
    with pytest.raises(tfb.BackendSpecError, match="kms_key_alias"):
        _names(create_kms_key=True, kms_key_alias="alias/aws/s3")
    with pytest.raises(tfb.BackendSpecError, match="lock_table: 'acme dev'"):
        _names(lock_table="acme dev")


def test_merged_policy_keeps_foreign_statements_and_is_stable():
    tls = hb.tls_statement("arn:aws:s3:::b")
    foreign = {"Sid": "Audit", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111111111111:root"},
               "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}
    merged = hb.merged_policy(json.dumps({"Version": "2012-10-17", "Statement": [foreign]}), [tls])
    assert merged["Statement"] == [foreign, tls]
    # AWS may return the statement reordered or with lists shuffled: still the same.
    stored = dict(tls, Resource=list(reversed(tls["Resource"])))
    assert hb.merged_policy(json.dumps({"Statement": [stored, foreign]}), [tls]) is None
    changed = dict(tls, Condition={"Bool": {"aws:SecureTransport": "true"}})
    assert hb.merged_policy(json.dumps({"Statement": [changed]}), [tls])["Statement"] == [tls]
    assert hb.merged_policy(None, [tls]) == {"Version": "2012-10-17", "Statement": [tls]}


def test_merged_lifecycle_replaces_only_our_rule():
    ours = hb.lifecycle_rule(90, 7)
    other = {"ID": "logs", "Status": "Enabled", "Filter": {"Prefix": "logs/"}, "Expiration": {"Days": 30}}
    assert hb.merged_lifecycle([other], ours) == [other, ours]
    # S3 gives the empty prefix back as {"Prefix": ""} or leaves it out.
    assert hb.merged_lifecycle([other, dict(ours, Filter={})], ours) is None
    assert hb.merged_lifecycle([other, hb.lifecycle_rule(30, 7)], ours) == [other, ours]


def test_encryption_matches():
    kms = hb.encryption_configuration("aws:kms", "arn:aws:kms:us-east-1:111111111111:key/k")
    assert hb.encryption_matches(kms, kms)
    assert not hb.encryption_matches(hb.encryption_configuration("AES256", None), kms)
    no_bucket_key = {"Rules": [dict(kms["Rules"][0], BucketKeyEnabled=False)]}
    assert not hb.encryption_matches(no_bucket_key, kms)
    assert hb.encryption_matches({"Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"},
                                             "BucketKeyEnabled": False}]},
                                 hb.encryption_configuration("AES256", None))


def test_backend_file_escapes_hcl_templates():
    text = tfb.render_backend_file([("bucket", "b"), ("profile", 'we"ird ${x} %{y}'), ("encrypt", True)])
    lines = text.splitlines()
    assert lines[0] == tfb.BACKEND_FILE_MARKER
    assert 'profile = "we\\"ird $${x} %%{y}"' in lines
    assert "encrypt = true" in lines


def _params(**overrides):
    params = dict(encryption="AES256", kms_key_id=None, create_kms_key=False, noncurrent_version_expiration_days=90,
                  abort_incomplete_multipart_upload_days=7, backend_files=[], push_state=None, access_logging=None)
    params.update(overrides)
    return params


@pytest.mark.parametrize(
    "overrides, message",
    [
        (dict(create_kms_key=True), "encryption: kms_key_id and create_kms_key need encryption=aws:kms"),
        (dict(encryption="aws:kms"), "encryption: aws:kms needs kms_key_id or create_kms_key=true"),
        (dict(encryption="aws:kms", kms_key_id="alias/k", create_kms_key=True), "kms_key_id: give either"),
        (dict(noncurrent_version_expiration_days=0), "noncurrent_version_expiration_days: must be 1 or more"),
        (dict(backend_files=[dict(path="/x", key="a//b")]), "backend_files[0].key: 'a//b'"),
        (dict(backend_files=[dict(path="/x", profile="p\nq")]), "backend_files[0].profile: must be a single line"),
        (dict(push_state=dict(src="/x", key="")), "push_state.key: '' must not be empty"),
    ],
)
def test_static_validation_names_the_option(overrides, message):
    with pytest.raises(tfb.BackendSpecError) as error:
        tfb.validate_static(_params(**overrides))
    assert message in str(error.value)


class _KeyNotYetVisible:
    """A KMS client whose CreateAlias does not know a just-created key for its first ``times`` calls."""

    def __init__(self, times):
        self.times = times
        self.calls = []

    def create_alias(self, **params):
        self.calls.append(params)
        if len(self.calls) <= self.times:
            raise botocore.exceptions.ClientError(
                {"Error": {"Code": "NotFoundException", "Message": "Key 'arn:...' does not exist"}}, "CreateAlias")


def test_create_alias_waits_for_a_just_created_key_to_be_visible(monkeypatch):
    slept = []
    monkeypatch.setattr(aws_cloud.time, "sleep", slept.append)
    client = _KeyNotYetVisible(times=2)
    kms.create_alias(client, "alias/acme-state", "1234abcd-12ab-34cd-56ef-1234567890ab")
    assert len(client.calls) == 3 and len(slept) == 2


def test_create_alias_of_an_existing_alias_raises_the_refined_error(monkeypatch):
    monkeypatch.setattr(aws_cloud.time, "sleep", lambda seconds: None)

    class Exists:
        def create_alias(self, **params):
            raise botocore.exceptions.ClientError({"Error": {"Code": "AlreadyExistsException", "Message": "exists"}},
                                                  "CreateAlias")

    with pytest.raises(kms.KMSAliasExistsError):
        kms.create_alias(Exists(), "alias/acme-state", "1234abcd-12ab-34cd-56ef-1234567890ab")
