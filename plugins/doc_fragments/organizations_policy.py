# -*- coding: utf-8 -*-
# Copyright: Contributors to the awsorg.landing_zone collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)


class ModuleDocFragment:
    # The options org_policy and org_scp share: one policy (or several) and where it is attached.
    DOCUMENTATION = r"""
options:
  name:
    description:
      - Name of the policy; it identifies the policy (names are unique per policy type).
      - Required unless O(policies) is set.
    type: str
  policies:
    description:
      - Several policies in one run instead of one per task, converged in the order given. Each
        element takes this module's options (O(name), O(policy) or O(policy_file), O(targets),
        O(state)...); the task's own options apply to every element unless the element sets them.
        Every element is checked (options, JSON, size, targets) before the first change, and
        each name may appear once.
      - The result then has one element per policy in RV(results), and the diff is keyed by name.
      - Mutually exclusive with O(name).
    type: list
    elements: dict
  state:
    description:
      - V(present) creates or updates the policy and its attachments.
      - V(absent) detaches it from every target, then deletes it.
    type: str
    choices: [present, absent]
    default: present
  description:
    description:
      - Description of the policy, up to 512 characters.
      - When not set, an existing description is kept and a new policy gets an empty one.
    type: str
  policy:
    description:
      - The policy document, as a dict or as a JSON string.
      - Exactly one of O(policy) and O(policy_file) is required with O(state=present).
    type: raw
  policy_file:
    description:
      - Path of a JSON file holding the policy document.
      - The module reads it where it runs; with C(connection=local) (the usual way to run this
        collection) that is the controller. Give an absolute path, for example
        C("{{ role_path }}/files/deny-leave.json").
    type: path
  targets:
    description:
      - Where the policy is attached, each one of V(/) (the root), an OU path such as
        V(/workloads/prod), or a 12-digit account id.
      - Every target must exist; the module fails naming the first one that does not.
      - When not set, attachments are left as they are.
    type: list
    elements: str
  purge_targets:
    description:
      - Detach the policy from targets not listed in O(targets), making the list exclusive.
      - Has no effect when O(targets) is not set.
    type: bool
    default: false
  size_limit:
    description:
      - Maximum size of the minified document in characters. Overrides O(quota_lookup).
    type: int
"""
