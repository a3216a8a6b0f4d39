#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the awsorg.landing_zone collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: controller_files
short_description: Write the files the roles generate on the controller, without a module process
version_added: 0.1.0
description:
  - Runs on the controller (action plugin) and makes no AWS call. The roles write their generated
    files with it (the account id map the inventory loads, the Terraform account map, the directory
    of the encrypted initial passwords).
  - Compares each file's content and mode with what is wanted and writes only the ones that differ,
    atomically (a temporary file in the same directory, renamed over the target), so that a reader sees the
    old file or the new one, never half of one.
  - Missing directories are created, O(directories) with their own mode, the parents of O(files)
    with O(directory_mode). The mode of a listed directory that exists is set to its O(directories[].mode).
  - Unlike M(ansible.builtin.copy) delegated to C(localhost), it starts no module process, so an
    unchanged file costs no more than reading it. Meant for files that are not secret - the content
    is shown in the diff.
author:
  - awsorg.landing_zone maintainers (@awsorg)
options:
  files:
    description: The files to write.
    type: list
    elements: dict
    default: []
    suboptions:
      path:
        description: Where the file goes on the controller.
        type: path
        required: true
      content:
        description: Its whole content (text, written as UTF-8).
        type: str
        required: true
      mode:
        description: Its permissions, as an octal string.
        type: raw
        default: "0644"
  directories:
    description: Directories that must exist, with their mode.
    type: list
    elements: dict
    default: []
    suboptions:
      path:
        description: The directory.
        type: path
        required: true
      mode:
        description: Its permissions, as an octal string.
        type: raw
        default: "0755"
  directory_mode:
    description: Mode of the missing parent directories it creates.
    type: raw
    default: "0755"
attributes:
  check_mode:
    support: full
    description: Reports what it would write, and writes nothing.
  diff_mode:
    support: full
    description: The content of each file before and after, and each mode it changes.
extends_documentation_fragment:
  - awsorg.landing_zone.attributes.controller
"""

EXAMPLES = r"""
- name: Account ids and the Terraform account map
  awsorg.landing_zone.controller_files:
    files:
      - path: "{{ inventory_dir }}/group_vars/all/landing_zone_account_ids.yml"
        content: "{{ {'landing_zone_account_ids': ids} | to_nice_yaml }}"
      - path: "{{ playbook_dir }}/output/accounts.auto.tfvars.json"
        content: "{{ {'accounts': accounts} | to_nice_json }}\n"

- name: A private directory
  awsorg.landing_zone.controller_files:
    directories:
      - path: "{{ playbook_dir }}/output/passwords"
        mode: "0700"
"""

RETURN = r"""
files:
  description: Each file, with what was done to it (C(created), C(updated), C(mode changed) or C(unchanged)).
  returned: always
  type: list
  elements: dict
  sample: [{path: /srv/lz/output/accounts.auto.tfvars.json, state: unchanged, mode: "0644"}]
directories:
  description: Each directory created, and each listed one with what was done to it.
  returned: always
  type: list
  elements: dict
  sample: [{path: /srv/lz/output/passwords, state: created, mode: "0700"}]
"""
