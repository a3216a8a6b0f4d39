# -*- coding: utf-8 -*-
# Copyright: Contributors to the awsorg.landing_zone collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""One small wrapper per Amazon DynamoDB API call."""

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.errors import AWSErrorHandler
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry

from ansible_collections.awsorg.landing_zone.plugins.module_utils.aws.retries import COMMON_TRANSIENT_CODES
from ansible_collections.awsorg.landing_zone.plugins.module_utils.aws.pagination import all_pages
from ansible_collections.awsorg.landing_zone.plugins.module_utils.aws.retries import landing_zone_retry


class AnsibleDynamoDBError(AnsibleAWSError):
    pass


class DynamoDBErrorHandler(AWSErrorHandler):
    _CUSTOM_EXCEPTION = AnsibleDynamoDBError

    @classmethod
    def _is_missing(cls):
        return is_boto3_error_code(["ResourceNotFoundException", "TableNotFoundException"])


# A table answers ResourceInUseException while it is CREATING or UPDATING (only
# one update runs at a time), and point-in-time recovery cannot be switched on
# until continuous backups have started, which takes a moment after creation.
table_update_retry = AWSRetry.jittered_backoff(
    retries=10,
    delay=2,
    backoff=2.0,
    max_delay=30,
    catch_extra_error_codes=COMMON_TRANSIENT_CODES
    + ["ResourceInUseException", "ContinuousBackupsUnavailableException", "LimitExceededException"],
)


@DynamoDBErrorHandler.list_error_handler("describe the table")
@landing_zone_retry
def describe_table(client, name):
    return client.describe_table(TableName=name)["Table"]


@DynamoDBErrorHandler.common_error_handler("create the table")
@landing_zone_retry
def create_table(client, **params):
    return client.create_table(**params)["TableDescription"]


@DynamoDBErrorHandler.common_error_handler("wait for the table to become active")
def wait_table_active(client, name):
    client.get_waiter("table_exists").wait(TableName=name, WaiterConfig={"Delay": 2, "MaxAttempts": 150})


@DynamoDBErrorHandler.common_error_handler("update the table")
@table_update_retry
def update_table(client, name, **params):
    return client.update_table(TableName=name, **params)["TableDescription"]


@DynamoDBErrorHandler.deletion_error_handler("delete the table")
@table_update_retry
def delete_table(client, name):
    client.delete_table(TableName=name)
    return True


@DynamoDBErrorHandler.list_error_handler("describe the table's continuous backups", {})
@landing_zone_retry
def describe_continuous_backups(client, name):
    return client.describe_continuous_backups(TableName=name)["ContinuousBackupsDescription"]


@DynamoDBErrorHandler.common_error_handler("enable point-in-time recovery")
@table_update_retry
def enable_point_in_time_recovery(client, name):
    client.update_continuous_backups(
        TableName=name, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True}
    )


@DynamoDBErrorHandler.list_error_handler("read an item")
@landing_zone_retry
def get_item(client, name, key):
    return client.get_item(TableName=name, Key=key, ConsistentRead=True).get("Item")


@DynamoDBErrorHandler.common_error_handler("write an item")
@landing_zone_retry
def put_item(client, name, item):
    client.put_item(TableName=name, Item=item)


@DynamoDBErrorHandler.common_error_handler("scan the table")
def scan_keys(client, name, attribute):
    """Every value of the string attribute ``attribute`` in the table."""
    items = all_pages(client, "scan", "Items", TableName=name, ProjectionExpression="#a",
                      ExpressionAttributeNames={"#a": attribute})
    return [item[attribute]["S"] for item in items if attribute in item]
