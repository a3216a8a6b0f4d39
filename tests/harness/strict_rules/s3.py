"""S3 bucket names are global (behaviour 9)."""

from tests.harness.strict_aws import Rule


class S3Rules(Rule):
    name = "s3"
