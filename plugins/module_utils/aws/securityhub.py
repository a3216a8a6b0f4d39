# -*- coding: utf-8 -*-
# Copyright: Contributors to the awsorg.landing_zone collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""One small wrapper per AWS Security Hub API call."""

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.errors import AWSErrorHandler
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError

from ansible_collections.awsorg.landing_zone.plugins.module_utils.aws.retries import landing_zone_retry


class AnsibleSecurityHubError(AnsibleAWSError):
    pass


class SecurityHubErrorHandler(AWSErrorHandler):
    _CUSTOM_EXCEPTION = AnsibleSecurityHubError

    @classmethod
    def _is_missing(cls):
        # An account without Security Hub answers DescribeHub with
        # InvalidAccessException ("not subscribed to AWS Security Hub").
        return is_boto3_error_code(["InvalidAccessException", "ResourceNotFoundException"])


class SecurityHubAdministratorErrorHandler(AWSErrorHandler):
    _CUSTOM_EXCEPTION = AnsibleSecurityHubError

    @classmethod
    def _is_missing(cls):
        # DescribeOrganizationConfiguration answers only in the delegated
        # administrator; any other account (or one without Security Hub) gets
        # InvalidAccessException ("not an administrator for this organization")
        # or AccessDeniedException.
        return is_boto3_error_code(["InvalidAccessException", "AccessDeniedException", "ResourceNotFoundException"])


class SecurityHubEnableErrorHandler(AWSErrorHandler):
    _CUSTOM_EXCEPTION = AnsibleSecurityHubError

    @classmethod
    def _is_missing(cls):
        # Designating the delegated administrator subscribes that account to
        # Security Hub by itself, a moment later: enabling it again then
        # answers ResourceConflictException, which means it is on.
        return is_boto3_error_code("ResourceConflictException")


@SecurityHubErrorHandler.list_error_handler("describe the Security Hub hub")
@landing_zone_retry
def describe_hub(client):
    """The hub of the calling account, or None when Security Hub is not enabled there."""
    response = client.describe_hub()
    return {k: v for k, v in response.items() if k != "ResponseMetadata"}


@SecurityHubEnableErrorHandler.deletion_error_handler("enable Security Hub")
@landing_zone_retry
def enable_security_hub(client, enable_default_standards):
    client.enable_security_hub(EnableDefaultStandards=enable_default_standards)
    return True


@SecurityHubErrorHandler.common_error_handler("designate the Security Hub delegated administrator")
@landing_zone_retry
def enable_organization_admin_account(client, account_id):
    client.enable_organization_admin_account(AdminAccountId=account_id)


@SecurityHubAdministratorErrorHandler.list_error_handler("describe the Security Hub organization configuration")
@landing_zone_retry
def describe_organization_configuration(client):
    """The organization configuration, or None when the caller is not the delegated administrator."""
    response = client.describe_organization_configuration()
    return {k: v for k, v in response.items() if k != "ResponseMetadata"}


@SecurityHubErrorHandler.common_error_handler("update the Security Hub organization configuration")
@landing_zone_retry
def update_organization_configuration(client, auto_enable, auto_enable_standards):
    client.update_organization_configuration(AutoEnable=auto_enable, AutoEnableStandards=auto_enable_standards)
