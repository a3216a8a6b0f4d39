# -*- coding: utf-8 -*-
# Copyright: Contributors to the awsorg.landing_zone collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Filters that turn ``landing_zone_identity_center`` into module options and SSO profiles.

In the inventory an assignment names a ``group`` (or a ``user``), a
``permission_set`` and ``targets``: account hosts, account ids and OU paths.
An OU path stands for the accounts in that OU and in the OUs below it, the
same expansion sso_account_assignments makes from AWS Organizations; here it
is made from the inventory's plan (``landing_zone_plan``) to know which
accounts get an SSO profile.
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.awsorg.landing_zone.plugins.filter.account_target import account_target

PERMISSION_SET_OPTIONS = ("name", "description", "session_duration", "relay_state", "managed_policy_arns",
                          "inline_policy", "state")


def _principal(entry, index):
    if ("group" in entry) == ("user" in entry):
        raise AnsibleFilterError(f"landing_zone_identity_center.assignments[{index}]: give exactly one of group and user")
    return ("GROUP", entry["group"]) if "group" in entry else ("USER", entry["user"])


def sso_permission_set_options(permission_sets):
    """The permission sets without the inventory-only keys (``profile_name``)."""
    return [{k: v for k, v in ps.items() if k in PERMISSION_SET_OPTIONS} for ps in permission_sets or []]


def sso_assignment_matrix(assignments, hostvars):
    """The ``assignments`` option of sso_account_assignments; a target is null while its account has no id."""
    matrix = []
    for index, entry in enumerate(assignments or []):
        principal_type, principal_name = _principal(entry, index)
        matrix.append(dict(
            principal_type=principal_type,
            principal_name=principal_name,
            permission_set=entry["permission_set"],
            targets=[account_target(target, hostvars) for target in entry.get("targets") or []],
        ))
    return matrix


def _in_ou(account_ou, path):
    path = "/" + path.strip("/")
    return path == "/" or account_ou == path or account_ou.startswith(path + "/")


def _target_hosts(target, plan, hostvars, account_hosts):
    target = str(target)
    if target.startswith("/"):
        return [h for h in account_hosts if _in_ou(plan[h]["ou"], target)]
    if target in account_hosts:
        return [target]
    return [h for h in account_hosts if str(hostvars[h].get("account_id") or "") == target]


def sso_profile_roles(identity_center, plan, hostvars, account_hosts, session_name, region):
    """aws_profile_writer ``roles`` of type sso: one per assigned permission set, in the accounts it reaches."""
    permission_sets = {ps["name"]: ps for ps in identity_center.get("permission_sets") or []}
    # The profile writer knows the present accounts that have an id.
    present = [h for h in account_hosts if plan[h]["state"] == "present" and hostvars[h].get("account_id")]
    accounts = {}
    for index, entry in enumerate(identity_center.get("assignments") or []):
        _principal(entry, index)
        name = entry["permission_set"]
        if name not in permission_sets:
            raise AnsibleFilterError(
                f"landing_zone_identity_center.assignments[{index}].permission_set: {name!r} is not in permission_sets"
            )
        reached = accounts.setdefault(name, set())
        for target in entry.get("targets") or []:
            reached.update(_target_hosts(target, plan, hostvars, present))
    roles = []
    for name in sorted(accounts):
        if not accounts[name] or permission_sets[name].get("state", "present") == "absent":
            continue
        roles.append(dict(
            name=permission_sets[name].get("profile_name") or name.lower(),
            type="sso",
            sso_session=session_name,
            sso_role_name=name,
            region=region,
            accounts=sorted(accounts[name]),
        ))
    return roles


class FilterModule:
    def filters(self):
        return {
            "sso_permission_set_options": sso_permission_set_options,
            "sso_assignment_matrix": sso_assignment_matrix,
            "sso_profile_roles": sso_profile_roles,
        }
