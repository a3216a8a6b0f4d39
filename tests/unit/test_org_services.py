"""The organization-wide services' pure parts: trail names and the log bucket's service statements."""

import pytest

from ansible_collections.awsorg.landing_zone.plugins.module_utils.resources import log_bucket
from ansible_collections.awsorg.landing_zone.plugins.module_utils.resources.org_cloudtrail import trail_name_problem
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.service_inputs import SpecError

BUCKET_ARN = "arn:aws:s3:::acme-logs"
TRAIL = "arn:aws:cloudtrail:us-east-1:111111111111:trail/org"


@pytest.mark.parametrize("name", ["abc", "acme-organization-trail", "a.b_c-d", "T" * 128])
def test_valid_trail_names(name):
    assert trail_name_problem(name) is None


@pytest.mark.parametrize(
    "name, problem",
    [("ab", "3 to 128"), ("T" * 129, "3 to 128"), ("-trail", "starting and ending"), ("trail_", "starting and ending"),
     ("my trail", "letters, digits"), ("my--trail", "adjacent"), ("a._b", "adjacent")],
)
def test_invalid_trail_names(name, problem):
    assert problem in trail_name_problem(name)


def test_cloudtrail_statements_admit_one_trail_for_management_and_organization_prefixes():
    statements = {s["Sid"]: s for s in log_bucket.cloudtrail_statements(BUCKET_ARN, TRAIL, "111111111111", "o-abcdefghij")}
    assert statements["AWSCloudTrailAclCheck"]["Action"] == "s3:GetBucketAcl"
    assert statements["AWSCloudTrailAclCheck"]["Resource"] == BUCKET_ARN
    assert statements["AWSCloudTrailWrite"]["Resource"] == f"{BUCKET_ARN}/AWSLogs/111111111111/*"
    assert statements["AWSCloudTrailOrganizationWrite"]["Resource"] == f"{BUCKET_ARN}/AWSLogs/o-abcdefghij/*"
    for statement in statements.values():
        assert statement["Principal"] == {"Service": "cloudtrail.amazonaws.com"}
        assert statement["Condition"]["StringEquals"]["aws:SourceArn"] == TRAIL
    assert statements["AWSCloudTrailWrite"]["Condition"]["StringEquals"]["s3:x-amz-acl"] == "bucket-owner-full-control"


def test_config_statements_admit_the_organization_only():
    statements = log_bucket.config_statements(BUCKET_ARN, "o-abcdefghij")
    assert [s["Action"] for s in statements] == ["s3:GetBucketAcl", "s3:ListBucket", "s3:PutObject"]
    assert statements[2]["Resource"] == f"{BUCKET_ARN}/AWSLogs/*/Config/*"
    assert all(s["Condition"]["StringEquals"]["aws:SourceOrgID"] == "o-abcdefghij" for s in statements)


@pytest.mark.parametrize(
    "params, message",
    [
        (dict(name="ok-bucket", cloudtrail=None, config_delivery=False), "cloudtrail/config_delivery: give"),
        (dict(name="ok-bucket", cloudtrail=dict(trail_name="x"), config_delivery=False), "cloudtrail.trail_name: 'x'"),
        (dict(name="ok-bucket", organization_id="org-1", config_delivery=True), "organization_id: must be"),
        (dict(name="ok-bucket", management_account_id="12", config_delivery=True), "management_account_id: must be"),
        (dict(name="ok-bucket", config_delivery=True, cloudtrail=dict(trail_name="trail", trail_region="nowhere")),
         "cloudtrail.trail_region: must be"),
    ],
)
def test_log_bucket_input_is_checked_before_any_call(params, message):
    with pytest.raises(SpecError, match=message.replace(".", r"\.")):
        log_bucket.validate(params, "us-east-1")
