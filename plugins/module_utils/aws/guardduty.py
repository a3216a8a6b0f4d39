# -*- coding: utf-8 -*-
# Copyright: Contributors to the awsorg.landing_zone collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""One small wrapper per Amazon GuardDuty API call."""

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.errors import AWSErrorHandler
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError

from ansible_collections.awsorg.landing_zone.plugins.module_utils.aws.pagination import all_pages
from ansible_collections.awsorg.landing_zone.plugins.module_utils.aws.retries import landing_zone_retry


class AnsibleGuardDutyError(AnsibleAWSError):
    pass


class GuardDutyErrorHandler(AWSErrorHandler):
    _CUSTOM_EXCEPTION = AnsibleGuardDutyError

    @classmethod
    def _is_missing(cls):
        return is_boto3_error_code(["ResourceNotFoundException", "DetectorNotFoundException"])


# --- delegated administrator (management account) ---------------------------


@GuardDutyErrorHandler.common_error_handler("list the GuardDuty delegated administrators")
def list_organization_admin_accounts(client):
    return all_pages(client, "list_organization_admin_accounts", "AdminAccounts")


@GuardDutyErrorHandler.common_error_handler("designate the GuardDuty delegated administrator")
@landing_zone_retry
def enable_organization_admin_account(client, account_id):
    client.enable_organization_admin_account(AdminAccountId=account_id)


# --- detector (any account) -------------------------------------------------


@GuardDutyErrorHandler.common_error_handler("list the GuardDuty detectors")
def list_detectors(client):
    return all_pages(client, "list_detectors", "DetectorIds")


@GuardDutyErrorHandler.list_error_handler("get the GuardDuty detector")
@landing_zone_retry
def get_detector(client, detector_id):
    response = client.get_detector(DetectorId=detector_id)
    return {k: v for k, v in response.items() if k != "ResponseMetadata"}


@GuardDutyErrorHandler.common_error_handler("create the GuardDuty detector")
@landing_zone_retry
def create_detector(client, **params):
    return client.create_detector(**params)["DetectorId"]


@GuardDutyErrorHandler.common_error_handler("update the GuardDuty detector")
@landing_zone_retry
def update_detector(client, detector_id, **params):
    client.update_detector(DetectorId=detector_id, **params)


# --- organization configuration (delegated administrator) ---------------------


@GuardDutyErrorHandler.common_error_handler("describe the GuardDuty organization configuration")
@landing_zone_retry
def describe_organization_configuration(client, detector_id):
    response = client.describe_organization_configuration(DetectorId=detector_id)
    return {k: v for k, v in response.items() if k != "ResponseMetadata"}


@GuardDutyErrorHandler.common_error_handler("update the GuardDuty organization configuration")
@landing_zone_retry
def update_organization_configuration(client, detector_id, auto_enable_organization_members):
    client.update_organization_configuration(
        DetectorId=detector_id, AutoEnableOrganizationMembers=auto_enable_organization_members
    )
