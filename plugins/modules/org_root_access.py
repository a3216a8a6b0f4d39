#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the awsorg.landing_zone collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: org_root_access
short_description: Turn the organization's centralized root access on or off
version_added: 0.1.0
description:
  - Enables or disables IAM's centralized root access features of the organization, from the
    management account - root credentials management (IAM's
    C(EnableOrganizationsRootCredentialsManagement)) and privileged root sessions
    (C(EnableOrganizationsRootSessions)); reads them with C(ListOrganizationsFeatures).
  - Both need trusted access for C(iam.amazonaws.com) in the organization, which
    M(awsorg.landing_zone.org_organization) enables (O(awsorg.landing_zone.org_organization#module:aws_service_access_principals)).
    Without it, the module fails before any write; in check mode it warns and predicts.
  - An option left unset leaves its feature as it is.
  - The member accounts' root credentials are reported and removed by M(awsorg.landing_zone.root_credentials).
author:
  - awsorg.landing_zone maintainers (@awsorg)
options:
  credentials_management:
    description:
      - Whether the management account (and IAM's delegated administrator) manages the member
        accounts' root user credentials (feature C(RootCredentialsManagement)).
    type: bool
  root_sessions:
    description:
      - Whether the management account (and IAM's delegated administrator) may perform privileged
        root tasks in member accounts (feature C(RootSessions)).
    type: bool
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - awsorg.landing_zone.attributes
"""

EXAMPLES = r"""
- name: Centralized root access for the member accounts
  awsorg.landing_zone.org_root_access:
    credentials_management: true
    root_sessions: true
"""

RETURN = r"""
enabled_features:
  description: The features enabled after the run (predicted in check mode).
  returned: always
  type: list
  elements: str
  sample: [RootCredentialsManagement, RootSessions]
trusted_access:
  description: Whether trusted access for C(iam.amazonaws.com) is enabled (or, in check mode, expected to be).
  returned: always
  type: bool
"""

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError

from ansible_collections.awsorg.landing_zone.plugins.module_utils.batch.modules import AnsibleLandingZoneModule
from ansible_collections.awsorg.landing_zone.plugins.module_utils.resources.org_root_access import run


def main():
    argument_spec = dict(
        credentials_management=dict(type="bool"),
        root_sessions=dict(type="bool"),
    )
    module = AnsibleLandingZoneModule(argument_spec=argument_spec, supports_check_mode=True)
    try:
        module.exit_json(**run(module))
    except AnsibleAWSError as e:
        module.fail_json_aws_error(e)


if __name__ == "__main__":
    main()
