# -*- coding: utf-8 -*-
# Copyright: Contributors to the awsorg.landing_zone collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""One small wrapper per IAM API call.

Each wrapper is: amazon.aws's IAMErrorHandler (botocore errors become
AnsibleIAMError with a plain description; NoSuchEntity becomes None, [] or
False for reads and deletions) over ``landing_zone_retry`` over the paginator.

Policy documents go in as dicts and come back as dicts: boto3 URL-decodes and
parses the documents IAM returns (GetRole, GetRolePolicy, GetGroupPolicy).

amazon.aws's module_utils/iam.py has the same kind of wrapper for some of
these calls (each marked "amazon.aws: <name>" below), with the same error
handler.  Ours stay because of the retry codes: theirs use
``AWSRetry.jittered_backoff()``, which retries only the generic throttling
and unavailable codes, not IAM's own ``ServiceFailure`` (its HTTP 500) or
``ConcurrentModification`` (409, an entity changed by a parallel request).
``landing_zone_retry`` rides both out; the reliability test injects
ServiceFailure into every kind of IAM call.  A wrapper without a mark has no
counterpart there (role tags, inline policies, login profiles, the password
policy).
"""

import json

from ansible_collections.amazon.aws.plugins.module_utils.iam import AnsibleIAMError
from ansible_collections.amazon.aws.plugins.module_utils.iam import IAMErrorHandler

from ansible_collections.awsorg.landing_zone.plugins.module_utils.aws.pagination import all_pages
from ansible_collections.awsorg.landing_zone.plugins.module_utils.aws.refined_errors import refined_error
from ansible_collections.awsorg.landing_zone.plugins.module_utils.aws.retries import landing_zone_retry
from ansible_collections.awsorg.landing_zone.plugins.module_utils.aws.retries import principal_propagation_retry


def _document(policy):
    return policy if isinstance(policy, str) else json.dumps(policy, sort_keys=True)


class AnsibleIAMAlreadyExists(AnsibleIAMError):
    """A create call was refused with EntityAlreadyExists (maybe the lost answer of an earlier try)."""


# EntityAlreadyExists: "attempted to create a resource that already exists"
# (https://docs.aws.amazon.com/botocore/latest/reference/services/iam/client/exceptions/EntityAlreadyExistsException.html):
# raised as AnsibleIAMAlreadyExists, so the caller can take the update path.
_already_exists_raised = refined_error(AnsibleIAMError, ["EntityAlreadyExists"], AnsibleIAMAlreadyExists)


# --- roles ------------------------------------------------------------------


# amazon.aws: get_iam_role - without our retry codes.
@IAMErrorHandler.list_error_handler("get the role")
@landing_zone_retry
def get_role(client, role_name):
    return client.get_role(RoleName=role_name)["Role"]


@_already_exists_raised
@IAMErrorHandler.common_error_handler("create the role")
@principal_propagation_retry
@landing_zone_retry
def create_role(client, role_name, trust_policy, **params):
    return client.create_role(RoleName=role_name, AssumeRolePolicyDocument=_document(trust_policy), **params)["Role"]


@IAMErrorHandler.common_error_handler("update the role")
@landing_zone_retry
def update_role(client, role_name, **params):
    client.update_role(RoleName=role_name, **params)


@IAMErrorHandler.common_error_handler("update the role's trust policy")
@principal_propagation_retry
@landing_zone_retry
def update_assume_role_policy(client, role_name, trust_policy):
    client.update_assume_role_policy(RoleName=role_name, PolicyDocument=_document(trust_policy))


@IAMErrorHandler.deletion_error_handler("delete the role")
@landing_zone_retry
def delete_role(client, role_name):
    client.delete_role(RoleName=role_name)
    return True


# amazon.aws: list_iam_role_attached_policies (attachments, not ARNs) - without our retry codes.
@IAMErrorHandler.list_error_handler("list the role's managed policies", [])
def list_attached_role_policies(client, role_name):
    return [p["PolicyArn"] for p in all_pages(client, "list_attached_role_policies", "AttachedPolicies",
                                              RoleName=role_name)]


@IAMErrorHandler.common_error_handler("attach a managed policy to the role")
@landing_zone_retry
def attach_role_policy(client, role_name, policy_arn):
    client.attach_role_policy(RoleName=role_name, PolicyArn=policy_arn)


# amazon.aws: detach_iam_role_policy - without our retry codes.
@IAMErrorHandler.deletion_error_handler("detach a managed policy from the role")
@landing_zone_retry
def detach_role_policy(client, role_name, policy_arn):
    client.detach_role_policy(RoleName=role_name, PolicyArn=policy_arn)
    return True


# amazon.aws: list_iam_role_policies - without our retry codes.
@IAMErrorHandler.list_error_handler("list the role's inline policies", [])
def list_role_policies(client, role_name):
    return all_pages(client, "list_role_policies", "PolicyNames", RoleName=role_name)


@IAMErrorHandler.list_error_handler("get an inline policy of the role")
@landing_zone_retry
def get_role_policy(client, role_name, policy_name):
    return client.get_role_policy(RoleName=role_name, PolicyName=policy_name)["PolicyDocument"]


@IAMErrorHandler.common_error_handler("put an inline policy on the role")
@landing_zone_retry
def put_role_policy(client, role_name, policy_name, policy):
    client.put_role_policy(RoleName=role_name, PolicyName=policy_name, PolicyDocument=_document(policy))


@IAMErrorHandler.deletion_error_handler("delete an inline policy of the role")
@landing_zone_retry
def delete_role_policy(client, role_name, policy_name):
    client.delete_role_policy(RoleName=role_name, PolicyName=policy_name)
    return True


@IAMErrorHandler.list_error_handler("list the role's tags", [])
def list_role_tags(client, role_name):
    return all_pages(client, "list_role_tags", "Tags", RoleName=role_name)


@IAMErrorHandler.common_error_handler("tag the role")
@landing_zone_retry
def tag_role(client, role_name, tags):
    client.tag_role(RoleName=role_name, Tags=tags)


@IAMErrorHandler.common_error_handler("untag the role")
@landing_zone_retry
def untag_role(client, role_name, tag_keys):
    client.untag_role(RoleName=role_name, TagKeys=tag_keys)


# amazon.aws: list_iam_instance_profiles(role=...) (profiles, not names) - without our retry codes.
@IAMErrorHandler.list_error_handler("list the role's instance profiles", [])
def list_instance_profiles_for_role(client, role_name):
    return [p["InstanceProfileName"] for p in all_pages(client, "list_instance_profiles_for_role",
                                                        "InstanceProfiles", RoleName=role_name)]


# amazon.aws: remove_role_from_iam_instance_profile - without our retry codes.
@IAMErrorHandler.deletion_error_handler("remove the role from an instance profile")
@landing_zone_retry
def remove_role_from_instance_profile(client, role_name, profile_name):
    client.remove_role_from_instance_profile(InstanceProfileName=profile_name, RoleName=role_name)
    return True


# --- groups -----------------------------------------------------------------


# amazon.aws: get_iam_group - without our retry codes.
@IAMErrorHandler.list_error_handler("get the group")
@landing_zone_retry
def get_group(client, group_name):
    """``{"Group": {...}, "Users": [...]}``, or None when the group does not exist."""
    paginator = client.get_paginator("get_group")
    return paginator.paginate(GroupName=group_name).build_full_result()


@IAMErrorHandler.common_error_handler("create the group")
@landing_zone_retry
def create_group(client, group_name):
    return client.create_group(GroupName=group_name)["Group"]


@IAMErrorHandler.deletion_error_handler("delete the group")
@landing_zone_retry
def delete_group(client, group_name):
    client.delete_group(GroupName=group_name)
    return True


@IAMErrorHandler.list_error_handler("get an inline policy of the group")
@landing_zone_retry
def get_group_policy(client, group_name, policy_name):
    return client.get_group_policy(GroupName=group_name, PolicyName=policy_name)["PolicyDocument"]


@IAMErrorHandler.common_error_handler("put an inline policy on the group")
@landing_zone_retry
def put_group_policy(client, group_name, policy_name, policy):
    client.put_group_policy(GroupName=group_name, PolicyName=policy_name, PolicyDocument=_document(policy))


@IAMErrorHandler.deletion_error_handler("delete an inline policy of the group")
@landing_zone_retry
def delete_group_policy(client, group_name, policy_name):
    client.delete_group_policy(GroupName=group_name, PolicyName=policy_name)
    return True


@IAMErrorHandler.list_error_handler("list the group's inline policies", [])
def list_group_policies(client, group_name):
    return all_pages(client, "list_group_policies", "PolicyNames", GroupName=group_name)


@IAMErrorHandler.list_error_handler("list the group's managed policies", [])
def list_attached_group_policies(client, group_name):
    return [p["PolicyArn"] for p in all_pages(client, "list_attached_group_policies", "AttachedPolicies",
                                              GroupName=group_name)]


# amazon.aws: detach_iam_group_policy - without our retry codes.
@IAMErrorHandler.deletion_error_handler("detach a managed policy from the group")
@landing_zone_retry
def detach_group_policy(client, group_name, policy_arn):
    client.detach_group_policy(GroupName=group_name, PolicyArn=policy_arn)
    return True


@IAMErrorHandler.deletion_error_handler("remove a user from the group")
@landing_zone_retry
def remove_user_from_group(client, group_name, user_name):
    client.remove_user_from_group(GroupName=group_name, UserName=user_name)
    return True


# --- users and console passwords ----------------------------------------------


# amazon.aws: get_iam_user(normalize=False) - without our retry codes.
@IAMErrorHandler.list_error_handler("get the user")
@landing_zone_retry
def get_user(client, user_name):
    return client.get_user(UserName=user_name)["User"]


@IAMErrorHandler.list_error_handler("get the user's login profile")
@landing_zone_retry
def get_login_profile(client, user_name):
    return client.get_login_profile(UserName=user_name)["LoginProfile"]


# The password is a parameter of the two calls below and nothing else: the
# error handler's message never includes call parameters.  A login profile
# that exists already (a lost answer of this very call, repeated by botocore)
# raises AnsibleIAMAlreadyExists.
@_already_exists_raised
@IAMErrorHandler.common_error_handler("create the user's login profile")
@landing_zone_retry
def create_login_profile(client, user_name, password, password_reset_required=True):
    return client.create_login_profile(
        UserName=user_name, Password=password, PasswordResetRequired=password_reset_required
    )["LoginProfile"]


@IAMErrorHandler.common_error_handler("update the user's login profile")
@landing_zone_retry
def update_login_profile(client, user_name, password, password_reset_required=True):
    client.update_login_profile(UserName=user_name, Password=password, PasswordResetRequired=password_reset_required)


@IAMErrorHandler.deletion_error_handler("delete the user's login profile")
@landing_zone_retry
def delete_login_profile(client, user_name):
    client.delete_login_profile(UserName=user_name)
    return True


# --- the account password policy ----------------------------------------------


@IAMErrorHandler.list_error_handler("get the account password policy")
@landing_zone_retry
def get_account_password_policy(client):
    return client.get_account_password_policy()["PasswordPolicy"]


@IAMErrorHandler.common_error_handler("update the account password policy")
@landing_zone_retry
def update_account_password_policy(client, **params):
    client.update_account_password_policy(**params)
