# -*- coding: utf-8 -*-
# Copyright: Contributors to the awsorg.landing_zone collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)


class ModuleDocFragment:
    DOCUMENTATION = r"""
options:
  assume_role:
    description:
      - Act inside another account of the organization by assuming a role there first.
      - The caller's credentials (from the standard AWS options or the environment) call
        C(sts:AssumeRole); every AWS call of the module then uses the temporary credentials.
      - For a few minutes after an account is created its role can answer C(AccessDenied);
        the module retries until O(assume_role.timeout) seconds have passed.
    type: dict
    suboptions:
      account_id:
        description:
          - Twelve-digit id of the account to act in. The role assumed is
            C(arn:<partition>:iam::<account_id>:role/<role_name>), in the caller's partition - the
            partition of the module's region (C(aws), C(aws-cn) for C(cn-north-1), C(aws-us-gov) for
            C(us-gov-west-1)), or of the caller identity's ARN for a region botocore does not know.
          - Exactly one of O(assume_role.account_id) and O(assume_role.role_arn) is required.
        type: str
      role_name:
        description: Name of the role in O(assume_role.account_id).
        type: str
        default: OrganizationAccountAccessRole
      role_arn:
        description: Full ARN of the role to assume, instead of O(assume_role.account_id).
        type: str
      external_id:
        description: External id the role's trust policy asks for.
        type: str
      session_name:
        description: Role session name, visible in CloudTrail.
        type: str
        default: awsorg-landing-zone
      duration_seconds:
        description: Lifetime of the temporary credentials.
        type: int
        default: 3600
      timeout:
        description:
          - Seconds to keep retrying while the role is not yet assumable.
          - Also how long the account's calls keep retrying, from its first such answer, while a just-created
            account's services answer that it is not ready yet (C(OptInRequired), C(PendingVerification),
            C(AuthFailure), C(SubscriptionRequiredException)).
        type: int
        default: 300
"""
