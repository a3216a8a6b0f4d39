#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the awsorg.landing_zone collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: org_organization
short_description: Create or adopt an AWS Organization and set its policy types and service access
version_added: 0.1.0
description:
  - Creates the organization with all features when the calling (management) account has none,
    or adopts the one it already manages.
  - Enables the policy types listed in O(enabled_policy_types) on the root and the AWS service
    access principals listed in O(aws_service_access_principals).
  - Enabling and disabling a policy type is asynchronous in AWS; the module waits (at most 5 minutes)
    until no policy type of the root reads C(PENDING_ENABLE) or C(PENDING_DISABLE), so that the
    policies of the types it enabled can be attached by the next task.
  - Never deletes the organization.
author:
  - awsorg.landing_zone maintainers (@awsorg)
options:
  feature_set:
    description:
      - Feature set of a new organization. Service control policies need V(ALL).
      - An existing organization with another feature set is reported, not changed.
    type: str
    choices: [ALL, CONSOLIDATED_BILLING]
    default: ALL
  enabled_policy_types:
    description: Policy types to enable on the root.
    type: list
    elements: str
    choices: [SERVICE_CONTROL_POLICY, RESOURCE_CONTROL_POLICY, TAG_POLICY, BACKUP_POLICY,
              AISERVICES_OPT_OUT_POLICY, CHATBOT_POLICY, DECLARATIVE_POLICY_EC2, SECURITYHUB_POLICY,
              SECURITYHUB_CSPM_POLICY, INSPECTOR_POLICY, UPGRADE_ROLLOUT_POLICY, BEDROCK_POLICY, S3_POLICY,
              NETWORK_SECURITY_DIRECTOR_POLICY, GUARDDUTY_POLICY]
    default: [SERVICE_CONTROL_POLICY]
  purge_policy_types:
    description: Disable the enabled policy types not listed in O(enabled_policy_types).
    type: bool
    default: false
  aws_service_access_principals:
    description:
      - Service principals trusted by the organization, for example V(cloudtrail.amazonaws.com).
    type: list
    elements: str
    default: []
  purge_aws_service_access_principals:
    description: Disable service access for principals not listed.
    type: bool
    default: false
  root_access:
    description:
      - IAM's centralized root access for the member accounts, converged after the trusted access, in the
        same run (M(awsorg.landing_zone.org_root_access) does it on its own).
      - Needs V(iam.amazonaws.com) in O(aws_service_access_principals), or trusted access for it already;
        a change without it is refused before the first write.
      - Left out, root access is not managed.
    type: dict
    version_added: 0.3.0
    suboptions:
      credentials_management:
        description:
          - Root credentials management - the management account can list and delete the member accounts'
            root credentials. Unset, left as it is.
        type: bool
      root_sessions:
        description:
          - Privileged root sessions - the management account can perform privileged root tasks in the
            member accounts. Unset, left as it is.
        type: bool
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - awsorg.landing_zone.attributes
"""

EXAMPLES = r"""
- name: The organization with SCPs and trusted access for CloudTrail and Config
  awsorg.landing_zone.org_organization:
    enabled_policy_types:
      - SERVICE_CONTROL_POLICY
      - TAG_POLICY
    aws_service_access_principals:
      - cloudtrail.amazonaws.com
      - config.amazonaws.com
  register: organization

- name: Use the root id later
  ansible.builtin.debug:
    msg: "Root is {{ organization.organization.root_id }}"

- name: The organization with centralized root access for the member accounts, in one run
  awsorg.landing_zone.org_organization:
    aws_service_access_principals: [iam.amazonaws.com]
    root_access:
      credentials_management: true
      root_sessions: true
"""

RETURN = r"""
organization:
  description: The organization after the change (predicted in check mode).
  returned: always
  type: dict
  contains:
    id:
      description: Organization id, C(o-...); null in check mode when it does not exist yet.
      type: str
      sample: o-exampleorgid
    arn:
      description: Organization ARN.
      type: str
    feature_set:
      description: V(ALL) or V(CONSOLIDATED_BILLING).
      type: str
    management_account_id:
      description: Id of the management account.
      type: str
      sample: "123456789012"
    management_account_email:
      description: Email of the management account.
      type: str
    root_id:
      description: Id of the root, C(r-...).
      type: str
      sample: r-ab12
    enabled_policy_types:
      description: Policy types enabled on the root.
      type: list
      elements: str
    aws_service_access_principals:
      description: Service principals with trusted access.
      type: list
      elements: str
    root_access_features:
      description: IAM's centralized root access features enabled (V(RootCredentialsManagement), V(RootSessions)).
      returned: with O(root_access)
      type: list
      elements: str
      sample: [RootCredentialsManagement, RootSessions]
"""

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError

from ansible_collections.awsorg.landing_zone.plugins.module_utils.batch.modules import AnsibleLandingZoneModule
from ansible_collections.awsorg.landing_zone.plugins.module_utils.resources.org_organization import POLICY_TYPES
from ansible_collections.awsorg.landing_zone.plugins.module_utils.resources.org_organization import run


def main():
    argument_spec = dict(
        feature_set=dict(type="str", choices=["ALL", "CONSOLIDATED_BILLING"], default="ALL"),
        enabled_policy_types=dict(
            type="list", elements="str", choices=POLICY_TYPES, default=["SERVICE_CONTROL_POLICY"]
        ),
        purge_policy_types=dict(type="bool", default=False),
        aws_service_access_principals=dict(type="list", elements="str", default=[]),
        purge_aws_service_access_principals=dict(type="bool", default=False),
        root_access=dict(type="dict", options=dict(
            credentials_management=dict(type="bool"),
            root_sessions=dict(type="bool"),
        )),
    )
    module = AnsibleLandingZoneModule(argument_spec=argument_spec, supports_check_mode=True)
    try:
        module.exit_json(**run(module))
    except AnsibleAWSError as e:
        module.fail_json_aws_error(e)


if __name__ == "__main__":
    main()
