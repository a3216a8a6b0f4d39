#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the awsorg.landing_zone collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: validate_inventory
short_description: Validate a landing-zone inventory and derive the plan the roles use
version_added: 0.1.0
description:
  - Runs on the controller (action plugin) and makes no AWS call.
  - "Checks every account host and the C(landing_zone_*) variables and fails listing every
    problem as C(host: variable: message) before anything is written."
  - What is checked comes from one table of every inventory variable
    (C(plugins/module_utils/inventory/schema.py)) - its type, its check, its default, and the
    module option it feeds. A C(landing_zone_*) variable the table does not hold, and an account
    host's variable that looks like a mistyped account variable (C(account_*), or close to one),
    are reported, never silently dropped; so is an unknown key of a mapping setting.
  - On success returns RV(plan), a mapping of account host to its resolved
    C(name), C(email), C(ou), C(wave), C(state), C(close), C(id), C(tags), C(alias) and C(params)
    (the options of each batched module for that account), and RV(params), the same options by
    module and host as the roles pass them through. The preflight play keeps them as the facts
    C(landing_zone_plan) and C(landing_zone_params) with M(ansible.builtin.set_fact).
  - They are returned rather than set as C(ansible_facts), which Ansible would copy on every
    variable look-up of every host, a cost that grows with the square of the number of accounts.
author:
  - awsorg.landing_zone maintainers (@awsorg)
options:
  accounts_group:
    description: Inventory group holding one host per AWS account.
    type: str
    default: accounts
  hosts:
    description:
      - The account hosts to plan, instead of every host of O(accounts_group).
      - A role run on its own, without the preflight play, plans the hosts it acts on with it.
    type: list
    elements: str
  management_group:
    description: Inventory group holding the management account's host.
    type: str
    default: management
  settings:
    description:
      - The organization-wide settings. Defaults to every C(landing_zone_*) variable of the host
        the task runs on.
    type: dict
attributes:
  check_mode:
    support: full
    description: Makes no change in any mode.
  diff_mode:
    support: none
    description: Nothing to diff.
extends_documentation_fragment:
  - awsorg.landing_zone.attributes.controller
"""

EXAMPLES = r"""
- name: Validate the inventory before anything is written
  awsorg.landing_zone.validate_inventory:
  register: validation
  run_once: true

- name: The plan, for the roles
  ansible.builtin.set_fact:
    landing_zone_plan: "{{ validation.plan }}"
    landing_zone_params: "{{ validation.params }}"
  run_once: true
"""

RETURN = r"""
plan:
  description: Per account host, the resolved values the roles use.
  returned: success
  type: dict
  sample:
    production:
      host: production
      name: acme-production
      email: aws+acme-production@acme.example
      ou: /workloads/prod
      wave: 2
      state: present
      close: false
      id: null
      tags: {environment: production}
      alias: null
      management: false
      params:
        org_account: {name: acme-production, email: aws+acme-production@acme.example, ou: /workloads/prod,
                      state: present, tags: {environment: production}}
        account_baseline: {account_alias: acme-production}
params:
  description:
    - The modules' options by module and host, as the roles pass them through (C(org_account) - each
      host's entry of O(awsorg.landing_zone.org_account#module:accounts); C(account_baseline) - each
      host's options of M(awsorg.landing_zone.account_baseline)), and C(account_ids) - the id of every
      account host whose id the inventory knows.
  returned: success
  type: dict
  sample:
    org_account:
      production:
        params: {name: acme-production, email: aws+acme-production@acme.example, ou: /workloads/prod,
                 state: present, tags: {environment: production}}
    account_baseline:
      production: {account_alias: acme-production}
    account_ids: {management: "111111111111"}
problems:
  description: "Every problem found, as C(host: variable: message)."
  returned: failure
  type: list
  elements: str
"""
