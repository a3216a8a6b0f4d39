# -*- coding: utf-8 -*-
# Copyright: Contributors to the awsorg.landing_zone collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""One small wrapper per AWS Organizations API call.

Each wrapper is: error handler (turns botocore errors into
AnsibleOrganizationsError with a plain description, or a default for "not
found") over retry (jittered backoff on throttling and
ConcurrentModificationException) over the paginator.

A create call whose answer was lost (the connection dropped after AWS made
the OU or policy) is repeated by botocore itself, inside the one call; AWS
then refuses the repeat because the first one succeeded.  ``create_ou`` and
``create_policy`` raise ``AnsibleOrganizationsAlreadyExists`` for that
refusal, so that their callers can read back and adopt what exists.
"""

import time

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.errors import AWSErrorHandler
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict
from ansible_collections.amazon.aws.plugins.module_utils.tagging import compare_aws_tags

from ansible_collections.awsorg.landing_zone.plugins.module_utils.aws.pagination import all_pages
from ansible_collections.awsorg.landing_zone.plugins.module_utils.aws.refined_errors import refined_error
from ansible_collections.awsorg.landing_zone.plugins.module_utils.aws.retries import landing_zone_retry
from ansible_collections.awsorg.landing_zone.plugins.module_utils.aws.retries import organization_finalizing_retry
from ansible_collections.awsorg.landing_zone.plugins.module_utils.aws.retries import policy_change_retry


class AnsibleOrganizationsError(AnsibleAWSError):
    pass


class AnsibleOrganizationsAlreadyExists(AnsibleOrganizationsError):
    """A create call was refused because what it creates exists already (maybe made by a lost first try)."""


# DuplicateOrganizationalUnitException: "An OU with the same name already
# exists" (under that parent); DuplicatePolicyException: "A policy with the
# same name already exists". Botocore's Organizations exceptions reference:
# https://docs.aws.amazon.com/botocore/latest/reference/services/organizations/client/exceptions/DuplicateOrganizationalUnitException.html
# https://docs.aws.amazon.com/botocore/latest/reference/services/organizations/client/exceptions/DuplicatePolicyException.html
ALREADY_EXISTS_CODES = ("DuplicateOrganizationalUnitException", "DuplicatePolicyException")


_already_exists_raised = refined_error(AnsibleOrganizationsError, ALREADY_EXISTS_CODES, AnsibleOrganizationsAlreadyExists)


def read_back(read, attempts=6, delay=2.0, sleep=time.sleep):
    """``read()`` until it returns something other than None, ``attempts`` times at most; its last answer.

    Organizations is eventually consistent: what a create call made may be
    missing from a listing for a few seconds.
    """
    found = None
    for attempt in range(attempts):
        found = read()
        if found is not None:
            return found
        if attempt < attempts - 1:
            sleep(delay)
    return found


class OrganizationsErrorHandler(AWSErrorHandler):
    _CUSTOM_EXCEPTION = AnsibleOrganizationsError

    @classmethod
    def _is_missing(cls):
        return is_boto3_error_code(
            [
                "AWSOrganizationsNotInUseException",
                "AccountNotFoundException",
                "OrganizationalUnitNotFoundException",
                "ParentNotFoundException",
                "ChildNotFoundException",
                "PolicyNotFoundException",
                "TargetNotFoundException",
                "CreateAccountStatusNotFoundException",
                "PolicyNotAttachedException",
                "HandshakeNotFoundException",
            ]
        )


# --- the organization -------------------------------------------------------


@OrganizationsErrorHandler.list_error_handler("describe the organization")
@landing_zone_retry
def describe_organization(client):
    return client.describe_organization()["Organization"]


@OrganizationsErrorHandler.common_error_handler("create the organization")
@landing_zone_retry
def create_organization(client, feature_set="ALL"):
    return client.create_organization(FeatureSet=feature_set)["Organization"]


@OrganizationsErrorHandler.common_error_handler("list the organization roots")
def list_roots(client):
    return all_pages(client, "list_roots", "Roots")


@OrganizationsErrorHandler.common_error_handler("enable a policy type")
@policy_change_retry
def enable_policy_type(client, root_id, policy_type):
    return client.enable_policy_type(RootId=root_id, PolicyType=policy_type)["Root"]


@OrganizationsErrorHandler.common_error_handler("disable a policy type")
@policy_change_retry
def disable_policy_type(client, root_id, policy_type):
    return client.disable_policy_type(RootId=root_id, PolicyType=policy_type)["Root"]


# EnablePolicyType and DisablePolicyType are asynchronous: "This is an
# asynchronous request that Amazon Web Services performs in the background.
# Amazon Web Services recommends that you first use ListRoots to see the status
# of policy types for a specified root" (EnablePolicyType, Organizations API
# Reference); a type reads PENDING_ENABLE or PENDING_DISABLE until it settles
# (PolicyTypeSummary, Status: ENABLED | PENDING_ENABLE | PENDING_DISABLE,
# https://docs.aws.amazon.com/organizations/latest/APIReference/API_PolicyTypeSummary.html),
# and a policy of a type not yet ENABLED cannot be attached.  AWS gives no
# duration; terraform-provider-aws waits 5 minutes for the same change
# (waitDefaultRootPolicyTypeEnabled / ...Disabled, organization.go).
PENDING_POLICY_TYPE_STATUSES = ("PENDING_ENABLE", "PENDING_DISABLE")
POLICY_TYPE_SETTLE_SECONDS = 300


def pending_policy_types(root):
    """{type: status} of the root's policy types that are still being enabled or disabled."""
    return {p["Type"]: p["Status"] for p in root.get("PolicyTypes", []) if p.get("Status") in PENDING_POLICY_TYPE_STATUSES}


def wait_for_policy_types(client, root_id, timeout=POLICY_TYPE_SETTLE_SECONDS, sleep=time.sleep, clock=time.monotonic):
    """The root ``root_id`` once none of its policy types reads PENDING_*: ListRoots every 1 s, then up to 10 s apart.

    Raises AnsibleOrganizationsError when a type is still pending after ``timeout`` seconds.
    """
    deadline = clock() + timeout
    delay = 1.0
    while True:
        root = next((r for r in list_roots(client) if r["Id"] == root_id), None)
        if root is None:
            raise AnsibleOrganizationsError(message=f"the organization root {root_id} is gone")
        pending = pending_policy_types(root)
        if not pending:
            return root
        left = deadline - clock()
        if left <= 0:
            described = ", ".join(f"{t} {s}" for t, s in sorted(pending.items()))
            raise AnsibleOrganizationsError(
                message=(f"policy types of the root {root_id} still pending after {timeout:g} s ({described});"
                         " AWS changes them in the background: run again later")
            )
        sleep(min(delay, left))
        delay = min(delay * 2, 10.0)


@OrganizationsErrorHandler.common_error_handler("list AWS service access")
def list_aws_service_access(client):
    services = all_pages(client, "list_aws_service_access_for_organization", "EnabledServicePrincipals")
    return [s["ServicePrincipal"] for s in services]


@OrganizationsErrorHandler.common_error_handler("enable AWS service access")
@landing_zone_retry
def enable_aws_service_access(client, principal):
    client.enable_aws_service_access(ServicePrincipal=principal)


@OrganizationsErrorHandler.common_error_handler("disable AWS service access")
@landing_zone_retry
def disable_aws_service_access(client, principal):
    client.disable_aws_service_access(ServicePrincipal=principal)


# --- organizational units ---------------------------------------------------


@OrganizationsErrorHandler.list_error_handler("list organizational units", [])
def list_ous_for_parent(client, parent_id):
    return all_pages(client, "list_organizational_units_for_parent", "OrganizationalUnits", ParentId=parent_id)


@OrganizationsErrorHandler.list_error_handler("describe an organizational unit")
@landing_zone_retry
def describe_ou(client, ou_id):
    return client.describe_organizational_unit(OrganizationalUnitId=ou_id)["OrganizationalUnit"]


@_already_exists_raised
@OrganizationsErrorHandler.common_error_handler("create an organizational unit")
@organization_finalizing_retry
def create_ou(client, parent_id, name, tags=None):
    params = dict(ParentId=parent_id, Name=name)
    if tags:
        params["Tags"] = tags
    return client.create_organizational_unit(**params)["OrganizationalUnit"]


@OrganizationsErrorHandler.deletion_error_handler("delete an organizational unit")
@landing_zone_retry
def delete_ou(client, ou_id):
    client.delete_organizational_unit(OrganizationalUnitId=ou_id)
    return True


@OrganizationsErrorHandler.list_error_handler("list accounts for parent", [])
def list_accounts_for_parent(client, parent_id):
    return all_pages(client, "list_accounts_for_parent", "Accounts", ParentId=parent_id)


@OrganizationsErrorHandler.list_error_handler("list the parents", [])
def list_parents(client, child_id):
    return all_pages(client, "list_parents", "Parents", ChildId=child_id)


# --- accounts ---------------------------------------------------------------


@OrganizationsErrorHandler.list_error_handler("describe an account")
@landing_zone_retry
def describe_account(client, account_id):
    return client.describe_account(AccountId=account_id)["Account"]


@OrganizationsErrorHandler.common_error_handler("list the accounts")
def list_accounts(client):
    return all_pages(client, "list_accounts", "Accounts")


@OrganizationsErrorHandler.common_error_handler("create an account")
@organization_finalizing_retry
def create_account(client, **params):
    return client.create_account(**params)["CreateAccountStatus"]


@OrganizationsErrorHandler.list_error_handler("describe an account creation")
@landing_zone_retry
def describe_create_account_status(client, request_id):
    return client.describe_create_account_status(CreateAccountRequestId=request_id)["CreateAccountStatus"]


@OrganizationsErrorHandler.common_error_handler("list account creations")
def list_create_account_status(client, states=None):
    params = {"States": states} if states else {}
    return all_pages(client, "list_create_account_status", "CreateAccountStatuses", **params)


@OrganizationsErrorHandler.common_error_handler("move an account")
@landing_zone_retry
def move_account(client, account_id, source_parent_id, destination_parent_id):
    client.move_account(
        AccountId=account_id, SourceParentId=source_parent_id, DestinationParentId=destination_parent_id
    )


@OrganizationsErrorHandler.common_error_handler("close an account")
@landing_zone_retry
def close_account(client, account_id):
    client.close_account(AccountId=account_id)


# --- tags -------------------------------------------------------------------


@OrganizationsErrorHandler.list_error_handler("list tags", [])
def list_tags(client, resource_id):
    return all_pages(client, "list_tags_for_resource", "Tags", ResourceId=resource_id)


@OrganizationsErrorHandler.common_error_handler("tag a resource")
@landing_zone_retry
def tag_resource(client, resource_id, tags):
    client.tag_resource(ResourceId=resource_id, Tags=tags)


@OrganizationsErrorHandler.common_error_handler("untag a resource")
@landing_zone_retry
def untag_resource(client, resource_id, tag_keys):
    client.untag_resource(ResourceId=resource_id, TagKeys=tag_keys)


def tags_of(client, resource_id):
    """The tags of an account, OU, root or policy as a flat dict."""
    return boto3_tag_list_to_ansible_dict(list_tags(client, resource_id))


def sync_tags(client, resource_id, current, wanted, purge, check_mode):
    """Turn the tags ``current`` of ``resource_id`` into ``wanted``; return (changed, tags after).

    ``wanted=None`` leaves the tags alone.  Without ``purge`` only missing or
    different tags are set.  In check mode nothing is written and the
    predicted tags are returned.
    """
    if wanted is None:
        return False, dict(current)
    to_set, to_unset = compare_aws_tags(current, wanted, purge_tags=purge)
    if not to_set and not to_unset:
        return False, dict(current)
    if not check_mode:
        if to_unset:
            untag_resource(client, resource_id, to_unset)
        if to_set:
            tag_resource(client, resource_id, ansible_dict_to_boto3_tag_list(to_set))
    after = {key: value for key, value in current.items() if key not in to_unset}
    after.update((tag["Key"], tag["Value"]) for tag in ansible_dict_to_boto3_tag_list(to_set))
    return True, after


# --- policies ---------------------------------------------------------------


@OrganizationsErrorHandler.common_error_handler("list policies")
def list_policies(client, policy_type="SERVICE_CONTROL_POLICY"):
    return all_pages(client, "list_policies", "Policies", Filter=policy_type)


@OrganizationsErrorHandler.list_error_handler("describe a policy")
@landing_zone_retry
def describe_policy(client, policy_id):
    return client.describe_policy(PolicyId=policy_id)["Policy"]


@_already_exists_raised
@OrganizationsErrorHandler.common_error_handler("create a policy")
@landing_zone_retry
def create_policy(client, **params):
    return client.create_policy(**params)["Policy"]


@OrganizationsErrorHandler.common_error_handler("update a policy")
@policy_change_retry
def update_policy(client, policy_id, **params):
    return client.update_policy(PolicyId=policy_id, **params)["Policy"]


@OrganizationsErrorHandler.deletion_error_handler("delete a policy")
@landing_zone_retry
def delete_policy(client, policy_id):
    client.delete_policy(PolicyId=policy_id)
    return True


@OrganizationsErrorHandler.common_error_handler("list policy targets")
def list_targets_for_policy(client, policy_id):
    return all_pages(client, "list_targets_for_policy", "Targets", PolicyId=policy_id)


@OrganizationsErrorHandler.list_error_handler("list policies for a target", [])
def list_policies_for_target(client, target_id, policy_type="SERVICE_CONTROL_POLICY"):
    return all_pages(client, "list_policies_for_target", "Policies", TargetId=target_id, Filter=policy_type)


@OrganizationsErrorHandler.common_error_handler("attach a policy")
@policy_change_retry
def attach_policy(client, policy_id, target_id):
    client.attach_policy(PolicyId=policy_id, TargetId=target_id)


@OrganizationsErrorHandler.deletion_error_handler("detach a policy")
@policy_change_retry
def detach_policy(client, policy_id, target_id):
    client.detach_policy(PolicyId=policy_id, TargetId=target_id)
    return True


# --- handshakes (invitations) -------------------------------------------------


class AnsibleOrganizationsDuplicateHandshake(AnsibleOrganizationsError):
    """InviteAccountToOrganization was refused: the account has a pending invitation already (maybe a lost first try)."""


# DuplicateHandshakeException: "A handshake with the same action and target already exists"
# (https://docs.aws.amazon.com/organizations/latest/APIReference/API_InviteAccountToOrganization.html):
# raised as AnsibleOrganizationsDuplicateHandshake, so the caller adopts the pending invitation.
_duplicate_handshake_raised = refined_error(AnsibleOrganizationsError, ["DuplicateHandshakeException"],
                                            AnsibleOrganizationsDuplicateHandshake)


@_duplicate_handshake_raised
@OrganizationsErrorHandler.common_error_handler("invite an account to the organization")
@organization_finalizing_retry
def invite_account(client, account_id, tags=None):
    params = dict(Target=dict(Id=account_id, Type="ACCOUNT"))
    if tags:
        params["Tags"] = tags
    return client.invite_account_to_organization(**params)["Handshake"]


@OrganizationsErrorHandler.common_error_handler("list the organization's handshakes")
def list_handshakes_for_organization(client, action_type="INVITE"):
    return all_pages(client, "list_handshakes_for_organization", "Handshakes", Filter=dict(ActionType=action_type))


@OrganizationsErrorHandler.list_error_handler("describe a handshake")
@landing_zone_retry
def describe_handshake(client, handshake_id):
    return client.describe_handshake(HandshakeId=handshake_id)["Handshake"]


@OrganizationsErrorHandler.common_error_handler("accept a handshake")
@landing_zone_retry
def accept_handshake(client, handshake_id):
    return client.accept_handshake(HandshakeId=handshake_id)["Handshake"]
