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
  - On success sets the fact C(landing_zone_plan), a mapping of account host to its resolved
    C(name), C(email), C(ou), C(wave), C(state), C(id) and C(tags).
author:
  - awsorg.landing_zone maintainers (@awsorg)
options:
  accounts_group:
    description: Inventory group holding one host per AWS account.
    type: str
    default: accounts
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
  platform:
    support: full
    platforms: controller
    description: Runs on the controller.
"""

EXAMPLES = r"""
- name: Validate the inventory before anything is written
  awsorg.landing_zone.validate_inventory:
  run_once: true
"""

RETURN = r"""
plan:
  description: Per account host, the resolved values the roles use.
  returned: success
  type: dict
problems:
  description: "Every problem found, as C(host: variable: message)."
  returned: failure
  type: list
  elements: str
"""
