#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the awsorg.landing_zone collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: iam_cross_account_role
short_description: A role in one account that principals of another account may assume
version_added: 0.1.0
description:
  - The destination side of cross-account access. Creates or updates an IAM role whose trust policy
    lets O(source_account_id) (or only the O(trusted_principals) in it) call C(sts:AssumeRole),
    optionally only with MFA (O(require_mfa)) and only from inside an organization (O(organization_id)).
  - Run it in the destination account with O(assume_role); the source account grants its users the
    right to assume the role with M(awsorg.landing_zone.iam_cross_account_group).
  - The trust policy is always managed and compared semantically with the one in IAM (order,
    whitespace, a single value versus a list), so re-runs do not change anything.
  - Every other setting is managed only when its option is given. Giving only the trust options for an
    existing role, such as C(OrganizationAccountAccessRole), changes its trust policy and nothing else.
  - O(state=absent) detaches the managed policies, deletes the inline policies, removes the role from
    its instance profiles and deletes it.
author:
  - awsorg.landing_zone maintainers (@awsorg)
options:
  name:
    description: Name of the role.
    type: str
    required: true
    aliases: [role_name]
  state:
    description: Whether the role should exist.
    type: str
    choices: [present, absent]
    default: present
  source_account_id:
    description:
      - Twelve-digit id of the account whose principals may assume the role (for example the identity
        account). Required when O(state=present).
      - Without O(trusted_principals) the whole account is trusted
        (C(arn:aws:iam::<source_account_id>:root)), and the source account decides who may assume the
        role through its IAM policies, for example group membership.
    type: str
  trusted_principals:
    description:
      - ARNs of the users or roles of O(source_account_id) that may assume the role, instead of the whole
        account.
      - IAM refuses a trust policy naming a principal that does not exist.
    type: list
    elements: str
  require_mfa:
    description:
      - Only allow callers that signed in with MFA (condition C(aws:MultiFactorAuthPresent) = C(true)).
      - Flipping it on an existing role only updates the trust policy.
      - Requiring MFA on the role the module itself assumed (O(assume_role)) is reported with a warning,
        since later runs through that role need credentials from an MFA sign-in.
    type: bool
    default: false
  organization_id:
    description:
      - Only allow principals of this organization (condition C(aws:PrincipalOrgID)), for example
        V(o-exampleorgid).
    type: str
  managed_policy_arns:
    description:
      - ARNs of managed policies to attach, for example V(arn:aws:iam::aws:policy/PowerUserAccess).
      - When omitted, the attached policies are left alone.
    type: list
    elements: str
  purge_managed_policies:
    description: Detach the managed policies that are not in O(managed_policy_arns) (when it is given).
    type: bool
    default: false
  inline_policies:
    description:
      - Inline policies of the role, a mapping of policy name to policy document (a dict or a JSON string).
      - When omitted, the inline policies are left alone.
    type: dict
  purge_inline_policies:
    description: Delete the inline policies that are not in O(inline_policies) (when it is given).
    type: bool
    default: false
  max_session_duration:
    description:
      - Longest session, in seconds (3600 to 43200), that assuming the role may ask for.
      - When omitted, an existing role keeps its value and a new role gets 3600.
    type: int
  path:
    description:
      - Path of a new role, for example V(/landing-zone/). IAM cannot change the path of an existing role;
        a different path for an existing role is an error.
      - When omitted, a new role gets V(/).
    type: str
  description:
    description: Description of the role. When omitted, an existing description is left alone.
    type: str
  tags:
    description: Tags of the role. When omitted, the tags are left alone.
    type: dict
    aliases: [resource_tags]
  purge_tags:
    description: Remove the tags that are not in O(tags) (when it is given).
    type: bool
    default: true
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - awsorg.landing_zone.attributes
  - awsorg.landing_zone.assume_role
  - awsorg.landing_zone.accounts
"""

EXAMPLES = r"""
- name: An infra role in the workload account for the users of the identity account, with MFA
  awsorg.landing_zone.iam_cross_account_role:
    assume_role:
      account_id: "{{ workload_account_id }}"
    name: infra
    source_account_id: "{{ identity_account_id }}"
    require_mfa: true
    organization_id: "{{ organization.id }}"
    managed_policy_arns:
      - arn:aws:iam::aws:policy/PowerUserAccess
    purge_managed_policies: true
    max_session_duration: 14400
    description: Engineers of the identity account
    tags:
      ManagedBy: ansible

- name: Require MFA on OrganizationAccountAccessRole in every member account, in one run
  awsorg.landing_zone.iam_cross_account_role:
    accounts:
      - account_id: "210987654321"
      - account_id: "345678901234"
    name: OrganizationAccountAccessRole
    source_account_id: "{{ management_account_id }}"
    require_mfa: true

- name: Only the admin role of the management account may assume the role
  awsorg.landing_zone.iam_cross_account_role:
    assume_role:
      account_id: "{{ security_account_id }}"
    name: security-audit
    source_account_id: "{{ management_account_id }}"
    trusted_principals:
      - "arn:aws:iam::{{ management_account_id }}:role/admin"
    inline_policies:
      read-findings:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Action: ["securityhub:Get*", "securityhub:List*"]
            Resource: "*"

- name: Remove a role
  awsorg.landing_zone.iam_cross_account_role:
    assume_role:
      account_id: "{{ workload_account_id }}"
    name: infra
    state: absent
"""

RETURN = r"""
accounts:
  description:
    - With O(accounts), one result per account, in the order given, each with C(account_id),
      C(changed) and RV(role).
  returned: when O(accounts) is set
  type: list
  elements: dict
role:
  description: The role after the change (predicted in check mode); null when it does not exist.
  returned: without O(accounts)
  type: dict
  contains:
    role_name:
      description: Name of the role.
      type: str
      sample: infra
    arn:
      description: ARN of the role; null in check mode when it does not exist yet.
      type: str
      sample: arn:aws:iam::210987654321:role/infra
    role_id:
      description: Unique id of the role; null in check mode when it does not exist yet.
      type: str
    path:
      description: Path of the role.
      type: str
      sample: /
    description:
      description: Description of the role.
      type: str
    max_session_duration:
      description: Longest session in seconds.
      type: int
      sample: 3600
    trust_policy:
      description: The trust (assume role) policy document.
      type: dict
    managed_policy_arns:
      description: ARNs of the attached managed policies.
      type: list
      elements: str
    inline_policies:
      description: Inline policies, by name.
      type: dict
    tags:
      description: Tags of the role.
      type: dict
"""

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError

from ansible_collections.awsorg.landing_zone.plugins.module_utils.batch.account_batch import run_for_accounts
from ansible_collections.awsorg.landing_zone.plugins.module_utils.resources.iam_cross_account_role import argument_spec_of_one_account
from ansible_collections.awsorg.landing_zone.plugins.module_utils.resources.iam_cross_account_role import check_options
from ansible_collections.awsorg.landing_zone.plugins.module_utils.resources.iam_cross_account_role import run
from ansible_collections.awsorg.landing_zone.plugins.module_utils.batch.modules import AnsibleLandingZoneModule


def main():
    argument_spec = argument_spec_of_one_account()
    module = AnsibleLandingZoneModule(
        argument_spec=argument_spec,
        supports_check_mode=True,
        assume_role=True,
        accounts=True,
    )
    try:
        if module.params["accounts"] is not None:
            module.exit_json(**run_for_accounts(module, run, validate=check_options))
        module.exit_json(**run(module))
    except AnsibleAWSError as e:
        module.fail_json_aws_error(e)


if __name__ == "__main__":
    main()
