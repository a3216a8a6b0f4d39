#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the awsorg.landing_zone collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: sso_account_assignments
short_description: The IAM Identity Center assignment matrix - group or user x permission set x account or OU
version_added: 0.1.0
description:
  - Makes sure every principal of O(assignments) is assigned its permission set in every target
    account, in one run.
  - A target is an account id or an OU path; an OU path stands for every active account in that OU
    and in the OUs below it (V(/) is every account), read from AWS Organizations at run time.
  - With O(purge=true) the principals named in O(assignments) lose the assignments the matrix does
    not hold. Principals not named are never touched.
  - Assignments are asynchronous in IAM Identity Center; the module waits for each to finish.
  - Every principal, permission set, account and OU is looked up before the first change. A second
    run makes no write.
author:
  - awsorg.landing_zone maintainers (@awsorg)
options:
  instance_arn:
    description: ARN of the IAM Identity Center instance; the only instance visible when omitted.
    type: str
  assignments:
    description: The matrix.
    type: list
    elements: dict
    required: true
    suboptions:
      principal_type:
        description: Whether O(assignments[].principal_name) is a group or a user.
        type: str
        choices: [GROUP, USER]
        default: GROUP
      principal_name:
        description: Display name of the group, or user name of the user.
        type: str
        required: true
      permission_set:
        description: Name of the permission set (M(awsorg.landing_zone.sso_permission_set)).
        type: str
        required: true
      targets:
        description: Account ids and OU paths.
        type: list
        elements: str
        required: true
  purge:
    description: Remove the named principals' assignments that the matrix does not hold.
    type: bool
    default: true
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - awsorg.landing_zone.attributes
"""

EXAMPLES = r"""
- name: Administrators everywhere, developers in the non-production OU and one account
  awsorg.landing_zone.sso_account_assignments:
    assignments:
      - principal_name: platform-admins
        permission_set: AdministratorAccess
        targets: [/]
      - principal_name: developers
        permission_set: PowerUserAccess
        targets: [/workloads/nonprod, "333333333333"]
"""

RETURN = r"""
instance_arn:
  description: ARN of the IAM Identity Center instance.
  returned: always
  type: str
assignments:
  description: The matrix expanded to accounts.
  returned: always
  type: list
  elements: dict
  contains:
    principal_type:
      description: V(GROUP) or V(USER).
      type: str
    principal_name:
      description: Name of the group or user.
      type: str
    permission_set:
      description: Name of the permission set.
      type: str
    account_id:
      description: The account.
      type: str
created:
  description: Assignments the run made (would make in check mode), as in RV(assignments).
  returned: always
  type: list
  elements: dict
deleted:
  description: Assignments the run removed (would remove in check mode), as in RV(assignments).
  returned: always
  type: list
  elements: dict
changes:
  description: What the run changed (would change in check mode), one sentence each.
  returned: always
  type: list
  elements: str
"""

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError

from ansible_collections.awsorg.landing_zone.plugins.module_utils.batch.modules import AnsibleLandingZoneModule
from ansible_collections.awsorg.landing_zone.plugins.module_utils.resources.sso_account_assignments import run


def main():
    argument_spec = dict(
        instance_arn=dict(type="str"),
        assignments=dict(
            type="list",
            elements="dict",
            required=True,
            options=dict(
                principal_type=dict(type="str", choices=["GROUP", "USER"], default="GROUP"),
                principal_name=dict(type="str", required=True),
                permission_set=dict(type="str", required=True),
                targets=dict(type="list", elements="str", required=True),
            ),
        ),
        purge=dict(type="bool", default=True),
    )
    module = AnsibleLandingZoneModule(argument_spec=argument_spec, supports_check_mode=True)
    try:
        module.exit_json(**run(module))
    except AnsibleAWSError as e:
        module.fail_json_aws_error(e)


if __name__ == "__main__":
    main()
