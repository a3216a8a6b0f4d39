# -*- coding: utf-8 -*-
# Copyright: Contributors to the awsorg.landing_zone collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""One small wrapper per AWS KMS API call."""

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.errors import AWSErrorHandler
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError

from ansible_collections.awsorg.landing_zone.plugins.module_utils.aws.retries import landing_zone_retry


class AnsibleKMSError(AnsibleAWSError):
    pass


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
def create_key(client, description):
    return client.create_key(Description=description, KeyUsage="ENCRYPT_DECRYPT", KeySpec="SYMMETRIC_DEFAULT")[
        "KeyMetadata"
    ]


@KMSErrorHandler.common_error_handler("create a KMS alias")
@landing_zone_retry
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
