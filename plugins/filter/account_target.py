# -*- coding: utf-8 -*-
# Copyright: Contributors to the awsorg.landing_zone collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
name: account_target
short_description: Turn an SCP or assignment target named in the inventory into what AWS takes
version_added: 0.1.0
description:
  - C(/) and OU paths pass through unchanged, and so do 12-digit account ids.
  - An account host name becomes that host's C(account_id), or null while the account does not
    exist yet (check mode on a new organization).
author:
  - awsorg.landing_zone maintainers (@awsorg)
options:
  _input:
    description: The target, as written in the inventory.
    type: str
    required: true
  hostvars:
    description: The C(hostvars) magic variable.
    type: dict
    required: true
"""

EXAMPLES = r"""
- name: Ids for the targets of a policy
  ansible.builtin.debug:
    msg: "{{ ['/', '/workloads', 'security'] | map('awsorg.landing_zone.account_target', hostvars) | list }}"
"""

RETURN = r"""
_value:
  description: An OU path, C(/), an account id, or null.
  type: str
"""


from ansible.errors import AnsibleFilterError

from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.service_inputs import is_account_id


def account_target(target, hostvars):
    target = str(target)
    if target.startswith("/") or is_account_id(target):
        return target
    if target not in hostvars:
        raise AnsibleFilterError(f"target {target!r} is neither an OU path, an account id nor an inventory host")
    account_id = hostvars[target].get("account_id")
    return str(account_id) if account_id else None


class FilterModule:
    def filters(self):
        return {"account_target": account_target}
