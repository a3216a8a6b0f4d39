# -*- coding: utf-8 -*-
# Copyright: Contributors to the awsorg.landing_zone collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What Terraform's S3 backend accepts and reads, with no AWS call.

The name patterns of a run ({project}, {account}, {account_id}, {region})
expanded and checked, the option checks that need no AWS call, the backend
file Terraform reads with ``-backend-config``, and how a state file is
recognised.  resources/tf_backend.py acts on them; everything here can be
refused before the first AWS call.
"""

import json
import re
import string

from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.service_inputs import SpecError
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.service_inputs import bucket_name_problem
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.service_inputs import table_name_problem

NAME_FIELDS = ("project", "account", "account_id", "region")
BACKEND_FILE_MARKER = "# Terraform S3 backend, managed by awsorg.landing_zone.tf_backend"
# S3 object keys are at most 1,024 bytes of UTF-8
# (https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-keys.html).
MAX_STATE_KEY_BYTES = 1024
# KMS aliases: 1-256 characters of letters, digits, '/', '_' and '-', with the
# alias/ prefix; alias/aws/ is reserved for AWS managed keys
# (https://docs.aws.amazon.com/kms/latest/developerguide/alias-create.html).
KMS_ALIAS = re.compile(r"alias/[A-Za-z0-9/_-]{1,250}")
RESERVED_KMS_ALIAS_PREFIX = "alias/aws/"


class BackendSpecError(SpecError):
    """Bad input or a refused change; the message names the option and the value."""


# --- names ----------------------------------------------------------------------


def state_key_problem(key):
    """Terraform's own rules for the S3 backend's ``key``."""
    if not key:
        return "must not be empty"
    if len(key.encode("utf-8")) > MAX_STATE_KEY_BYTES:
        return f"must be at most {MAX_STATE_KEY_BYTES} bytes"
    if key.startswith("/") or key.endswith("/"):
        return "must not start or end with '/'"
    if "//" in key:
        return "must not contain '//'"
    if "\n" in key or "\r" in key:
        return "must be a single line"
    return None


def expand_name(field, pattern, values):
    """``pattern`` with {project}, {account}, {account_id}, {region} filled in."""
    try:
        fields = {parsed[1] for parsed in string.Formatter().parse(pattern) if parsed[1] is not None}
    except ValueError as e:
        raise BackendSpecError(f"{field}: {e}, got {pattern!r}") from e
    unknown = sorted(fields - set(NAME_FIELDS))
    if unknown:
        raise BackendSpecError(
            f"{field}: may only use {', '.join('{' + f + '}' for f in NAME_FIELDS)}, got {pattern!r}"
        )
    for name in sorted(fields):
        if not values.get(name):
            raise BackendSpecError(f"{name}: required because {field} ({pattern!r}) uses {{{name}}}")
    return pattern.format(**values)


def checked(field, name, problem):
    """``name``, or BackendSpecError naming ``field`` when ``problem`` says what is wrong with it."""
    if problem:
        raise BackendSpecError(f"{field}: {name!r} {problem}")
    return name


def _kms_alias(params, bucket, values):
    alias = expand_name("kms_key_alias", params["kms_key_alias"] or f"alias/{bucket}", values)
    if not KMS_ALIAS.fullmatch(alias) or alias.startswith(RESERVED_KMS_ALIAS_PREFIX):
        raise BackendSpecError(
            f"kms_key_alias: {alias!r} must be alias/ followed by letters, digits, '/', '_' and '-'"
            " (alias/aws/ is reserved for AWS managed keys)"
        )
    return alias


class Names:
    """Every resource name of the run, expanded and validated."""

    def __init__(self, params, account_id, region):
        values = dict(project=params.get("project"), account=params.get("account"), account_id=account_id,
                      region=region)
        bucket = expand_name("bucket", params["bucket"], values)
        self.bucket = checked("bucket", bucket, bucket_name_problem(bucket))
        self.table = None
        if params["locking"] == "dynamodb":
            table = expand_name("lock_table", params["lock_table"], values)
            self.table = checked("lock_table", table, table_name_problem(table))
        self.log_bucket = None
        logging = params.get("access_logging")
        if logging:
            log_bucket = expand_name("access_logging.target_bucket", logging["target_bucket"], values)
            self.log_bucket = checked("access_logging.target_bucket", log_bucket, bucket_name_problem(log_bucket))
            if self.log_bucket == self.bucket:
                raise BackendSpecError(
                    f"access_logging.target_bucket: {log_bucket!r} is the state bucket itself; logs must go elsewhere"
                )
        self.kms_alias = _kms_alias(params, self.bucket, values) if params["create_kms_key"] else None


# --- options that need no AWS call -----------------------------------------------------


def _validate_encryption(params):
    if params["encryption"] == "AES256" and (params["kms_key_id"] or params["create_kms_key"]):
        raise BackendSpecError("encryption: kms_key_id and create_kms_key need encryption=aws:kms")
    if params["kms_key_id"] and params["create_kms_key"]:
        raise BackendSpecError("kms_key_id: give either kms_key_id or create_kms_key=true, not both")
    if params["encryption"] == "aws:kms" and not (params["kms_key_id"] or params["create_kms_key"]):
        # Terraform's encrypt=true without kms_key_id uploads every state with SSE-S3,
        # overriding a bucket default of the AWS managed key: name the key instead.
        raise BackendSpecError("encryption: aws:kms needs kms_key_id or create_kms_key=true")


def validate_static(params):
    """Checks that need no AWS call."""
    _validate_encryption(params)
    for field in ("noncurrent_version_expiration_days", "abort_incomplete_multipart_upload_days"):
        if params[field] < 1:
            raise BackendSpecError(f"{field}: must be 1 or more, got {params[field]}")
    for index, entry in enumerate(params.get("backend_files") or []):
        for key in ("key", "workspace_key_prefix"):
            if entry.get(key) is not None:
                checked(f"backend_files[{index}].{key}", entry[key], state_key_problem(entry[key]))
        if entry.get("profile") and ("\n" in entry["profile"] or "\r" in entry["profile"]):
            raise BackendSpecError(f"backend_files[{index}].profile: must be a single line")
    if params.get("push_state"):
        key = params["push_state"]["key"]
        checked("push_state.key", key, state_key_problem(key))
    logging = params.get("access_logging")
    if logging and logging.get("target_prefix") and "\n" in logging["target_prefix"]:
        raise BackendSpecError("access_logging.target_prefix: must be a single line")


# --- the backend file -------------------------------------------------------------------


def hcl_string(value):
    # JSON string escapes are valid HCL; "${" and "%{" would start a template.
    return json.dumps(value).replace("${", "$${").replace("%{", "%%{")


def backend_settings(names, region, kms_key_arn, params, entry=None):
    """The Terraform S3 backend settings, in the order they are written."""
    entry = entry or {}
    settings = [("bucket", names.bucket)]
    if entry.get("key"):
        settings.append(("key", entry["key"]))
    if entry.get("workspace_key_prefix"):
        settings.append(("workspace_key_prefix", entry["workspace_key_prefix"]))
    settings.append(("region", region))
    if entry.get("profile"):
        settings.append(("profile", entry["profile"]))
    settings.append(("encrypt", True))
    if kms_key_arn:
        settings.append(("kms_key_id", kms_key_arn))
    if params["locking"] == "dynamodb":
        settings.append(("dynamodb_table", names.table))
    else:
        settings.append(("use_lockfile", True))
    return settings


def render_backend_file(settings):
    width = max(len(setting[0]) for setting in settings)
    lines = [BACKEND_FILE_MARKER, "# Use it with: terraform init -backend-config=<this file>"]
    for key, value in settings:
        rendered = ("true" if value else "false") if isinstance(value, bool) else hcl_string(value)
        lines.append(f"{key.ljust(width)} = {rendered}")
    return "\n".join(lines) + "\n"


# --- state files ------------------------------------------------------------------------


def state_identity(data, what):
    """(lineage, serial) of a Terraform state file; BackendSpecError when it is not one."""
    try:
        state = json.loads(data)
    except ValueError as e:
        raise BackendSpecError(f"{what} is not JSON, so not a Terraform state: {e}") from e
    if not isinstance(state, dict) or "lineage" not in state or not isinstance(state.get("serial"), int):
        raise BackendSpecError(f"{what} is not a Terraform state (no lineage and serial)")
    return state["lineage"], state["serial"]
