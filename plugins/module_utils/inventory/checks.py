# -*- coding: utf-8 -*-
# Copyright: Contributors to the awsorg.landing_zone collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The preflight's checks across variables: references, documents, limits, files.

The type of every single value is inventory/schema.py's to check; these are
the rules that read more than one value (a target that names a host, a
group that names a role, the SCPs one target would hold) or a file.  Each
adds ``host: variable: message`` problems, ``all`` for an organization-wide
variable.
"""

import os
import re

from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.ou_paths import OUPathError
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.ou_paths import normalize_ou_path
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.pgp_keys import public_key_file_problem
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.policy_documents import DEFAULT_SCP_SIZE_LIMIT
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.policy_documents import PolicyDocumentError
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.policy_documents import check_size
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.policy_documents import parse_policy
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.policy_documents import prepare_scp
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.policy_documents import read_policy_file
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.policy_inventory import PLACEHOLDER_ORGANIZATION_ID
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.policy_inventory import PolicyInventoryError
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.policy_inventory import per_target_problems
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.policy_inventory import policies_problems
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.policy_inventory import policy_items
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.policy_inventory import rcp_library_prefix
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.policy_inventory import rcp_selections
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.policy_inventory import tag_policy_item
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.policy_types import POLICY_TYPES
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.policy_types import RCP
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.policy_types import types_in_use
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.rcp_library import selection_statements as rcp_statements
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.scp_packing import AWS_MANAGED_SCP
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.scp_packing import RCP_LIMITS
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.scp_packing import DEFAULT_PREFIX as SCP_LIBRARY_PREFIX
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.scp_packing import MAX_SCPS_PER_TARGET
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.scp_packing import plan_library as plan_scp_library
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.scp_packing import policy_description_problem
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.scp_packing import policy_name_problem
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.service_inputs import bucket_name_problem
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.service_inputs import is_account_id
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.service_inputs import table_name_problem
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.service_inputs import tag_problems
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common import gpg


class Problems:
    """Collects validation problems as ``host: variable: message``."""

    def __init__(self):
        self.items = []

    def add(self, where, variable, message):
        self.items.append(f"{where}: {variable}: {message}")

    def __bool__(self):
        return bool(self.items)


def _named_entries(settings, variable):
    """The entries of a list variable that are mappings with a name (the schema names the others)."""
    return [e for e in settings.get(variable) or [] if isinstance(e, dict) and isinstance(e.get("name"), str)]


# --- accounts named by organization-wide variables -----------------------------------------


def _foundations(settings):
    """``{variable: host}`` of the accounts with a job of their own."""
    services = settings.get("landing_zone_services") if isinstance(settings.get("landing_zone_services"), dict) else {}
    found = {
        "landing_zone_identity_account": settings.get("landing_zone_identity_account"),
        "landing_zone_tf_backend_account": settings.get("landing_zone_tf_backend_account"),
        "landing_zone_services.log_archive_account": services.get("log_archive_account"),
        "landing_zone_services.delegated_admin_account": services.get("delegated_admin_account"),
    }
    return {variable: host for variable, host in found.items() if isinstance(host, str) and host}


def check_account_references(settings, plan, problems):
    """Every host an organization-wide variable names is an account host, and not one being retired.

    A retired identity account would leave its users, groups and roles
    silently undone (the account jobs skip a retired host), so it is
    refused until the variable names another account.
    """
    for variable, host in _foundations(settings).items():
        if host not in plan:
            top, _sep, key = variable.partition(".")
            problems.add("all", top, f"{key + ': ' if key else ''}{host!r} is not a host in group accounts")
        elif plan[host]["state"] == "absent":
            problems.add(host, "account_state",
                         f"is 'absent', but {host} is still {variable}; name another account there before"
                         " retiring this one")
    services = settings.get("landing_zone_services")
    config = services.get("config") if isinstance(services, dict) else None
    for host in (config or {}).get("exclude_accounts") or [] if isinstance(config, dict) else []:
        if isinstance(host, str) and host not in plan:
            problems.add("all", "landing_zone_services", f"config.exclude_accounts: {host!r} is not a host in group accounts")


# --- service control policies ---------------------------------------------------------------


def _check_target(target, declared_ous, hosts, label, problems, quiet_ou_errors=False):
    target = str(target)
    if target.startswith("/"):
        try:
            if normalize_ou_path(target) not in declared_ous:
                problems.add("all", label, f"target {target!r} is not in landing_zone_organizational_units")
        except OUPathError as e:
            if not quiet_ou_errors:
                problems.add("all", label, f"target: {e}")
    elif not is_account_id(target) and target not in hosts:
        problems.add("all", label, f"target {target!r} is neither an OU path, an account id nor an account host")


def check_scp_targets(settings, declared_ous, hosts, problems):
    for index, policy in enumerate(settings.get("landing_zone_service_control_policies") or []):
        label = f"landing_zone_service_control_policies[{index}]"
        if not isinstance(policy, dict) or not policy.get("name"):
            problems.add("all", label, "needs a name")
            continue
        label = f"landing_zone_service_control_policies[{policy['name']}]"
        for target in policy.get("targets") or []:
            _check_target(target, declared_ous, hosts, label, problems)


def check_scp_documents(settings, problems):
    """Each SCP has a name and description CreatePolicy takes, parses, follows the SCP grammar and fits the size quota."""
    limit = int(settings.get("landing_zone_scp_size_limit") or DEFAULT_SCP_SIZE_LIMIT)
    for policy in _named_entries(settings, "landing_zone_service_control_policies"):
        label = f"landing_zone_service_control_policies[{policy['name']}]"
        if policy.get("state", "present") == "absent":
            continue
        for problem in (policy_name_problem(policy["name"]), policy_description_problem(policy.get("description"))):
            if problem:
                problems.add("all", label, problem)
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


def _attachment_key(target, plan):
    """A target as one key per root, OU or account (an account host and its id are one account)."""
    target = str(target).strip()
    if target.startswith("/"):
        try:
            return normalize_ou_path(target), "all"
        except OUPathError:
            return None, None
    if target in plan:
        return plan[target]["id"] or target, target
    host = next((h for h, entry in plan.items() if entry["id"] == target), "all")
    return target, host


def check_scp_attachments(settings, plan, problems):
    """No root, OU or account would hold more SCPs than AWS allows, FullAWSAccess included.

    Quotas for AWS Organizations: at most 10 SCPs attached directly to one
    root, OU or account since May 2026 (5 before), AWS's FullAWSAccess
    counting as one (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_reference_limits.html).
    The library's packed SCPs are counted with these by the packing
    (common/scp_packing.py), which names the library in its refusal.
    """
    attached = {}
    for policy in _named_entries(settings, "landing_zone_service_control_policies"):
        if policy.get("state", "present") == "absent" or not isinstance(policy.get("targets") or [], list):
            continue
        for target in policy.get("targets") or []:
            key, where = _attachment_key(target, plan)
            if key is None:
                continue
            entry = attached.setdefault(key, dict(where=where, target=str(target), names=[]))
            if policy["name"] not in entry["names"]:
                entry["names"].append(policy["name"])
    for entry in attached.values():
        count = len(entry["names"]) + 1
        if count > MAX_SCPS_PER_TARGET:
            problems.add(
                entry["where"], "landing_zone_service_control_policies",
                f"target {entry['target']}: {count} SCPs would be attached ({', '.join([AWS_MANAGED_SCP] + entry['names'])});"
                f" AWS allows at most {MAX_SCPS_PER_TARGET} on one root, OU or account, {AWS_MANAGED_SCP} included",
            )


_SCP_LIBRARY_PREFIX = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$")


def check_scp_library(settings, declared_ous, hosts, problems):
    """The SCP library selections: names, parameters, targets, and the packing within the limits."""
    variable = "landing_zone_scp_library"
    selections = settings.get(variable)
    if selections is None or not isinstance(selections, list):
        return  # the schema names a library that is not a list
    prefix = str(settings.get("landing_zone_scp_library_prefix") or SCP_LIBRARY_PREFIX)
    if not _SCP_LIBRARY_PREFIX.match(prefix):
        problems.add("all", "landing_zone_scp_library_prefix", f"must be 1-32 letters, digits, '_', '.' or '-', got {prefix!r}")
    for index, selection in enumerate(selections):
        if not isinstance(selection, dict):
            continue
        label = f"{variable}[{selection.get('name') or index}]"
        for target in selection.get("targets") or []:
            _check_target(target, declared_ous, hosts, label, problems, quiet_ou_errors=True)  # the packing names it
    packed_name = re.compile(rf"^{re.escape(prefix)}-.+-\d+$")
    for policy in _named_entries(settings, "landing_zone_service_control_policies"):
        if selections and packed_name.match(policy["name"]):
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


# --- policies of every type -----------------------------------------------------------------


def _policy_settings(settings):
    policies = settings.get("landing_zone_policies")
    tag_policy = settings.get("landing_zone_tag_policy")
    return (policies if isinstance(policies, list) else [], tag_policy if isinstance(tag_policy, dict) else None,
            settings.get("landing_zone_ai_services_opt_out") is True)


def _items_for_counting(policies, tag_policy, ai_services_opt_out):
    items = [i for i in policy_items(policies, None, ai_services_opt_out) if i["type"] in POLICY_TYPES]
    if tag_policy:
        try:
            items.append(tag_policy_item(tag_policy))
        except PolicyInventoryError:
            pass  # check_policies names it
    return items


def check_policies(settings, plan, declared_ous, hosts, problems):
    """landing_zone_policies, the tag policy and the AI opt-out: type, document, size, targets, per-target count.

    The same rules org_policy applies before its first write (common/policy_types.py), here before
    the organization's.
    """
    policies, tag_policy, ai_services_opt_out = _policy_settings(settings)
    for label, message in policies_problems(policies, tag_policy, ai_services_opt_out):
        problems.add("all", label, message)
    for index, policy in enumerate(policies):
        if isinstance(policy, dict):
            for target in policy.get("targets") or [] if isinstance(policy.get("targets"), list) else []:
                _check_target(target, declared_ous, hosts, f"landing_zone_policies[{policy.get('name') or index}]", problems)
    if tag_policy and isinstance(tag_policy.get("targets"), list):
        for target in tag_policy["targets"]:
            _check_target(target, declared_ous, hosts, "landing_zone_tag_policy", problems)
    items = _items_for_counting(policies, tag_policy, ai_services_opt_out)
    for where, message in per_target_problems(items, lambda target: _attachment_key(target, plan)):
        problems.add(where, "landing_zone_policies", message)
    _check_enabled_types(settings, items, problems)


def _check_enabled_types(settings, items, problems):
    """Set by hand, the enabled types must name real types and hold every type the policies use."""
    enabled = settings.get("landing_zone_enabled_policy_types")
    if not isinstance(enabled, list):
        return  # unset: the role enables what the policies use; the schema names a non-list
    for name in enabled:
        if name not in POLICY_TYPES:
            problems.add("all", "landing_zone_enabled_policy_types",
                         f"{name!r} is not an Organizations policy type; one of {', '.join(POLICY_TYPES)}")
    used = types_in_use([i for i in items if i.get("state") != "absent"],
                        extra=[RCP] if settings.get("landing_zone_rcp_library") else [])
    missing = [name for name in used if name not in enabled]
    if missing:
        problems.add("all", "landing_zone_enabled_policy_types",
                     f"{enabled!r} leaves out {', '.join(missing)}, which the inventory's policies use; add them,"
                     " or leave the variable unset to enable what the policies use")


def check_rcp_library(settings, declared_ous, hosts, problems):
    """The RCP library selections: names, parameters, targets, and the packing within the RCP limits."""
    variable = "landing_zone_rcp_library"
    selections = settings.get(variable)
    if not selections or not isinstance(selections, list):
        return
    for index, selection in enumerate(selections):
        if isinstance(selection, dict):
            for target in selection.get("targets") or [] if isinstance(selection.get("targets"), list) else []:
                _check_target(target, declared_ous, hosts, f"{variable}[{selection.get('name') or index}]", problems,
                              quiet_ou_errors=True)
    policies, _tag_policy, _ai = _policy_settings(settings)
    inline_rcps = [p for p in policies if isinstance(p, dict) and p.get("type") == RCP]
    prefix = rcp_library_prefix(str(settings.get("landing_zone_scp_library_prefix") or SCP_LIBRARY_PREFIX))
    _plan, packing_problems = plan_scp_library(
        rcp_selections(selections, PLACEHOLDER_ORGANIZATION_ID), inline_rcps, size_limit=POLICY_TYPES[RCP].size_limit,
        prefix=prefix, label=variable, statements_of=rcp_statements, limits=RCP_LIMITS,
    )
    for problem in packing_problems:
        label, _sep, message = problem.partition(": ")
        problems.add("all", label, message)


# --- people, groups and roles ----------------------------------------------------------------


def check_unique_names(settings, problems):
    """A user, group or role listed twice would be merged silently; IAM names ignore case."""
    for variable in ("landing_zone_users", "landing_zone_groups", "landing_zone_cross_account_roles"):
        seen = {}
        for index, entry in enumerate(_named_entries(settings, variable)):
            folded = entry["name"].lower()
            if folded in seen:
                problems.add("all", f"{variable}[{entry['name']}]",
                             f"name: {entry['name']!r} is listed twice (also entry {seen[folded]}); list each once"
                             " (IAM names ignore case)")
            else:
                seen[folded] = index


def _key_problem(user):
    """What is wrong with a user's pgp_key file, or None; gpg's own verdict when python-gnupg and gpg are there."""
    key = user["pgp_key"]
    if not os.path.isfile(key) or not os.access(key, os.R_OK):
        return f"GPG public key file {key!r} is missing or unreadable"
    problem = public_key_file_problem(key)
    if problem:
        return f"GPG public key file {key!r} {problem}"
    if not gpg.HAS_GNUPG:
        return None
    try:
        with gpg.throwaway_gpg() as keyring:
            gpg.load_recipient_key(keyring, key, expected_email=user.get("pgp_email"))
    except gpg.GPGKeyError as e:
        message = str(e)
        if message.startswith("cannot run the gpg binary"):
            return None  # the iam_initial_password module checks it where gpg runs
        return message.replace("public_key_file ", "GPG public key file ", 1)
    return None


def check_users(settings, problems):
    """Every user has a name, a readable OpenPGP public key, groups that exist and tags AWS takes."""
    group_names = {g["name"] for g in _named_entries(settings, "landing_zone_groups")}
    for user in settings.get("landing_zone_users") or []:
        if not isinstance(user, dict) or not user.get("name"):
            problems.add("all", "landing_zone_users", f"every user needs a name, got {user!r}")
            continue
        label = f"landing_zone_users[{user['name']}]"
        if user.get("state", "present") == "absent":
            continue
        for group in user.get("groups") or [] if isinstance(user.get("groups"), list) else []:
            if isinstance(group, str) and group not in group_names:
                problems.add("all", label, f"groups: {group!r} is not a group of landing_zone_groups")
        if isinstance(user.get("tags"), dict):
            for problem in tag_problems(user["tags"]):
                problems.add("all", label, f"tags: {problem}")
        if isinstance(user.get("pgp_key"), str):
            problem = _key_problem(user)
            if problem:
                problems.add("all", label, f"pgp_key: {problem}")


def check_cross_account_roles(settings, hosts, problems):
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
        if isinstance(role.get("tags"), dict):
            for problem in tag_problems(role["tags"]):
                problems.add("all", label, f"tags: {problem}")
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
        for role in group.get("roles") or [] if isinstance(group.get("roles"), list) else []:
            if role not in role_names:
                problems.add("all", f"landing_zone_groups[{group['name']}]",
                             f"roles: {role!r} is not a role of {variable}")
        for host in group.get("accounts") or [] if isinstance(group.get("accounts"), list) else []:
            if host not in hosts:
                problems.add("all", f"landing_zone_groups[{group['name']}]",
                             f"accounts: {host!r} is not a host in group accounts")


# --- the Terraform backend ----------------------------------------------------------------


# Stands in for {account_id} in the backend's name patterns: the backend account may not exist yet at
# the preflight, but every id is 12 digits, so the expanded name keeps its real length and characters.
PLACEHOLDER_ACCOUNT_ID = "000000000000"


def check_backend_names(settings, problems):
    """The state bucket and lock table names, from their patterns, follow S3 and DynamoDB rules.

    The patterns take the fields tf_backend expands (common/terraform_backend.py NAME_FIELDS),
    {account_id} included.
    """
    host = settings.get("landing_zone_tf_backend_account")
    backend = settings.get("landing_zone_tf_backend") or {}
    if not host or not isinstance(backend, dict):
        return
    values = dict(project=settings.get("landing_zone_project") or "", account=host,
                  account_id=PLACEHOLDER_ACCOUNT_ID,
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
            stand_in = f" ({{account_id}} as {values['account_id']})" if "{account_id}" in str(pattern) else ""
            problems.add("all", f"landing_zone_tf_backend.{field}", f"{name!r}{stand_in} {problem}")
