# -*- coding: utf-8 -*-
# Copyright: Contributors to the awsorg.landing_zone collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)


class ModuleDocFragment:
    DOCUMENTATION = r"""
options:
  accounts:
    description:
      - Converge many accounts in one run instead of one account per task. Each entry names an
        account; the module's other options apply to every entry, and an entry's O(accounts[].params)
        overrides them for that account.
      - The accounts are converged in parallel (O(max_workers) at a time) from one process, which
        saves the start of a module process, the boto3 import and the service models per account.
      - Every entry is checked before the first account is touched; a bad entry fails the task with
        nothing written. An account that fails does not stop the others; the task then fails and
        lists every failed account.
      - The result has one element per entry in RV(accounts), in the order given; the diff is keyed
        by account id.
      - Mutually exclusive with C(assume_role), in the modules that have it.
    type: list
    elements: dict
    suboptions:
      account_id:
        description:
          - Twelve-digit id of the account.
          - Required unless O(accounts[].caller=true).
        type: str
      role_name:
        description: Role assumed in the account (C(arn:aws:iam::<account_id>:role/<role_name>)).
        type: str
        default: OrganizationAccountAccessRole
      caller:
        description:
          - Act in the account with the caller's own credentials instead of assuming O(accounts[].role_name).
          - For the management account, which has no member role.
        type: bool
        default: false
      params:
        description: Options of this module that differ for this account, by option name.
        type: dict
        default: {}
  max_workers:
    description: How many accounts of O(accounts) are converged at the same time.
    type: int
    default: 8
"""
