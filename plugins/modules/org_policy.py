#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the awsorg.landing_zone collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: org_policy
short_description: Manage an AWS Organizations policy of any type and where it is attached
version_added: 0.2.0
description:
  - Creates, updates or deletes the Organizations policy of type O(type) called O(name) and attaches
    it to the root, OUs (by path) and accounts listed in O(targets). Every policy type botocore
    lists is managed (service control, resource control, tag, backup, AI services opt-out, chat
    applications, declarative (EC2), Security Hub, Inspector and the newer ones).
  - M(awsorg.landing_zone.org_scp) is this module with O(type=SERVICE_CONTROL_POLICY); both share
    the same code.
  - The document is validated for its type and minified before anything is written. SCPs follow
    the SCP grammar (see M(awsorg.landing_zone.org_scp)); a resource control policy's statements
    are each a C(Deny) with C(Principal) V("*") and no C(NotAction) or C(NotPrincipal) (AWS allows
    C(Allow) only in its own C(RCPFullAWSAccess)); a management policy (tag, backup, AI services
    opt-out, chat applications, declarative, ...) is a JSON object of its own syntax, under its
    type's top-level key (C(tags), C(plans), C(services), C(chatbot), C(ec2_attributes)), whose
    operators must be C(@@assign), C(@@append), C(@@remove),
    C(@@operators_allowed_for_child_policies) or C(@@enforced_for).
  - The size of the minified document is checked against the type's quota (SCP 10240 characters,
    resource control 5120, AI services opt-out 2500, the others 10000; Quotas for AWS
    Organizations), and each target's count of policies of the type against AWS's per-target
    limit (SCP 10, resource control 5, the AWS managed C(FullAWSAccess) or C(RCPFullAWSAccess)
    included; the others 10), before anything is written.
  - The type must be enabled on the root (M(awsorg.landing_zone.org_organization)
    O(awsorg.landing_zone.org_organization#module:enabled_policy_types)); the module refuses
    before the first write when it is not.
  - Documents are compared semantically, so a re-run with the same policy written differently
    changes nothing. AWS managed policies cannot be managed.
  - Run it in the management account (or a delegated administrator for Organizations policies).
author:
  - awsorg.landing_zone maintainers (@awsorg)
options:
  type:
    description:
      - The policy type, as botocore's Organizations model names it.
      - Required with O(name). With O(policies), the type of every element that does not give its own
        C(type), so that one run can converge policies of several types (the role's policies of every
        type take one module run instead of one per type). Each name appears once whatever its type.
    type: str
    choices: [SERVICE_CONTROL_POLICY, RESOURCE_CONTROL_POLICY, TAG_POLICY, BACKUP_POLICY, AISERVICES_OPT_OUT_POLICY,
              CHATBOT_POLICY, DECLARATIVE_POLICY_EC2, SECURITYHUB_POLICY, SECURITYHUB_CSPM_POLICY, INSPECTOR_POLICY,
              UPGRADE_ROLLOUT_POLICY, BEDROCK_POLICY, S3_POLICY, NETWORK_SECURITY_DIRECTOR_POLICY, GUARDDUTY_POLICY]
  quota_lookup:
    description:
      - For O(type=SERVICE_CONTROL_POLICY) only, read the SCP size quota from Service Quotas (service code C(organizations), in the
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
- name: The AI services opt-out policy, at the root
  awsorg.landing_zone.org_policy:
    type: AISERVICES_OPT_OUT_POLICY
    name: ai-opt-out
    policy:
      services:
        default:
          opt_out_policy:
            "@@assign": optOut
    targets: [/]

- name: A tag policy on the workloads OU
  awsorg.landing_zone.org_policy:
    type: TAG_POLICY
    name: required-tags
    policy:
      tags:
        costcenter:
          tag_key:
            "@@assign": CostCenter
          tag_value:
            "@@assign": ["100", "200"]
    targets: [/workloads]
    purge_targets: true

- name: Resource control policies, several in one run
  awsorg.landing_zone.org_policy:
    type: RESOURCE_CONTROL_POLICY
    policies:
      - name: enforce-tls
        policy_file: rcp/enforce-tls.json
        targets: [/]
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
    type:
      description: The policy type.
      type: str
      sample: RESOURCE_CONTROL_POLICY
    size_limit:
      description: The size quota the document was checked against.
      type: int
      sample: 5120
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
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.policy_types import POLICY_TYPE_NAMES
from ansible_collections.awsorg.landing_zone.plugins.module_utils.resources.org_scp import policies_validator
from ansible_collections.awsorg.landing_zone.plugins.module_utils.resources.org_scp import run


def main():
    argument_spec = dict(
        name=dict(type="str", required=True),
        type=dict(type="str", required=True, choices=POLICY_TYPE_NAMES),
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
        argument_spec=dict(argument_spec, name=dict(type="str"), policies=dict(type="list", elements="dict"),
                           type=dict(type="str", choices=POLICY_TYPE_NAMES)),
        supports_check_mode=True,
        required_one_of=[("name", "policies")],
        required_by=dict(name="type"),
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
