#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the awsorg.landing_zone collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: account_baseline
short_description: The security baseline of one account in one module run
version_added: 0.1.0
description:
  - Converges the account-wide settings every account of the landing zone gets - the account
    alias, the IAM password policy, the account-level S3 public access block, EBS encryption by
    default (and its KMS key) in each of O(regions), and the billing, operations and security
    alternate contacts.
  - A setting left out (or null) is neither read nor changed.
  - Every option is checked, then every managed setting is read, before anything is written; a
    KMS key that does not exist in one of the regions fails before the first write.
  - With O(assume_role) it acts inside a member account through its role, like the other
    per-account modules; without it, in the caller's own account.
author:
  - awsorg.landing_zone maintainers (@awsorg)
options:
  account_alias:
    description:
      - The account alias (sign-in URL C(https://<alias>.signin.aws.amazon.com/console)), 3-63
        lowercase letters, digits and single hyphens. Aliases are unique across all of AWS.
      - An account has at most one alias; a different one replaces it.
    type: str
  password_policy:
    description:
      - The IAM account password policy for IAM users' console passwords. The whole policy is managed
        (C(UpdateAccountPasswordPolicy) replaces it); settings left out take AWS's defaults.
      - Given alone, only the password policy is read and set. To delete the policy (AWS's default rules
        apply again), use M(amazon.aws.iam_password_policy) with C(state=absent).
    type: dict
    suboptions:
      minimum_password_length:
        description: Minimum number of characters, 6 to 128.
        type: int
        default: 6
      require_symbols:
        description: Passwords need a symbol.
        type: bool
        default: false
      require_numbers:
        description: Passwords need a digit.
        type: bool
        default: false
      require_uppercase:
        description: Passwords need an uppercase letter.
        type: bool
        default: false
      require_lowercase:
        description: Passwords need a lowercase letter.
        type: bool
        default: false
      allow_password_change:
        description: Users may change their own password.
        type: bool
        default: false
      password_max_age:
        description: Days a password stays valid, 1 to 1095; V(0) for never expiring.
        type: int
        default: 0
      password_reuse_prevent:
        description: Previous passwords that may not be reused, 1 to 24; V(0) allows reuse.
        type: int
        default: 0
      hard_expiry:
        description: Expired passwords can only be reset by an administrator.
        type: bool
        default: false
  s3_public_access_block:
    description:
      - The S3 public access block of the whole account (S3 Control C(PutPublicAccessBlock)), which
        applies to every bucket and access point in it.
    type: dict
    suboptions:
      block_public_acls:
        description: Refuse requests that set public ACLs.
        type: bool
        default: true
      ignore_public_acls:
        description: Ignore public ACLs on buckets and objects.
        type: bool
        default: true
      block_public_policy:
        description: Refuse bucket policies that grant public access.
        type: bool
        default: true
      restrict_public_buckets:
        description: Only AWS services and the account's principals may use buckets with public policies.
        type: bool
        default: true
  ebs_encryption_by_default:
    description: Encrypt every new EBS volume and snapshot copy, in each of O(regions).
    type: bool
  ebs_default_kms_key_id:
    description:
      - The KMS key EBS encryption by default uses, in each of O(regions) - key id, key ARN, alias
        name (C(alias/ebs)) or alias ARN; it must exist in every region.
      - When not set, the key is left as it is (the AWS managed C(alias/aws/ebs) unless changed).
    type: str
  regions:
    description:
      - Regions where the EBS settings apply (they are per region).
      - Default, the module's region.
    type: list
    elements: str
  alternate_contacts:
    description:
      - Alternate contacts of the account. Contact types left out are left as they are.
    type: dict
    suboptions:
      billing:
        description: The billing contact.
        type: dict
        suboptions: &contact
          name:
            description: Full name, up to 64 characters.
            type: str
            required: true
          title:
            description: Title or role, up to 50 characters.
            type: str
            required: true
          email_address:
            description: Email address, up to 254 characters.
            type: str
            required: true
          phone_number:
            description: Phone number, up to 25 characters of digits, spaces, parentheses, plus and hyphen.
            type: str
            required: true
      operations:
        description: The operations contact.
        type: dict
        suboptions: *contact
      security:
        description: The security contact.
        type: dict
        suboptions: *contact
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - awsorg.landing_zone.attributes
  - awsorg.landing_zone.assume_role
  - awsorg.landing_zone.accounts
"""

EXAMPLES = r"""
- name: The baseline of a member account, EBS in two regions
  awsorg.landing_zone.account_baseline:
    assume_role:
      account_id: "{{ account_id }}"
    account_alias: acme-production
    password_policy:
      minimum_password_length: 16
      require_symbols: true
      require_numbers: true
      require_uppercase: true
      require_lowercase: true
      allow_password_change: true
      password_reuse_prevent: 24
    s3_public_access_block: {}
    ebs_encryption_by_default: true
    regions: [us-east-1, eu-west-1]
    alternate_contacts:
      security:
        name: Security Team
        title: Security
        email_address: security@example.com
        phone_number: "+1 555 0100"

- name: Only the EBS key, with a customer managed key per region
  awsorg.landing_zone.account_baseline:
    ebs_encryption_by_default: true
    ebs_default_kms_key_id: alias/ebs-default
    regions: [eu-west-1]

- name: A whole deploy wave in one run; each account has its own alias
  awsorg.landing_zone.account_baseline:
    accounts:
      - account_id: "123456789012"
        caller: true  # the management account: no member role to assume
        params: {account_alias: acme-management}
      - account_id: "210987654321"
        params: {account_alias: acme-production}
    password_policy: {minimum_password_length: 16}
    s3_public_access_block: {}
    ebs_encryption_by_default: true
"""

RETURN = r"""
baseline:
  description:
    - The managed settings after the run (predicted in check mode); settings not managed by the
      task are absent.
  returned: without O(accounts)
  type: dict
  contains:
    account_alias:
      description: The alias.
      type: str
      sample: acme-production
    password_policy:
      description: The password policy, with the option names of O(password_policy).
      type: dict
    s3_public_access_block:
      description: The account's S3 public access block, with the option names of O(s3_public_access_block).
      type: dict
    ebs:
      description: Per region, C(encryption_by_default) and, when O(ebs_default_kms_key_id) is set, C(default_kms_key_id) (an ARN).
      type: dict
      sample:
        us-east-1:
          encryption_by_default: true
    alternate_contacts:
      description: Per contact type (C(billing), C(operations), C(security)), the contact.
      type: dict
changed_settings:
  description: The settings that changed (or would in check mode), such as V(account_alias) or V(ebs:eu-west-1).
  returned: without O(accounts)
  type: list
  elements: str
  sample: [account_alias, "alternate_contacts:security"]
accounts:
  description:
    - With O(accounts), one result per account, in the order given; RV(baseline) and RV(changed_settings)
      are then inside each element.
  returned: when O(accounts) is set
  type: list
  elements: dict
  contains:
    account_id:
      description: The account.
      type: str
    changed:
      description: Whether this account changed.
      type: bool
    baseline:
      description: As RV(baseline), for this account.
      type: dict
    changed_settings:
      description: As RV(changed_settings), for this account.
      type: list
      elements: str
"""

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError

from ansible_collections.awsorg.landing_zone.plugins.module_utils.batch.account_batch import run_for_accounts
from ansible_collections.awsorg.landing_zone.plugins.module_utils.resources.account_baseline import argument_spec_of_one_account
from ansible_collections.awsorg.landing_zone.plugins.module_utils.resources.account_baseline import check_settings
from ansible_collections.awsorg.landing_zone.plugins.module_utils.resources.account_baseline import run
from ansible_collections.awsorg.landing_zone.plugins.module_utils.batch.modules import AnsibleLandingZoneModule


def main():
    argument_spec = argument_spec_of_one_account()
    module = AnsibleLandingZoneModule(argument_spec=argument_spec, supports_check_mode=True, assume_role=True, accounts=True)
    try:
        if module.params["accounts"] is not None:
            module.exit_json(**run_for_accounts(module, run, validate=check_settings))
        module.exit_json(**run(module))
    except AnsibleAWSError as e:
        module.fail_json_aws_error(e)


if __name__ == "__main__":
    main()
