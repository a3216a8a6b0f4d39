# -*- coding: utf-8 -*-
# Copyright: Contributors to the awsorg.landing_zone collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""AWS STS: who the credentials are, and in which partition.

The one caller-identity wrapper of the collection.  The partition (aws,
aws-cn, aws-us-gov) comes from the ARN STS returns, so every ARN the
collection builds for the caller's organization can use it instead of
assuming ``arn:aws``.  (amazon.aws's ``get_aws_account_info`` does the same
but takes a module and falls back to IAM; the batch runs here hold a client
per account, not a module.)
"""

from ansible_collections.amazon.aws.plugins.module_utils.errors import AWSErrorHandler

from ansible_collections.awsorg.landing_zone.plugins.module_utils.aws.retries import landing_zone_retry
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.arns import partition_of


class StsErrorHandler(AWSErrorHandler):
    pass


@StsErrorHandler.common_error_handler("get the caller identity")
@landing_zone_retry
def get_caller_identity(client):
    """``Account``, ``Arn`` and ``UserId`` of the credentials, and their ``Partition``."""
    identity = {key: value for key, value in client.get_caller_identity().items() if key != "ResponseMetadata"}
    if "Arn" in identity:
        identity["Partition"] = partition_of(identity["Arn"])
    return identity
