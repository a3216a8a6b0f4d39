#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the awsorg.landing_zone collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: sso_permission_set
short_description: IAM Identity Center permission sets, a whole list in one run
version_added: 0.1.0
description:
  - Makes sure each permission set of O(permission_sets) exists in the organization's IAM Identity
    Center instance with its description, session duration, relay state, AWS managed policies and
    inline policy, or is deleted (O(permission_sets[].state=absent)).
  - A permission set that changes while it is provisioned to accounts is provisioned to them again
    (with O(provision=true)), and the module waits for that to finish.
  - Every setting is read back, so a second run makes no write. Every entry is checked before the
    first change.
  - Run it where the instance is administered (the management account, or the delegated
    administrator of IAM Identity Center) and in the instance's region.
  - With an empty O(permission_sets) it only reports the instance (ARN and identity store id).
author:
  - awsorg.landing_zone maintainers (@awsorg)
options:
  instance_arn:
    description: ARN of the IAM Identity Center instance; the only instance visible when omitted.
    type: str
  permission_sets:
    description: The permission sets.
    type: list
    elements: dict
    default: []
    suboptions:
      name:
        description: Name of the permission set (1 to 32 letters, digits and C(+=,.@_-)).
        type: str
        required: true
      description:
        description: Description; left alone when omitted.
        type: str
      session_duration:
        description: Length of a sign-in session, an ISO 8601 duration from V(PT1H) to V(PT12H).
        type: str
        default: PT1H
      relay_state:
        description: URL the console opens after sign-in; left alone when omitted.
        type: str
      managed_policy_arns:
        description:
          - The AWS managed policies attached, exactly; others are detached. Left alone when omitted.
        type: list
        elements: str
      inline_policy:
        description:
          - The inline policy (a dict or JSON text). An empty value removes it; left alone when omitted.
        type: raw
      state:
        description: V(absent) deletes the permission set (it must not be assigned anywhere).
        type: str
        choices: [present, absent]
        default: present
  provision:
    description: Provision a changed permission set again to the accounts it is provisioned to.
    type: bool
    default: true
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - awsorg.landing_zone.attributes
"""

EXAMPLES = r"""
- name: The permission sets of the landing zone
  awsorg.landing_zone.sso_permission_set:
    permission_sets:
      - name: AdministratorAccess
        description: Full access
        session_duration: PT4H
        managed_policy_arns:
          - arn:aws:iam::aws:policy/AdministratorAccess
      - name: ReadOnly
        session_duration: PT8H
        managed_policy_arns:
          - arn:aws:iam::aws:policy/ReadOnlyAccess
        inline_policy:
          Version: "2012-10-17"
          Statement:
            - Effect: Deny
              Action: s3:GetObject
              Resource: "*"
  register: permission_sets

- name: The AWS access portal of the instance
  ansible.builtin.debug:
    msg: "{{ permission_sets.access_portal_url }}"
"""

RETURN = r"""
instance_arn:
  description: ARN of the IAM Identity Center instance.
  returned: always
  type: str
  sample: arn:aws:sso:::instance/ssoins-1234567890abcdef
identity_store_id:
  description: Id of the instance's identity store (also the default AWS access portal subdomain).
  returned: always
  type: str
  sample: d-1234567890
access_portal_url:
  description:
    - The instance's default AWS access portal URL, named after its identity store, in the instance's
      partition (V(https://d-1234567890.awsapps.com/start),
      V(https://start.us-gov-home.awsapps.com/directory/d-1234567890) in AWS GovCloud (US),
      V(https://start.home.awsapps.cn/directory/d-1234567890) in China). A customised portal URL is not
      known to the API; set it yourself.
  returned: always
  type: str
  sample: https://d-1234567890.awsapps.com/start
permission_sets:
  description: The present permission sets after the change (predicted in check mode).
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: Name.
      type: str
    arn:
      description: ARN; null in check mode for a new one.
      type: str
    description:
      description: Description.
      type: str
    session_duration:
      description: Session duration.
      type: str
    relay_state:
      description: Relay state.
      type: str
    managed_policy_arns:
      description: Attached AWS managed policies.
      type: list
      elements: str
    inline_policy:
      description: The inline policy, or null.
      type: dict
changes:
  description: What the run changed (would change in check mode), one sentence each.
  returned: always
  type: list
  elements: str
"""

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError

from ansible_collections.awsorg.landing_zone.plugins.module_utils.batch.modules import AnsibleLandingZoneModule
from ansible_collections.awsorg.landing_zone.plugins.module_utils.resources.sso_permission_set import run


def main():
    argument_spec = dict(
        instance_arn=dict(type="str"),
        permission_sets=dict(
            type="list",
            elements="dict",
            default=[],
            options=dict(
                name=dict(type="str", required=True),
                description=dict(type="str"),
                session_duration=dict(type="str", default="PT1H"),
                relay_state=dict(type="str"),
                managed_policy_arns=dict(type="list", elements="str"),
                inline_policy=dict(type="raw"),
                state=dict(type="str", choices=["present", "absent"], default="present"),
            ),
        ),
        provision=dict(type="bool", default=True),
    )
    module = AnsibleLandingZoneModule(argument_spec=argument_spec, supports_check_mode=True)
    try:
        module.exit_json(**run(module))
    except AnsibleAWSError as e:
        module.fail_json_aws_error(e)


if __name__ == "__main__":
    main()
