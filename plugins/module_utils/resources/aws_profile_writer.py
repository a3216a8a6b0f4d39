# -*- coding: utf-8 -*-
# Copyright: Contributors to the awsorg.landing_zone collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Write AWS CLI profiles for the accounts of the organization, merging, never clobbering.

The wanted profiles come from two places: ``roles`` expanded over
``accounts`` through ``profile_name_pattern``, and explicit ``profiles``.
Each becomes sections of the ``config`` file (``[profile NAME]``) and, for
static keys, of the ``credentials`` file (``[NAME]``).  Only sections that
carry the collection's marker are ever rewritten or removed; see
aws_config_files.py for how every other byte is kept.

This file holds the inputs (the wanted profiles) and the AWS calls (the
caller's MFA device, the verification); aws_profile_files.py writes the two
files: locked, re-read inside the lock, backed up and replaced atomically,
so many hosts delegating to localhost at the same moment lose no profile.
"""

import re
import string

try:
    import botocore.exceptions
    import botocore.session
except ImportError:
    pass  # AnsibleAWSModule reports the missing dependency.

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.iam import list_iam_mfa_devices

from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.placeholders import is_placeholder
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common import aws_config_files as ini
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.file_lock import FileLockTimeout
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.service_inputs import ACCOUNT_ID
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.service_inputs import REGION
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.service_inputs import ROLE_ARN
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.service_inputs import ROLE_NAME
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.service_inputs import ROLE_SESSION_NAME
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.service_inputs import SpecError
from ansible_collections.awsorg.landing_zone.plugins.module_utils.aws.sts import get_caller_identity
from ansible_collections.awsorg.landing_zone.plugins.module_utils.resources import aws_profile_files

PATTERN_FIELDS = ("project", "account", "account_id", "role")
OUTPUT_FORMATS = ["json", "text", "table", "yaml", "yaml-stream"]
CREDENTIAL_SOURCES = ["Environment", "Ec2InstanceMetadata", "EcsContainer"]

# Profile names become INI headers: no whitespace or brackets, nothing shlex would split.
_PROFILE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.@+=,:/-]{0,127}")
# STS AssumeRole SerialNumber: 9-256 of [\w+=/:,.@-], \w being ASCII (re.ASCII)
# (https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html).
_MFA_SERIAL = re.compile(r"(arn:aws[a-z-]*:iam::[0-9]{12}:(mfa|u2f)/\S+|[\w+=,.@:/-]{9,256})", re.ASCII)
_START_URL = re.compile(r"https://\S+")


class ProfileSpecError(SpecError):
    """Bad input: the message names the option and the value."""


# --- the wanted profiles ------------------------------------------------------


class Profile:
    """One profile: its sections' items in ``config`` and ``credentials``."""

    def __init__(self, name, kind, source, account_id=None, account_name=None, role=None):
        self.name = name
        self.kind = kind
        self.source = source  # the option it came from, for messages
        self.account_id = account_id
        self.account_name = account_name
        self.role = role
        self.config_items = []
        self.credentials_items = []

    def add(self, items, name, value):
        if value is None or value == "":
            return
        items.append((name, str(value)))

    def setting(self, name):
        for key, value in self.config_items:
            if key == name:
                return value
        return None

    def describe(self):
        """What results show about the profile: never a credential."""
        return dict(
            name=self.name,
            type=self.kind,
            account_id=self.account_id,
            account_name=self.account_name,
            role=self.role,
            role_arn=self.setting("role_arn"),
            source_profile=self.setting("source_profile"),
            mfa_serial=self.setting("mfa_serial"),
            sso_session=self.setting("sso_session"),
            sso_role_name=self.setting("sso_role_name"),
            region=self.setting("region"),
        )


def _fail(field, value, expectation):
    raise ProfileSpecError(f"{field}: {expectation}, got {value!r}")


def _check(pattern, field, value, expectation):
    if value is not None and not pattern.fullmatch(str(value)):
        _fail(field, value, expectation)


def _check_single_line(field, value):
    if value is not None and ("\n" in str(value) or "\r" in str(value)):
        # A line break would let a value start a new section of the file.
        raise ProfileSpecError(f"{field}: must be a single line")


def _check_common(field, entry):
    _check(REGION, f"{field}.region", entry.get("region"), "must be an AWS region like us-east-1")
    _check(ROLE_SESSION_NAME, f"{field}.role_session_name", entry.get("role_session_name"),
           "must be 2-64 characters of letters, digits and +=,.@_-")
    _check(_MFA_SERIAL, f"{field}.mfa_serial", entry.get("mfa_serial"),
           "must be an MFA device ARN (arn:aws:iam::123456789012:mfa/name) or a hardware serial")
    duration = entry.get("duration_seconds")
    if duration is not None and not 900 <= duration <= 43200:
        _fail(f"{field}.duration_seconds", duration, "must be between 900 and 43200")
    for key, value in entry.items():
        if isinstance(value, str):
            _check_single_line(f"{field}.{key}", value)


def _pattern_fields(pattern):
    try:
        return {parsed[1] for parsed in string.Formatter().parse(pattern) if parsed[1] is not None}
    except ValueError as e:
        raise ProfileSpecError(f"profile_name_pattern: {e}, got {pattern!r}") from e


def _check_pattern(params):
    pattern = params["profile_name_pattern"]
    fields = _pattern_fields(pattern)
    unknown = sorted(fields - set(PATTERN_FIELDS))
    if unknown:
        _fail("profile_name_pattern", pattern,
              f"may only use the fields {', '.join('{' + f + '}' for f in PATTERN_FIELDS)} (not {unknown[0]!r})")
    if "project" in fields and not params.get("project") and params.get("roles"):
        raise ProfileSpecError("project: required because profile_name_pattern uses {project}")
    return pattern


def _accounts_by_name(params, check_mode=False):
    accounts = {}
    for index, account in enumerate(params.get("accounts") or []):
        field = f"accounts[{index}]"
        # A preview's new account has a placeholder id (common/placeholders.py): its profiles
        # show in the diff as the real run writes them, with the id to come.
        if not (check_mode and is_placeholder(account.get("id"))):
            _check(ACCOUNT_ID, f"{field}.id", account.get("id"),
                   "must be 12 digits (quote it in YAML so leading zeros survive)")
        _check(REGION, f"{field}.region", account.get("region"), "must be an AWS region like us-east-1")
        _check_single_line(f"{field}.name", account["name"])
        if account["name"] in accounts:
            _fail(f"{field}.name", account["name"], "must be unique among accounts")
        accounts[account["name"]] = account
    return accounts


def _role_profile_items(profile, entry, role_arn, mfa_serial):
    items = profile.config_items
    profile.add(items, "role_arn", role_arn)
    profile.add(items, "source_profile", entry.get("source_profile"))
    profile.add(items, "credential_source", entry.get("credential_source"))
    profile.add(items, "mfa_serial", entry.get("mfa_serial") or mfa_serial)
    profile.add(items, "external_id", entry.get("external_id"))
    profile.add(items, "role_session_name", entry.get("role_session_name"))
    profile.add(items, "duration_seconds", entry.get("duration_seconds"))


def _sso_profile_items(profile, entry, account_id):
    items = profile.config_items
    profile.add(items, "sso_session", entry.get("sso_session"))
    profile.add(items, "sso_account_id", account_id)
    profile.add(items, "sso_role_name", entry.get("sso_role_name"))


def _check_chain(field, entry):
    has_source = bool(entry.get("source_profile"))
    has_credential_source = bool(entry.get("credential_source"))
    if has_source == has_credential_source:
        raise ProfileSpecError(
            f"{field}: a role profile needs exactly one of source_profile and credential_source"
        )


def _profiles_from_roles(params, accounts, mfa_serial):
    pattern = _check_pattern(params)
    profiles = []
    for index, role in enumerate(params.get("roles") or []):
        field = f"roles[{index}]"
        _check_common(field, role)
        kind = role["type"]
        if kind == "role":
            _check_chain(field, role)
            _check(ROLE_NAME, f"{field}.role_name", role["role_name"],
                   "must be 1-64 characters of letters, digits and +=,.@_-")
        elif not role.get("sso_session") or not role.get("sso_role_name"):
            raise ProfileSpecError(f"{field}: an sso profile needs sso_session and sso_role_name")
        names = role.get("accounts") or list(accounts)
        for name in names:
            if name not in accounts:
                _fail(f"{field}.accounts", name, f"must name one of accounts ({', '.join(sorted(accounts))})")
            account = accounts[name]
            if not account.get("id"):
                raise ProfileSpecError(f"accounts: {name!r} needs an id for the profiles of {field}")
            profile_name = pattern.format(project=params.get("project") or "", account=name,
                                          account_id=account["id"], role=role["name"])
            profile = Profile(profile_name, kind, f"{field} x account {name!r}", account["id"], name, role["name"])
            if kind == "role":
                role_arn = f"arn:{params['partition']}:iam::{account['id']}:role/{role['role_name']}"
                _role_profile_items(profile, role, role_arn, mfa_serial)
            else:
                _sso_profile_items(profile, role, account["id"])
            profile.add(profile.config_items, "region", account.get("region") or role.get("region"))
            profile.add(profile.config_items, "output", role.get("output"))
            profiles.append(profile)
    return profiles


def _explicit_profile(index, entry, mfa_serial):
    field = f"profiles[{index}]"
    _check_common(field, entry)
    kind = entry["type"]
    profile = Profile(entry["name"], kind, field)
    if kind == "static":
        if not entry.get("aws_access_key_id") or not entry.get("aws_secret_access_key"):
            raise ProfileSpecError(f"{field}: a static profile needs aws_access_key_id and aws_secret_access_key")
        items = profile.credentials_items
        profile.add(items, "aws_access_key_id", entry["aws_access_key_id"])
        profile.add(items, "aws_secret_access_key", entry["aws_secret_access_key"])
        profile.add(items, "aws_session_token", entry.get("aws_session_token"))
        _check(ACCOUNT_ID, f"{field}.account_id", entry.get("account_id"), "must be 12 digits")
        profile.account_id = entry.get("account_id")
    elif kind == "role":
        _check(ROLE_ARN, f"{field}.role_arn", entry.get("role_arn"),
               "must be an IAM role ARN like arn:aws:iam::123456789012:role/name")
        if not entry.get("role_arn"):
            raise ProfileSpecError(f"{field}: a role profile needs role_arn")
        _check_chain(field, entry)
        profile.account_id = entry["role_arn"].split(":")[4]
        _role_profile_items(profile, entry, entry["role_arn"], mfa_serial)
    else:
        _check(ACCOUNT_ID, f"{field}.sso_account_id", entry.get("sso_account_id"), "must be 12 digits")
        if not (entry.get("sso_session") and entry.get("sso_account_id") and entry.get("sso_role_name")):
            raise ProfileSpecError(f"{field}: an sso profile needs sso_session, sso_account_id and sso_role_name")
        profile.account_id = entry["sso_account_id"]
        _sso_profile_items(profile, entry, entry["sso_account_id"])
    if kind != "static" and (entry.get("aws_access_key_id") or entry.get("aws_secret_access_key")):
        raise ProfileSpecError(f"{field}: access keys belong to static profiles only")
    profile.add(profile.config_items, "region", entry.get("region"))
    profile.add(profile.config_items, "output", entry.get("output"))
    return profile


def _sso_sessions(params):
    sessions = {}
    for index, entry in enumerate(params.get("sso_sessions") or []):
        field = f"sso_sessions[{index}]"
        _check(_PROFILE_NAME, f"{field}.name", entry["name"], "must be letters, digits and _.@+=,:/- only")
        _check(_START_URL, f"{field}.sso_start_url", entry["sso_start_url"], "must be an https:// URL")
        _check(REGION, f"{field}.sso_region", entry["sso_region"], "must be an AWS region like us-east-1")
        _check_single_line(f"{field}.sso_registration_scopes", entry.get("sso_registration_scopes"))
        if entry["name"] in sessions:
            _fail(f"{field}.name", entry["name"], "must be unique among sso_sessions")
        items = [("sso_start_url", entry["sso_start_url"]), ("sso_region", entry["sso_region"])]
        if entry.get("sso_registration_scopes"):
            items.append(("sso_registration_scopes", entry["sso_registration_scopes"]))
        sessions[entry["name"]] = items
    return sessions


def wanted_profiles(params, mfa_serial=None, check_mode=False):
    """(profiles, sso sessions) the options ask for; ProfileSpecError on bad input."""
    accounts = _accounts_by_name(params, check_mode)
    profiles = _profiles_from_roles(params, accounts, mfa_serial)
    profiles += [_explicit_profile(i, entry, mfa_serial) for i, entry in enumerate(params.get("profiles") or [])]
    seen = {}
    for profile in profiles:
        _check(_PROFILE_NAME, f"{profile.source} profile name", profile.name,
               "must be letters, digits and _.@+=,:/- only (check profile_name_pattern and the names)")
        if profile.name in seen:
            raise ProfileSpecError(
                f"profile name {profile.name!r} comes from both {seen[profile.name]} and {profile.source}"
            )
        seen[profile.name] = profile.source
    return profiles, _sso_sessions(params)


def needs_mfa_serial(params):
    return any(r.get("type") == "role" and not r.get("mfa_serial") for r in params.get("roles") or []) or any(
        p.get("type") == "role" and not p.get("mfa_serial") for p in params.get("profiles") or []
    )


def fetch_mfa_serial(module):
    """The serial of the caller's first MFA device (the caller must be an IAM user or root)."""
    identity = get_caller_identity(module.client("sts"))
    arn = identity["Arn"]
    # amazon.aws's list_iam_mfa_devices is the whole call (one read at the start of the task).
    if ":user/" in arn:
        devices = list_iam_mfa_devices(module.client("iam"), arn.rsplit("/", 1)[-1])
    elif arn.endswith(":root"):
        devices = list_iam_mfa_devices(module.client("iam"))
    else:
        raise ProfileSpecError(
            f"fetch_mfa_device: the caller {arn} is not an IAM user; MFA devices belong to users,"
            " so give mfa_serial instead"
        )
    if not devices:
        raise ProfileSpecError(f"fetch_mfa_device: {arn} has no MFA device; give mfa_serial or add a device")
    return sorted(devices, key=lambda d: str(d.get("EnableDate", "")))[0]["SerialNumber"]


# --- verification ---------------------------------------------------------------


def verify_profiles(module, profiles, paths):
    """{profile: account id reached} through botocore itself, reading the written files."""
    reached = {}
    problems = []
    skipped = []
    for profile in profiles:
        if profile.kind == "sso":
            # An SSO profile needs a token from an interactive `aws sso login`.
            skipped.append(profile.name)
            continue
        session = botocore.session.Session()
        session.set_config_variable("config_file", paths[ini.CONFIG])
        session.set_config_variable("credentials_file", paths[ini.CREDENTIALS])
        session.set_config_variable("profile", profile.name)
        region = profile.setting("region") or module.region or "us-east-1"
        try:
            client = session.create_client("sts", region_name=region, endpoint_url=module.params.get("endpoint_url"))
            account_id = get_caller_identity(client)["Account"]
        except AnsibleAWSError as e:
            problems.append(f"{profile.name}: {e.message}: {e.exception}")
            continue
        except botocore.exceptions.BotoCoreError as e:
            # The profile itself is unusable: ProfileNotFound, PartialCredentialsError ...
            problems.append(f"{profile.name}: {e}")
            continue
        reached[profile.name] = account_id
        if profile.account_id and account_id != profile.account_id:
            problems.append(f"{profile.name}: reached account {account_id}, expected {profile.account_id}")
    return reached, problems, skipped


# --- the module -------------------------------------------------------------------


def run(module):
    params = module.params
    try:
        wanted_profiles(params, check_mode=module.check_mode)  # every input checked before any AWS call or file access
        mfa_serial = None
        if params["fetch_mfa_device"] and needs_mfa_serial(params):
            mfa_serial = fetch_mfa_serial(module)
        profiles, sso_sessions = wanted_profiles(params, mfa_serial, module.check_mode)
        config, credentials, backups = aws_profile_files.converge(params, profiles, sso_sessions, module.check_mode)
    except (SpecError, ini.ConfigFileError, FileLockTimeout) as e:
        module.fail_json(msg=str(e))

    plans = (config, credentials)
    changed = any(aws_profile_files.needs_write(p) or aws_profile_files.needs_chmod(p) for p in plans)
    result = dict(
        changed=bool(changed),
        config_file=config.path,
        credentials_file=credentials.path,
        profiles=[p.describe() for p in profiles],
        added=config.added + credentials.added,
        updated=config.updated + credentials.updated,
        removed=config.removed + credentials.removed,
        mfa_serial=mfa_serial,
        diff=[p.diff() for p in plans if p.content_changed],
    )
    if ini.CONFIG in backups:
        result["backup_file"] = backups[ini.CONFIG]
    if ini.CREDENTIALS in backups:
        result["credentials_backup_file"] = backups[ini.CREDENTIALS]

    if params["verify"] and not module.check_mode:
        paths = {ini.CONFIG: config.path, ini.CREDENTIALS: credentials.path}
        reached, problems, skipped = verify_profiles(module, profiles, paths)
        result["verified"] = reached
        if skipped:
            module.warn(f"verify: skipped the IAM Identity Center profiles {', '.join(skipped)} (they need `aws sso login`)")
        if problems:
            module.fail_json(msg="verify: " + "; ".join(problems), **result)
    return result
