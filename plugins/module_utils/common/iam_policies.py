# -*- coding: utf-8 -*-
# Copyright: Contributors to the awsorg.landing_zone collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Pure IAM policy helpers shared by the cross-account role and group, and the preflight.

No AWS call here: the policy grammar, names IAM accepts, the MFA condition and
the comparison of two documents.
"""

import json
import re

from ansible_collections.amazon.aws.plugins.module_utils.policy import compare_policies

from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.service_inputs import is_account_id

POLICY_VERSION = "2012-10-17"
# IAM API Reference, PutRolePolicy PolicyName
# (https://docs.aws.amazon.com/IAM/latest/APIReference/API_PutRolePolicy.html): 1-128 of [\w+=,.@-].
# IAM's \w is ASCII letters, digits and underscore (re.ASCII: Python's would also take "é"); match
# with fullmatch, as a "$" anchor would let a trailing newline through.
POLICY_NAME = re.compile(r"[\w+=,.@-]{1,128}", re.ASCII)
MANAGED_POLICY_ARN = re.compile(r"arn:aws[a-z-]*:iam::(aws|[0-9]{12}):policy/(?:[\w+=,.@-]+/)*[\w+=,.@-]{1,128}", re.ASCII)


class ValidationError(ValueError):
    """Bad module input; the message names the option and the value."""


def check_account_id(field, value):
    if not is_account_id(value):
        raise ValidationError(f"{field}: {value!r} is not a 12-digit AWS account id")
    return str(value)


def mfa_condition():
    # aws:MultiFactorAuthPresent is only present in requests signed with
    # credentials obtained with MFA; "Bool ... true" therefore denies both
    # long-term keys and sessions without MFA.
    return {"Bool": {"aws:MultiFactorAuthPresent": "true"}}


def parse_policy(field, policy):
    """A policy given as a dict or a JSON string, as a dict; raises ValidationError."""
    if isinstance(policy, str):
        try:
            policy = json.loads(policy)
        except ValueError as e:
            raise ValidationError(f"{field}: not valid JSON ({e})") from e
    if not isinstance(policy, dict) or "Statement" not in policy:
        raise ValidationError(f"{field}: a policy document needs a Statement, got {policy!r}")
    return policy


def policies_differ(current, wanted):
    return current is None or compare_policies(current, wanted)


def policy_size(document):
    """Characters IAM counts against its policy size limits: the JSON without any white space."""
    return sum(1 for char in json.dumps(document, separators=(",", ":")) if not char.isspace())
