#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the awsorg.landing_zone collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: iam_password_policy
short_description: The IAM password policy of an account
version_added: 0.1.0
description:
  - Sets the account password policy for IAM users' console passwords, or deletes it.
  - The whole policy is managed. As with C(UpdateAccountPasswordPolicy) itself, an option left out
    takes its default; the defaults are AWS's.
  - Unlike M(amazon.aws.iam_password_policy), it reports a diff and can act in a member account with
    O(assume_role).
  - M(awsorg.landing_zone.iam_initial_password) generates passwords that satisfy this policy.
author:
  - awsorg.landing_zone maintainers (@awsorg)
options:
  state:
    description: V(present) sets the policy, V(absent) deletes it (AWS's default rules apply again).
    type: str
    choices: [present, absent]
    default: present
  minimum_password_length:
    description: Minimum number of characters, 6 to 128.
    type: int
    default: 6
    aliases: [min_pw_length]
  require_symbols:
    description: "Passwords need one of C(! @ # $ % ^ & * ( ) _ + - = [ ] { } | ')."
    type: bool
    default: false
  require_numbers:
    description: Passwords need a digit.
    type: bool
    default: false
  require_uppercase:
    description: Passwords need an uppercase letter (A-Z).
    type: bool
    default: false
  require_lowercase:
    description: Passwords need a lowercase letter (a-z).
    type: bool
    default: false
  allow_password_change:
    description: Users may change their own password in the console.
    type: bool
    default: false
    aliases: [allow_pw_change]
  password_max_age:
    description: Days a password stays valid, 1 to 1095; V(0) means passwords never expire.
    type: int
    default: 0
    aliases: [pw_max_age]
  password_reuse_prevent:
    description: Number of previous passwords a user may not reuse, 1 to 24; V(0) allows reuse.
    type: int
    default: 0
    aliases: [pw_reuse_prevent]
  hard_expiry:
    description: Users whose password expired cannot set a new one; an administrator must reset it.
    type: bool
    default: false
    aliases: [pw_expire]
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - awsorg.landing_zone.attributes
  - awsorg.landing_zone.assume_role
"""

EXAMPLES = r"""
- name: A strong password policy in the identity account
  awsorg.landing_zone.iam_password_policy:
    assume_role:
      account_id: "{{ identity_account_id }}"
    minimum_password_length: 14
    require_symbols: true
    require_numbers: true
    require_uppercase: true
    require_lowercase: true
    allow_password_change: true
    password_max_age: 90
    password_reuse_prevent: 24

- name: Back to AWS's default rules
  awsorg.landing_zone.iam_password_policy:
    state: absent
"""

RETURN = r"""
password_policy:
  description: The policy after the change (predicted in check mode); null when there is none.
  returned: always
  type: dict
  contains:
    minimum_password_length:
      description: Minimum number of characters.
      type: int
      sample: 14
    require_symbols:
      description: A symbol is required.
      type: bool
    require_numbers:
      description: A digit is required.
      type: bool
    require_uppercase:
      description: An uppercase letter is required.
      type: bool
    require_lowercase:
      description: A lowercase letter is required.
      type: bool
    allow_password_change:
      description: Users may change their own password.
      type: bool
    password_max_age:
      description: Days a password stays valid; 0 for never expiring.
      type: int
    password_reuse_prevent:
      description: Previous passwords that may not be reused; 0 for none.
      type: int
    hard_expiry:
      description: Expired passwords can only be reset by an administrator.
      type: bool
"""

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError

from ansible_collections.awsorg.landing_zone.plugins.module_utils.resources.iam_password_policy import run
from ansible_collections.awsorg.landing_zone.plugins.module_utils.batch.modules import AnsibleLandingZoneModule


def main():
    # Options named *password* hold policy settings, not secrets: no_log=False
    # says so (without it Ansible warns "Module did not set no_log").
    argument_spec = dict(
        state=dict(type="str", choices=["present", "absent"], default="present"),
        minimum_password_length=dict(type="int", default=6, aliases=["min_pw_length"], no_log=False),
        require_symbols=dict(type="bool", default=False),
        require_numbers=dict(type="bool", default=False),
        require_uppercase=dict(type="bool", default=False),
        require_lowercase=dict(type="bool", default=False),
        allow_password_change=dict(type="bool", default=False, aliases=["allow_pw_change"], no_log=False),
        password_max_age=dict(type="int", default=0, aliases=["pw_max_age"], no_log=False),
        password_reuse_prevent=dict(type="int", default=0, aliases=["pw_reuse_prevent"], no_log=False),
        hard_expiry=dict(type="bool", default=False, aliases=["pw_expire"]),
    )
    module = AnsibleLandingZoneModule(argument_spec=argument_spec, supports_check_mode=True, assume_role=True)
    try:
        module.exit_json(**run(module))
    except AnsibleAWSError as e:
        module.fail_json_aws_error(e)


if __name__ == "__main__":
    main()
