# -*- coding: utf-8 -*-
# Copyright: Contributors to the awsorg.landing_zone collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Centralized root access: one small wrapper per IAM and STS call.

The organization's features (ListOrganizationsFeatures, Enable/Disable
OrganizationsRootCredentialsManagement and OrganizationsRootSessions) are
IAM calls of the management account.  sts:AssumeRoot gives the management
account (or IAM's delegated administrator) a short root session in a member
account, scoped by one of AWS's task policies; with it, the root user's own
credentials are read and deleted by the IAM calls without ``UserName``
(IAM API Reference, ListAccessKeys: "If the UserName is not specified, the
user name is determined implicitly based on the AWS access key ID used to
sign the request"; "Centrally manage root access for member accounts",
https://docs.aws.amazon.com/IAM/latest/UserGuide/id_root-user.html#id_root-user-access-management).
"""

from ansible_collections.amazon.aws.plugins.module_utils.errors import AWSErrorHandler
from ansible_collections.amazon.aws.plugins.module_utils.iam import IAMErrorHandler

from ansible_collections.awsorg.landing_zone.plugins.module_utils.aws.pagination import all_pages
from ansible_collections.awsorg.landing_zone.plugins.module_utils.aws.retries import landing_zone_retry


class StsErrorHandler(AWSErrorHandler):
    pass


# --- the organization's features --------------------------------------------------------------

@IAMErrorHandler.common_error_handler("list the organization's root access features")
@landing_zone_retry
def list_organizations_features(client):
    """``EnabledFeatures`` (RootCredentialsManagement, RootSessions) of the caller's organization."""
    return client.list_organizations_features().get("EnabledFeatures", [])


_FEATURE_CALLS = {
    ("RootCredentialsManagement", True): "enable_organizations_root_credentials_management",
    ("RootCredentialsManagement", False): "disable_organizations_root_credentials_management",
    ("RootSessions", True): "enable_organizations_root_sessions",
    ("RootSessions", False): "disable_organizations_root_sessions",
}


@IAMErrorHandler.common_error_handler("change the organization's root access features")
@landing_zone_retry
def set_organizations_feature(client, feature, enabled):
    """Enable or disable one feature; returns the features enabled after the call."""
    return getattr(client, _FEATURE_CALLS[(feature, enabled)])().get("EnabledFeatures", [])


# --- a root session in a member account -------------------------------------------------------

@StsErrorHandler.common_error_handler("assume the root user of a member account")
@landing_zone_retry
def assume_root(client, account_id, task_policy_arn, duration_seconds):
    """Credentials of a root session in ``account_id`` scoped by ``task_policy_arn``."""
    return client.assume_root(TargetPrincipal=account_id, TaskPolicyArn=dict(arn=task_policy_arn),
                              DurationSeconds=duration_seconds)["Credentials"]


# --- the root user's credentials, with a root session's client -------------------------------

@IAMErrorHandler.list_error_handler("get the root user's login profile", default_value=None)
@landing_zone_retry
def get_root_login_profile(client):
    """The root user's LoginProfile (it has a console password), or None."""
    return client.get_login_profile()["LoginProfile"]


@IAMErrorHandler.deletion_error_handler("delete the root user's password")
@landing_zone_retry
def delete_root_login_profile(client):
    client.delete_login_profile()


@IAMErrorHandler.common_error_handler("list the root user's access keys")
def list_root_access_keys(client):
    return all_pages(client, "list_access_keys", "AccessKeyMetadata")


@IAMErrorHandler.deletion_error_handler("delete a root access key")
@landing_zone_retry
def delete_root_access_key(client, access_key_id):
    client.delete_access_key(AccessKeyId=access_key_id)


@IAMErrorHandler.common_error_handler("list the root user's MFA devices")
def list_root_mfa_devices(client):
    return all_pages(client, "list_mfa_devices", "MFADevices")


@IAMErrorHandler.deletion_error_handler("deactivate a root MFA device")
@landing_zone_retry
def deactivate_root_mfa_device(client, serial_number):
    client.deactivate_mfa_device(SerialNumber=serial_number)


@IAMErrorHandler.common_error_handler("list the root user's signing certificates")
def list_root_signing_certificates(client):
    return all_pages(client, "list_signing_certificates", "Certificates")


@IAMErrorHandler.deletion_error_handler("delete a root signing certificate")
@landing_zone_retry
def delete_root_signing_certificate(client, certificate_id):
    client.delete_signing_certificate(CertificateId=certificate_id)
