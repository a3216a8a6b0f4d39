# -*- coding: utf-8 -*-
# Copyright: Contributors to the awsorg.landing_zone collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The account baseline's settings and the rules IAM and Account Management apply to them.

Pure: the account_baseline module checks its options with these rules, and the
preflight checks ``landing_zone_baseline`` with the same ones before any write.
"""

import re

from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.service_inputs import REGION

# IAM CreateAccountAlias AccountAlias
# (https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateAccountAlias.html): 3-63 lowercase
# letters, digits and single hyphens, not starting or ending with a hyphen; an alias of digits only
# could pass for an account id.  Every pattern here is matched with fullmatch: a "$" anchor would let
# a trailing newline through.
_ALIAS = re.compile(r"[a-z0-9](?:[a-z0-9]|-(?!-)){1,61}[a-z0-9]")
# AWS Account Management's PutAlternateContact limits
# (https://docs.aws.amazon.com/accounts/latest/reference/API_AlternateContact.html): EmailAddress
# matches [\s]*[\w+=.#|!&-]+@[\w.-]+\.[\w]+[\s]*, where \w is ASCII (re.ASCII: Python's \w would
# also take "é").
_CONTACT_EMAIL = re.compile(r"\s*[\w+=.#|!&-]+@[\w.-]+\.\w+\s*", re.ASCII)
_CONTACT_PHONE = re.compile(r"[\s0-9()+-]+", re.ASCII)
CONTACT_LIMITS = {"name": 64, "title": 50, "email_address": 254, "phone_number": 25}
CONTACT_TYPES = {"billing": "BILLING", "operations": "OPERATIONS", "security": "SECURITY"}


# option -> (API field, default when the API omits it)
PASSWORD_POLICY_FIELDS = {
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
PASSWORD_POLICY_RANGES = {
    "minimum_password_length": (6, 128),
    "password_max_age": (1, 1095),
    "password_reuse_prevent": (1, 24),
}
PASSWORD_POLICY_OPTIONAL_ZERO = ("password_max_age", "password_reuse_prevent")


class PasswordPolicyError(ValueError):
    """A password policy setting IAM would refuse."""


def check_password_policy(params):
    for option, (low, high) in PASSWORD_POLICY_RANGES.items():
        value = params[option]
        if option in PASSWORD_POLICY_OPTIONAL_ZERO and value == 0:
            continue
        if not low <= value <= high:
            off = " (or 0 for none)" if option in PASSWORD_POLICY_OPTIONAL_ZERO else ""
            raise PasswordPolicyError(f"{option}: {value} is not between {low} and {high}{off}")


PASSWORD_POLICY_DEFAULTS = {option: default for option, (_field, default) in PASSWORD_POLICY_FIELDS.items()}


# --- validation ------------------------------------------------------------------


def alias_problem(alias):
    """Why IAM would refuse ``alias``, or None."""
    if not isinstance(alias, str) or not _ALIAS.fullmatch(alias):
        return (f"{alias!r} must be 3-63 lowercase letters, digits and single hyphens, starting and ending"
                " with a letter or digit")
    if alias.isdigit():
        return f"{alias!r} must not be digits only (it would look like an account id)"
    return None


def _password_policy_problems(policy):
    if not isinstance(policy, dict):
        return [f"password_policy: must be a mapping, got {policy!r}"]
    unknown = sorted(set(policy) - set(PASSWORD_POLICY_DEFAULTS))
    if unknown:
        return [f"password_policy: unknown setting {unknown[0]!r}; allowed: {', '.join(PASSWORD_POLICY_DEFAULTS)}"]
    merged = dict(PASSWORD_POLICY_DEFAULTS, **{k: v for k, v in policy.items() if v is not None})
    try:
        check_password_policy(merged)
    except PasswordPolicyError as e:
        return [f"password_policy.{e}"]
    except TypeError:
        return [f"password_policy: the lengths and ages must be integers, got {policy!r}"]
    return []


def _contact_problems(contacts):
    if not isinstance(contacts, dict):
        return [f"alternate_contacts: must be a mapping of billing, operations, security, got {contacts!r}"]
    problems = []
    for kind, contact in contacts.items():
        if kind not in CONTACT_TYPES:
            problems.append(f"alternate_contacts: {kind!r} is not one of {', '.join(CONTACT_TYPES)}")
            continue
        if contact is None:
            continue
        if not isinstance(contact, dict):
            problems.append(f"alternate_contacts.{kind}: must be a mapping, got {contact!r}")
            continue
        for field, limit in CONTACT_LIMITS.items():
            value = contact.get(field)
            where = f"alternate_contacts.{kind}.{field}"
            if not isinstance(value, str) or not value.strip():
                problems.append(f"{where}: is required, got {value!r}")
            elif len(value) > limit:
                problems.append(f"{where}: must be at most {limit} characters, got {len(value)}")
            elif field == "email_address" and not _CONTACT_EMAIL.fullmatch(value):
                problems.append(f"{where}: {value!r} is not an email address")
            elif field == "phone_number" and not _CONTACT_PHONE.fullmatch(value):
                problems.append(f"{where}: {value!r} may only hold digits, spaces and ( ) + -")
    return problems


def settings_problems(settings):
    """Every problem of the baseline settings (module options, or landing_zone_baseline), by option."""
    problems = []
    alias = settings.get("account_alias")
    if alias is not None:
        problem = alias_problem(alias)
        if problem:
            problems.append(f"account_alias: {problem}")
    if settings.get("password_policy") is not None:
        problems.extend(_password_policy_problems(settings["password_policy"]))
    regions = settings.get("regions")
    if regions is not None:
        if isinstance(regions, str) or not isinstance(regions, (list, tuple)):
            problems.append(f"regions: must be a list of region names, got {regions!r}")
        else:
            problems.extend(
                f"regions: {region!r} is not a region name such as 'eu-west-1'"
                for region in regions
                if not isinstance(region, str) or not REGION.fullmatch(region)
            )
    key = settings.get("ebs_default_kms_key_id")
    if key is not None and (not isinstance(key, str) or not key.strip()):
        problems.append(f"ebs_default_kms_key_id: must be a key id, key ARN, alias name or alias ARN, got {key!r}")
    if settings.get("alternate_contacts") is not None:
        problems.extend(_contact_problems(settings["alternate_contacts"]))
    return problems
