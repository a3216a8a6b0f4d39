# -*- coding: utf-8 -*-
# Copyright: Contributors to the awsorg.landing_zone collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""One small wrapper per S3 Control API call (the account-level S3 settings).

S3 Control addresses the account in the host name
(``123456789012.s3-control.us-east-1.amazonaws.com``), and botocore's
endpoint rules do that even for a custom endpoint: with
``http://127.0.0.1:5000`` the request would go to
``123456789012.127.0.0.1``, a name that cannot resolve.  For a custom
endpoint whose host is an IP address or ``localhost`` (moto, LocalStack),
the account label is taken off again before the request is signed; the
account still travels in the ``x-amz-account-id`` header.
"""

import ipaddress
import os
import urllib.parse

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.s3 import S3ErrorHandler

from ansible_collections.awsorg.landing_zone.plugins.module_utils.aws.retries import landing_zone_retry

# Attribute names of the API's PublicAccessBlockConfiguration, by option name.
PUBLIC_ACCESS_BLOCK_FIELDS = {
    "block_public_acls": "BlockPublicAcls",
    "ignore_public_acls": "IgnorePublicAcls",
    "block_public_policy": "BlockPublicPolicy",
    "restrict_public_buckets": "RestrictPublicBuckets",
}


class S3ControlErrorHandler(S3ErrorHandler):
    @classmethod
    def _is_missing(cls):
        return is_boto3_error_code("NoSuchPublicAccessBlockConfiguration")


def _is_bare_host(host):
    if host == "localhost":
        return True
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


def strip_account_label(request, **_kwargs):
    """before-sign handler: ``<account>.<ip or localhost>`` back to ``<ip or localhost>``."""
    parts = urllib.parse.urlsplit(request.url)
    label, _dot, rest = parts.netloc.partition(".")
    if label.isdigit() and len(label) == 12 and _is_bare_host(rest.rsplit(":", 1)[0]):
        request.url = urllib.parse.urlunsplit(parts._replace(netloc=rest))


def custom_endpoint(module):
    return (
        module.params.get("endpoint_url")
        or os.environ.get("AWS_ENDPOINT_URL_S3_CONTROL")
        or os.environ.get("AWS_ENDPOINT_URL")
    )


def s3control_client(module):
    client = module.client("s3control")
    endpoint = custom_endpoint(module)
    if endpoint and _is_bare_host(urllib.parse.urlsplit(endpoint).hostname or ""):
        # Once per client: the member accounts of a batch share one (batch/shared_clients.py).
        client.meta.events.register("before-sign.s3-control", strip_account_label,
                                    unique_id="awsorg-landing-zone-strip-account-label")
    return client


@S3ControlErrorHandler.list_error_handler("get the account's S3 public access block")
@landing_zone_retry
def get_public_access_block(client, account_id):
    """The account's PublicAccessBlockConfiguration, or None when it has none."""
    return client.get_public_access_block(AccountId=account_id)["PublicAccessBlockConfiguration"]


@S3ControlErrorHandler.common_error_handler("set the account's S3 public access block")
@landing_zone_retry
def put_public_access_block(client, account_id, configuration):
    client.put_public_access_block(AccountId=account_id, PublicAccessBlockConfiguration=configuration)
