#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the awsorg.landing_zone collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: org_scp
short_description: Manage an AWS Organizations service control policy and where it is attached
version_added: 0.1.0
description:
  - Creates, updates or deletes the service control policy (SCP) called O(name) and attaches it to
    the root, OUs (by path) and accounts listed in O(targets).
  - The document is validated and minified before anything is written - valid JSON,
    C(Version) V(2012-10-17), a non-empty C(Statement), in each statement an C(Effect) of V(Allow)
    or V(Deny), exactly one of C(Action) and C(NotAction), at most one of C(Resource) and
    C(NotResource) (AWS does not require either in an SCP), no C(Principal) or C(NotPrincipal) - and
    its size (characters of the minified document) is checked against the SCP size quota.
  - Every target is resolved, and the per-target limits are checked, before anything is written. AWS
    allows at most 10 SCPs attached to one root, OU or account, C(FullAWSAccess) included, and
    refuses to detach the last SCP of a target.
  - Documents are compared semantically (key order, white space, a single value against a one-item
    list), so a re-run with the same policy written differently changes nothing.
  - The AWS managed C(FullAWSAccess) policy cannot be managed.
  - A CreatePolicy whose answer was lost (repeated by botocore, and refused by AWS with
    C(DuplicatePolicyException) because the first try made the policy) adopts that policy, read back
    by name, and converges it like an existing one.
  - Several SCPs with the name O(name) (or the name of an element of O(policies)), or two OUs of
    one name on a target's path, are reported with their ids, and the run stops before any further
    change.
  - Run it in the management account (or a delegated administrator for Organizations policies).
author:
  - awsorg.landing_zone maintainers (@awsorg)
options:
  quota_lookup:
    description:
      - Read the SCP size quota from Service Quotas (service code C(organizations), in the
        partition's Organizations region such as C(us-east-1)).
      - When the look-up fails, or Service Quotas does not list the quota, 10240 characters is used
        (the SCP size quota since May 2026); a failed look-up also adds a warning.
    type: bool
    default: true
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.tags
  - awsorg.landing_zone.attributes
  - awsorg.landing_zone.organizations_policy
"""

EXAMPLES = r"""
- name: Members cannot leave the organization; attached to the root
  awsorg.landing_zone.org_scp:
    name: deny-leave-organization
    description: Member accounts cannot leave the organization
    policy:
      Version: "2012-10-17"
      Statement:
        - Sid: DenyLeave
          Effect: Deny
          Action: organizations:LeaveOrganization
          Resource: "*"
    targets:
      - /

- name: Region guard from a file, on exactly these OUs and one account
  awsorg.landing_zone.org_scp:
    name: region-guard
    policy_file: "{{ playbook_dir }}/files/scp/region-guard.json"
    targets:
      - /workloads/prod
      - /workloads/staging
      - "123456789012"
    purge_targets: true
    tags:
      owner: platform

- name: Remove a policy (detached from everything first)
  awsorg.landing_zone.org_scp:
    name: legacy-guard
    state: absent

- name: Every SCP of the organization in one run
  awsorg.landing_zone.org_scp:
    policies:
      - name: deny-leaving-organization
        policy: "{{ lookup('file', 'scp/deny-leaving.json') }}"
        targets: [/workloads, /security]
      - name: deny-all-suspended
        policy_file: scp/deny-all.json
        targets: [/suspended]
    purge_targets: true
"""

RETURN = r"""
results:
  description: With O(policies), the result (RV(policy), C(changed)) of each policy, in order.
  returned: when O(policies) is set
  type: list
  elements: dict
policy:
  description: The policy after the change (predicted in check mode).
  returned: when O(state=present), without O(policies)
  type: dict
  contains:
    id:
      description: Policy id, C(p-...); null in check mode when the policy does not exist yet.
      type: str
      sample: p-examplepolicyid111
    arn:
      description: Policy ARN; null in check mode when the policy does not exist yet.
      type: str
    name:
      description: Policy name.
      type: str
    description:
      description: Policy description.
      type: str
    content:
      description: The policy document.
      type: dict
    size:
      description: Characters of the minified document, what counts against the quota.
      type: int
      sample: 176
    size_limit:
      description: The size quota the document was checked against.
      type: int
      sample: 10240
    targets:
      description: Where the policy is attached.
      type: list
      elements: dict
      contains:
        target_id:
          description: Id of the root (C(r-...)), OU (C(ou-...)) or account.
          type: str
        type:
          description: V(ROOT), V(ORGANIZATIONAL_UNIT) or V(ACCOUNT).
          type: str
        name_or_path:
          description: V(/) for the root, the OU path, or the account name.
          type: str
          sample: /workloads/prod
    tags:
      description: Tags of the policy.
      type: dict
"""

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError

from ansible_collections.awsorg.landing_zone.plugins.module_utils.batch.account_batch import run_in_sequence
from ansible_collections.awsorg.landing_zone.plugins.module_utils.batch.run_context import RunContext
from ansible_collections.awsorg.landing_zone.plugins.module_utils.batch.modules import AnsibleLandingZoneModule
from ansible_collections.awsorg.landing_zone.plugins.module_utils.resources.org_scp import policies_validator
from ansible_collections.awsorg.landing_zone.plugins.module_utils.resources.org_scp import run


def main():
    argument_spec = dict(
        name=dict(type="str", required=True),
        state=dict(type="str", choices=["present", "absent"], default="present"),
        description=dict(type="str"),
        policy=dict(type="raw"),
        policy_file=dict(type="path"),
        targets=dict(type="list", elements="str"),
        purge_targets=dict(type="bool", default=False),
        quota_lookup=dict(type="bool", default=True),
        size_limit=dict(type="int"),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
    )
    module = AnsibleLandingZoneModule(
        argument_spec=dict(argument_spec, name=dict(type="str"), policies=dict(type="list", elements="dict")),
        supports_check_mode=True,
        required_one_of=[("name", "policies")],
        mutually_exclusive=[("policy", "policy_file"), ("name", "policies")],
        required_if=[("state", "present", ("policy", "policy_file", "policies"), True)],
    )
    # The options of one policy (run_in_sequence checks each element of policies against them).
    module.account_argument_spec = argument_spec
    try:
        if module.params["policies"] is not None:
            # The elements share one context: the root, OU tree, quota and listing are read once.
            context = RunContext(batch=True)
            module.exit_json(**run_in_sequence(module, lambda element: run(element, context), module.params["policies"],
                                               key=lambda p: p["name"], validate=policies_validator(context)))
        module.exit_json(**run(module))
    except AnsibleAWSError as e:
        module.fail_json_aws_error(e)


if __name__ == "__main__":
    main()
