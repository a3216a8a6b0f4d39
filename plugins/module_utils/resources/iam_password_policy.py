# -*- coding: utf-8 -*-
# Copyright: Contributors to the awsorg.landing_zone collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Converge the account password policy.

UpdateAccountPasswordPolicy replaces the whole policy (a parameter left out
goes back to its default), so the module always sends every setting and
compares every setting.  0 for the maximum age or the reuse prevention means
"off", which the API expresses by leaving the parameter out.
"""

from ansible_collections.awsorg.landing_zone.plugins.module_utils.aws import iam
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.baseline_settings import PASSWORD_POLICY_FIELDS as FIELDS
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.baseline_settings import PASSWORD_POLICY_OPTIONAL_ZERO as OPTIONAL_ZERO
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.baseline_settings import PasswordPolicyError as ValidationError
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.baseline_settings import check_password_policy as validate

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


def run(module):
    try:
        validate(module.params)
    except ValidationError as e:
        module.fail_json(msg=str(e))
    client = module.client("iam")
    before = from_api(iam.get_account_password_policy(client))
    after = None if module.params["state"] == "absent" else wanted(module.params)
    changed = before != after
    if changed and not module.check_mode:
        if after is None:
            iam.delete_account_password_policy(client)
        else:
            iam.update_account_password_policy(client, **to_api(after))
    return dict(changed=changed, password_policy=after, diff=dict(before=before, after=after))
