# -*- coding: utf-8 -*-
# Copyright: Contributors to the awsorg.landing_zone collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""One small wrapper per IAM Identity Center identity store API call."""

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.errors import AWSErrorHandler
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError

from ansible_collections.awsorg.landing_zone.plugins.module_utils.aws.pagination import all_pages
from ansible_collections.awsorg.landing_zone.plugins.module_utils.aws.retries import landing_zone_retry


class AnsibleIdentityStoreError(AnsibleAWSError):
    pass


class IdentityStoreErrorHandler(AWSErrorHandler):
    _CUSTOM_EXCEPTION = AnsibleIdentityStoreError

    @classmethod
    def _is_missing(cls):
        return is_boto3_error_code("ResourceNotFoundException")


# --- users --------------------------------------------------------------------


@IdentityStoreErrorHandler.common_error_handler("list the identity store users")
def list_users(client, identity_store_id):
    return all_pages(client, "list_users", "Users", IdentityStoreId=identity_store_id)


@IdentityStoreErrorHandler.list_error_handler("look up a user by name")
@landing_zone_retry
def get_user_id(client, identity_store_id, user_name):
    """The id of the user named ``user_name``, or None."""
    return client.get_user_id(
        IdentityStoreId=identity_store_id,
        AlternateIdentifier={"UniqueAttribute": {"AttributePath": "userName", "AttributeValue": user_name}},
    )["UserId"]


@IdentityStoreErrorHandler.common_error_handler("create a user")
@landing_zone_retry
def create_user(client, identity_store_id, **attributes):
    return client.create_user(IdentityStoreId=identity_store_id, **attributes)["UserId"]


@IdentityStoreErrorHandler.common_error_handler("update a user")
@landing_zone_retry
def update_user(client, identity_store_id, user_id, operations):
    client.update_user(IdentityStoreId=identity_store_id, UserId=user_id, Operations=operations)


@IdentityStoreErrorHandler.deletion_error_handler("delete a user")
@landing_zone_retry
def delete_user(client, identity_store_id, user_id):
    client.delete_user(IdentityStoreId=identity_store_id, UserId=user_id)
    return True


# --- groups -------------------------------------------------------------------


@IdentityStoreErrorHandler.common_error_handler("list the identity store groups")
def list_groups(client, identity_store_id):
    return all_pages(client, "list_groups", "Groups", IdentityStoreId=identity_store_id)


@IdentityStoreErrorHandler.list_error_handler("look up a group by name")
@landing_zone_retry
def get_group_id(client, identity_store_id, display_name):
    """The id of the group named ``display_name``, or None."""
    return client.get_group_id(
        IdentityStoreId=identity_store_id,
        AlternateIdentifier={"UniqueAttribute": {"AttributePath": "displayName", "AttributeValue": display_name}},
    )["GroupId"]


@IdentityStoreErrorHandler.common_error_handler("create a group")
@landing_zone_retry
def create_group(client, identity_store_id, **attributes):
    return client.create_group(IdentityStoreId=identity_store_id, **attributes)["GroupId"]


@IdentityStoreErrorHandler.common_error_handler("update a group")
@landing_zone_retry
def update_group(client, identity_store_id, group_id, operations):
    client.update_group(IdentityStoreId=identity_store_id, GroupId=group_id, Operations=operations)


@IdentityStoreErrorHandler.deletion_error_handler("delete a group")
@landing_zone_retry
def delete_group(client, identity_store_id, group_id):
    client.delete_group(IdentityStoreId=identity_store_id, GroupId=group_id)
    return True


# --- memberships --------------------------------------------------------------


@IdentityStoreErrorHandler.list_error_handler("list the members of a group", [])
def list_group_memberships(client, identity_store_id, group_id):
    return all_pages(client, "list_group_memberships", "GroupMemberships",
                     IdentityStoreId=identity_store_id, GroupId=group_id)


@IdentityStoreErrorHandler.common_error_handler("add a member to a group")
@landing_zone_retry
def create_group_membership(client, identity_store_id, group_id, user_id):
    return client.create_group_membership(
        IdentityStoreId=identity_store_id, GroupId=group_id, MemberId={"UserId": user_id}
    )["MembershipId"]


@IdentityStoreErrorHandler.deletion_error_handler("remove a member from a group")
@landing_zone_retry
def delete_group_membership(client, identity_store_id, membership_id):
    client.delete_group_membership(IdentityStoreId=identity_store_id, MembershipId=membership_id)
    return True
