#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the awsorg.landing_zone collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: iam_initial_password
short_description: A first console password for an IAM user, readable only with the user's GPG key
version_added: 0.1.0
description:
  - Gives an existing IAM user a console login profile with a random password that must be changed at
    the first sign-in, and returns that password encrypted to the user's GPG public key.
  - The password is generated on the controller with Python's C(secrets) module and satisfies the
    account password policy (it is at least C(MinimumPasswordLength) long and has uppercase and
    lowercase letters, digits and symbols). The plaintext is never returned, logged, shown in a diff or
    written anywhere; only the encrypted password leaves the module.
  - The key is imported into a temporary GnuPG home that is removed afterwards; the controller's own
    keyrings are never used. Before anything is written, the module refuses a key file that is missing
    or unreadable, holds a private key or several keys, a key that is expired or revoked, a key without
    a usable encryption (sub)key, and a key without the expected user id. The key is checked on every
    run, also when nothing is to be done.
  - A user who already has a console password keeps it (C(changed=false)) unless O(reset=true), or
    O(dest) is set, that file does not exist, and IAM still requires the user to change the password
    at the first sign-in (C(PasswordResetRequired)). Such a password cannot be read by anyone (an
    earlier run set it, then lost IAM's answer or stopped before writing O(dest)), so a new one is set
    with UpdateLoginProfile, must be changed at the first sign-in, and is written to O(dest)
    (C(changed=true), predicted in check mode, with a warning). A user who has set a password of
    their own keeps it whether or not the file exists. Keep the O(dest) files of users who have not
    signed in yet.
  - A CreateLoginProfile answered with C(EntityAlreadyExists) (a retry of a call whose answer was
    lost, after the first try made the profile) goes on with UpdateLoginProfile and a new password.
  - Create the user with M(awsorg.landing_zone.iam_user) first. The user decrypts the password with
    C(gpg --decrypt <dest>), or with the collection's C(playbooks/decrypt_initial_password.yml).
author:
  - awsorg.landing_zone maintainers (@awsorg)
requirements:
  - python-gnupg >= 0.5.0
  - the gpg binary (GnuPG 2.1 or later)
options:
  user_name:
    description:
      - Name of the IAM user. Required unless O(users) is given.
    type: str
    aliases: [name]
  users:
    description:
      - Several users in one run instead of a task per user. Each element takes this module's options
        (O(user_name), O(public_key_file), O(dest), O(expected_email), O(state)...); the task's own
        options apply to every element unless the element sets them.
      - Every element's options and key are checked, then every user's existence is read, before the
        first password is set; one IAM client (one C(AssumeRole)) serves them all.
      - The result then has one element per user in RV(results), and the diff is keyed by user name.
        A password file that cannot be written stops the run; the results so far, that user's
        encrypted password included, are in the failure.
      - Mutually exclusive with O(user_name).
    type: list
    elements: dict
  state:
    description:
      - V(present) makes sure the user has a console password.
      - V(absent) deletes the login profile (the user can no longer sign in to the console).
    type: str
    choices: [present, absent]
    default: present
  public_key_file:
    description:
      - The user's GPG public key, an ASCII-armored (or binary) export holding exactly one key, like the
        files of a C(keys/) directory. Required when O(state=present).
    type: path
  expected_uid:
    description: Refuse the key unless one of its user ids is exactly this (case-insensitive),
      for example V(Jane Doe <jane@example.com>).
    type: str
  expected_email:
    description: Refuse the key unless one of its user ids has this email address (case-insensitive).
    type: str
  password_length:
    description:
      - Length of the generated password, 8 to 128. The account policy's minimum length wins when it is
        longer.
    type: int
    default: 24
  reset:
    description: Generate and set a new password even when the user already has one.
    type: bool
    default: false
  dest:
    description:
      - File to write the ASCII-armored encrypted password to, atomically and with mode C(0600). Its
        directory must exist.
      - Only written when a new password is set. When the user has a console password that must still
        be changed at the first sign-in and this file does not exist, a new password is set and
        written here.
    type: path
  gpg_binary:
    description: The gpg program to run.
    type: str
    default: gpg
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - awsorg.landing_zone.attributes
  - awsorg.landing_zone.assume_role
"""

EXAMPLES = r"""
- name: Users of the identity account
  amazon.aws.iam_user:
    name: "{{ item }}"
    state: present
  loop: [jane.doe, john.smith]

- name: Their first console passwords, encrypted to the keys in keys/
  awsorg.landing_zone.iam_initial_password:
    assume_role:
      account_id: "{{ identity_account_id }}"
    user_name: "{{ item }}"
    public_key_file: "{{ playbook_dir }}/keys/{{ item }}.asc"
    expected_email: "{{ item }}@example.com"
    dest: "{{ playbook_dir }}/passwords/{{ item }}.asc"
  loop: [jane.doe, john.smith]

- name: Every user's first password in one run
  awsorg.landing_zone.iam_initial_password:
    assume_role:
      account_id: "{{ identity_account_id }}"
    users:
      - user_name: jane.doe
        public_key_file: keys/jane.doe.asc
        dest: passwords/jane.doe.asc
      - user_name: john.smith
        public_key_file: keys/john.smith.asc
        dest: passwords/john.smith.asc

# The user then runs, on their own machine:
#   gpg --decrypt passwords/jane.doe.asc
# or
#   ansible-playbook awsorg.landing_zone.decrypt_initial_password -e encrypted_password_file=passwords/jane.doe.asc

- name: A new password for a user who lost theirs
  awsorg.landing_zone.iam_initial_password:
    user_name: jane.doe
    public_key_file: keys/jane.doe.asc
    reset: true
    dest: passwords/jane.doe.asc
"""

RETURN = r"""
results:
  description: With O(users), the result (the other return values) of each user, in order.
  returned: when O(users) is set
  type: list
  elements: dict
user_name:
  description: Name of the IAM user.
  returned: without O(users) (with it, in each element of RV(results))
  type: str
login_profile:
  description: Whether the user has a console password after the run.
  returned: without O(users) (with it, in each element of RV(results))
  type: bool
encrypted_password:
  description: The new password, encrypted to the user's key, ASCII-armored. Null when no new password
    was set (the user already had one, check mode, or O(state=absent)).
  returned: without O(users) (with it, in each element of RV(results))
  type: str
  sample: "-----BEGIN PGP MESSAGE-----\n\nhF4D...\n-----END PGP MESSAGE-----\n"
encrypted_password_base64:
  description: RV(encrypted_password) encoded in base64, a single line (C(base64 -d | gpg --decrypt)).
  returned: without O(users) (with it, in each element of RV(results))
  type: str
key_fingerprint:
  description: Fingerprint of the key the password is (or would be) encrypted to.
  returned: when O(state=present), without O(users) (with it, in each element of RV(results))
  type: str
dest:
  description: The file the encrypted password was written to; null when none was written.
  returned: without O(users) (with it, in each element of RV(results))
  type: str
"""

from ansible.module_utils.basic import missing_required_lib

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError

from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.gpg import GNUPG_IMPORT_ERROR
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.gpg import HAS_GNUPG
from ansible_collections.awsorg.landing_zone.plugins.module_utils.resources.iam_initial_password import run
from ansible_collections.awsorg.landing_zone.plugins.module_utils.resources.iam_initial_password import run_users
from ansible_collections.awsorg.landing_zone.plugins.module_utils.batch.modules import AnsibleLandingZoneModule


def main():
    argument_spec = dict(
        user_name=dict(type="str", required=True, aliases=["name"]),
        state=dict(type="str", choices=["present", "absent"], default="present"),
        public_key_file=dict(type="path"),
        expected_uid=dict(type="str"),
        expected_email=dict(type="str"),
        password_length=dict(type="int", default=24, no_log=False),
        reset=dict(type="bool", default=False),
        dest=dict(type="path"),
        gpg_binary=dict(type="str", default="gpg"),
    )
    module = AnsibleLandingZoneModule(
        argument_spec=dict(argument_spec, user_name=dict(type="str", aliases=["name"]),
                           users=dict(type="list", elements="dict")),
        required_one_of=[("user_name", "users")],
        mutually_exclusive=[("user_name", "users")],
        supports_check_mode=True,
        assume_role=True,
    )
    # The options of one user (each element of users is checked against them).
    module.account_argument_spec = argument_spec
    if not HAS_GNUPG:
        module.fail_json(msg=missing_required_lib("python-gnupg"), exception=GNUPG_IMPORT_ERROR)
    try:
        module.exit_json(**(run_users(module) if module.params["users"] is not None else run(module)))
    except AnsibleAWSError as e:
        module.fail_json_aws_error(e)


if __name__ == "__main__":
    main()
