# -*- coding: utf-8 -*-
# Copyright: Contributors to the awsorg.landing_zone collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""One small wrapper per IAM API call on users and their group memberships.

The same shape as aws/iam.py (amazon.aws's IAMErrorHandler over
``landing_zone_retry``; NoSuchEntity reads as None or [], a deletion of
something already gone as False), which holds GetUser, GetGroup,
CreateGroup, RemoveUserFromGroup and the login profile calls these build on.

Everything a user holds that DeleteUser refuses to delete with it (IAM API
Reference, DeleteUser: "you must delete the items attached to the user
manually, or the deletion fails",
https://docs.aws.amazon.com/IAM/latest/APIReference/API_DeleteUser.html)
has its listing and its deletion here.
"""

from ansible_collections.amazon.aws.plugins.module_utils.iam import IAMErrorHandler

from ansible_collections.awsorg.landing_zone.plugins.module_utils.aws.pagination import all_pages
from ansible_collections.awsorg.landing_zone.plugins.module_utils.aws.retries import landing_zone_retry


# --- the user ---------------------------------------------------------------------


@IAMErrorHandler.common_error_handler("create the user")
@landing_zone_retry
def create_user(client, user_name, path=None, tags=None):
    """CreateUser; ``tags`` as a boto3 tag list."""
    params = dict(UserName=user_name)
    if path:
        params["Path"] = path
    if tags:
        params["Tags"] = tags
    return client.create_user(**params)["User"]


@IAMErrorHandler.common_error_handler("move the user to another path")
@landing_zone_retry
def update_user_path(client, user_name, path):
    client.update_user(UserName=user_name, NewPath=path)


@IAMErrorHandler.common_error_handler("tag the user")
@landing_zone_retry
def tag_user(client, user_name, tags):
    client.tag_user(UserName=user_name, Tags=tags)


@IAMErrorHandler.common_error_handler("untag the user")
@landing_zone_retry
def untag_user(client, user_name, tag_keys):
    client.untag_user(UserName=user_name, TagKeys=tag_keys)


@IAMErrorHandler.deletion_error_handler("delete the user")
@landing_zone_retry
def delete_user(client, user_name):
    client.delete_user(UserName=user_name)
    return True


# --- what DeleteUser refuses to delete with the user --------------------------------


@IAMErrorHandler.list_error_handler("list the user's access keys", [])
def list_access_keys(client, user_name):
    return [key["AccessKeyId"] for key in all_pages(client, "list_access_keys", "AccessKeyMetadata", UserName=user_name)]


@IAMErrorHandler.deletion_error_handler("delete an access key of the user")
@landing_zone_retry
def delete_access_key(client, user_name, access_key_id):
    client.delete_access_key(UserName=user_name, AccessKeyId=access_key_id)
    return True


@IAMErrorHandler.list_error_handler("list the user's SSH public keys", [])
def list_ssh_public_keys(client, user_name):
    return [key["SSHPublicKeyId"] for key in all_pages(client, "list_ssh_public_keys", "SSHPublicKeys", UserName=user_name)]


@IAMErrorHandler.deletion_error_handler("delete an SSH public key of the user")
@landing_zone_retry
def delete_ssh_public_key(client, user_name, key_id):
    client.delete_ssh_public_key(UserName=user_name, SSHPublicKeyId=key_id)
    return True


@IAMErrorHandler.list_error_handler("list the user's signing certificates", [])
def list_signing_certificates(client, user_name):
    certificates = all_pages(client, "list_signing_certificates", "Certificates", UserName=user_name)
    return [cert["CertificateId"] for cert in certificates]


@IAMErrorHandler.deletion_error_handler("delete a signing certificate of the user")
@landing_zone_retry
def delete_signing_certificate(client, user_name, certificate_id):
    client.delete_signing_certificate(UserName=user_name, CertificateId=certificate_id)
    return True


@IAMErrorHandler.list_error_handler("list the user's service-specific credentials", [])
@landing_zone_retry
def list_service_specific_credentials(client, user_name):
    # Not paginated: one answer holds them all (a user has at most two per service).
    answer = client.list_service_specific_credentials(UserName=user_name)
    return [(c["ServiceSpecificCredentialId"], c.get("ServiceName")) for c in answer.get("ServiceSpecificCredentials", [])]


@IAMErrorHandler.deletion_error_handler("delete a service-specific credential of the user")
@landing_zone_retry
def delete_service_specific_credential(client, user_name, credential_id):
    client.delete_service_specific_credential(UserName=user_name, ServiceSpecificCredentialId=credential_id)
    return True


@IAMErrorHandler.list_error_handler("list the user's MFA devices", [])
def list_mfa_devices(client, user_name):
    return [device["SerialNumber"] for device in all_pages(client, "list_mfa_devices", "MFADevices", UserName=user_name)]


@IAMErrorHandler.deletion_error_handler("deactivate an MFA device of the user")
@landing_zone_retry
def deactivate_mfa_device(client, user_name, serial_number):
    client.deactivate_mfa_device(UserName=user_name, SerialNumber=serial_number)
    return True


@IAMErrorHandler.deletion_error_handler("delete a virtual MFA device")
@landing_zone_retry
def delete_virtual_mfa_device(client, serial_number):
    client.delete_virtual_mfa_device(SerialNumber=serial_number)
    return True


@IAMErrorHandler.list_error_handler("list the user's managed policies", [])
def list_attached_user_policies(client, user_name):
    return [p["PolicyArn"] for p in all_pages(client, "list_attached_user_policies", "AttachedPolicies", UserName=user_name)]


@IAMErrorHandler.deletion_error_handler("detach a managed policy from the user")
@landing_zone_retry
def detach_user_policy(client, user_name, policy_arn):
    client.detach_user_policy(UserName=user_name, PolicyArn=policy_arn)
    return True


@IAMErrorHandler.list_error_handler("list the user's inline policies", [])
def list_user_policies(client, user_name):
    return all_pages(client, "list_user_policies", "PolicyNames", UserName=user_name)


@IAMErrorHandler.deletion_error_handler("delete an inline policy of the user")
@landing_zone_retry
def delete_user_policy(client, user_name, policy_name):
    client.delete_user_policy(UserName=user_name, PolicyName=policy_name)
    return True


@IAMErrorHandler.list_error_handler("list the user's groups", [])
def list_groups_for_user(client, user_name):
    return [g["GroupName"] for g in all_pages(client, "list_groups_for_user", "Groups", UserName=user_name)]


# --- group membership -------------------------------------------------------------


@IAMErrorHandler.common_error_handler("add a user to the group")
@landing_zone_retry
def add_user_to_group(client, group_name, user_name):
    client.add_user_to_group(GroupName=group_name, UserName=user_name)
