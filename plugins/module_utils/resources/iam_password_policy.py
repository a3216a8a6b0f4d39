# -*- coding: utf-8 -*-
# Copyright: Contributors to the awsorg.landing_zone collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The account password policy as account_baseline converges it, in every account of a run.

UpdateAccountPasswordPolicy replaces the whole policy (a parameter left out
goes back to its default), so every setting is always sent and compared.  0
for the maximum age or the reuse prevention means "off", which the API
expresses by leaving the parameter out.

amazon.aws.iam_password_policy sets the policy of one account per task; the
baseline needs it in-process for many accounts in one run, with check mode
and a diff, so the conversion lives here (and the rules in
common/baseline_settings.py).
"""

from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.baseline_settings import PASSWORD_POLICY_FIELDS as FIELDS
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.baseline_settings import PASSWORD_POLICY_OPTIONAL_ZERO as OPTIONAL_ZERO


def from_api(policy):
    """The module's view of an API PasswordPolicy, or None."""
    if policy is None:
        return None
    return {option: policy.get(field, default) for option, (field, default) in FIELDS.items()}


def wanted(params):
    return {option: params[option] for option in FIELDS}


def to_api(view):
    request = {}
    for option, (field, _default) in FIELDS.items():
        if option in OPTIONAL_ZERO and not view[option]:
            continue
        request[field] = view[option]
    return request
