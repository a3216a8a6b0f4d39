# -*- coding: utf-8 -*-
# Copyright: Contributors to the awsorg.landing_zone collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
name: scp_targets
short_description: The targets of a list of SCP selections, as AWS takes them
version_added: 0.1.0
description:
  - For each item (an entry of C(landing_zone_scp_library) or C(landing_zone_service_control_policies)),
    a copy whose C(targets) went through P(awsorg.landing_zone.account_target#filter) - C(/), OU paths
    and account ids unchanged, account hosts replaced by their C(account_id).
  - Accounts without an id yet (check mode on a new organization) are left out of C(targets).
author:
  - awsorg.landing_zone maintainers (@awsorg)
options:
  _input:
    description: The selections or policies, each a mapping with C(targets).
    type: list
    elements: dict
    required: true
  hostvars:
    description: The C(hostvars) magic variable.
    type: dict
    required: true
"""

EXAMPLES = r"""
- name: Library selections with account ids
  ansible.builtin.debug:
    msg: "{{ landing_zone_scp_library | awsorg.landing_zone.scp_targets(hostvars) }}"
"""

RETURN = r"""
_value:
  description: The items, each with its C(targets) resolved.
  type: list
  elements: dict
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.awsorg.landing_zone.plugins.filter.account_target import account_target


def scp_targets(items, hostvars):
    resolved = []
    for item in items or []:
        if not isinstance(item, dict):
            raise AnsibleFilterError(f"every SCP selection must be a mapping, got {item!r}")
        targets = [account_target(target, hostvars) for target in item.get("targets") or []]
        resolved.append(dict(item, targets=[target for target in targets if target is not None]))
    return resolved


class FilterModule:
    def filters(self):
        return {"scp_targets": scp_targets}
