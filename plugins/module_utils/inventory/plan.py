# -*- coding: utf-8 -*-
# Copyright: Contributors to the awsorg.landing_zone collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Validate a landing-zone inventory and derive the plan every role reads.

Pure Python, no AWS calls: the preflight play runs it on the controller
before anything is written, and it reports every problem at once, each as
``host: variable: what is wrong (value)``.

The plan it returns holds, per account host, the values the roles use
(``name``, ``email``, ``ou``, ``wave``, ``state``, ``id``, ``tags``), so
defaults such as the email pattern are computed in exactly one place.
"""

import os
import re

from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.ou_paths import OUPathError
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.ou_paths import normalize_ou_path
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.ou_paths import split_ou_path
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.policy_documents import DEFAULT_SCP_SIZE_LIMIT
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.policy_documents import PolicyDocumentError
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.policy_documents import check_size
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.policy_documents import parse_policy
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.policy_documents import prepare_scp
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.policy_documents import read_policy_file
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.baseline_settings import PASSWORD_POLICY_DEFAULTS
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.baseline_settings import alias_problem
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.baseline_settings import settings_problems as baseline_problems
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.scp_packing import DEFAULT_PREFIX as SCP_LIBRARY_PREFIX
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.scp_packing import plan_library as plan_scp_library
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.service_inputs import bucket_name_problem
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.service_inputs import table_name_problem

MAX_WAVE = 9
MAX_ACCOUNT_NAME = 50
# What AWS accepts for CreateAccount's Email: 6-64 chars, one @, a dotted domain.
_EMAIL = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")
_ACCOUNT_ID = re.compile(r"^\d{12}$")
_PROJECT = re.compile(r"^[a-z][a-z0-9-]{0,30}[a-z0-9]$")
ACCOUNT_STATES = ("present", "absent")


class Problems:
    """Collects validation problems as ``host: variable: message``."""

    def __init__(self):
        self.items = []

    def add(self, where, variable, message):
        self.items.append(f"{where}: {variable}: {message}")

    def __bool__(self):
        return bool(self.items)


def _expand_email(pattern, tokens, host, project, problems):
    values = dict(tokens or {})
    values.setdefault("project", project)
    values["account"] = host
    try:
        return pattern.format(**values)
    except (KeyError, IndexError, ValueError) as e:
        problems.add("all", "landing_zone_email_pattern", f"cannot expand {pattern!r} for {host}: unknown token {e}")
        return None


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


def _account_entry(host, hostvars, settings, declared_ous, management, problems):
    project = settings.get("landing_zone_project") or ""
    entry = dict(host=host, management=host in management)

    name = hostvars.get("account_name") or f"{project}-{host}"
    if not isinstance(name, str) or not 1 <= len(name) <= MAX_ACCOUNT_NAME:
        problems.add(host, "account_name", f"must be 1-{MAX_ACCOUNT_NAME} characters, got {len(str(name))}: {name!r}")
    entry["name"] = name

    email = hostvars.get("account_email")
    if not email and settings.get("landing_zone_email_pattern"):
        email = _expand_email(
            settings["landing_zone_email_pattern"], settings.get("landing_zone_email_tokens"), host, project, problems
        )
    if not email and not hostvars.get("account_id") and not (settings.get("landing_zone_account_ids") or {}).get(host):
        problems.add(host, "account_email", "is required (or set landing_zone_email_pattern, or account_id to adopt)")
    elif email and (not _EMAIL.match(str(email)) or not 6 <= len(str(email)) <= 64):
        problems.add(host, "account_email", f"is not a valid email address: {email!r}")
    entry["email"] = email

    # An id from the inventory wins; else the one written back by an earlier run.
    account_id = hostvars.get("account_id") or (settings.get("landing_zone_account_ids") or {}).get(host)
    if account_id is not None and account_id != "":
        account_id = str(account_id)
        if not _ACCOUNT_ID.match(account_id):
            problems.add(host, "account_id", f"must be 12 digits, got {account_id!r}")
    else:
        account_id = None
    entry["id"] = account_id

    ou = hostvars.get("account_ou") or "/"
    try:
        ou = normalize_ou_path(ou)
        if ou not in declared_ous:
            problems.add(host, "account_ou", f"{ou!r} is not in landing_zone_organizational_units")
    except OUPathError as e:
        problems.add(host, "account_ou", str(e))
    entry["ou"] = ou

    wave = hostvars.get("account_wave", 0 if entry["management"] else 1)
    try:
        wave = int(wave)
    except (TypeError, ValueError):
        problems.add(host, "account_wave", f"must be an integer 0-{MAX_WAVE}, got {wave!r}")
        wave = None
    if wave is not None and not 0 <= wave <= MAX_WAVE:
        problems.add(host, "account_wave", f"must be an integer 0-{MAX_WAVE}, got {wave!r}")
    entry["wave"] = wave
    # The host's own IAM account alias (the baseline role's pattern applies when it is None).
    entry["alias"] = hostvars.get("account_alias")

    state = hostvars.get("account_state") or "present"
    if state not in ACCOUNT_STATES:
        problems.add(host, "account_state", f"must be one of {', '.join(ACCOUNT_STATES)}, got {state!r}")
    if state == "absent" and entry["management"]:
        problems.add(host, "account_state", "the management account cannot be retired")
    entry["state"] = state
    entry["close"] = bool(hostvars.get("account_close", False))

    tags = hostvars.get("account_tags") or {}
    if not isinstance(tags, dict):
        problems.add(host, "account_tags", f"must be a mapping, got {type(tags).__name__}")
        tags = {}
    entry["tags"] = {str(k): str(v) for k, v in tags.items()}
    return entry


def _check_unique(accounts, key, variable, problems):
    seen = {}
    for entry in accounts:
        value = entry.get(key)
        if not value:
            continue
        folded = value.lower()
        if folded in seen:
            problems.add(entry["host"], variable, f"{value!r} is also used by {seen[folded]}")
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
    for variable in ("landing_zone_identity_account", "landing_zone_tf_backend_account"):
        host = settings.get(variable)
        if host:
            foundations[host] = variable
    by_host = {e["host"]: e for e in accounts}
    for host, variable in foundations.items():
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
                    f"is {entry['wave']}, but {host} ({variable}) deploys in wave {base['wave']};"
                    f" accounts that depend on it need a later wave",
                )


def _check_account_reference(settings, variable, hosts, problems):
    host = settings.get(variable)
    if host and host not in hosts:
        problems.add("all", variable, f"{host!r} is not a host in group accounts")


def _check_scp_targets(settings, declared_ous, hosts, problems):
    for index, policy in enumerate(settings.get("landing_zone_service_control_policies") or []):
        label = f"landing_zone_service_control_policies[{index}]"
        if not isinstance(policy, dict) or not policy.get("name"):
            problems.add("all", label, "needs a name")
            continue
        label = f"landing_zone_service_control_policies[{policy['name']}]"
        for target in policy.get("targets") or []:
            target = str(target)
            if target.startswith("/"):
                try:
                    if normalize_ou_path(target) not in declared_ous:
                        problems.add("all", label, f"target {target!r} is not in landing_zone_organizational_units")
                except OUPathError as e:
                    problems.add("all", label, f"target: {e}")
            elif not _ACCOUNT_ID.match(target) and target not in hosts:
                problems.add("all", label, f"target {target!r} is neither an OU path, an account id nor an account host")


def _check_scp_documents(settings, problems):
    """Each SCP parses, follows the SCP grammar and fits the size quota."""
    limit = int(settings.get("landing_zone_scp_size_limit") or DEFAULT_SCP_SIZE_LIMIT)
    for index, policy in enumerate(settings.get("landing_zone_service_control_policies") or []):
        if not isinstance(policy, dict) or not policy.get("name"):
            continue
        label = f"landing_zone_service_control_policies[{policy['name']}]"
        if policy.get("state", "present") == "absent":
            continue
        has_document, has_file = "document" in policy, "file" in policy
        if has_document == has_file:
            problems.add("all", label, "needs exactly one of document or file")
            continue
        try:
            if has_file:
                document = read_policy_file(policy["file"], field="file")
            else:
                document = parse_policy(policy["document"], field="document")
            check_size(prepare_scp(document, field="document"), limit, field="document")
        except PolicyDocumentError as e:
            problems.add("all", label, str(e))


def _check_user_keys(settings, problems):
    """Every user's GPG public key file exists and is readable (its content is the module's to check)."""
    for user in settings.get("landing_zone_users") or []:
        if not isinstance(user, dict) or not user.get("name"):
            problems.add("all", "landing_zone_users", f"every user needs a name, got {user!r}")
            continue
        key = user.get("pgp_key")
        if key is None or user.get("state", "present") == "absent":
            continue
        if not os.path.isfile(key) or not os.access(key, os.R_OK):
            problems.add(
                "all", f"landing_zone_users[{user['name']}]", f"pgp_key: GPG public key file {key!r} is missing or unreadable"
            )


def _check_backend_names(settings, problems):
    """The state bucket and lock table names, from their patterns, follow S3 and DynamoDB rules."""
    host = settings.get("landing_zone_tf_backend_account")
    backend = settings.get("landing_zone_tf_backend") or {}
    if not host:
        return
    values = dict(project=settings.get("landing_zone_project") or "", account=host,
                  region=settings.get("landing_zone_region") or "us-east-1")
    checks = (
        ("bucket", backend.get("bucket", "{project}-{account}-terraform-state"), bucket_name_problem),
        ("lock_table", backend.get("lock_table", "{project}-{account}-terraform-state-lock"), table_name_problem),
    )
    for field, pattern, problem_of in checks:
        if field == "lock_table" and backend.get("locking", "dynamodb") != "dynamodb":
            continue
        try:
            name = str(pattern).format(**values)
        except (KeyError, IndexError, ValueError) as e:
            problems.add("all", f"landing_zone_tf_backend.{field}", f"cannot expand {pattern!r}: {e}")
            continue
        problem = problem_of(name)
        if problem:
            problems.add("all", f"landing_zone_tf_backend.{field}", f"{name!r} {problem}")


_SCP_LIBRARY_PREFIX = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$")


def _check_scp_library(settings, declared_ous, hosts, problems):
    """The SCP library selections: names, parameters, targets, and the packing within the limits."""
    variable = "landing_zone_scp_library"
    selections = settings.get(variable)
    if selections is None:
        return
    if not isinstance(selections, list):
        problems.add("all", variable, f"must be a list of library selections, got {type(selections).__name__}")
        return
    prefix = str(settings.get("landing_zone_scp_library_prefix") or SCP_LIBRARY_PREFIX)
    if not _SCP_LIBRARY_PREFIX.match(prefix):
        problems.add("all", "landing_zone_scp_library_prefix", f"must be 1-32 letters, digits, '_', '.' or '-', got {prefix!r}")
    for index, selection in enumerate(selections):
        if not isinstance(selection, dict):
            continue
        label = f"{variable}[{selection.get('name') or index}]"
        for target in selection.get("targets") or []:
            target = str(target)
            if target.startswith("/"):
                try:
                    if normalize_ou_path(target) not in declared_ous:
                        problems.add("all", label, f"target {target!r} is not in landing_zone_organizational_units")
                except OUPathError:
                    continue  # the packing names it
            elif not _ACCOUNT_ID.match(target) and target not in hosts:
                problems.add("all", label, f"target {target!r} is neither an OU path, an account id nor an account host")
    packed_name = re.compile(rf"^{re.escape(prefix)}-.+-\d+$")
    for policy in settings.get("landing_zone_service_control_policies") or []:
        if selections and isinstance(policy, dict) and packed_name.match(str(policy.get("name") or "")):
            problems.add(
                "all",
                f"landing_zone_service_control_policies[{policy['name']}]",
                f"the name looks like an SCP packed from the library ({prefix}-<target>-<n>); rename it",
            )
    limit = int(settings.get("landing_zone_scp_size_limit") or DEFAULT_SCP_SIZE_LIMIT)
    _plan, packing_problems = plan_scp_library(
        selections, settings.get("landing_zone_service_control_policies"), size_limit=limit, prefix=prefix,
        label=variable,
    )
    for problem in packing_problems:
        label, _sep, message = problem.partition(": ")
        problems.add("all", label, message)


_BASELINE_KEYS = ("account_alias", "password_policy", "s3_public_access_block", "ebs_encryption_by_default",
                  "ebs_default_kms_key_id", "regions", "alternate_contacts")


def _check_baseline_aliases(pattern, settings, hosts, problems):
    project = settings.get("landing_zone_project") or ""
    seen = {}
    for host in sorted(hosts):
        try:
            alias = str(pattern).format(project=project, account=host)
        except (KeyError, IndexError, ValueError) as e:
            problems.add("all", "landing_zone_baseline", f"account_alias: cannot expand {pattern!r}: {e}")
            return
        problem = alias_problem(alias)
        if problem:
            problems.add(host, "landing_zone_baseline", f"account_alias: {problem}")
        elif alias in seen:
            problems.add(host, "landing_zone_baseline", f"account_alias: {alias!r} is also the alias of {seen[alias]}")
        seen.setdefault(alias, host)


def _check_baseline(settings, hosts, problems):
    """landing_zone_baseline: every setting account_baseline would refuse, before any write."""
    variable = "landing_zone_baseline"
    baseline = settings.get(variable)
    if baseline is None:
        return
    if not isinstance(baseline, dict):
        problems.add("all", variable, f"must be a mapping, got {type(baseline).__name__}")
        return
    for key in sorted(set(baseline) - set(_BASELINE_KEYS)):
        problems.add("all", variable, f"unknown setting {key!r}; allowed: {', '.join(_BASELINE_KEYS)}")
    pattern = baseline.get("account_alias", "{project}-{account}")
    if pattern:
        _check_baseline_aliases(pattern, settings, hosts, problems)
    block = baseline.get("s3_public_access_block", {})
    if block is not False and block is not None:
        allowed = ("block_public_acls", "ignore_public_acls", "block_public_policy", "restrict_public_buckets")
        if not isinstance(block, dict) or set(block) - set(allowed) or not all(isinstance(v, bool) for v in block.values()):
            problems.add("all", variable, f"s3_public_access_block: must be false or a mapping of {', '.join(allowed)}"
                                          f" to true or false, got {block!r}")
    encryption = baseline.get("ebs_encryption_by_default")
    if encryption is not None and not isinstance(encryption, bool):
        problems.add("all", variable, f"ebs_encryption_by_default: must be true or false, got {encryption!r}")
    checked = {k: v for k, v in baseline.items() if k in ("password_policy", "regions", "ebs_default_kms_key_id",
                                                          "alternate_contacts")}
    for problem in baseline_problems(checked):
        problems.add("all", variable, problem)
    own, shared = baseline.get("password_policy"), settings.get("landing_zone_password_policy")
    if isinstance(own, dict) and isinstance(shared, dict) and dict(PASSWORD_POLICY_DEFAULTS, **own) != dict(
            PASSWORD_POLICY_DEFAULTS, **shared) and settings.get("landing_zone_identity_account"):
        problems.add(
            "all", variable,
            "password_policy: differs from landing_zone_password_policy, which the identities role sets in the"
            " identity account: each run would set one, then the other. Keep one of them",
        )


def _check_cross_account_roles(settings, hosts, problems):
    """Every role reaches at least one account host; every group names roles that exist.

    Without this, a role with ``accounts: []`` (or a group of unknown roles)
    passes the preflight and fails in the identities role, after the
    organization and its accounts were written.
    """
    variable = "landing_zone_cross_account_roles"
    role_names = set()
    for index, role in enumerate(settings.get(variable) or []):
        if not isinstance(role, dict) or not role.get("name"):
            problems.add("all", f"{variable}[{index}]", f"needs a name, got {role!r}")
            continue
        role_names.add(role["name"])
        label = f"{variable}[{role['name']}]"
        if "accounts" not in role:
            continue
        accounts = role["accounts"]
        if not isinstance(accounts, list) or not accounts:
            problems.add("all", label, f"accounts: must list at least one account host, got {accounts!r}")
            continue
        for host in accounts:
            if host not in hosts:
                problems.add("all", label, f"accounts: {host!r} is not a host in group accounts")
    for index, group in enumerate(settings.get("landing_zone_groups") or []):
        if not isinstance(group, dict) or not group.get("name"):
            problems.add("all", f"landing_zone_groups[{index}]", f"needs a name, got {group!r}")
            continue
        for role in group.get("roles") or []:
            if role not in role_names:
                problems.add("all", f"landing_zone_groups[{group['name']}]",
                             f"roles: {role!r} is not a role of {variable}")


def build_plan(account_hostvars, management_hosts, settings):
    """Validate and derive the plan.

    ``account_hostvars``: {host: hostvars} of every host in group accounts.
    ``management_hosts``: the hosts in group management.
    ``settings``: the ``landing_zone_*`` variables.
    Returns ``(plan, problems)``: plan is {host: entry}; problems a list of strings.
    """
    problems = Problems()
    project = settings.get("landing_zone_project")
    if not project or not _PROJECT.match(str(project)):
        problems.add("all", "landing_zone_project", f"must be 2-32 lowercase letters, digits or '-', got {project!r}")

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

    declared_ous = _declared_ous(settings, problems)
    accounts = [
        _account_entry(host, account_hostvars[host], settings, declared_ous, management, problems)
        for host in sorted(hosts)
    ]
    _check_unique(accounts, "email", "account_email", problems)
    _check_unique(accounts, "name", "account_name", problems)
    _check_unique(accounts, "id", "account_id", problems)
    _check_waves(accounts, settings, problems)
    for variable in ("landing_zone_identity_account", "landing_zone_tf_backend_account"):
        _check_account_reference(settings, variable, hosts, problems)
    _check_scp_targets(settings, declared_ous, hosts, problems)
    _check_scp_documents(settings, problems)
    _check_user_keys(settings, problems)
    _check_backend_names(settings, problems)
    _check_scp_library(settings, declared_ous, hosts, problems)
    _check_baseline(settings, hosts, problems)
    _check_cross_account_roles(settings, hosts, problems)
    plan = {entry["host"]: entry for entry in accounts}
    return plan, problems.items
