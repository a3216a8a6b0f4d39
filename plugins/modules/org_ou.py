#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the awsorg.landing_zone collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: org_ou
short_description: Create, tag or remove an organizational unit addressed by its path
version_added: 0.1.0
description:
  - Makes sure the organizational unit (OU) at O(path) exists, creating the missing parents
    on the way from the root, in order.
  - AWS Organizations allows five levels of OUs below the root; a deeper O(path) is refused
    before any change.
  - With O(state=absent), removes the OU at O(path) only when it is empty (no child OUs and no
    accounts); otherwise the task fails and names what is inside.
  - A CreateOrganizationalUnit whose answer was lost (repeated by botocore, and refused by AWS with
    C(DuplicateOrganizationalUnitException) because the first try made the OU) adopts that OU, read
    back by name under its parent, and sets its O(tags).
  - Two OUs of one name under one parent on the way to O(path) are reported with their ids, and the
    run stops before any further change.
  - Must run with credentials of the management account (or a delegated administrator).
author:
  - awsorg.landing_zone maintainers (@awsorg)
options:
  path:
    description:
      - Path of the OU from the root, for example V(/workloads/prod). V(/) is the root itself
        (only tags can be managed on it, and it cannot be removed).
      - OU names are matched exactly (case-sensitive).
      - Required unless O(paths) is set.
    type: str
  paths:
    description:
      - Several OUs in one run instead of one per task, converged in the order given (list parents
        before their children), each as O(path) would; O(state), O(tags) and O(purge_tags) apply to
        every one. Every path is checked before the first change.
      - The result then has one element per path in RV(results), and the diff is keyed by path.
      - Mutually exclusive with O(path).
    type: list
    elements: str
  state:
    description:
      - V(present) creates the OU and its missing parents.
      - V(absent) removes the OU at O(path) when it is empty; its parents are kept.
    type: str
    choices: [present, absent]
    default: present
  tags:
    description:
      - Tags of the OU at O(path). Parents created on the way get no tags.
      - When not set, the tags of an existing OU are left alone.
    type: dict
  purge_tags:
    description:
      - Remove the tags of the OU that are not in O(tags). Tags whose key starts with V(aws:) are
        never removed.
    type: bool
    default: false
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - awsorg.landing_zone.attributes
"""

EXAMPLES = r"""
- name: The production workloads OU and its parent
  awsorg.landing_zone.org_ou:
    path: /workloads/prod
    tags:
      environment: prod
  register: prod_ou

- name: Use its id later
  ansible.builtin.debug:
    msg: "prod is {{ prod_ou.ou.id }}, created now: {{ prod_ou.created }}"

- name: Every OU of the organization in one run, parents first
  awsorg.landing_zone.org_ou:
    paths: [/security, /workloads, /workloads/nonprod, /workloads/prod]

- name: Remove an OU that has been emptied
  awsorg.landing_zone.org_ou:
    path: /sandbox/old-team
    state: absent
"""

RETURN = r"""
ou:
  description:
    - The OU after the change (predicted in check mode); null when O(state=absent).
  returned: without O(paths)
  type: dict
  contains:
    id:
      description: OU id, C(ou-...) (C(r-...) for the root); null in check mode for an OU not created yet.
      type: str
      sample: ou-ab12-cdef3456
    arn:
      description: OU ARN; null in check mode for an OU not created yet.
      type: str
    name:
      description: Name of the OU (last part of its path).
      type: str
      sample: prod
    path:
      description: Path of the OU from the root.
      type: str
      sample: /workloads/prod
    parent_id:
      description: Id of the parent OU or root; null for the root, and in check mode when the parent is not created yet.
      type: str
    tags:
      description: Tags of the OU.
      type: dict
created:
  description: Paths of the OUs this run created (or would create in check mode), parents first.
  returned: without O(paths)
  type: list
  elements: str
  sample: [/workloads, /workloads/prod]
results:
  description: With O(paths), the result (RV(ou), RV(created), C(changed)) of each path, in order.
  returned: when O(paths) is set
  type: list
  elements: dict
"""

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError

from ansible_collections.awsorg.landing_zone.plugins.module_utils.batch.account_batch import run_in_sequence
from ansible_collections.awsorg.landing_zone.plugins.module_utils.batch.modules import AnsibleLandingZoneModule
from ansible_collections.awsorg.landing_zone.plugins.module_utils.resources.org_ou import run
from ansible_collections.awsorg.landing_zone.plugins.module_utils.resources.org_ou import validate


def main():
    argument_spec = dict(
        path=dict(type="str"),
        state=dict(type="str", choices=["present", "absent"], default="present"),
        tags=dict(type="dict"),
        purge_tags=dict(type="bool", default=False),
    )
    module = AnsibleLandingZoneModule(
        argument_spec=dict(argument_spec, paths=dict(type="list", elements="str")),
        supports_check_mode=True,
        required_one_of=[["path", "paths"]],
        mutually_exclusive=[["path", "paths"]],
    )
    # The options one path is converged with (run_in_sequence checks each against them).
    module.account_argument_spec = dict(argument_spec, path=dict(type="str", required=True))
    try:
        if module.params["paths"] is not None:
            items = [dict(path=path) for path in module.params["paths"]]
            sequence = {}  # what the paths of this run share: the root, check-mode predictions

            def run_one(options_run):
                return run(options_run, sequence)

            module.exit_json(
                **run_in_sequence(module, run_one, items, key=lambda params: params["path"], validate=validate)
            )
        module.exit_json(**run(module))
    except AnsibleAWSError as e:
        module.fail_json_aws_error(e)


if __name__ == "__main__":
    main()
