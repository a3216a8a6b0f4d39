#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the awsorg.landing_zone collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: iam_group_members
short_description: The members of IAM groups of an account, reached through its member role
version_added: 0.1.0
description:
  - Makes the users O(users) members of the IAM group O(name) (or of every group of O(groups)),
    creating the group when it is missing; with O(purge_users=true) the group's other members are
    removed from it.
  - The membership part of M(amazon.aws.iam_group), plus what it cannot do, and why this module exists
    here - it acts inside a member account through O(assume_role), as every other module of the
    collection does; and O(groups) converges every group of an account in one run.
  - The group's assume-role policy is M(awsorg.landing_zone.iam_cross_account_group)'s; the users are
    M(awsorg.landing_zone.iam_user)'s and must exist (check mode predicts the change without them).
author:
  - awsorg.landing_zone maintainers (@awsorg)
options:
  name:
    description:
      - Name of the group.
      - Required unless O(groups) is set.
    type: str
    aliases: [group_name]
  users:
    description: Names of the users who are members of the group.
    type: list
    elements: str
    default: []
  purge_users:
    description: Remove the members of the group that are not in O(users).
    type: bool
    default: false
  groups:
    description:
      - Several groups in one run instead of one per task, converged in the order given; each element
        holds the options of one group (O(name), O(users), and O(purge_users) when it differs from the
        task's). Every element is checked before the first change.
      - The result then has one element per group in RV(results), and the diff is keyed by group name.
      - Mutually exclusive with O(name).
    type: list
    elements: dict
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - awsorg.landing_zone.attributes
  - awsorg.landing_zone.assume_role
"""

EXAMPLES = r"""
- name: Exactly these members in every group of the identity account, in one run
  awsorg.landing_zone.iam_group_members:
    assume_role:
      account_id: "{{ identity_account_id }}"
    purge_users: true
    groups:
      - name: admins
        users: [alice]
      - name: developers
        users: [alice, bob]
"""

RETURN = r"""
group:
  description: The group's members after the change (predicted in check mode).
  returned: without O(groups)
  type: dict
  contains:
    group_name:
      description: Name of the group.
      type: str
    members:
      description: Names of its members, sorted.
      type: list
      elements: str
added:
  description: The users added to the group, sorted.
  returned: without O(groups)
  type: list
  elements: str
removed:
  description: The users removed from the group, sorted.
  returned: without O(groups)
  type: list
  elements: str
results:
  description: One result per element of O(groups), in order, each with C(changed), C(group), C(added) and C(removed).
  returned: with O(groups)
  type: list
  elements: dict
"""

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError

from ansible_collections.awsorg.landing_zone.plugins.module_utils.batch.account_batch import run_in_sequence
from ansible_collections.awsorg.landing_zone.plugins.module_utils.batch.modules import AnsibleLandingZoneModule
from ansible_collections.awsorg.landing_zone.plugins.module_utils.resources.iam_group_members import run
from ansible_collections.awsorg.landing_zone.plugins.module_utils.resources.iam_group_members import validate


def main():
    argument_spec = dict(
        name=dict(type="str", aliases=["group_name"]),
        users=dict(type="list", elements="str", default=[]),
        purge_users=dict(type="bool", default=False),
    )
    module = AnsibleLandingZoneModule(
        argument_spec=dict(argument_spec, groups=dict(type="list", elements="dict")),
        supports_check_mode=True,
        assume_role=True,
        required_one_of=[["name", "groups"]],
        mutually_exclusive=[["name", "groups"]],
    )
    # The options one group is converged with (run_in_sequence checks each element of groups against them).
    module.account_argument_spec = dict(argument_spec, name=dict(type="str", required=True, aliases=["group_name"]))
    try:
        if module.params["groups"] is not None:
            module.exit_json(**run_in_sequence(module, run, module.params["groups"], key=lambda params: params["name"],
                                               validate=validate))
        module.exit_json(**run(module))
    except AnsibleAWSError as e:
        module.fail_json_aws_error(e)


if __name__ == "__main__":
    main()
