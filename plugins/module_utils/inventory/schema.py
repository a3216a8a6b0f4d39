# -*- coding: utf-8 -*-
# Copyright: Contributors to the awsorg.landing_zone collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Every variable of a landing-zone inventory, in one table.

One ``Setting`` per variable (and per key of a mapping variable, and of the
mappings a list variable holds): its type, its check, its default, where it
goes in the plan, which module option it feeds and which role options
default from it.  From this table come

* the preflight's type checks: a wrong type, an unknown key of a mapping, a
  value outside its choices, named as ``host: variable: what is wrong (value)``
  (``variables_problems``, ``host_variable_problems``);
* the unknown variables: a ``landing_zone_*`` variable, or a host variable
  named like an account's, that is not here is reported, never dropped;
* the plan's per-account entries and the module parameters the roles pass
  straight through (inventory/plan.py reads ``HOST_VARIABLES``);
* the role argument specs, which a unit test holds to this table
  (tests/unit/test_inventory_schema.py).

Adding a per-account setting is a row in ``HOST_VARIABLES`` (docs/developing.md,
"Adding a per-account setting").
"""

import difflib

from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.service_inputs import MAX_SESSION_DURATION
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.service_inputs import MIN_SESSION_DURATION
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.service_inputs import account_name_problem
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.service_inputs import email_problem
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.service_inputs import iam_group_name_problem
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.service_inputs import iam_path_problem
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.service_inputs import iam_user_name_problem
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.service_inputs import is_account_id
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.service_inputs import region_problem
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.service_inputs import role_description_problem
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.service_inputs import role_name_problem
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.service_inputs import tag_problems
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.baseline_settings import alias_problem
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.opt_in_regions import opt_in_list_problems
from ansible_collections.awsorg.landing_zone.plugins.module_utils.inventory.setting import UNSET
from ansible_collections.awsorg.landing_zone.plugins.module_utils.inventory.setting import Derived
from ansible_collections.awsorg.landing_zone.plugins.module_utils.inventory.setting import Setting
from ansible_collections.awsorg.landing_zone.plugins.module_utils.inventory.setting import as_problems
from ansible_collections.awsorg.landing_zone.plugins.module_utils.inventory.setting import value_problems

MAX_WAVE = 9
MAX_ACCOUNT_NAME = 50
ACCOUNT_STATES = ("present", "absent")
DEFAULT_MEMBER_ROLE = "OrganizationAccountAccessRole"


# --- the checks of single values ------------------------------------------------------


def _tags_check(value):
    return tag_problems(value)


def _account_name_check(value):
    if not 1 <= len(value) <= MAX_ACCOUNT_NAME:
        return f"must be 1-{MAX_ACCOUNT_NAME} characters, got {len(value)}: {value!r}"
    return account_name_problem(value)


def _account_id_check(value):
    if not is_account_id(value):
        return f"must be 12 digits, got {str(value)!r}"
    return None


def _email_check(value):
    return f"is not a valid email address: {value!r}" if email_problem(value) else None


def _alias_check(value):
    return alias_problem(value)


def _region_list_check(values):
    return [problem for problem in (region_problem(v) for v in values if isinstance(v, str)) if problem]


# --- the per-account host variables -------------------------------------------------------


def _written_back_id(context):
    return (context.settings.get("landing_zone_account_ids") or {}).get(context.host)


def _project_name(context):
    return f"{context.settings.get('landing_zone_project') or ''}-{context.host}"


def _email_from_pattern(context):
    pattern = context.settings.get("landing_zone_email_pattern")
    if not pattern:
        return None
    values = dict(context.settings.get("landing_zone_email_tokens") or {})
    values.setdefault("project", context.settings.get("landing_zone_project") or "")
    values["account"] = context.host
    try:
        return str(pattern).format(**values)
    except (KeyError, IndexError, ValueError) as e:
        context.problems.add("all", "landing_zone_email_pattern",
                             f"cannot expand {pattern!r} for {context.host}: unknown token {e}")
        return None


def _first_wave(context):
    return 0 if context.management else 1


def _organization_wide(variable):
    """The default of an account's own setting: the organization-wide ``variable`` (None when unset)."""
    return Derived(variable, lambda context: context.settings.get(variable))


# The order is the order the plan resolves them in: the id first (an email is
# only required of an account that is not adopted by id).
HOST_VARIABLES = (
    Setting("account_id", "raw", "Adopt this existing account; written back after creation.",
            default=Derived("landing_zone_account_ids[<host>]", _written_back_id), check=_account_id_check,
            plan="id", feeds=("org_account.account_id",)),
    Setting("account_name", "str", "Account name, 1-50 printable ASCII characters.",
            default=Derived("<landing_zone_project>-<host>", _project_name), check=_account_name_check,
            plan="name", feeds=("org_account.name",)),
    Setting("account_email", "str", "Root email of the account.",
            default=Derived("from landing_zone_email_pattern", _email_from_pattern), check=_email_check,
            plan="email", feeds=("org_account.email",)),
    Setting("account_ou", "str", "OU path of the account.", default="/",
            plan="ou", feeds=("org_account.ou",), feed_state="present"),
    Setting("account_wave", "int", "Deploy wave, 0 (management) to 9.", default=Derived("0 for management, else 1", _first_wave),
            minimum=0, maximum=MAX_WAVE, plan="wave"),
    Setting("account_state", "str", "present, or absent to retire into landing_zone_quarantine_ou.",
            default="present", choices=ACCOUNT_STATES, plan="state", feeds=("org_account.state",)),
    Setting("account_close", "bool", "With account_state absent, also close the account.", default=False,
            plan="close", feeds=("org_account.close",), feed_state="absent"),
    Setting("account_tags", "dict", "Tags on the account.", default={}, check=_tags_check,
            plan="tags", feeds=("org_account.tags",)),
    Setting("account_alias", "str", "The account's own IAM alias, instead of landing_zone_baseline.account_alias.",
            check=_alias_check, nullable=True, plan="alias", feeds=("account_baseline.account_alias",)),
    # Opt-in regions (common/opt_in_regions.py): a region in both lists is refused by org_account before any write.
    Setting("account_opt_in_regions", "list", "Opt-in regions to enable, instead of landing_zone_opt_in_regions.",
            elements="str", default=_organization_wide("landing_zone_opt_in_regions"), check=opt_in_list_problems,
            nullable=True, plan="opt_in_regions", feeds=("org_account.opt_in_regions",), feed_state="present"),
    Setting("account_opt_out_regions", "list", "Opt-in regions to disable, instead of landing_zone_opt_out_regions.",
            elements="str", default=_organization_wide("landing_zone_opt_out_regions"), check=opt_in_list_problems,
            nullable=True, plan="opt_out_regions", feeds=("org_account.opt_out_regions",), feed_state="present"),
    Setting("account_invite", "bool", "Invite this existing standalone account (account_id) to join when it is not a member.",
            nullable=True, plan="invite", feeds=("org_account.invite",), feed_state="present"),
    Setting("account_invite_profile", "str",
            "AWS CLI profile on the controller with credentials of the invited account: accepts the invitation and"
            " creates the member role (needed once).",
            nullable=True, plan="invite_profile", feeds=("org_account.invite_profile",), feed_state="present"),
)
HOST_VARIABLE_NAMES = tuple(s.name for s in HOST_VARIABLES)


def host_variable(name):
    return next(s for s in HOST_VARIABLES if s.name == name)


# --- the organization-wide variables --------------------------------------------------------

_PASSWORD_POLICY_FIELDS = (
    # The lengths and ages are common/baseline_settings.py's to check (ranges, integers).
    Setting("minimum_password_length", "int", "6-128.", checked_elsewhere=True),
    Setting("require_symbols", "bool", "", nullable=True),
    Setting("require_numbers", "bool", "", nullable=True),
    Setting("require_uppercase", "bool", "", nullable=True),
    Setting("require_lowercase", "bool", "", nullable=True),
    Setting("allow_password_change", "bool", "", nullable=True),
    Setting("password_max_age", "int", "1-1095, 0 for none.", checked_elsewhere=True),
    Setting("password_reuse_prevent", "int", "1-24, 0 for none.", checked_elsewhere=True),
    Setting("hard_expiry", "bool", "", nullable=True),
)


def _password_policy(name, description, **kwargs):
    return Setting(name, "dict", description, fields=_PASSWORD_POLICY_FIELDS, unknown_keys="ignore", **kwargs)


_SCP_FIELDS = (
    Setting("name", "str", "Name of the SCP."),
    Setting("description", "str", "", nullable=True),
    Setting("document", "raw", "The policy (YAML, JSON text or a mapping)."),
    Setting("file", "path", "A file holding the policy."),
    Setting("targets", "list", "/, OU paths, account hosts or ids.", elements="raw", nullable=True),
    Setting("purge_targets", "bool", "Detach from targets not listed.", default=True),
    Setting("state", "str", "", default="present", choices=ACCOUNT_STATES),
)
_SCP_LIBRARY_FIELDS = (
    Setting("name", "str", "An entry of the SCP library (docs/scp-library.md)."),
    Setting("params", "dict", "The entry's parameters (checked by the library).", nullable=True),
    Setting("targets", "list", "/, OU paths, account hosts or ids.", elements="raw", nullable=True),
    Setting("allow_exempting_every_role", "bool",
            "Opt in to an exempt_roles pattern that matches every role ('*'), which leaves no role under the"
            " entry's statements.", default=False),
)
# Policies of every Organizations type (common/policy_inventory.py builds them; checks.check_policies refuses
# a bad type, document, size or target).
_POLICY_FIELDS = (
    Setting("type", "str", "The policy type, as botocore names it (common/policy_types.py).", default="SERVICE_CONTROL_POLICY"),
) + _SCP_FIELDS
_RCP_LIBRARY_FIELDS = (
    Setting("name", "str", "An entry of the RCP library (docs/rcp-library.md)."),
    Setting("params", "dict", "The entry's parameters; organization_id defaults to the organization's.", nullable=True),
    Setting("targets", "list", "/, OU paths, account hosts or ids.", elements="raw", nullable=True),
)
_TAG_POLICY_FIELDS = (
    Setting("name", "str", "Name of the tag policy.", default="lz-tag-policy"),
    Setting("description", "str", "", nullable=True),
    Setting("required_tags", "dict", "Each tag key, capitalized as resources must use it, and its allowed values."),
    Setting("enforced_for", "list", "service:resource types where a noncompliant tagging operation is refused.",
            elements="str", nullable=True),
    Setting("targets", "list", "/, OU paths, account hosts or ids (default /).", elements="raw", nullable=True),
)
_USER_FIELDS = (
    Setting("name", "str", "IAM user name.", check=iam_user_name_problem),
    Setting("groups", "list", "Names of landing_zone_groups.", elements="str", nullable=True),
    Setting("pgp_key", "path", "Armored OpenPGP public key file.", nullable=True),
    Setting("pgp_email", "str", "Must match the key's user id.", nullable=True),
    Setting("path", "str", "IAM path, like /people/.", check=iam_path_problem, nullable=True),
    Setting("tags", "dict", "IAM tags.", nullable=True),
    Setting("state", "str", "", default="present", choices=ACCOUNT_STATES),
)
_GROUP_FIELDS = (
    Setting("name", "str", "IAM group name.", check=iam_group_name_problem),
    Setting("roles", "list", "Names of landing_zone_cross_account_roles.", elements="str", nullable=True),
    Setting("accounts", "list", "Narrow the roles to these account hosts.", elements="str", nullable=True),
    Setting("require_mfa", "bool", "", default=False),
)
_ROLE_FIELDS = (
    Setting("name", "str", "IAM role name.", check=role_name_problem),
    Setting("description", "str", "At most 1000 characters of printable ASCII and Latin-1.", check=role_description_problem,
            nullable=True),
    Setting("managed_policy_arns", "list", "", elements="str", nullable=True),
    Setting("inline_policies", "dict", "Policy name to document.", nullable=True),
    Setting("require_mfa", "bool", "", default=True),
    Setting("organization_id", "str", "", nullable=True),
    Setting("max_session_duration", "int", f"Seconds, {MIN_SESSION_DURATION}-{MAX_SESSION_DURATION}.", nullable=True,
            minimum=MIN_SESSION_DURATION, maximum=MAX_SESSION_DURATION),
    Setting("tags", "dict", "", nullable=True),
    Setting("accounts", "list", "Account hosts; default every account.", elements="str", nullable=True),
)
_TF_BACKEND_FIELDS = (
    Setting("locking", "str", "", default="dynamodb", choices=("dynamodb", "s3"), roles=[("tf_backend", "tf_backend_locking")]),
    Setting("bucket", "str", "Name pattern.", default="{project}-{account}-terraform-state",
            roles=[("tf_backend", "tf_backend_bucket")]),
    Setting("lock_table", "str", "Name pattern.", default="{project}-{account}-terraform-state-lock",
            roles=[("tf_backend", "tf_backend_lock_table")]),
    Setting("access_logging", "dict", "As tf_backend's access_logging option.", nullable=True,
            roles=[("tf_backend", "tf_backend_access_logging")]),
)
_PROFILES_FIELDS = (
    Setting("directory", "path", "", roles=[("aws_profiles", "aws_profiles_directory")]),
    Setting("name_pattern", "str", "", default="{project}-{account}-{role}",
            roles=[("aws_profiles", "aws_profiles_name_pattern"), ("tf_backend", "tf_backend_profile_pattern")]),
    Setting("region", "str", "", check=region_problem, roles=[("aws_profiles", "aws_profiles_region")]),
    Setting("bootstrap_profile", "str", "",
            roles=[("aws_profiles", "aws_profiles_bootstrap_profile"), ("tf_backend", "tf_backend_management_profile")]),
    Setting("bootstrap_credentials", "dict", "", roles=[("aws_profiles", "aws_profiles_bootstrap_credentials")]),
    Setting("identity_profile", "str", "", roles=[("aws_profiles", "aws_profiles_identity_profile")]),
    Setting("mfa_serial", "str", "", roles=[("aws_profiles", "aws_profiles_mfa_serial")]),
    Setting("purge", "bool", "", default=True, roles=[("aws_profiles", "aws_profiles_purge")]),
    Setting("verify", "bool", "", default=False, roles=[("aws_profiles", "aws_profiles_verify")]),
)
_BASELINE_FIELDS = (
    # The order is the order "allowed:" lists them in.
    Setting("account_alias", "raw", "Alias pattern over {project} and {account}; false for none.",
            default="{project}-{account}", nullable=True),
    _password_policy("password_policy", "Default landing_zone_password_policy.", nullable=True,
                     roles=[("baseline", "baseline_password_policy")]),
    # Checked by inventory/plan.py and common/baseline_settings.py, as the account_baseline module checks them.
    Setting("s3_public_access_block", "raw", "A mapping, or false.", default={}, nullable=True,
            roles=[("baseline", "baseline_s3_public_access_block")]),
    Setting("ebs_encryption_by_default", "bool", "Null leaves it alone.", default=True, nullable=True,
            roles=[("baseline", "baseline_ebs_encryption_by_default")]),
    Setting("ebs_default_kms_key_id", "str", "", nullable=True, checked_elsewhere=True,
            roles=[("baseline", "baseline_ebs_default_kms_key_id")]),
    Setting("regions", "list", "Default [landing_zone_region].", elements="str", nullable=True, checked_elsewhere=True,
            roles=[("baseline", "baseline_regions")]),
    Setting("alternate_contacts", "dict", "billing, operations, security.", nullable=True, checked_elsewhere=True,
            roles=[("baseline", "baseline_alternate_contacts")]),
)
_FREQUENCIES = ("FIFTEEN_MINUTES", "ONE_HOUR", "SIX_HOURS")
_SERVICES_FIELDS = (
    Setting("log_archive_account", "str", "Host of the log bucket.", roles=[("org_services", "org_services_log_account")]),
    Setting("log_bucket", "str", "Name pattern.", default="{project}-{account}-org-logs",
            roles=[("org_services", "org_services_log_bucket_pattern")]),
    Setting("regions", "list", "", elements="str", check=_region_list_check, roles=[("org_services", "org_services_regions")]),
    Setting("delegated_admin_account", "str", "Host; default the log-archive account.",
            roles=[("org_services", "org_services_delegated_admin_account")]),
    Setting("deny_insecure_transport", "bool", "", default=True,
            roles=[("org_services", "org_services_deny_insecure_transport")]),
    Setting("cloudtrail", "dict", "Present means on.", nullable=True, roles=[("org_services", "org_services_cloudtrail")],
            fields=(Setting("enabled", "bool", "", default=True), Setting("trail_name", "str", ""))),
    Setting("config", "dict", "Present means on.", nullable=True, roles=[("org_services", "org_services_config")], fields=(
        Setting("enabled", "bool", "", default=True),
        Setting("delivery_frequency", "str", "", default="TwentyFour_Hours",
                choices=("One_Hour", "Three_Hours", "Six_Hours", "Twelve_Hours", "TwentyFour_Hours")),
        Setting("exclude_accounts", "list", "Hosts without a recorder.", elements="str", nullable=True))),
    Setting("guardduty", "dict", "Present means on.", nullable=True, roles=[("org_services", "org_services_guardduty")],
            fields=(Setting("enabled", "bool", "", default=True),
                    Setting("finding_publishing_frequency", "str", "", nullable=True, choices=_FREQUENCIES),
                    Setting("auto_enable_organization_members", "str", "", nullable=True,
                            choices=("ALL", "NEW", "NONE")))),
    Setting("securityhub", "dict", "Present means on.", nullable=True, roles=[("org_services", "org_services_securityhub")],
            fields=(Setting("enabled", "bool", "", default=True),
                    Setting("enable_default_standards", "bool", "", nullable=True),
                    Setting("auto_enable", "bool", "", nullable=True),
                    Setting("auto_enable_standards", "str", "", nullable=True, choices=("DEFAULT", "NONE")))),
)
_IDENTITY_CENTER_FIELDS = (
    Setting("region", "str", "", check=region_problem,
            roles=[("identity_center", "identity_center_region"), ("aws_profiles", "aws_profiles_sso_region")]),
    Setting("instance_arn", "str", "", roles=[("identity_center", "identity_center_instance_arn")]),
    Setting("start_url", "str", "", roles=[("aws_profiles", "aws_profiles_sso_start_url")]),
    Setting("session_name", "str", "", roles=[("aws_profiles", "aws_profiles_sso_session")]),
    Setting("permission_sets", "list", "", elements="dict", default=[], nullable=True,
            roles=[("identity_center", "identity_center_permission_sets")], fields=(
                Setting("name", "str", ""), Setting("description", "str", "", nullable=True),
                Setting("session_duration", "str", "ISO 8601, like PT8H.", nullable=True),
                Setting("relay_state", "str", "", nullable=True),
                Setting("managed_policy_arns", "list", "", elements="str", nullable=True),
                Setting("inline_policy", "raw", ""),
                Setting("state", "str", "", default="present", choices=ACCOUNT_STATES),
                Setting("profile_name", "str", "The {role} of its AWS CLI profiles.", nullable=True))),
    Setting("users", "list", "", elements="dict", default=[], label_key="user_name",
            roles=[("identity_center", "identity_center_users")], fields=(
                Setting("user_name", "str", ""), Setting("given_name", "str", "", nullable=True),
                Setting("family_name", "str", "", nullable=True), Setting("display_name", "str", "", nullable=True),
                Setting("email", "str", "", nullable=True),
                Setting("state", "str", "", default="present", choices=ACCOUNT_STATES))),
    Setting("groups", "list", "", elements="dict", default=[], roles=[("identity_center", "identity_center_groups")],
            fields=(Setting("name", "str", ""), Setting("description", "str", "", nullable=True),
                    Setting("members", "list", "User names.", elements="str", nullable=True),
                    Setting("state", "str", "", default="present", choices=ACCOUNT_STATES))),
    Setting("assignments", "list", "", elements="dict", default=[], label_key=None,
            roles=[("identity_center", "identity_center_assignments")],
            fields=(Setting("group", "str", ""), Setting("user", "str", ""), Setting("permission_set", "str", ""),
                    Setting("targets", "list", "Account hosts, ids, OU paths.", elements="raw", nullable=True))),
    Setting("purge_assignments", "bool", "", default=True, roles=[("identity_center", "identity_center_purge_assignments")]),
)
_MEMBER_ROLE_OPTIONS = [(role, f"{role}_member_role_name") for role in (
    "organization", "baseline", "account_access", "identities", "tf_backend", "org_services", "aws_profiles")]
_PROJECT_OPTIONS = [(role, f"{role}_project") for role in ("aws_profiles", "identities", "tf_backend", "org_services")]

VARIABLES = (
    Setting("landing_zone_project", "str", "Short lowercase project name, used in names.", roles=_PROJECT_OPTIONS),
    Setting("landing_zone_region", "str", "Home region.", default="us-east-1", check=region_problem,
            roles=[("org_services", "org_services_home_region")]),
    Setting("landing_zone_email_pattern", "str", "Root email pattern over {project}, {account} and the tokens.",
            nullable=True),
    Setting("landing_zone_email_tokens", "dict", "More {tokens} of the email pattern.", nullable=True),
    Setting("landing_zone_organizational_units", "list", "OU paths; parents are implied.", elements="str", default=[],
            roles=[("organization", "organization_units")]),
    Setting("landing_zone_quarantine_ou", "str", "Where retired accounts go.", default="/suspended",
            feeds=("org_account.quarantine_ou",), roles=[("organization", "organization_quarantine_ou")]),
    Setting("landing_zone_close_quota", "int", "Accounts AWS lets the organization close per 30 days (default AWS's figure).",
            nullable=True, minimum=1, roles=[("organization", "organization_close_quota")]),
    Setting("landing_zone_enabled_policy_types", "list", "Policy types on the root (default: SCPs and the types the policies use).",
            elements="str", roles=[("organization", "organization_enabled_policy_types")]),
    Setting("landing_zone_opt_in_regions", "list", "Opt-in regions every account enables (account_opt_in_regions).",
            elements="str", check=opt_in_list_problems, nullable=True),
    Setting("landing_zone_opt_out_regions", "list", "Opt-in regions every account disables (account_opt_out_regions).",
            elements="str", check=opt_in_list_problems, nullable=True),
    Setting("landing_zone_aws_service_access_principals", "list", "Trusted services.", elements="str", default=[],
            roles=[("organization", "organization_aws_service_access_principals")]),
    Setting("landing_zone_root_access", "dict", "Centralized root access (opt-in); docs/root-access.md.", nullable=True,
            fields=(Setting("credentials_management", "bool", "Root credentials management.", nullable=True),
                    Setting("root_sessions", "bool", "Privileged root sessions.", nullable=True)),
            roles=[("organization", "organization_root_access")]),
    Setting("landing_zone_service_control_policies", "list", "Inline SCPs.", elements="dict", default=[],
            fields=_SCP_FIELDS, roles=[("organization", "organization_service_control_policies")]),
    Setting("landing_zone_scp_library", "list", "Entries of the standard SCP library.", elements="dict", default=[],
            fields=_SCP_LIBRARY_FIELDS, nullable=True, roles=[("organization", "organization_scp_library")]),
    Setting("landing_zone_scp_library_prefix", "str", "First part of the packed SCPs' names.", default="lz",
            roles=[("organization", "organization_scp_library_prefix")]),
    Setting("landing_zone_scp_size_limit", "int", "Size limit of one packed library SCP.", nullable=True,
            roles=[("organization", "organization_scp_size_limit")]),
    Setting("landing_zone_policies", "list", "Organizations policies of every type.", elements="dict", default=[],
            fields=_POLICY_FIELDS, roles=[("organization", "organization_policies")]),
    Setting("landing_zone_rcp_library", "list", "Entries of the resource control policy library.", elements="dict",
            default=[], fields=_RCP_LIBRARY_FIELDS, nullable=True, roles=[("organization", "organization_rcp_library")]),
    Setting("landing_zone_tag_policy", "dict", "A tag policy from required tag keys and values.", nullable=True,
            fields=_TAG_POLICY_FIELDS, roles=[("organization", "organization_tag_policy")]),
    Setting("landing_zone_ai_services_opt_out", "bool", "Opt every account out of every AI service (a policy at the root).",
            default=False, roles=[("organization", "organization_ai_services_opt_out")]),
    Setting("landing_zone_member_role_name", "str", "The role AWS creates in new accounts.",
            default=DEFAULT_MEMBER_ROLE, check=role_name_problem, roles=_MEMBER_ROLE_OPTIONS),
    Setting("landing_zone_follow_up", "bool",
            "Start each account's baseline and cross-account roles behind its creation, inside the accounts run.",
            default=True, roles=[("organization", "organization_follow_up")]),
    Setting("landing_zone_member_role_requires_mfa", "bool", "Manage MFA on the member role's trust.", nullable=True,
            roles=[("account_access", "account_access_member_role_requires_mfa")]),
    Setting("landing_zone_output_dir", "path", "Generated files (default <inventory>/output).",
            roles=[("organization", "organization_output_dir"), ("identities", "identities_output_dir"),
                   ("tf_backend", "tf_backend_output_dir")]),
    Setting("landing_zone_account_ids", "dict", "Account ids by host, written back by the organization role.",
            nullable=True),
    Setting("landing_zone_identity_account", "str", "Account host where people exist.", nullable=True,
            roles=[("account_access", "account_access_identity_account")]),
    Setting("landing_zone_keys_dir", "path", "The users' public key files (default <inventory>/keys).", nullable=True),
    _password_policy("landing_zone_password_policy", "Options of iam_password_policy.", default={},
                     roles=[("identities", "identities_password_policy"), ("baseline", "baseline_password_policy")]),
    Setting("landing_zone_users", "list", "People, in the identity account.", elements="dict", default=[],
            fields=_USER_FIELDS, roles=[("identities", "identities_users")]),
    Setting("landing_zone_groups", "list", "Groups allowed to assume roles.", elements="dict", default=[],
            fields=_GROUP_FIELDS, roles=[("identities", "identities_groups")]),
    Setting("landing_zone_cross_account_roles", "list", "Roles trusting the identity account.", elements="dict",
            default=[], fields=_ROLE_FIELDS,
            roles=[("account_access", "account_access_roles"), ("identities", "identities_cross_account_roles"),
                   ("aws_profiles", "aws_profiles_cross_account_roles")]),
    Setting("landing_zone_tf_backend_account", "str", "Host of the Terraform state backend.", nullable=True),
    # Null in these mappings is "nothing set": the roles read their keys with | default(...).
    Setting("landing_zone_tf_backend", "dict", "The Terraform state backend.", default={}, fields=_TF_BACKEND_FIELDS,
            nullable=True),
    Setting("landing_zone_profiles", "dict", "AWS CLI profiles.", default={}, fields=_PROFILES_FIELDS, nullable=True),
    Setting("landing_zone_baseline", "dict", "The per-account baseline.", default={}, fields=_BASELINE_FIELDS,
            nullable=True, roles=[("baseline", "baseline_settings")]),
    Setting("landing_zone_services", "dict", "CloudTrail, AWS Config, GuardDuty, Security Hub.", default={},
            fields=_SERVICES_FIELDS, nullable=True, roles=[("org_services", "org_services_settings")]),
    Setting("landing_zone_identity_center", "dict", "IAM Identity Center.", default={}, fields=_IDENTITY_CENTER_FIELDS,
            nullable=True, roles=[("identity_center", "identity_center_settings"), ("aws_profiles", "aws_profiles_identity_center")]),
)
VARIABLE_NAMES = tuple(s.name for s in VARIABLES)

# Named like ours, but not the inventory's: set by a run, or by the AWX
# configuration playbook (playbooks/awx), whose variables share a prefix.
RUN_VARIABLES = {
    "landing_zone_plan": "the preflight's plan (a fact this action sets)",
    "landing_zone_params": "the module parameters per account (a fact this action sets)",
    "landing_zone_wave": "the wave a stage runs (an extra variable of the AWX wave job templates)",
    "landing_zone_gpg_public_keys_file": "the users' public keys, from the AWX GPG credential",
    "landing_zone_drift_report": "asks the drift_report callback for a report (playbooks/drift.yml, or an extra variable)",
    "landing_zone_drift_report_dir": "where the drift_report callback writes (an extra variable)",
    "landing_zone_last_round_in_background": "set by site.yml: its wave plays wait for the accounts run of the last"
                                             " round of creations, which the organization plays start in the background",
}
RUN_VARIABLE_PREFIXES = ("landing_zone_awx_",)
SETTING_PREFIX = "landing_zone_"
HOST_VARIABLE_PREFIX = "account_"


def variable(name):
    return next(s for s in VARIABLES if s.name == name)


def _did_you_mean(name, known):
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.8)
    return f"; did you mean {close[0]}?" if close else ""


def unknown_variables(names):
    """``[(name, message)]`` for every ``landing_zone_*`` name neither the inventory's nor a run's."""
    found = []
    for name in sorted(names):
        if not name.startswith(SETTING_PREFIX) or name in VARIABLE_NAMES or name in RUN_VARIABLES:
            continue
        if name.startswith(RUN_VARIABLE_PREFIXES):
            continue
        found.append((name, "is not a variable of the landing zone (a typo?), so nothing would read it"
                            + _did_you_mean(name, VARIABLE_NAMES)))
    return found


# Host variables named like ours that are not account settings: the
# organization inventory plugin's facts about a live account, and the
# account_access role's options (an inventory may set a role's options).
OTHER_HOST_VARIABLES = ("account_arn", "account_status", "account_joined_method", "account_ou_id")
OTHER_HOST_VARIABLE_PREFIXES = ("ansible_", SETTING_PREFIX, "account_access_")


def looks_like_host_variable(name):
    """A host variable that may be a mistyped account setting: ``account_*``, or close to one of ours."""
    if name in HOST_VARIABLE_NAMES or name in OTHER_HOST_VARIABLES or name.startswith(OTHER_HOST_VARIABLE_PREFIXES):
        return False
    return name.startswith(HOST_VARIABLE_PREFIX) or bool(
        difflib.get_close_matches(name, HOST_VARIABLE_NAMES, n=1, cutoff=0.85))


def unknown_host_variables(names):
    """``[(name, message)]`` for a host's variables that look like a mistyped account setting."""
    return [(name, "is not a per-account variable of the landing zone (a typo?), so nothing would read it"
                   + _did_you_mean(name, HOST_VARIABLE_NAMES))
            for name in sorted(names) if looks_like_host_variable(name)]


def variables_problems(settings):
    """Type, choice and key problems of every organization-wide variable: ``[(variable label, message)]``."""
    found = []
    for setting in VARIABLES:
        if setting.name in settings:
            found.extend(as_problems(setting.name, value_problems(setting, settings[setting.name])))
    return found


def default_of(setting):
    """A setting's default as a plain value (None when it has none or it is computed per account)."""
    return None if setting.default is UNSET or isinstance(setting.default, Derived) else setting.default


def all_settings():
    """``(dotted name, Setting)`` for every variable and every key below it."""
    def walk(prefix, setting):
        yield prefix, setting
        for field in (setting.fields or {}).values():
            yield from walk(f"{prefix}.{field.name}", field)
    for setting in VARIABLES:
        yield from walk(setting.name, setting)
