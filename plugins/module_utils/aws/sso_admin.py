# -*- coding: utf-8 -*-
# Copyright: Contributors to the awsorg.landing_zone collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""One small wrapper per IAM Identity Center administration (sso-admin) API call."""

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.errors import AWSErrorHandler
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry

from ansible_collections.awsorg.landing_zone.plugins.module_utils.aws.retries import COMMON_TRANSIENT_CODES
from ansible_collections.awsorg.landing_zone.plugins.module_utils.aws.pagination import all_pages
from ansible_collections.awsorg.landing_zone.plugins.module_utils.aws.retries import landing_zone_retry


class AnsibleSSOAdminError(AnsibleAWSError):
    pass


class SSOAdminErrorHandler(AWSErrorHandler):
    _CUSTOM_EXCEPTION = AnsibleSSOAdminError

    @classmethod
    def _is_missing(cls):
        return is_boto3_error_code("ResourceNotFoundException")


# Identity Center answers ConflictException while an earlier asynchronous
# operation on the same permission set (a provisioning, an assignment) is
# still running; it clears once that operation has finished.  Only calls
# that can meet such an operation retry it: for CreatePermissionSet the
# same code means the name is taken, which waiting does not change.
sso_retry = AWSRetry.jittered_backoff(
    retries=10, delay=1, backoff=2.0, max_delay=30,
    catch_extra_error_codes=COMMON_TRANSIENT_CODES + ["ConflictException"],
)


# --- instances ----------------------------------------------------------------


@SSOAdminErrorHandler.common_error_handler("list the IAM Identity Center instances")
def list_instances(client):
    return all_pages(client, "list_instances", "Instances")


# --- permission sets ----------------------------------------------------------


@SSOAdminErrorHandler.common_error_handler("list the permission sets")
def list_permission_sets(client, instance_arn):
    return all_pages(client, "list_permission_sets", "PermissionSets", InstanceArn=instance_arn)


@SSOAdminErrorHandler.list_error_handler("describe a permission set")
@landing_zone_retry
def describe_permission_set(client, instance_arn, permission_set_arn):
    return client.describe_permission_set(InstanceArn=instance_arn, PermissionSetArn=permission_set_arn)[
        "PermissionSet"
    ]


@SSOAdminErrorHandler.common_error_handler("create a permission set")
@landing_zone_retry
def create_permission_set(client, instance_arn, **params):
    return client.create_permission_set(InstanceArn=instance_arn, **params)["PermissionSet"]


@SSOAdminErrorHandler.common_error_handler("update a permission set")
@sso_retry
def update_permission_set(client, instance_arn, permission_set_arn, **params):
    client.update_permission_set(InstanceArn=instance_arn, PermissionSetArn=permission_set_arn, **params)


@SSOAdminErrorHandler.deletion_error_handler("delete a permission set")
@landing_zone_retry
def delete_permission_set(client, instance_arn, permission_set_arn):
    client.delete_permission_set(InstanceArn=instance_arn, PermissionSetArn=permission_set_arn)
    return True


@SSOAdminErrorHandler.list_error_handler("list the managed policies of a permission set", [])
def list_managed_policies(client, instance_arn, permission_set_arn):
    return all_pages(client, "list_managed_policies_in_permission_set", "AttachedManagedPolicies",
                     InstanceArn=instance_arn, PermissionSetArn=permission_set_arn)


@SSOAdminErrorHandler.common_error_handler("attach a managed policy to a permission set")
@sso_retry
def attach_managed_policy(client, instance_arn, permission_set_arn, policy_arn):
    client.attach_managed_policy_to_permission_set(
        InstanceArn=instance_arn, PermissionSetArn=permission_set_arn, ManagedPolicyArn=policy_arn
    )


@SSOAdminErrorHandler.deletion_error_handler("detach a managed policy from a permission set")
@sso_retry
def detach_managed_policy(client, instance_arn, permission_set_arn, policy_arn):
    client.detach_managed_policy_from_permission_set(
        InstanceArn=instance_arn, PermissionSetArn=permission_set_arn, ManagedPolicyArn=policy_arn
    )
    return True


@SSOAdminErrorHandler.list_error_handler("get the inline policy of a permission set", "")
@landing_zone_retry
def get_inline_policy(client, instance_arn, permission_set_arn):
    """The inline policy as JSON text; empty when the permission set has none."""
    return client.get_inline_policy_for_permission_set(
        InstanceArn=instance_arn, PermissionSetArn=permission_set_arn
    ).get("InlinePolicy") or ""


@SSOAdminErrorHandler.common_error_handler("put the inline policy of a permission set")
@sso_retry
def put_inline_policy(client, instance_arn, permission_set_arn, policy_json):
    client.put_inline_policy_to_permission_set(
        InstanceArn=instance_arn, PermissionSetArn=permission_set_arn, InlinePolicy=policy_json
    )


@SSOAdminErrorHandler.deletion_error_handler("delete the inline policy of a permission set")
@sso_retry
def delete_inline_policy(client, instance_arn, permission_set_arn):
    client.delete_inline_policy_from_permission_set(InstanceArn=instance_arn, PermissionSetArn=permission_set_arn)
    return True


# --- provisioning -------------------------------------------------------------


@SSOAdminErrorHandler.common_error_handler("list the accounts a permission set is provisioned to")
def list_accounts_for_provisioned_permission_set(client, instance_arn, permission_set_arn):
    return all_pages(client, "list_accounts_for_provisioned_permission_set", "AccountIds",
                     InstanceArn=instance_arn, PermissionSetArn=permission_set_arn)


@SSOAdminErrorHandler.common_error_handler("provision a permission set")
@sso_retry
def provision_permission_set(client, instance_arn, permission_set_arn):
    return client.provision_permission_set(
        InstanceArn=instance_arn, PermissionSetArn=permission_set_arn, TargetType="ALL_PROVISIONED_ACCOUNTS"
    )["PermissionSetProvisioningStatus"]


@SSOAdminErrorHandler.common_error_handler("describe a permission set provisioning")
@landing_zone_retry
def describe_permission_set_provisioning_status(client, instance_arn, request_id):
    return client.describe_permission_set_provisioning_status(
        InstanceArn=instance_arn, ProvisionPermissionSetRequestId=request_id
    )["PermissionSetProvisioningStatus"]


# --- account assignments ------------------------------------------------------


@SSOAdminErrorHandler.common_error_handler("list the account assignments of a principal")
def list_account_assignments_for_principal(client, instance_arn, principal_type, principal_id):
    return all_pages(client, "list_account_assignments_for_principal", "AccountAssignments",
                     InstanceArn=instance_arn, PrincipalType=principal_type, PrincipalId=principal_id)


@SSOAdminErrorHandler.common_error_handler("create an account assignment")
@sso_retry
def create_account_assignment(client, instance_arn, **assignment):
    return client.create_account_assignment(InstanceArn=instance_arn, TargetType="AWS_ACCOUNT", **assignment)[
        "AccountAssignmentCreationStatus"
    ]


@SSOAdminErrorHandler.common_error_handler("delete an account assignment")
@sso_retry
def delete_account_assignment(client, instance_arn, **assignment):
    return client.delete_account_assignment(InstanceArn=instance_arn, TargetType="AWS_ACCOUNT", **assignment)[
        "AccountAssignmentDeletionStatus"
    ]


@SSOAdminErrorHandler.common_error_handler("describe an account assignment creation")
@landing_zone_retry
def describe_account_assignment_creation_status(client, instance_arn, request_id):
    return client.describe_account_assignment_creation_status(
        InstanceArn=instance_arn, AccountAssignmentCreationRequestId=request_id
    )["AccountAssignmentCreationStatus"]


@SSOAdminErrorHandler.common_error_handler("describe an account assignment deletion")
@landing_zone_retry
def describe_account_assignment_deletion_status(client, instance_arn, request_id):
    return client.describe_account_assignment_deletion_status(
        InstanceArn=instance_arn, AccountAssignmentDeletionRequestId=request_id
    )["AccountAssignmentDeletionStatus"]
