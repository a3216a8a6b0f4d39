# -*- coding: utf-8 -*-
# Copyright: Contributors to the awsorg.landing_zone collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""One small wrapper per AWS Config API call (named config_service: ``config`` is too common a name)."""

from ansible_collections.amazon.aws.plugins.module_utils.errors import AWSErrorHandler
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError

from ansible_collections.awsorg.landing_zone.plugins.module_utils.aws.retries import landing_zone_retry


class AnsibleConfigError(AnsibleAWSError):
    pass


class ConfigErrorHandler(AWSErrorHandler):
    _CUSTOM_EXCEPTION = AnsibleConfigError


@ConfigErrorHandler.common_error_handler("describe the configuration recorders")
@landing_zone_retry
def describe_configuration_recorders(client):
    return client.describe_configuration_recorders().get("ConfigurationRecorders", [])


@ConfigErrorHandler.common_error_handler("describe the configuration recorder status")
@landing_zone_retry
def describe_configuration_recorder_status(client):
    return client.describe_configuration_recorder_status().get("ConfigurationRecordersStatus", [])


@ConfigErrorHandler.common_error_handler("describe the delivery channels")
@landing_zone_retry
def describe_delivery_channels(client):
    return client.describe_delivery_channels().get("DeliveryChannels", [])


@ConfigErrorHandler.common_error_handler("put the configuration recorder")
@landing_zone_retry
def put_configuration_recorder(client, recorder):
    client.put_configuration_recorder(ConfigurationRecorder=recorder)


@ConfigErrorHandler.common_error_handler("put the delivery channel")
@landing_zone_retry
def put_delivery_channel(client, channel):
    client.put_delivery_channel(DeliveryChannel=channel)


@ConfigErrorHandler.common_error_handler("start the configuration recorder")
@landing_zone_retry
def start_configuration_recorder(client, name):
    client.start_configuration_recorder(ConfigurationRecorderName=name)


@ConfigErrorHandler.common_error_handler("stop the configuration recorder")
@landing_zone_retry
def stop_configuration_recorder(client, name):
    client.stop_configuration_recorder(ConfigurationRecorderName=name)
