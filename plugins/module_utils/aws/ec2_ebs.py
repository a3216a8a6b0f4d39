# -*- coding: utf-8 -*-
# Copyright: Contributors to the awsorg.landing_zone collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""One small wrapper per EC2 call of the account's EBS default encryption.

Both settings are per account *and per region*: each call goes to the
region of the client it is given.
"""

from ansible_collections.amazon.aws.plugins.module_utils.errors import AWSErrorHandler
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError

from ansible_collections.awsorg.landing_zone.plugins.module_utils.aws.retries import landing_zone_retry


class AnsibleEBSError(AnsibleAWSError):
    pass


class EBSErrorHandler(AWSErrorHandler):
    _CUSTOM_EXCEPTION = AnsibleEBSError


@EBSErrorHandler.common_error_handler("get the EBS encryption by default")
@landing_zone_retry
def get_ebs_encryption_by_default(client):
    return client.get_ebs_encryption_by_default()["EbsEncryptionByDefault"]


@EBSErrorHandler.common_error_handler("enable EBS encryption by default")
@landing_zone_retry
def enable_ebs_encryption_by_default(client):
    client.enable_ebs_encryption_by_default()


@EBSErrorHandler.common_error_handler("disable EBS encryption by default")
@landing_zone_retry
def disable_ebs_encryption_by_default(client):
    client.disable_ebs_encryption_by_default()


@EBSErrorHandler.common_error_handler("get the default KMS key for EBS encryption")
@landing_zone_retry
def get_ebs_default_kms_key_id(client):
    """The key EBS encrypts new volumes with (ARN, or ``alias/aws/ebs`` for the AWS managed key)."""
    return client.get_ebs_default_kms_key_id()["KmsKeyId"]


@EBSErrorHandler.common_error_handler("set the default KMS key for EBS encryption")
@landing_zone_retry
def modify_ebs_default_kms_key_id(client, key_id):
    return client.modify_ebs_default_kms_key_id(KmsKeyId=key_id)["KmsKeyId"]
