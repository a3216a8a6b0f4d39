# -*- coding: utf-8 -*-
# Copyright: Contributors to the awsorg.landing_zone collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""One small wrapper per AWS CloudTrail API call."""

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.errors import AWSErrorHandler
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError

from ansible_collections.awsorg.landing_zone.plugins.module_utils.aws.retries import landing_zone_retry


class AnsibleCloudTrailError(AnsibleAWSError):
    pass


class CloudTrailErrorHandler(AWSErrorHandler):
    _CUSTOM_EXCEPTION = AnsibleCloudTrailError

    @classmethod
    def _is_missing(cls):
        return is_boto3_error_code("TrailNotFoundException")


@CloudTrailErrorHandler.list_error_handler("get the trail")
@landing_zone_retry
def get_trail(client, name):
    """The trail named ``name`` (or with that ARN), or None."""
    return client.get_trail(Name=name)["Trail"]


@CloudTrailErrorHandler.common_error_handler("get the trail status")
@landing_zone_retry
def get_trail_status(client, name):
    response = client.get_trail_status(Name=name)
    return {k: v for k, v in response.items() if k != "ResponseMetadata"}


@CloudTrailErrorHandler.common_error_handler("create the trail")
@landing_zone_retry
def create_trail(client, **params):
    response = client.create_trail(**params)
    return {k: v for k, v in response.items() if k != "ResponseMetadata"}


@CloudTrailErrorHandler.common_error_handler("update the trail")
@landing_zone_retry
def update_trail(client, **params):
    client.update_trail(**params)


@CloudTrailErrorHandler.common_error_handler("start logging")
@landing_zone_retry
def start_logging(client, name):
    client.start_logging(Name=name)


@CloudTrailErrorHandler.common_error_handler("stop logging")
@landing_zone_retry
def stop_logging(client, name):
    client.stop_logging(Name=name)
