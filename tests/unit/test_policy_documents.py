"""SCP documents: parsing, validation, minifying, size, semantic comparison; quota records."""

import json

import pytest

from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.policy_documents import DEFAULT_SCP_SIZE_LIMIT
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.policy_documents import PolicyDocumentError
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.policy_documents import check_size
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.policy_documents import documents_differ
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.policy_documents import is_scp_size_quota
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.policy_documents import minify
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.policy_documents import parse_policy
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.policy_documents import prepare_scp
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.policy_documents import read_policy_file
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.policy_documents import validate_scp
from ansible_collections.awsorg.landing_zone.plugins.module_utils.aws.service_quotas import quotas_region

DENY_LEAVE = {
    "Version": "2012-10-17",
    "Statement": [
        {"Sid": "DenyLeave", "Effect": "Deny", "Action": "organizations:LeaveOrganization", "Resource": "*"}
    ],
}


def statement(**elements):
    return {"Version": "2012-10-17", "Statement": [elements]}


# --- parsing ------------------------------------------------------------------


def test_parse_accepts_a_dict_and_the_same_document_as_json_text():
    text = json.dumps(DENY_LEAVE, indent=4)
    assert parse_policy(DENY_LEAVE) == DENY_LEAVE
    assert parse_policy(text) == DENY_LEAVE
    assert parse_policy(text.encode("utf-8")) == DENY_LEAVE


@pytest.mark.parametrize(
    "value, message",
    [
        ('{"Version": "2012-10-17",', "policy: not valid JSON"),
        ('["a", "b"]', "policy: must be a JSON object, got a JSON list"),
        (42, "policy: must be a JSON object (a dict or a JSON string), got int"),
        ('{"Version": "2012-10-17", "Statement": [], "Statement": []}', "policy: the key 'Statement' appears twice"),
        ({"Version": {1, 2}}, "policy: cannot be written as JSON"),
    ],
)
def test_parse_refuses_what_is_not_one_json_object(value, message):
    with pytest.raises(PolicyDocumentError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_policy(value)


def test_read_policy_file_names_the_file(tmp_path):
    good = tmp_path / "scp.json"
    good.write_text(json.dumps(DENY_LEAVE), encoding="utf-8")
    assert read_policy_file(str(good)) == DENY_LEAVE

    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(PolicyDocumentError, match=r"policy_file '.*bad\.json': not valid JSON"):
        read_policy_file(str(bad))
    with pytest.raises(PolicyDocumentError, match=r"policy_file: cannot read '.*missing\.json'"):
        read_policy_file(str(tmp_path / "missing.json"))


# --- validation ---------------------------------------------------------------


@pytest.mark.parametrize(
    "document",
    [
        DENY_LEAVE,
        # One statement object instead of a list; NotAction with a condition.
        {
            "Version": "2012-10-17",
            "Statement": {
                "Effect": "Deny",
                "NotAction": ["iam:*", "support:*"],
                "Resource": "*",
                "Condition": {"StringNotEquals": {"aws:RequestedRegion": ["eu-west-1"]}},
            },
        },
        # Resource is optional in an SCP statement; NotResource is allowed.
        statement(Effect="Allow", Action="*"),
        statement(Effect="Deny", Action="s3:*", NotResource=["arn:aws:s3:::logs", "arn:aws:s3:::logs/*"]),
    ],
)
def test_valid_scps_pass(document):
    validate_scp(document)


@pytest.mark.parametrize(
    "document, message",
    [
        ({"Statement": DENY_LEAVE["Statement"]}, "policy: Version must be '2012-10-17', found missing"),
        (dict(DENY_LEAVE, Version="2008-10-17"), "policy: Version must be '2012-10-17', found '2008-10-17'"),
        ({"Version": "2012-10-17"}, "policy: Statement is missing"),
        (
            {"Version": "2012-10-17", "Statement": []},
            "policy: Statement must be one statement object or a non-empty list",
        ),
        ({"Version": "2012-10-17", "Statement": "Deny"}, "policy: Statement must be one statement object"),
        ({"Version": "2012-10-17", "Statement": ["Deny"]}, r"policy: Statement\[0\]: must be a JSON object"),
        (dict(DENY_LEAVE, Statment=[]), "policy: unknown top-level element 'Statment'"),
        (statement(Action="s3:*", Resource="*"), r"policy: Statement\[0\]: Effect is missing"),
        (
            statement(Effect="deny", Action="s3:*"),
            r"policy: Statement\[0\]: Effect is 'deny'; it must be 'Allow' or 'Deny'",
        ),
        (
            statement(Effect="Deny", Resource="*"),
            r"Statement\[0\]: needs exactly one of Action and NotAction, found neither",
        ),
        (
            statement(Effect="Deny", Action="s3:*", NotAction="iam:*"),
            r"needs exactly one of Action and NotAction, found Action and NotAction",
        ),
        (statement(Effect="Deny", Action=[]), r"Action must be a non-empty string or a non-empty list"),
        (statement(Effect="Deny", Action=["s3:*", 5]), r"Action must be a non-empty string"),
        (
            statement(Effect="Deny", Action="s3:*", Resource="*", NotResource="arn:aws:s3:::x"),
            "Resource and NotResource cannot be used together",
        ),
        (statement(Effect="Deny", Action="s3:*", Resource=""), "Resource must be a non-empty string"),
        (
            statement(Effect="Deny", Action="s3:*", Principal="*"),
            "Principal is not supported in service control policies",
        ),
        (
            statement(Effect="Deny", Action="s3:*", NotPrincipal={"AWS": "*"}),
            "NotPrincipal is not supported in service control policies",
        ),
        (statement(Effect="Deny", Action="s3:*", Conditon={}), r"unknown element 'Conditon'"),
        (statement(Effect="Deny", Action="s3:*", Condition={"Bool": True}), "Condition must map condition operators"),
        (statement(Effect="Deny", Action="s3:*", Sid=7), "Sid must be a string, got 7"),
    ],
)
def test_invalid_scps_are_refused_naming_the_part(document, message):
    with pytest.raises(PolicyDocumentError, match=message):
        validate_scp(document)


def test_statement_index_points_at_the_bad_statement():
    document = {"Version": "2012-10-17", "Statement": [DENY_LEAVE["Statement"][0], {"Action": "s3:*"}]}
    with pytest.raises(PolicyDocumentError, match=r"^policy: Statement\[1\]: Effect is missing"):
        validate_scp(document)


# --- minify and size ----------------------------------------------------------


def test_minify_drops_white_space_outside_strings_only():
    document = parse_policy('{\n  "Version": "2012-10-17",\n  "Statement": {"Sid": "A", "Effect": "Deny",'
                            ' "Action": "s3:*", "Condition": {"StringLike": {"aws:PrincipalTag/team": "a b"}}}\n}')
    minified = prepare_scp(document)
    assert minified == (
        '{"Version":"2012-10-17","Statement":{"Sid":"A","Effect":"Deny","Action":"s3:*",'
        '"Condition":{"StringLike":{"aws:PrincipalTag/team":"a b"}}}}'
    )
    assert json.loads(minified) == document


def test_minify_counts_non_ascii_as_one_character_each():
    document = statement(Effect="Deny", Action="s3:*", Condition={"StringEquals": {"aws:PrincipalTag/team": "équipe"}})
    minified = minify(document)
    assert "équipe" in minified
    assert len(minified) == len(json.dumps(document, separators=(",", ":"))) - len("\\u00e9") + 1


def test_size_is_checked_against_the_limit_with_both_numbers_in_the_message():
    minified = minify(DENY_LEAVE)
    check_size(minified, len(minified))
    with pytest.raises(PolicyDocumentError) as error:
        check_size(minified, len(minified) - 1)
    assert f"is {len(minified)} characters" in str(error.value)
    assert f"size limit is {len(minified) - 1} characters" in str(error.value)
    assert DEFAULT_SCP_SIZE_LIMIT == 10240


# --- semantic comparison ------------------------------------------------------


def test_same_policy_written_differently_does_not_differ():
    rewritten = {
        "Statement": {
            "Resource": ["*"],
            "Action": ["organizations:LeaveOrganization"],
            "Effect": "Deny",
            "Sid": "DenyLeave",
        },
        "Version": "2012-10-17",
    }
    assert not documents_differ(DENY_LEAVE, rewritten)
    assert not documents_differ(DENY_LEAVE, parse_policy(json.dumps(rewritten, indent=8)))


def test_order_of_actions_and_statements_does_not_count():
    first = {"Sid": "A", "Effect": "Deny", "Action": ["s3:DeleteBucket", "s3:PutBucketPolicy"], "Resource": "*"}
    second = {"Sid": "B", "Effect": "Deny", "Action": "iam:CreateUser", "Resource": "*"}
    reordered = dict(first, Action=["s3:PutBucketPolicy", "s3:DeleteBucket"])
    assert not documents_differ(
        {"Version": "2012-10-17", "Statement": [first, second]},
        {"Version": "2012-10-17", "Statement": [second, reordered]},
    )


@pytest.mark.parametrize(
    "change",
    [
        {"Effect": "Allow"},
        {"Action": ["organizations:LeaveOrganization", "organizations:DeleteOrganization"]},
        {"Resource": "arn:aws:organizations::*:account/*"},
        {"Condition": {"Bool": {"aws:ViaAWSService": "false"}}},
        {"Sid": "Other"},
    ],
)
def test_a_real_change_differs(change):
    changed = {"Version": "2012-10-17", "Statement": [dict(DENY_LEAVE["Statement"][0], **change)]}
    assert documents_differ(DENY_LEAVE, changed)


def test_a_missing_version_is_a_difference_not_a_default():
    without_version = {"Statement": DENY_LEAVE["Statement"]}
    assert documents_differ(DENY_LEAVE, without_version)


# --- the size quota in Service Quotas -------------------------------------------


@pytest.mark.parametrize(
    "name, expected",
    [
        ("Maximum size of a service control policy document", True),
        ("Service control policy (SCP) size", True),
        ("SCP document size in characters", True),
        ("Maximum number of service control policies attached to an OU", False),
        ("Maximum size of a resource control policy", False),
        ("Maximum size of a tag policy", False),
        ("Default maximum number of accounts", False),
    ],
)
def test_scp_size_quota_is_recognised_by_name(name, expected):
    record = {"ServiceCode": "organizations", "QuotaName": name, "QuotaCode": "L-00000000", "Value": 10240.0}
    assert is_scp_size_quota(record) is expected


@pytest.mark.parametrize(
    "region, expected",
    [
        ("eu-west-1", "us-east-1"),
        (None, "us-east-1"),
        ("us-gov-east-1", "us-gov-west-1"),
        ("cn-north-1", "cn-northwest-1"),
    ],
)
def test_organizations_quotas_are_read_in_the_partition_home_region(region, expected):
    assert quotas_region(region) == expected
