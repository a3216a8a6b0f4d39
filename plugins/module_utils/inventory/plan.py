# -*- coding: utf-8 -*-
# Copyright: Contributors to the awsorg.landing_zone collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Validate a landing-zone inventory and derive the plan every role reads.

Pure Python, no AWS calls: the preflight play runs it on the controller
before anything is written, and it reports every problem at once, each as
``host: variable: what is wrong (value)``.

The plan holds, per account host, the values the roles use (``name``,
``email``, ``ou``, ``wave``, ``state``, ``close``, ``id``, ``tags``,
``alias``; inventory/schema.py's ``HOST_VARIABLES`` say which variable each
comes from), and ``params``: the options of each batched module for that
account, which the roles pass straight through (``module_params`` turns
them around, module by module, for the ``landing_zone_params`` fact).
"""

import copy
import re

from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.account_quotas import CLOSE_REQUESTED_TAG
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.baseline_settings import PASSWORD_POLICY_DEFAULTS
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.baseline_settings import alias_problem
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.baseline_settings import settings_problems as baseline_problems
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.ou_paths import OUPathError
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.ou_paths import normalize_ou_path
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.ou_paths import split_ou_path
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.service_inputs import MAX_TAGS
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.service_inputs import tag_value_text
from ansible_collections.awsorg.landing_zone.plugins.module_utils.inventory import checks
from ansible_collections.awsorg.landing_zone.plugins.module_utils.inventory.checks import Problems
from ansible_collections.awsorg.landing_zone.plugins.module_utils.inventory.schema import HOST_VARIABLES
from ansible_collections.awsorg.landing_zone.plugins.module_utils.inventory.schema import unknown_host_variables
from ansible_collections.awsorg.landing_zone.plugins.module_utils.inventory.schema import unknown_variables
from ansible_collections.awsorg.landing_zone.plugins.module_utils.inventory.schema import variable
from ansible_collections.awsorg.landing_zone.plugins.module_utils.inventory.schema import variables_problems
from ansible_collections.awsorg.landing_zone.plugins.module_utils.inventory.setting import UNSET
from ansible_collections.awsorg.landing_zone.plugins.module_utils.inventory.setting import Derived
from ansible_collections.awsorg.landing_zone.plugins.module_utils.inventory.setting import as_problems
from ansible_collections.awsorg.landing_zone.plugins.module_utils.inventory.setting import is_integer
from ansible_collections.awsorg.landing_zone.plugins.module_utils.inventory.setting import value_problems

_PROJECT = re.compile(r"^[a-z][a-z0-9-]{0,30}[a-z0-9]$")
DEFAULT_ALIAS_PATTERN = variable("landing_zone_baseline").field("account_alias").default


class AccountContext:
    """What a per-account default is computed from."""

    def __init__(self, host, settings, management, problems):
        self.host = host
        self.settings = settings
        self.management = management
        self.problems = problems


def _declared_ous(settings, problems):
    """Declared OU paths plus their parents; the quarantine OU is declared implicitly."""
    declared = {"/"}
    paths = list(settings.get("landing_zone_organizational_units") or [])
    quarantine = settings.get("landing_zone_quarantine_ou")
    if quarantine:
        paths.append(quarantine)
    for path in paths:
        try:
            parts = split_ou_path(path)
        except OUPathError as e:
            problems.add("all", "landing_zone_organizational_units", str(e))
            continue
        for depth in range(1, len(parts) + 1):
            declared.add("/" + "/".join(parts[:depth]))
    return declared


# --- one account ----------------------------------------------------------------------------

# How a checked value is kept in the plan (a value of the wrong kind is kept as
# given: its problem is reported, and no role runs).
_CONVERSIONS = {
    "account_id": str,
    "account_wave": lambda value: int(value) if is_integer(value) else None,
    "account_close": lambda value: value is True,
    "account_tags": lambda tags: {str(k): tag_value_text(v) or str(v) for k, v in tags.items()}
    if isinstance(tags, dict) else {},
}


def _resolved(setting, given, context):
    """The host's value, else the setting's default (computed for this account when it is Derived)."""
    if given is not None and given != "":
        return given
    if isinstance(setting.default, Derived):
        return setting.default.compute(context)
    return None if setting.default is UNSET else copy.deepcopy(setting.default)


def _account_entry(host, hostvars, settings, declared_ous, management, problems):
    context = AccountContext(host, settings, host in management, problems)
    entry = dict(host=host, management=context.management)
    for setting in HOST_VARIABLES:
        value = _resolved(setting, hostvars.get(setting.name), context)
        found = value_problems(setting, value) if value is not None else []
        for _label, message in as_problems(setting.name, found):
            problems.add(host, setting.name, message)
        convert = _CONVERSIONS.get(setting.name)
        entry[setting.plan] = convert(value) if convert and value is not None and not found else value
    if entry["wave"] is not None and not isinstance(entry["wave"], int):
        entry["wave"] = None
    # Only a name the inventory writes down renames an existing account (org_account's rename).
    entry["name_given"] = hostvars.get("account_name") not in (None, "")
    _check_account(entry, settings, declared_ous, problems)
    return entry


def _quarantine_ou(settings):
    try:
        return normalize_ou_path(settings.get("landing_zone_quarantine_ou") or variable("landing_zone_quarantine_ou").default)
    except OUPathError:
        return None  # named as an OU problem


def _check_account(entry, settings, declared_ous, problems):
    """What one account's values mean together: an email or an id, a declared OU, management rules."""
    host = entry["host"]
    if not entry["email"] and not entry["id"]:
        problems.add(host, "account_email", "is required (or set landing_zone_email_pattern, or account_id to adopt)")
    ou = entry["ou"]
    if isinstance(ou, str):
        try:
            ou = entry["ou"] = normalize_ou_path(ou)
            if ou not in declared_ous:
                problems.add(host, "account_ou", f"{ou!r} is not in landing_zone_organizational_units")
        except OUPathError as e:
            problems.add(host, "account_ou", str(e))
    quarantine = _quarantine_ou(settings)
    if entry["state"] == "present" and quarantine and isinstance(ou, str) and (
            ou == quarantine or ou.startswith(quarantine.rstrip("/") + "/")):
        problems.add(host, "account_ou",
                     f"{ou!r} is landing_zone_quarantine_ou, where retired accounts go; a present account there is"
                     " blocked by the quarantine's deny-all SCP, its own baseline included. Give it another OU, or"
                     " retire it with account_state: absent")
    if entry["state"] == "absent" and entry["management"]:
        problems.add(host, "account_state", "the management account cannot be retired")
    _check_room_for_the_close_tag(entry, problems)
    opt_in, opt_out = entry.get("opt_in_regions"), entry.get("opt_out_regions")
    if isinstance(opt_in, list) and isinstance(opt_out, list):
        both = sorted({r for r in opt_in if isinstance(r, str)} & {r for r in opt_out if isinstance(r, str)})
        if both:
            problems.add(host, "account_opt_out_regions",
                         f"{', '.join(both)} cannot be both enabled and disabled (also in account_opt_in_regions,"
                         " or landing_zone_opt_in_regions)")


def _check_room_for_the_close_tag(entry, problems):
    """An account to close keeps one of AWS's 50 tags free: closing tags it first (common/account_quotas.py)."""
    tags = entry["tags"]
    if entry["state"] != "absent" or entry["close"] is not True or not isinstance(tags, dict):
        return
    if len(tags) >= MAX_TAGS and CLOSE_REQUESTED_TAG not in tags:
        problems.add(entry["host"], "account_tags",
                     f"{len(tags)} tags leave no room for {CLOSE_REQUESTED_TAG!r}, which account_close adds before"
                     f" CloseAccount; AWS allows at most {MAX_TAGS} on one resource, so keep at most {MAX_TAGS - 1}")


def _check_unique(accounts, key, variable_name, problems):
    seen = {}
    for entry in accounts:
        value = entry.get(key)
        if not value or not isinstance(value, str):
            continue
        folded = value.lower()
        if folded in seen:
            problems.add(entry["host"], variable_name, f"{value!r} is also used by {seen[folded]}")
        else:
            seen[folded] = entry["host"]


def _check_waves(accounts, settings, problems):
    """Management alone in wave 0; identity and state-backend accounts before the rest."""
    for entry in accounts:
        if entry["wave"] is None:
            continue
        if entry["management"] and entry["wave"] != 0:
            problems.add(entry["host"], "account_wave", f"the management account deploys in wave 0, got {entry['wave']}")
        if not entry["management"] and entry["wave"] == 0:
            problems.add(entry["host"], "account_wave", "wave 0 is the management account's; use 1 or more")
    foundations = {}
    for name in ("landing_zone_identity_account", "landing_zone_tf_backend_account"):
        host = settings.get(name)
        if host:
            foundations[host] = name
    by_host = {e["host"]: e for e in accounts}
    for host, name in foundations.items():
        base = by_host.get(host)
        if base is None or base["wave"] is None or base["management"]:
            continue
        for entry in accounts:
            if entry["host"] in foundations or entry["management"] or entry["wave"] is None:
                continue
            if entry["state"] == "present" and entry["wave"] <= base["wave"]:
                problems.add(
                    entry["host"],
                    "account_wave",
                    f"is {entry['wave']}, but {host} ({name}) deploys in wave {base['wave']};"
                    f" accounts that depend on it need a later wave",
                )


# --- the baseline ----------------------------------------------------------------------------


def _alias_pattern(settings):
    baseline = settings.get("landing_zone_baseline")
    if not isinstance(baseline, dict):
        return None
    return baseline.get("account_alias", DEFAULT_ALIAS_PATTERN)


def _effective_alias(entry, settings):
    """The account's own alias, else the baseline's pattern; None for no alias (or a pattern that fails)."""
    if entry["alias"] is not None:
        return entry["alias"]
    pattern = _alias_pattern(settings)
    if not pattern:
        return None
    try:
        return str(pattern).format(project=settings.get("landing_zone_project") or "", account=entry["host"])
    except (KeyError, IndexError, ValueError):
        return None


def _check_baseline_aliases(accounts, settings, problems):
    """The aliases the baseline would set: IAM's rules, and one account per alias."""
    pattern = _alias_pattern(settings)
    if pattern:
        try:
            str(pattern).format(project="", account="")
        except (KeyError, IndexError, ValueError) as e:
            problems.add("all", "landing_zone_baseline", f"account_alias: cannot expand {pattern!r}: {e}")
            return
    seen = {}
    for entry in sorted(accounts, key=lambda e: e["host"]):
        alias = _effective_alias(entry, settings)
        if alias is None:
            continue
        own = entry["alias"] is not None
        where, prefix = ("account_alias", "") if own else ("landing_zone_baseline", "account_alias: ")
        problem = None if own else alias_problem(alias)  # an own alias is checked by the schema
        if problem:
            problems.add(entry["host"], where, f"{prefix}{problem}")
        elif alias in seen:
            problems.add(entry["host"], where, f"{prefix}{alias!r} is also the alias of {seen[alias]}")
        seen.setdefault(alias, entry["host"])


def _check_baseline(accounts, settings, problems):
    """landing_zone_baseline: every setting account_baseline would refuse, before any write."""
    name = "landing_zone_baseline"
    baseline = settings.get(name)
    if not isinstance(baseline, dict):
        return  # not set, or not a mapping (the schema says so)
    _check_baseline_aliases(accounts, settings, problems)
    block = baseline.get("s3_public_access_block", {})
    if block is not False and block is not None:
        allowed = ("block_public_acls", "ignore_public_acls", "block_public_policy", "restrict_public_buckets")
        if not isinstance(block, dict) or set(block) - set(allowed) or not all(isinstance(v, bool) for v in block.values()):
            problems.add("all", name, f"s3_public_access_block: must be false or a mapping of {', '.join(allowed)}"
                                      f" to true or false, got {block!r}")
    checked = {k: v for k, v in baseline.items() if k in ("password_policy", "regions", "ebs_default_kms_key_id",
                                                          "alternate_contacts")}
    for problem in baseline_problems(checked):
        problems.add("all", name, problem)
    own, shared = baseline.get("password_policy"), settings.get("landing_zone_password_policy")
    if isinstance(own, dict) and isinstance(shared, dict) and dict(PASSWORD_POLICY_DEFAULTS, **own) != dict(
            PASSWORD_POLICY_DEFAULTS, **shared) and settings.get("landing_zone_identity_account"):
        problems.add(
            "all", name,
            "password_policy: differs from landing_zone_password_policy, which the identities role sets in the"
            " identity account: each run would set one, then the other. Keep one of them",
        )


# --- module parameters -------------------------------------------------------------------------


def _params(entry, settings):
    """``{module: options}`` of one account, from the host variables' ``feeds``."""
    params = {"org_account": {}, "account_baseline": {}}
    for setting in HOST_VARIABLES:
        value = entry[setting.plan]
        if value is None or (setting.feed_state and entry["state"] != setting.feed_state):
            continue
        for feed in setting.feeds:
            module, option = feed.split(".")
            params.setdefault(module, {})[option] = value
    # An account without an alias of its own gets the baseline's pattern's.
    alias = _effective_alias(entry, settings)
    if alias:
        params["account_baseline"]["account_alias"] = alias
    else:
        params["account_baseline"].pop("account_alias", None)
    if not params["org_account"].get("email"):
        params["org_account"].pop("email", None)
    if not entry.get("name_given", True):
        params["org_account"]["rename"] = False
    return params


def module_params(plan):
    """The plan turned around for the roles: ``{module: {host: options}}`` and ``account_ids: {host: id}``.

    ``org_account`` holds each account's entry of org_account's ``accounts``
    option (``{"params": ...}``); ``account_baseline`` the ``params_by_host``
    of the batch_accounts filter.
    """
    return dict(
        org_account={host: {"params": entry["params"]["org_account"]} for host, entry in plan.items()},
        account_baseline={host: entry["params"]["account_baseline"] for host, entry in plan.items()},
        account_ids={host: entry["id"] for host, entry in plan.items() if entry["id"]},
    )


# --- the whole inventory -----------------------------------------------------------------------


def _check_settings(settings, problems):
    project = settings.get("landing_zone_project")
    if not project or not _PROJECT.match(str(project)):
        problems.add("all", "landing_zone_project", f"must be 2-32 lowercase letters, digits or '-', got {project!r}")
    for name, message in unknown_variables(settings):
        problems.add("all", name, message)
    for label, message in variables_problems(settings):
        if label == "landing_zone_project":
            continue  # named above, with the project's own rule
        problems.add("all", label, message)


def build_plan(account_hostvars, management_hosts, settings):
    """Validate and derive the plan.

    ``account_hostvars``: {host: hostvars} of every host in group accounts
    (the account variables, and any other the host has that looks like one).
    ``management_hosts``: the hosts in group management.
    ``settings``: the ``landing_zone_*`` variables.
    Returns ``(plan, problems)``: plan is {host: entry}; problems a list of strings.
    """
    problems = Problems()
    _check_settings(settings, problems)
    account_hostvars = {host: host_vars or {} for host, host_vars in account_hostvars.items()}  # a host without vars

    hosts = set(account_hostvars)
    management = set(management_hosts)
    if len(management) != 1:
        problems.add(
            "management",
            "hosts",
            f"group management must hold exactly one host, got {len(management)}: {sorted(management)}",
        )
    for host in sorted(management - hosts):
        problems.add(host, "groups", "is in group management but not in group accounts")

    for host in sorted(hosts):
        for name, message in unknown_host_variables(account_hostvars[host]):
            problems.add(host, name, message)
    declared_ous = _declared_ous(settings, problems)
    accounts = [
        _account_entry(host, account_hostvars[host], settings, declared_ous, management, problems)
        for host in sorted(hosts)
    ]
    _check_unique(accounts, "email", "account_email", problems)
    _check_unique(accounts, "name", "account_name", problems)
    _check_unique(accounts, "id", "account_id", problems)
    _check_waves(accounts, settings, problems)
    plan = {entry["host"]: entry for entry in accounts}
    checks.check_account_references(settings, plan, problems)
    checks.check_scp_targets(settings, declared_ous, hosts, problems)
    checks.check_scp_documents(settings, problems)
    checks.check_scp_attachments(settings, plan, problems)
    checks.check_unique_names(settings, problems)
    checks.check_users(settings, problems)
    checks.check_backend_names(settings, problems)
    checks.check_scp_library(settings, declared_ous, hosts, problems)
    checks.check_policies(settings, plan, declared_ous, hosts, problems)
    checks.check_rcp_library(settings, declared_ous, hosts, problems)
    _check_baseline(accounts, settings, problems)
    checks.check_cross_account_roles(settings, hosts, problems)
    for entry in accounts:
        entry["params"] = _params(entry, settings)
    return plan, problems.items
