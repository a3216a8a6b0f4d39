#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the awsorg.landing_zone collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: org_cloudtrail
short_description: The organization trail, from the management account
version_added: 0.1.0
description:
  - Makes sure the management account has a trail that records every account of the organization
    (C(IsOrganizationTrail)) in every region, with log file validation, delivering to a bucket that
    admits it (see M(awsorg.landing_zone.log_bucket)), and that the trail is logging.
  - With O(is_organization_trail=true), trusted access for C(cloudtrail.amazonaws.com) is enabled in
    AWS Organizations first when it is not.
  - Settings are read back one by one and only what differs is updated, so a second run makes no
    write. The trail is changed in its home region (the module's region).
  - Never deletes a trail.
author:
  - awsorg.landing_zone maintainers (@awsorg)
options:
  name:
    description: Name of the trail (3 to 128 letters, digits, C(.), C(_) and C(-)).
    type: str
    required: true
  s3_bucket_name:
    description: The log bucket; it must exist and admit this trail.
    type: str
    required: true
  is_organization_trail:
    description: Record every account of the organization, not just the management account.
    type: bool
    default: true
  is_multi_region_trail:
    description: Record every region.
    type: bool
    default: true
  include_global_service_events:
    description: Record the events of global services such as IAM.
    type: bool
    default: true
  enable_log_file_validation:
    description: Deliver signed digest files that prove the log files were not changed.
    type: bool
    default: true
  logging:
    description: Whether the trail is logging (V(true) starts it, V(false) stops it).
    type: bool
    default: true
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - awsorg.landing_zone.attributes
"""

EXAMPLES = r"""
- name: The organization trail in the home region, to the log-archive bucket
  awsorg.landing_zone.org_cloudtrail:
    name: acme-organization-trail
    s3_bucket_name: acme-log-archive-org-logs
    region: us-east-1
"""

RETURN = r"""
trail:
  description: The trail after the change (predicted in check mode).
  returned: always
  type: dict
  contains:
    name:
      description: Trail name.
      type: str
    arn:
      description: Trail ARN; null in check mode when it does not exist yet.
      type: str
    home_region:
      description: Region the trail is managed in.
      type: str
    s3_bucket_name:
      description: The log bucket.
      type: str
    is_organization_trail:
      description: Whether it records the whole organization.
      type: bool
    is_multi_region_trail:
      description: Whether it records every region.
      type: bool
    include_global_service_events:
      description: Whether it records global service events.
      type: bool
    enable_log_file_validation:
      description: Whether log file validation is on.
      type: bool
    is_logging:
      description: Whether the trail is logging.
      type: bool
changes:
  description: What the run changed (would change in check mode), one sentence each.
  returned: always
  type: list
  elements: str
"""

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError

from ansible_collections.awsorg.landing_zone.plugins.module_utils.batch.modules import AnsibleLandingZoneModule
from ansible_collections.awsorg.landing_zone.plugins.module_utils.resources.org_cloudtrail import run


def main():
    argument_spec = dict(
        name=dict(type="str", required=True),
        s3_bucket_name=dict(type="str", required=True),
        is_organization_trail=dict(type="bool", default=True),
        is_multi_region_trail=dict(type="bool", default=True),
        include_global_service_events=dict(type="bool", default=True),
        enable_log_file_validation=dict(type="bool", default=True),
        logging=dict(type="bool", default=True),
    )
    module = AnsibleLandingZoneModule(argument_spec=argument_spec, supports_check_mode=True)
    try:
        module.exit_json(**run(module))
    except AnsibleAWSError as e:
        module.fail_json_aws_error(e)


if __name__ == "__main__":
    main()
