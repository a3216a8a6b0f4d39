# -*- coding: utf-8 -*-
# Copyright: Contributors to the awsorg.landing_zone collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""One small wrapper per AWS KMS API call."""

try:
    import botocore.exceptions
except ImportError:
    pass  # Handled by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.errors import AWSErrorHandler
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError

from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry

from ansible_collections.awsorg.landing_zone.plugins.module_utils.aws.pagination import all_pages
from ansible_collections.awsorg.landing_zone.plugins.module_utils.aws.refined_errors import refined_error
from ansible_collections.awsorg.landing_zone.plugins.module_utils.aws.retries import COMMON_TRANSIENT_CODES
from ansible_collections.awsorg.landing_zone.plugins.module_utils.aws.retries import landing_zone_retry

# CreateKey takes no idempotency token: a second CreateKey is a second key.
# botocore repeats a call whose answer it lost (a reset connection, a read
# timeout) by itself, so a key is created through a client that makes one
# attempt (SINGLE_ATTEMPT, the client's config) and tagged with the alias it
# is made for (KEY_ALIAS_TAG); a key whose answer was lost, or whose run
# stopped before its alias was created, is found by that tag and adopted.
KEY_ALIAS_TAG = "landing-zone:alias"
SINGLE_ATTEMPT = {"retries": {"total_max_attempts": 1}}


class AnsibleKMSError(AnsibleAWSError):
    pass


class KMSAliasExistsError(AnsibleKMSError):
    """CreateAlias refused with AlreadyExistsException (a repeat whose first answer was lost, or another key's)."""


class KMSErrorHandler(AWSErrorHandler):
    _CUSTOM_EXCEPTION = AnsibleKMSError

    @classmethod
    def _is_missing(cls):
        return is_boto3_error_code("NotFoundException")


@KMSErrorHandler.list_error_handler("describe the KMS key")
@landing_zone_retry
def describe_key(client, key_id):
    """KeyMetadata of a key id, key ARN, alias name or alias ARN; None when there is no such key."""
    return client.describe_key(KeyId=key_id)["KeyMetadata"]


@KMSErrorHandler.common_error_handler("create a KMS key")
@landing_zone_retry
def create_key(client, description, alias_name):
    """KeyMetadata of a new symmetric key tagged with the alias it is made for.

    ``client`` should make one attempt (SINGLE_ATTEMPT): AWSRetry repeats only
    answered errors (throttling), which made no key.
    """
    return client.create_key(
        Description=description,
        KeyUsage="ENCRYPT_DECRYPT",
        KeySpec="SYMMETRIC_DEFAULT",
        Tags=[{"TagKey": KEY_ALIAS_TAG, "TagValue": alias_name}],
    )["KeyMetadata"]


def answer_lost(error):
    """True when an AnsibleKMSError is a call whose answer never came (AWS may have made the change)."""
    cause = getattr(error, "exception", None)
    return isinstance(cause, (botocore.exceptions.ConnectionError, botocore.exceptions.HTTPClientError))


@KMSErrorHandler.common_error_handler("list the KMS keys")
def list_key_ids(client):
    return [key["KeyId"] for key in all_pages(client, "list_keys", "Keys")]


@KMSErrorHandler.common_error_handler("list the KMS aliases")
def list_aliased_key_ids(client):
    """The ids of the keys some alias points to."""
    return {alias["TargetKeyId"] for alias in all_pages(client, "list_aliases", "Aliases") if alias.get("TargetKeyId")}


@KMSErrorHandler.list_error_handler("list the tags of a KMS key", default_value={})
def list_key_tags(client, key_id):
    """TagKey -> TagValue of a key; {} when the key is gone or its key policy does not let us read it.

    A key whose policy keeps us out was not made by this collection (its keys
    have the default key policy, which lets the account's principals in).
    """
    try:
        pages = all_pages(client, "list_resource_tags", "Tags", KeyId=key_id)
    except is_boto3_error_code("AccessDeniedException"):
        return {}
    return {tag["TagKey"]: tag["TagValue"] for tag in pages}


# KMS is eventually consistent: a key just created can be unknown to
# CreateAlias for a moment (NotFoundException), as terraform-provider-aws
# found (hashicorp/terraform-provider-aws#7891: it retries its KMS calls
# after creation).  CreateAlias API reference: "A valid KMS key is required".
_retry_until_key_visible = AWSRetry.jittered_backoff(
    retries=8, delay=1, backoff=2.0, max_delay=15, catch_extra_error_codes=COMMON_TRANSIENT_CODES + ["NotFoundException"]
)


@refined_error(AnsibleKMSError, ["AlreadyExistsException"], KMSAliasExistsError)
@KMSErrorHandler.common_error_handler("create a KMS alias")
@_retry_until_key_visible
def create_alias(client, alias_name, key_id):
    client.create_alias(AliasName=alias_name, TargetKeyId=key_id)


@KMSErrorHandler.common_error_handler("get the KMS key rotation status")
@landing_zone_retry
def get_key_rotation_enabled(client, key_id):
    return client.get_key_rotation_status(KeyId=key_id)["KeyRotationEnabled"]


@KMSErrorHandler.common_error_handler("enable KMS key rotation")
@landing_zone_retry
def enable_key_rotation(client, key_id):
    client.enable_key_rotation(KeyId=key_id)
