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

# option -> (API field, default when the API omits it)
FIELDS = {
    "minimum_password_length": ("MinimumPasswordLength", 6),
    "require_symbols": ("RequireSymbols", False),
    "require_numbers": ("RequireNumbers", False),
    "require_uppercase": ("RequireUppercaseCharacters", False),
    "require_lowercase": ("RequireLowercaseCharacters", False),
    "allow_password_change": ("AllowUsersToChangePassword", False),
    "password_max_age": ("MaxPasswordAge", 0),
    "password_reuse_prevent": ("PasswordReusePrevention", 0),
    "hard_expiry": ("HardExpiry", False),
}
# option -> (lowest, highest) accepted by IAM; 0 also means "off" for the last two.
RANGES = {
    "minimum_password_length": (6, 128),
    "password_max_age": (1, 1095),
    "password_reuse_prevent": (1, 24),
}
OPTIONAL_ZERO = ("password_max_age", "password_reuse_prevent")


class ValidationError(ValueError):
    pass


def validate(params):
    for option, (low, high) in RANGES.items():
        value = params[option]
        if option in OPTIONAL_ZERO and value == 0:
            continue
        if not low <= value <= high:
            off = " (or 0 for none)" if option in OPTIONAL_ZERO else ""
            raise ValidationError(f"{option}: {value} is not between {low} and {high}{off}")


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
