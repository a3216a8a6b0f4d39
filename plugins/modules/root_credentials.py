#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the awsorg.landing_zone collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: root_credentials
short_description: Report, and remove when asked, the root user credentials of member accounts
version_added: 0.1.0
description:
  - For each member account, opens a root session with C(sts:AssumeRoot) scoped by AWS's
    C(IAMAuditRootUserCredentials) task policy and reports the root user's password (login
    profile), access keys, MFA devices and signing certificates.
  - With O(remove=true), an account that has any opens a second session scoped by
    C(IAMDeleteRootUserCredentials) and deletes them - keys and certificates, MFA devices, then the
    password. Nothing is written when there is nothing to remove, and nothing in check mode.
  - Runs from the management account or IAM's delegated administrator, after
    M(awsorg.landing_zone.org_root_access) enabled root credentials management. The management
    account itself is refused before any call (AssumeRoot targets member accounts only).
  - The IAM users' GPG-encrypted initial passwords (M(awsorg.landing_zone.iam_initial_password))
    are not root credentials and are never touched.
  - O(accounts) entries act with the caller's credentials, so O(accounts[].role_name) and
    O(accounts[].caller) do not apply.
author:
  - awsorg.landing_zone maintainers (@awsorg)
options:
  account_id:
    description:
      - Twelve-digit id of the member account, without O(accounts).
    type: str
  account_ids:
    description:
      - Ids of several member accounts, a shorthand for O(accounts) entries that only name the account.
    type: list
    elements: str
  remove:
    description: Delete the root user's credentials that are found.
    type: bool
    default: false
  session_duration:
    description: Length of each root session, 1 to 900 seconds (AWS's maximum for AssumeRoot).
    type: int
    default: 900
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - awsorg.landing_zone.attributes
  - awsorg.landing_zone.accounts
"""

EXAMPLES = r"""
- name: Report the root credentials of a wave's accounts
  awsorg.landing_zone.root_credentials:
    accounts:
      - account_id: "111111111111"
      - account_id: "222222222222"
  register: root

- name: Remove them from one account
  awsorg.landing_zone.root_credentials:
    account_id: "111111111111"
    remove: true
"""

RETURN = r"""
accounts:
  description:
    - One result per account, in order, each with C(account_id), C(changed), C(root_credentials)
      (what was found), C(removed) and C(remaining) (what the root user holds after the run).
    - Each of those is a dict of C(password) (bool), C(access_keys), C(mfa_devices) and
      C(signing_certificates) (lists of ids and serial numbers; never a secret).
  returned: always
  type: list
  elements: dict
"""

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError

from ansible_collections.awsorg.landing_zone.plugins.module_utils.batch.account_batch import run_for_accounts
from ansible_collections.awsorg.landing_zone.plugins.module_utils.batch.modules import AnsibleLandingZoneModule
from ansible_collections.awsorg.landing_zone.plugins.module_utils.resources.root_credentials import management_account_id
from ansible_collections.awsorg.landing_zone.plugins.module_utils.resources.root_credentials import run
from ansible_collections.awsorg.landing_zone.plugins.module_utils.resources.root_credentials import validate


def main():
    argument_spec = dict(
        account_id=dict(type="str"),
        account_ids=dict(type="list", elements="str"),
        remove=dict(type="bool", default=False),
        session_duration=dict(type="int", default=900),
    )
    module = AnsibleLandingZoneModule(argument_spec=argument_spec, supports_check_mode=True, accounts=True,
                                      required_one_of=[["account_id", "account_ids", "accounts"]],
                                      mutually_exclusive=[["account_id", "account_ids", "accounts"]])
    if module.params["accounts"] is None:
        account_ids = module.params["account_ids"]
        if account_ids is None:
            account_ids = [module.params["account_id"]]
        module.params["accounts"] = [dict(account_id=account_id, role_name=None, caller=False, params={})
                                     for account_id in account_ids]
    try:
        management = management_account_id(module)
        module.exit_json(**run_for_accounts(module, run, as_caller=True,
                                            validate=lambda account_run: validate(account_run, management)))
    except AnsibleAWSError as e:
        module.fail_json_aws_error(e)


if __name__ == "__main__":
    main()
