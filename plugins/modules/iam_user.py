#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the awsorg.landing_zone collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: iam_user
short_description: IAM users of an account, reached through its member role
version_added: 0.1.0
description:
  - Creates the IAM user O(name) (or every user of O(users)), sets its path and tags, or deletes it.
  - What M(amazon.aws.iam_user) does for users, plus what it cannot do, and why this module exists
    here - it acts inside a member account through O(assume_role), as every other module of the
    collection does, so no separate C(sts_assume_role) task and no temporary keys passed between
    tasks are needed; and O(users) converges every user of an account in one run (one process, one
    AssumeRole).
  - Console passwords are M(awsorg.landing_zone.iam_initial_password)'s, group membership
    M(awsorg.landing_zone.iam_group_members)'s.
  - With O(state=absent), the user is deleted together with everything IAM refuses to delete with it -
    its console password, access keys, SSH public keys, signing certificates, MFA devices (virtual ones
    are deleted too), attached and inline policies, group memberships and service-specific
    credentials.
  - A CreateUser answered with C(EntityAlreadyExists) (a retry of a call whose answer was lost, after
    the first try made the user) goes on with the user that exists.
author:
  - awsorg.landing_zone maintainers (@awsorg)
options:
  name:
    description:
      - Name of the user.
      - Required unless O(users) is set.
    type: str
    aliases: [user_name]
  path:
    description:
      - Path of the user, for example V(/people/). An existing user is moved to it.
      - When not set, a new user gets V(/) and an existing user keeps its path.
    type: str
  tags:
    description:
      - Tags of the user.
      - When not set, the tags of an existing user are left alone.
    type: dict
  purge_tags:
    description:
      - Remove the tags of the user that are not in O(tags). Tags whose key starts with V(aws:) are never
        removed.
    type: bool
    default: true
  state:
    description:
      - V(present) creates the user, V(absent) deletes it.
    type: str
    choices: [present, absent]
    default: present
  users:
    description:
      - Several users in one run instead of one per task, converged in the order given; each element
        holds the options of one user (O(name), and O(path), O(tags), O(purge_tags), O(state) when they
        differ from the task's). Every element is checked before the first change.
      - The result then has one element per user in RV(results), and the diff is keyed by user name.
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
- name: The people of the identity account, in one run
  awsorg.landing_zone.iam_user:
    assume_role:
      account_id: "{{ identity_account_id }}"
    users:
      - name: alice
        tags: {team: platform}
      - name: bob
        path: /contractors/
      - name: mallory
        state: absent

- name: One user in the caller's own account
  awsorg.landing_zone.iam_user:
    name: alice
"""

RETURN = r"""
user:
  description: The user after the change (predicted in check mode); null when it was deleted or never existed.
  returned: without O(users)
  type: dict
  contains:
    user_name:
      description: Name of the user.
      type: str
    arn:
      description: ARN of the user; null in check mode when it does not exist yet.
      type: str
    user_id:
      description: Unique id of the user; null in check mode when it does not exist yet.
      type: str
    path:
      description: Path of the user.
      type: str
    tags:
      description: Tags of the user.
      type: dict
results:
  description: One result per element of O(users), in order, each with C(changed) and C(user) as above.
  returned: with O(users)
  type: list
  elements: dict
"""

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError

from ansible_collections.awsorg.landing_zone.plugins.module_utils.batch.account_batch import run_in_sequence
from ansible_collections.awsorg.landing_zone.plugins.module_utils.batch.modules import AnsibleLandingZoneModule
from ansible_collections.awsorg.landing_zone.plugins.module_utils.resources.iam_user import run
from ansible_collections.awsorg.landing_zone.plugins.module_utils.resources.iam_user import validate


def main():
    argument_spec = dict(
        name=dict(type="str", aliases=["user_name"]),
        path=dict(type="str"),
        tags=dict(type="dict"),
        purge_tags=dict(type="bool", default=True),
        state=dict(type="str", choices=["present", "absent"], default="present"),
    )
    module = AnsibleLandingZoneModule(
        argument_spec=dict(argument_spec, users=dict(type="list", elements="dict")),
        supports_check_mode=True,
        assume_role=True,
        required_one_of=[["name", "users"]],
        mutually_exclusive=[["name", "users"]],
    )
    # The options one user is converged with (run_in_sequence checks each element of users against them).
    module.account_argument_spec = dict(argument_spec, name=dict(type="str", required=True, aliases=["user_name"]))
    try:
        if module.params["users"] is not None:
            module.exit_json(**run_in_sequence(module, run, module.params["users"], key=lambda params: params["name"],
                                               validate=validate))
        module.exit_json(**run(module))
    except AnsibleAWSError as e:
        module.fail_json_aws_error(e)


if __name__ == "__main__":
    main()
