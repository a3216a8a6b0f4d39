#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the awsorg.landing_zone collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: config_recorder
short_description: AWS Config in one account - recorder, delivery channel and recording, in several regions
version_added: 0.1.0
description:
  - In every region of O(regions) of one account, makes sure AWS Config records all supported
    resource types, delivers to O(s3_bucket_name) (normally the organization's log bucket, see
    M(awsorg.landing_zone.log_bucket)) and is recording.
  - Global resource types (IAM) are recorded in O(global_resources_region) only.
  - The recorder uses the service-linked role C(AWSServiceRoleForConfig) unless O(role_arn) is
    given; the role is created when the account has none.
  - AWS Config allows one recorder and one delivery channel per region. When a region already has
    one under another name the task fails before any change, naming it.
  - Every setting is read back, so a second run makes no write.
  - Use O(assume_role) to act inside a member account.
author:
  - awsorg.landing_zone maintainers (@awsorg)
options:
  regions:
    description: Regions to configure; the module's region when empty.
    type: list
    elements: str
    default: []
  s3_bucket_name:
    description: Bucket the configuration snapshots and history go to.
    type: str
    required: true
  delivery_frequency:
    description: How often configuration snapshots are delivered.
    type: str
    choices: [One_Hour, Three_Hours, Six_Hours, Twelve_Hours, TwentyFour_Hours]
    default: TwentyFour_Hours
  recorder_name:
    description: Name of the configuration recorder.
    type: str
    default: default
  delivery_channel_name:
    description: Name of the delivery channel.
    type: str
    default: default
  role_arn:
    description: Role the recorder uses; the service-linked role C(AWSServiceRoleForConfig) when omitted.
    type: str
  global_resources_region:
    description: The one region that records global resource types; the first of O(regions) when omitted.
    type: str
  recording:
    description: Whether the recorder is recording (V(true) starts it, V(false) stops it).
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
- name: AWS Config in two regions of a member account, to the organization's log bucket
  awsorg.landing_zone.config_recorder:
    assume_role:
      account_id: "{{ account_id }}"
    regions: [us-east-1, eu-west-1]
    s3_bucket_name: acme-log-archive-org-logs

- name: AWS Config in every account of the organization, in one run
  awsorg.landing_zone.config_recorder:
    accounts:
      - account_id: "123456789012"
        caller: true  # the management account
      - account_id: "111111111111"
      - account_id: "222222222222"
    regions: [us-east-1]
    s3_bucket_name: acme-log-archive-org-logs
"""

RETURN = r"""
accounts:
  description:
    - With O(accounts), one result per account, in the order given, each with C(account_id),
      C(changed), RV(role_arn), RV(regions) and RV(changes).
  returned: when O(accounts) is set
  type: list
  elements: dict
role_arn:
  description: Role the recorders use.
  returned: without O(accounts)
  type: str
  sample: arn:aws:iam::111111111111:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig
regions:
  description: Per region, AWS Config after the change (predicted in check mode).
  returned: without O(accounts)
  type: dict
  sample:
    us-east-1:
      recorder_name: default
      role_arn: arn:aws:iam::111111111111:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig
      all_supported: true
      include_global_resource_types: true
      delivery_channel_name: default
      s3_bucket_name: acme-log-archive-org-logs
      delivery_frequency: TwentyFour_Hours
      recording: true
changes:
  description: What the run changed (would change in check mode), one sentence each.
  returned: without O(accounts)
  type: list
  elements: str
"""

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError

from ansible_collections.awsorg.landing_zone.plugins.module_utils.batch.account_batch import run_for_accounts
from ansible_collections.awsorg.landing_zone.plugins.module_utils.resources.config_recorder import check_options
from ansible_collections.awsorg.landing_zone.plugins.module_utils.resources.config_recorder import run
from ansible_collections.awsorg.landing_zone.plugins.module_utils.batch.modules import AnsibleLandingZoneModule


def main():
    argument_spec = dict(
        regions=dict(type="list", elements="str", default=[]),
        s3_bucket_name=dict(type="str", required=True),
        delivery_frequency=dict(
            type="str",
            choices=["One_Hour", "Three_Hours", "Six_Hours", "Twelve_Hours", "TwentyFour_Hours"],
            default="TwentyFour_Hours",
        ),
        recorder_name=dict(type="str", default="default"),
        delivery_channel_name=dict(type="str", default="default"),
        role_arn=dict(type="str"),
        global_resources_region=dict(type="str"),
        recording=dict(type="bool", default=True),
    )
    module = AnsibleLandingZoneModule(argument_spec=argument_spec, supports_check_mode=True, assume_role=True, accounts=True)
    try:
        if module.params["accounts"] is not None:
            module.exit_json(**run_for_accounts(module, run, validate=check_options))
        module.exit_json(**run(module))
    except AnsibleAWSError as e:
        module.fail_json_aws_error(e)


if __name__ == "__main__":
    main()
