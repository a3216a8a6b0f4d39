#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the awsorg.landing_zone collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: iam_cross_account_group
short_description: A group whose members may assume a role in other accounts
version_added: 0.1.0
description:
  - The source side of cross-account access, usually in the identity account. Creates the group when
    it is missing (or uses the existing one) and gives it one inline policy allowing C(sts:AssumeRole)
    on exactly the destination roles, optionally only with MFA.
  - The destination roles are O(role_name) and the roles of O(roles), each either in every account of
    the organization O(organization_id) or only in the accounts of its O(account_ids) (O(roles[].account_ids)),
    plus the roles of O(role_arns). Create them with M(awsorg.landing_zone.iam_cross_account_role).
  - The policy names each role once, in any account (C(arn:<partition>:iam::*:role/<path><name>), in the
    caller's partition), and
    narrows the accounts with a condition on the role's account, C(aws:ResourceOrgID) for the whole
    organization or C(aws:ResourceAccount) for listed accounts, so its size does not grow with the number
    of accounts of an organization-wide role (15 characters per listed account otherwise).
  - IAM allows 5,120 characters (white space not counted) for all the inline policies of a group together;
    a policy over it is refused before any AWS call.
  - Membership of the group is what grants access. With O(users) the module converges the members too,
    from the same C(GetGroup) answer it reads the group with (one module run for a group, its policy and its
    members); without it the members are left alone (M(awsorg.landing_zone.iam_group_members) manages them
    on their own).
  - O(state=absent) deletes the inline policy; the group itself only with O(delete_group=true).
  - O(groups) converges several groups in one run (one process, one AssumeRole), each checked before the
    first change.
author:
  - awsorg.landing_zone maintainers (@awsorg)
options:
  name:
    description:
      - Name of the group.
      - Required unless O(groups) is set.
    type: str
    aliases: [group_name]
  state:
    description: Whether the group's assume-role policy should exist.
    type: str
    choices: [present, absent]
    default: present
  role_name:
    description: Name of the destination role in each account of O(account_ids).
    type: str
  account_ids:
    description:
      - Twelve-digit ids of the destination accounts of O(role_name).
      - Without it, O(role_name) is granted in every account of O(organization_id).
    type: list
    elements: str
  roles:
    description: Further destination roles, each in the whole organization or in some accounts.
    type: list
    elements: dict
    suboptions:
      name:
        description: Name of the role.
        type: str
        required: true
      path:
        description: Path of the role, for example V(/landing-zone/).
        type: str
        default: /
      account_ids:
        description:
          - Only in these accounts (condition C(aws:ResourceAccount)).
          - Left out, in every account of O(organization_id) (condition C(aws:ResourceOrgID)).
        type: list
        elements: str
  organization_id:
    description:
      - Id of the organization (V(o-...)) whose accounts the roles granted without account ids are in.
      - Required when such a role is given.
    type: str
  role_arns:
    description: Full ARNs of further destination roles, for example roles with a path.
    type: list
    elements: str
  require_mfa:
    description: Only allow assuming the roles from a session signed in with MFA
      (condition C(aws:MultiFactorAuthPresent) = C(true)).
    type: bool
    default: false
  policy_name:
    description:
      - Name of the group's inline policy.
      - Defaults to C(assume-<role_name>), or V(assume-cross-account-roles) without O(role_name).
        Use different names to grant one group several sets of roles.
      - With O(state=absent), give the same O(role_name) or O(policy_name) as when the policy was made.
    type: str
  delete_group:
    description:
      - With O(state=absent), delete the group too, after removing its members and its policies.
    type: bool
    default: false
  users:
    description:
      - The group's members (user names); they must exist.
      - Left out, the members are not managed.
    type: list
    elements: str
    version_added: 0.3.0
  purge_users:
    description: With O(users), remove the members that O(users) does not list.
    type: bool
    default: false
    version_added: 0.3.0
  groups:
    description:
      - Several groups in one run instead of one per task, converged in the order given; each element holds
        the options of one group (O(name), and any other option of this module when it differs from the
        task's, such as O(roles) or O(require_mfa)). Every element is checked before the first change, and a
        group may be named once.
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
- name: Users of the identity account
  awsorg.landing_zone.iam_user:
    assume_role:
      account_id: "{{ identity_account_id }}"
    users: [{name: alice}, {name: bob}]

- name: The infra group may assume the infra role in the identity and workload accounts, with MFA
  awsorg.landing_zone.iam_cross_account_group:
    assume_role:
      account_id: "{{ identity_account_id }}"
    name: infra
    role_name: infra
    account_ids:
      - "{{ identity_account_id }}"
      - "{{ workload_account_id }}"
    require_mfa: true

- name: Admins may assume the admin role in every account of the organization, whatever its size
  awsorg.landing_zone.iam_cross_account_group:
    name: admins
    organization_id: o-a1b2c3d4e5
    roles:
      - name: admin
      - name: deployer
        account_ids: ["{{ workload_account_id }}"]
    require_mfa: true

- name: The infra group with its members, in the same run
  awsorg.landing_zone.iam_cross_account_group:
    assume_role:
      account_id: "{{ identity_account_id }}"
    name: infra
    role_name: infra
    account_ids: ["{{ workload_account_id }}"]
    users: [alice, bob]
    purge_users: true

- name: Two groups of the identity account in one run
  awsorg.landing_zone.iam_cross_account_group:
    assume_role:
      account_id: "{{ identity_account_id }}"
    organization_id: o-a1b2c3d4e5
    groups:
      - name: admins
        roles: [{name: admin}]
        require_mfa: true
      - name: developers
        roles: [{name: developer}]

- name: Remove the policy and the group
  awsorg.landing_zone.iam_cross_account_group:
    name: infra
    role_name: infra
    state: absent
    delete_group: true
"""

RETURN = r"""
group:
  description: The group and its assume-role policy after the change (predicted in check mode); null when
    the group was deleted or never existed.
  returned: without O(groups)
  type: dict
  contains:
    group_name:
      description: Name of the group.
      type: str
    arn:
      description: ARN of the group; null in check mode when it does not exist yet.
      type: str
    group_id:
      description: Unique id of the group; null in check mode when it does not exist yet.
      type: str
    path:
      description: Path of the group.
      type: str
    policy_name:
      description: Name of the inline policy.
      type: str
      sample: assume-infra
    policy:
      description: The inline policy document; null once removed.
      type: dict
    members:
      description: The group's members, sorted (predicted in check mode).
      type: list
      elements: str
      returned: with O(users)
added:
  description: Users added to the group (to be added, in check mode).
  returned: with O(users), without O(groups)
  type: list
  elements: str
  version_added: 0.3.0
removed:
  description: Members removed from the group (O(purge_users)).
  returned: with O(users), without O(groups)
  type: list
  elements: str
  version_added: 0.3.0
role_arns:
  description: The role ARNs the policy allows, sorted; C(*) in place of the account for roles narrowed by a condition.
  returned: without O(groups)
  type: list
  elements: str
  sample: ["arn:aws:iam::*:role/infra"]
policy_size:
  description: Size of the policy as IAM counts it (white space not counted).
  returned: with O(state=present), without O(groups)
  type: int
  sample: 312
policy_size_limit:
  description: IAM's limit for the inline policies of a group together.
  returned: with O(state=present), without O(groups)
  type: int
  sample: 5120
results:
  description: One result per element of O(groups), in order, each with C(changed), C(group), C(role_arns),
    C(policy_size) and C(policy_size_limit) as above (and C(added) and C(removed) with O(users)).
  returned: with O(groups)
  type: list
  elements: dict
"""

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError

from ansible_collections.awsorg.landing_zone.plugins.module_utils.batch.account_batch import run_in_sequence
from ansible_collections.awsorg.landing_zone.plugins.module_utils.batch.modules import AnsibleLandingZoneModule
from ansible_collections.awsorg.landing_zone.plugins.module_utils.resources.iam_cross_account_group import groups_validator
from ansible_collections.awsorg.landing_zone.plugins.module_utils.resources.iam_cross_account_group import run


def main():
    argument_spec = dict(
        name=dict(type="str", aliases=["group_name"]),
        state=dict(type="str", choices=["present", "absent"], default="present"),
        role_name=dict(type="str"),
        account_ids=dict(type="list", elements="str"),
        roles=dict(type="list", elements="dict", options=dict(
            name=dict(type="str", required=True),
            path=dict(type="str", default="/"),
            account_ids=dict(type="list", elements="str"),
        )),
        organization_id=dict(type="str"),
        role_arns=dict(type="list", elements="str"),
        require_mfa=dict(type="bool", default=False),
        policy_name=dict(type="str"),
        delete_group=dict(type="bool", default=False),
        users=dict(type="list", elements="str"),
        purge_users=dict(type="bool", default=False),
    )
    module = AnsibleLandingZoneModule(
        argument_spec=dict(argument_spec, groups=dict(type="list", elements="dict")),
        required_by={"account_ids": "role_name"},
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
                                               validate=groups_validator()))
        module.exit_json(**run(module))
    except AnsibleAWSError as e:
        module.fail_json_aws_error(e)


if __name__ == "__main__":
    main()
