# -*- coding: utf-8 -*-
# Copyright: Contributors to the awsorg.landing_zone collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Filters the landing-zone roles use to read the inventory's people and roles."""

from ansible.errors import AnsibleFilterError

from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.cross_account_grants import inventory_group_grants


def group_role_grants(group, roles, hostvars, account_hosts, account_ids=None):
    """The ``roles`` option of iam_cross_account_group for ``group`` (see inventory_group_grants).

    ``account_ids`` ({host: id}, the organization role's ``organization_current_account_ids``)
    is used instead of each host's ``account_id`` through ``hostvars`` when the run has it: each
    such look-up computes the host's variables (8 s per group at 400 accounts).
    """
    if account_ids is None:
        account_ids = {host: hostvars[host].get("account_id") for host in account_hosts}
    else:
        account_ids = {host: account_ids.get(host) for host in account_hosts}
    try:
        return inventory_group_grants(group, roles, account_ids, account_hosts)
    except ValueError as e:
        raise AnsibleFilterError(str(e)) from e


def present_users(users):
    """Users that are not being removed (``state: absent``)."""
    return [user for user in users or [] if user.get("state", "present") != "absent"]


def group_members(users, group_name):
    """Names of the present users that list ``group_name`` in their ``groups``."""
    return sorted(user["name"] for user in present_users(users) if group_name in (user.get("groups") or []))


# The keys of a landing_zone_users entry that are options of the iam_user module;
# the others (groups, pgp_key, pgp_email) are other tasks' business.
IAM_USER_OPTIONS = ("name", "path", "tags", "state")


def iam_user_options(users):
    """The ``users`` option of iam_user: each user's own IAM options, in order."""
    return [{key: user[key] for key in IAM_USER_OPTIONS if user.get(key) is not None} for user in users or []]


def group_memberships(groups, users):
    """The ``groups`` option of iam_group_members: each group with its present members."""
    return [dict(name=group["name"], users=group_members(users, group["name"])) for group in groups or []]


def batch_accounts(hosts, hostvars, management_hosts, role_name, params_by_host=None, account_ids=None):
    """``accounts`` entries of a batched module (account_baseline, iam_cross_account_role).

    One entry per host that has an ``account_id`` (hosts whose account does
    not exist yet, as in check mode on a new organization, are left out).
    Management hosts act as the caller: the management account has no
    member role.  ``params_by_host`` gives a host's own option values.
    ``account_ids`` ({host: id}, such as ``organization_current_account_ids``)
    is used instead of reading every host's ``account_id`` through
    ``hostvars``: each such look-up makes Ansible compute the host's
    variables, which at hundreds of hosts costs seconds per task.
    """
    entries = []
    for host in hosts:
        account_id = account_ids.get(host) if account_ids is not None else hostvars[host].get("account_id")
        if not account_id:
            continue
        entry = dict(account_id=str(account_id), role_name=role_name, caller=host in (management_hosts or []))
        entries.append(_with_own_params(entry, host, params_by_host))
    return entries


def _with_own_params(entry, host, params_by_host):
    """``entry`` with the host's own option values as ``params``, when it has any."""
    params = (params_by_host or {}).get(host)
    if params:
        entry["params"] = params
    return entry


def follow_up_entries(hosts, positions, management_hosts, params_by_host=None):
    """``entries`` of one of org_account's ``follow_up`` jobs: the hosts that are entries of its ``accounts``.

    ``positions`` ({host: place in org_account's ``accounts``}) names each
    account by its entry, since a new account has no id before the run.
    """
    entries = []
    for host in hosts:
        if host not in positions:
            continue
        entry = dict(index=int(positions[host]), caller=host in (management_hosts or []))
        entries.append(_with_own_params(entry, host, params_by_host))
    return entries


# The options of iam_cross_account_role a landing_zone_cross_account_roles
# entry sets, with the collection's defaults: MFA required, the managed and
# inline policies purged to the inventory's (inline ones only when it lists some).
def cross_account_role_options(role):
    """iam_cross_account_role's options for one entry of ``landing_zone_cross_account_roles`` (no account, no source)."""
    options = dict(
        name=role["name"],
        require_mfa=role.get("require_mfa", True),
        managed_policy_arns=role.get("managed_policy_arns") or [],
        purge_managed_policies=True,
        purge_inline_policies=role.get("inline_policies") is not None,
    )
    for key in ("description", "organization_id", "inline_policies", "max_session_duration", "tags"):
        if role.get(key) is not None:
            options[key] = role[key]
    return options


class FilterModule:
    def filters(self):
        return {
            "batch_accounts": batch_accounts,
            "follow_up_entries": follow_up_entries,
            "cross_account_role_options": cross_account_role_options,
            "group_role_grants": group_role_grants,
            "present_users": present_users,
            "group_members": group_members,
            "group_memberships": group_memberships,
            "iam_user_options": iam_user_options,
        }
