# -*- coding: utf-8 -*-
# Copyright: Contributors to the awsorg.landing_zone collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Filters the organization role uses for the Organizations policies of every type (common/policy_inventory.py)."""

from ansible.errors import AnsibleFilterError

from ansible_collections.awsorg.landing_zone.plugins.filter.account_target import account_target
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.policy_inventory import PolicyInventoryError
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.policy_inventory import enabled_policy_types
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.policy_inventory import items_by_type
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.policy_inventory import policy_items
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.policy_types import RCP


def _items(policies, tag_policy, ai_services_opt_out):
    try:
        return policy_items(policies, tag_policy, bool(ai_services_opt_out))
    except PolicyInventoryError as e:
        raise AnsibleFilterError(f"landing_zone_tag_policy: {e}") from e


def org_policy_runs(policies, hostvars, tag_policy=None, ai_services_opt_out=False):
    resolved = []
    for item in _items(policies, tag_policy, ai_services_opt_out):
        targets = [account_target(target, hostvars) for target in item["targets"]]
        if None not in targets:
            resolved.append(dict(item, targets=targets))
    return [dict(type=name, policies=items) for name, items in items_by_type(resolved).items()]


def policy_types_to_enable(policies, tag_policy=None, ai_services_opt_out=False, rcp_library=None):
    try:
        return enabled_policy_types(policies, tag_policy, bool(ai_services_opt_out), rcp_library)
    except PolicyInventoryError as e:
        raise AnsibleFilterError(f"landing_zone_tag_policy: {e}") from e


def rcp_library_policies(policies):
    """The inventory's RCPs as the RCP library's packing counts them: name, targets, state."""
    return [dict(name=p.get("name"), targets=p.get("targets") or [], state=p.get("state") or "present")
            for p in policies or [] if isinstance(p, dict) and p.get("type") == RCP]


def library_policy_items(plan, policy_type):
    """The packed policies of an org_scp_library_plan result as elements of org_policy's ``policies``.

    Each keeps to its one target (``purge_targets``), carries the library's
    tag, and an SCP its plan's size limit.
    """
    items = []
    for packed in (plan or {}).get("policies") or []:
        item = dict(type=policy_type, name=packed["name"], description=packed["description"], policy=packed["document"],
                    targets=[packed["target"]], tags=packed["tags"], purge_targets=True)
        if policy_type == "SERVICE_CONTROL_POLICY" and plan.get("size_limit"):
            item["size_limit"] = plan["size_limit"]
        items.append(item)
    return items


class FilterModule:
    def filters(self):
        return {
            "org_policy_runs": org_policy_runs,
            "enabled_policy_types": policy_types_to_enable,
            "rcp_library_policies": rcp_library_policies,
            "library_policy_items": library_policy_items,
        }
