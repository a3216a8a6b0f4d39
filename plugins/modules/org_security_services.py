#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the awsorg.landing_zone collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: org_security_services
short_description: GuardDuty and Security Hub for the whole organization, with a delegated administrator
version_added: 0.1.0
description:
  - Runs with the management account's credentials and, through O(assume_role), inside the delegated
    administrator account O(admin_account_id); per region of O(regions), in this order
  - "1. management account: trusted access for the service in AWS Organizations, then
    O(admin_account_id) designated as the service's delegated administrator
    (C(EnableOrganizationAdminAccount));"
  - "2. delegated administrator: GuardDuty's detector or Security Hub enabled, then the organization
    configuration that enables the service in member accounts automatically."
  - Everything is read first; an existing delegation to another account fails the task before any
    change. A second run makes no write.
  - Whether O(admin_account_id) already is the Security Hub administrator is read in that account
    (C(DescribeOrganizationConfiguration) answers only there).
  - Never removes a delegation and never disables a service.
author:
  - awsorg.landing_zone maintainers (@awsorg)
options:
  admin_account_id:
    description: The delegated administrator account of both services, normally the security account.
    type: str
    required: true
  regions:
    description: Regions to configure; the module's region when empty.
    type: list
    elements: str
    default: []
  guardduty:
    description: Manage GuardDuty; omit to leave it alone.
    type: dict
    suboptions:
      finding_publishing_frequency:
        description: How often the administrator's detector publishes updated findings; AWS's default when omitted.
        type: str
        choices: [FIFTEEN_MINUTES, ONE_HOUR, SIX_HOURS]
      auto_enable_organization_members:
        description:
          - V(ALL) enables GuardDuty in every member account, V(NEW) in accounts that join from now
            on, V(NONE) in none. Omit to leave the setting alone.
        type: str
        choices: [ALL, NEW, NONE]
  securityhub:
    description: Manage Security Hub; omit to leave it alone.
    type: dict
    suboptions:
      enable_default_standards:
        description: When Security Hub is enabled in the administrator by this module, also enable the default standards.
        type: bool
        default: true
      auto_enable:
        description: Enable Security Hub in accounts that join the organization. Omit to leave the setting alone.
        type: bool
      auto_enable_standards:
        description: Whether the default standards are enabled in those accounts. Omit to leave the setting alone.
        type: str
        choices: [DEFAULT, NONE]
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - awsorg.landing_zone.attributes
  - awsorg.landing_zone.assume_role
notes:
  - O(assume_role) must reach O(admin_account_id); it may be omitted only when the caller is that account.
"""

EXAMPLES = r"""
- name: GuardDuty and Security Hub, administered by the security account
  awsorg.landing_zone.org_security_services:
    admin_account_id: "{{ hostvars['security'].account_id }}"
    assume_role:
      account_id: "{{ hostvars['security'].account_id }}"
    regions: [us-east-1, eu-west-1]
    guardduty:
      auto_enable_organization_members: ALL
    securityhub:
      auto_enable: true
      auto_enable_standards: DEFAULT
"""

RETURN = r"""
guardduty:
  description: Per region, GuardDuty after the change (predicted in check mode); null when not managed.
  returned: always
  type: dict
  sample:
    us-east-1:
      admin_account_id: "222222222222"
      detector_id: 12abc34d567e8fa901bc2d34e56789f0
      detector_status: ENABLED
      finding_publishing_frequency: SIX_HOURS
      auto_enable_organization_members: ALL
securityhub:
  description: Per region, Security Hub after the change (predicted in check mode); null when not managed.
  returned: always
  type: dict
  sample:
    us-east-1:
      admin_account_id: "222222222222"
      hub_arn: arn:aws:securityhub:us-east-1:222222222222:hub/default
      auto_enable: true
      auto_enable_standards: DEFAULT
changes:
  description: What the run changed (would change in check mode), one sentence each.
  returned: always
  type: list
  elements: str
"""

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError

from ansible_collections.awsorg.landing_zone.plugins.module_utils.batch.modules import AnsibleLandingZoneModule
from ansible_collections.awsorg.landing_zone.plugins.module_utils.resources.org_security_services import run


def main():
    argument_spec = dict(
        admin_account_id=dict(type="str", required=True),
        regions=dict(type="list", elements="str", default=[]),
        guardduty=dict(
            type="dict",
            options=dict(
                finding_publishing_frequency=dict(type="str", choices=["FIFTEEN_MINUTES", "ONE_HOUR", "SIX_HOURS"]),
                auto_enable_organization_members=dict(type="str", choices=["ALL", "NEW", "NONE"]),
            ),
        ),
        securityhub=dict(
            type="dict",
            options=dict(
                enable_default_standards=dict(type="bool", default=True),
                auto_enable=dict(type="bool"),
                auto_enable_standards=dict(type="str", choices=["DEFAULT", "NONE"]),
            ),
        ),
    )
    module = AnsibleLandingZoneModule(argument_spec=argument_spec, supports_check_mode=True, assume_role=True)
    try:
        module.exit_json(**run(module))
    except AnsibleAWSError as e:
        module.fail_json_aws_error(e)


if __name__ == "__main__":
    main()
