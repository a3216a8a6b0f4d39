"""boto3 clients through the recording proxy, for tests that look at single AWS answers."""

import boto3
import botocore.config

# botocore retries nothing: a test sees the proxy's (or the strict layer's) answer raw.
NO_RETRIES = botocore.config.Config(retries={"total_max_attempts": 1})
HARNESS_KEYS = dict(aws_access_key_id="testing", aws_secret_access_key="testing")


def credential_params(credentials):
    """boto3 keyword arguments from an STS Credentials dict (or from boto3 keyword arguments)."""
    if not credentials:
        return dict(HARNESS_KEYS)
    if "AccessKeyId" not in credentials:
        return dict(credentials)
    return dict(aws_access_key_id=credentials["AccessKeyId"], aws_secret_access_key=credentials["SecretAccessKey"],
                aws_session_token=credentials["SessionToken"])


def through(proxy, service, credentials=None, region="us-east-1"):
    """A ``service`` client through ``proxy``: the harness's management keys, or ``credentials``; no retries."""
    return boto3.client(service, endpoint_url=proxy.url, region_name=region, config=NO_RETRIES,
                        **credential_params(credentials))
