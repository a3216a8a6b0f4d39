#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the awsorg.landing_zone collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: log_bucket
short_description: The organization's hardened log bucket for CloudTrail and AWS Config
version_added: 0.1.0
description:
  - "Makes sure the log-archive account has the bucket the organization trail and AWS Config of every
    account deliver to, hardened like the Terraform state bucket of M(awsorg.landing_zone.tf_backend)
    (the same code): versioning, default encryption SSE-S3, all four public access block settings,
    C(BucketOwnerEnforced) object ownership and a statement denying requests without TLS."
  - "The bucket policy admits the services of this organization only: with O(cloudtrail), CloudTrail
    may read the bucket ACL and write under C(AWSLogs/<management account id>/) and
    C(AWSLogs/<organization id>/), for the named organization trail only (C(aws:SourceArn));
    with O(config_delivery), AWS Config may check the bucket and write under C(AWSLogs/*/Config/)
    for accounts of the organization only (C(aws:SourceOrgID))."
  - Only these statements (matched by C(Sid)) are managed; other statements of the policy stay.
  - Every setting is read back and only what differs is written, so a second run changes nothing.
  - Use O(assume_role) to act inside the log-archive account.
author:
  - awsorg.landing_zone maintainers (@awsorg)
options:
  name:
    description: Name of the bucket, checked against the S3 bucket naming rules before any change.
    type: str
    required: true
  organization_id:
    description: Id of the organization, C(o-...); read with C(DescribeOrganization) when omitted.
    type: str
  management_account_id:
    description:
      - Id of the management account, which owns the organization trail; read with
        C(DescribeOrganization) when omitted.
    type: str
  cloudtrail:
    description: Admit the organization trail.
    type: dict
    suboptions:
      trail_name:
        description: Name of the organization trail (M(awsorg.landing_zone.org_cloudtrail)).
        type: str
        required: true
      trail_region:
        description: Home region of the trail; the module's region when omitted.
        type: str
  config_delivery:
    description: Admit AWS Config delivery from every account of the organization.
    type: bool
    default: false
  deny_insecure_transport:
    description:
      - Add the statement C(DenyInsecureTransport), which denies every request made without TLS.
      - Turn it off only for an S3-compatible endpoint served over plain HTTP.
    type: bool
    default: true
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - awsorg.landing_zone.attributes
  - awsorg.landing_zone.assume_role
"""

EXAMPLES = r"""
- name: The log bucket in the log-archive account
  awsorg.landing_zone.log_bucket:
    assume_role:
      account_id: "{{ hostvars['log-archive'].account_id }}"
    name: acme-log-archive-org-logs
    cloudtrail:
      trail_name: acme-organization-trail
    config_delivery: true
"""

RETURN = r"""
bucket:
  description: The bucket after the change (predicted in check mode).
  returned: always
  type: dict
  contains:
    name:
      description: Bucket name.
      type: str
    arn:
      description: Bucket ARN.
      type: str
    region:
      description: Region of the bucket.
      type: str
    versioning:
      description: V(Enabled).
      type: str
    encryption:
      description: Default encryption (C(sse_algorithm), C(kms_key_id), C(bucket_key_enabled)).
      type: dict
    public_access_block:
      description: The four public access block settings.
      type: dict
    object_ownership:
      description: V(BucketOwnerEnforced).
      type: str
    policy_statement_ids:
      description: The C(Sid) of every statement of the bucket policy.
      type: list
      elements: str
organization_id:
  description: The organization the policy admits.
  returned: always
  type: str
  sample: o-exampleorgid
management_account_id:
  description: The management account, owner of the organization trail.
  returned: always
  type: str
trail_arn:
  description: ARN of the trail the policy admits, or null without O(cloudtrail).
  returned: always
  type: str
  sample: arn:aws:cloudtrail:us-east-1:111111111111:trail/acme-organization-trail
changes:
  description: What the run changed (would change in check mode), one sentence each.
  returned: always
  type: list
  elements: str
"""

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError

from ansible_collections.awsorg.landing_zone.plugins.module_utils.resources.log_bucket import run
from ansible_collections.awsorg.landing_zone.plugins.module_utils.batch.modules import AnsibleLandingZoneModule


def main():
    argument_spec = dict(
        name=dict(type="str", required=True),
        organization_id=dict(type="str"),
        management_account_id=dict(type="str"),
        cloudtrail=dict(
            type="dict",
            options=dict(
                trail_name=dict(type="str", required=True),
                trail_region=dict(type="str"),
            ),
        ),
        config_delivery=dict(type="bool", default=False),
        deny_insecure_transport=dict(type="bool", default=True),
    )
    module = AnsibleLandingZoneModule(argument_spec=argument_spec, supports_check_mode=True, assume_role=True)
    try:
        module.exit_json(**run(module))
    except AnsibleAWSError as e:
        module.fail_json_aws_error(e)


if __name__ == "__main__":
    main()
