#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the awsorg.landing_zone collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: identitystore_principals
short_description: Users, groups and group members of the IAM Identity Center identity store, in one run
version_added: 0.1.0
description:
  - Makes sure the users of O(users) and the groups of O(groups) exist in the identity store with
    the given attributes, and that each group listing O(groups[].members) has exactly those members;
    or deletes those with O(users[].state=absent) / O(groups[].state=absent).
  - Users are matched by user name, groups by display name. Users and groups not listed are never
    touched.
  - Reads the directory once (C(ListUsers), C(ListGroups)), plus the members of each group with
    O(groups[].members). Every member must be a user of this run or of the store; that and every
    other input is checked before the first change. A second run makes no write.
  - For a directory synchronised from an external identity provider (SCIM), manage people there
    instead; this module is for the identity store as the source.
author:
  - awsorg.landing_zone maintainers (@awsorg)
options:
  identity_store_id:
    description: Id of the identity store, C(d-...); the one of the only IAM Identity Center instance when omitted.
    type: str
  users:
    description: The users.
    type: list
    elements: dict
    default: []
    suboptions:
      user_name:
        description: User name, unique in the store, the sign-in name.
        type: str
        required: true
      given_name:
        description: Given name (required for a present user).
        type: str
      family_name:
        description: Family name (required for a present user).
        type: str
      display_name:
        description: Display name; C(<given_name> <family_name>) when omitted.
        type: str
      email:
        description: Primary work email address.
        type: str
      state:
        description: V(absent) deletes the user.
        type: str
        choices: [present, absent]
        default: present
  groups:
    description: The groups.
    type: list
    elements: dict
    default: []
    suboptions:
      name:
        description: Display name of the group, unique in the store.
        type: str
        required: true
      description:
        description: Description; left alone when omitted.
        type: str
      members:
        description: User names of the members, exactly; left alone when omitted.
        type: list
        elements: str
      state:
        description: V(absent) deletes the group.
        type: str
        choices: [present, absent]
        default: present
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - awsorg.landing_zone.attributes
"""

EXAMPLES = r"""
- name: People and groups in IAM Identity Center
  awsorg.landing_zone.identitystore_principals:
    users:
      - user_name: alice
        given_name: Alice
        family_name: Liddell
        email: alice@example.com
    groups:
      - name: platform-admins
        description: Administer every account
        members: [alice]
"""

RETURN = r"""
identity_store_id:
  description: The identity store.
  returned: always
  type: str
  sample: d-1234567890
users:
  description: The present users after the change (predicted in check mode).
  returned: always
  type: list
  elements: dict
  contains:
    user_name:
      description: User name.
      type: str
    user_id:
      description: User id; null in check mode for a new user.
      type: str
    display_name:
      description: Display name.
      type: str
    given_name:
      description: Given name.
      type: str
    family_name:
      description: Family name.
      type: str
    email:
      description: Primary email.
      type: str
groups:
  description: The present groups after the change (predicted in check mode).
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: Display name.
      type: str
    group_id:
      description: Group id; null in check mode for a new group.
      type: str
    description:
      description: Description.
      type: str
    members:
      description: User names of the members, when O(groups[].members) is given.
      type: list
      elements: str
changes:
  description: What the run changed (would change in check mode), one sentence each.
  returned: always
  type: list
  elements: str
"""

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError

from ansible_collections.awsorg.landing_zone.plugins.module_utils.resources.identitystore_principals import run
from ansible_collections.awsorg.landing_zone.plugins.module_utils.batch.modules import AnsibleLandingZoneModule


def main():
    argument_spec = dict(
        identity_store_id=dict(type="str"),
        users=dict(
            type="list",
            elements="dict",
            default=[],
            options=dict(
                user_name=dict(type="str", required=True),
                given_name=dict(type="str"),
                family_name=dict(type="str"),
                display_name=dict(type="str"),
                email=dict(type="str"),
                state=dict(type="str", choices=["present", "absent"], default="present"),
            ),
        ),
        groups=dict(
            type="list",
            elements="dict",
            default=[],
            options=dict(
                name=dict(type="str", required=True),
                description=dict(type="str"),
                members=dict(type="list", elements="str"),
                state=dict(type="str", choices=["present", "absent"], default="present"),
            ),
        ),
    )
    module = AnsibleLandingZoneModule(argument_spec=argument_spec, supports_check_mode=True)
    try:
        module.exit_json(**run(module))
    except AnsibleAWSError as e:
        module.fail_json_aws_error(e)


if __name__ == "__main__":
    main()
