# -*- coding: utf-8 -*-
# Copyright: Contributors to the awsorg.landing_zone collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The assume-role policy of a cross-account group: pure, shared by the module, the role and the preflight.

The group gets one inline policy allowing ``sts:AssumeRole`` on its
destination roles; being a member of the group is what grants access.
Membership itself is iam_group_members's business.

IAM caps the inline policies of a group at 5,120 characters together, white
space not counted, and the cap cannot be raised (IAM User Guide, "IAM and
AWS STS quotas", IAM and STS character limits:
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html).
One role ARN per account (about 40 characters each) passed it at about 128
accounts.  So the policy names each role once, in any account
(``arn:<partition>:iam::*:role/<path><name>``), and narrows the accounts with a
condition on the role's account, which is what the request context holds
for sts:AssumeRole (IAM User Guide, "AWS global condition context keys":
aws:ResourceAccount is "always included in the request context for most
service actions" and aws:ResourceOrgID whenever the resource's account is
in an organization; sts:AssumeRole is in neither key's list of unsupported
actions):

* a role in every account of the organization: ``StringEquals
  aws:ResourceOrgID = <organization id>``; the size does not depend on the
  number of accounts, and accounts that join or leave are covered at once;
* a role in some accounts only: ``StringEquals aws:ResourceAccount = [ids]``,
  15 characters per account (an id, its quotes and a comma), so that case
  still grows with the count: about 330 accounts fit.  ``group_policy_size``
  and the preflight refuse a group over the limit before any write.
"""

from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.arns import DEFAULT_PARTITION
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.arns import iam_role_arn
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.iam_policies import POLICY_VERSION
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.iam_policies import ValidationError
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.iam_policies import mfa_condition
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.iam_policies import policy_size

DEFAULT_POLICY_NAME = "assume-cross-account-roles"


def policy_name(params):
    if params.get("policy_name"):
        return params["policy_name"]
    if params.get("role_name"):
        return f"assume-{params['role_name']}"
    return DEFAULT_POLICY_NAME


# IAM and AWS STS quotas (link above): "Group policy size can't exceed 5,120
# characters", for all the group's inline policies together; "IAM doesn't
# count white space when calculating the size of a policy".
GROUP_POLICY_SIZE_LIMIT = 5120
# The longest organization id AWS makes (o- and up to 32 characters, the
# pattern of DescribeOrganization's Id): the preflight sizes a policy before
# the organization exists, so it counts with this one.
LONGEST_ORGANIZATION_ID = "o-" + "x" * 32


def placeholder_account_id(index):
    """A stand-in id for an account not created yet: any 12-digit id is as long as another, and distinct."""
    return f"{index:012d}"


class GroupPolicyTooLarge(ValidationError):
    """The policy would pass IAM's group policy size limit."""


def _role_pattern(name, path=None, partition=DEFAULT_PARTITION):
    """``arn:<partition>:iam::*:role/<path><name>``: the role in any account (the condition picks the accounts)."""
    return iam_role_arn(partition, "*", name, path)


def grants(params):
    """Every (role ARN pattern, account ids or None for the whole organization) the options ask for.

    The patterns are in ``params["partition"]`` (the caller's; ``aws`` when
    not given): IAM compares the partition of an ARN too.
    """
    partition = params.get("partition") or DEFAULT_PARTITION
    found = []
    if params.get("role_name"):
        found.append(dict(name=params["role_name"], path=None, account_ids=params.get("account_ids")))
    for entry in params.get("roles") or []:
        found.append(dict(name=entry["name"], path=entry.get("path"), account_ids=entry.get("account_ids")))
    return [(_role_pattern(g["name"], g["path"], partition),
             None if g["account_ids"] is None else tuple(sorted({str(a) for a in g["account_ids"]})))
            for g in found]


def role_arns(params):
    """What the policy allows, sorted: role ARN patterns (any account) and the listed role_arns."""
    return sorted({pattern for pattern, _accounts in grants(params)} | set(params.get("role_arns") or []))


def build_policy(params):
    """The group's assume-role policy: one statement per set of accounts, never one ARN per account."""
    by_accounts = {}
    for pattern, accounts in grants(params):
        by_accounts.setdefault(accounts, set()).add(pattern)
    statements = []
    if None in by_accounts:
        statements.append(_statement("AssumeRolesInTheOrganization", by_accounts.pop(None),
                                     {"StringEquals": {"aws:ResourceOrgID": params.get("organization_id")}}))
    for index, accounts in enumerate(sorted(by_accounts), start=1):
        sid = "AssumeRolesInListedAccounts" + (str(index) if len(by_accounts) > 1 else "")
        statements.append(_statement(sid, by_accounts[accounts],
                                     {"StringEquals": {"aws:ResourceAccount": list(accounts)}}))
    if params.get("role_arns"):
        statements.append(_statement("AssumeListedRoles", set(params["role_arns"]), None))
    if params.get("require_mfa"):
        for statement in statements:
            statement.setdefault("Condition", {}).update(mfa_condition())
    return {"Version": POLICY_VERSION, "Statement": statements}


def _statement(sid, resources, condition):
    statement = {"Sid": sid, "Effect": "Allow", "Action": "sts:AssumeRole", "Resource": sorted(resources)}
    if condition:
        statement["Condition"] = condition
    return statement


def check_policy_size(group_name, document, limit=GROUP_POLICY_SIZE_LIMIT):
    """The document's size; GroupPolicyTooLarge naming the group, the size and the limit when over."""
    size = policy_size(document)
    if size > limit:
        raise GroupPolicyTooLarge(
            f"group {group_name}: its assume-role policy would be {size} characters (white space not counted),"
            f" over IAM's limit of {limit} for a group's inline policies; grant whole-organization roles"
            " (no accounts list) or split the group"
        )
    return size


def inventory_group_grants(group, roles, account_ids, account_hosts):
    """The ``roles`` option of the group ``group`` of landing_zone_groups (shared by the role and preflight).

    ``roles``: landing_zone_cross_account_roles; ``account_ids``: {host: id or
    None}; ``account_hosts``: every account host.  A role that neither the
    role nor the group narrows (no ``accounts``) is granted in the whole
    organization; otherwise in the ids of the accounts both allow (accounts
    without an id yet are left out; a role left with none is not granted).
    """
    by_name = {role["name"]: role for role in roles or []}
    found = []
    for role_name in group.get("roles") or []:
        if role_name not in by_name:
            raise ValidationError(
                f"landing_zone_groups[{group.get('name')}]: role {role_name!r} is not in landing_zone_cross_account_roles"
            )
        role = by_name[role_name]
        if role.get("accounts") is None and group.get("accounts") is None:
            found.append(dict(name=role_name))
            continue
        hosts = [host for host in account_hosts
                 if host in (role.get("accounts") or account_hosts) and host in (group.get("accounts") or account_hosts)]
        ids = sorted({str(account_ids[host]) for host in hosts if account_ids.get(host)})
        if ids:
            found.append(dict(name=role_name, account_ids=ids))
    return found


def inventory_group_policy_problems(groups, roles, account_ids, account_hosts, require_mfa_default=False):
    """One message per group of landing_zone_groups whose policy would pass IAM's limit (preflight).

    Accounts not created yet count with a placeholder id and the
    organization with the longest possible id: the size is an upper bound.
    """
    problems = []
    sized_ids = {host: account_ids.get(host) or placeholder_account_id(index)
                 for index, host in enumerate(account_hosts)}
    for group in groups or []:
        try:
            entries = inventory_group_grants(group, roles, sized_ids, account_hosts)
        except ValidationError:
            continue  # an unknown role is reported by the role's own filter at run time
        if not entries:
            continue
        document = build_policy(dict(roles=entries, organization_id=LONGEST_ORGANIZATION_ID,
                                     require_mfa=group.get("require_mfa", require_mfa_default)))
        try:
            check_policy_size(group.get("name"), document)
        except GroupPolicyTooLarge as e:
            problems.append(f"all: landing_zone_groups[{group.get('name')}]: {e}")
    return problems
