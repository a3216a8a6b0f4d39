# -*- coding: utf-8 -*-
# Copyright: Contributors to the awsorg.landing_zone collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Converge a Terraform S3 backend: state bucket, lock table, backend files, first state.

The run has two phases.  ``plan_*`` reads everything (bucket settings, the
table, the KMS key, the remote state object, the backend files) and lists
the actions that would bring it to the wanted state; any refusal (a
different state already in the bucket, a table with another key schema, a
non-empty bucket without ``force``) happens there, before the first write.
Check mode stops after planning; otherwise the actions run in order.

Bucket sub-resources are compared setting by setting, so a second run reads
each one back and writes nothing.  The bucket policy and the lifecycle
configuration are shared documents: only our statements (by Sid) and our
rule (by ID) are managed, the others are kept.
"""

import hashlib
import json
import os
import re
import string

from ansible_collections.amazon.aws.plugins.module_utils.policy import compare_policies
from ansible_collections.amazon.aws.plugins.module_utils.s3 import AnsibleS3PermissionsError

from ansible_collections.awsorg.landing_zone.plugins.module_utils.aws import dynamodb
from ansible_collections.awsorg.landing_zone.plugins.module_utils.aws import kms
from ansible_collections.awsorg.landing_zone.plugins.module_utils.aws import s3
from ansible_collections.awsorg.landing_zone.plugins.module_utils.aws.sts import get_caller_identity
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.files import write_file_atomic
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.service_inputs import bucket_name_problem
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.service_inputs import table_name_problem

NAME_FIELDS = ("project", "account", "account_id", "region")
PLACEHOLDER_ACCOUNT_ID = "000000000000"
LOCK_KEY = "LockID"
# Terraform's S3 backend keeps the MD5 of the state it last wrote in the lock
# table, under "<bucket>/<key>-md5", and refuses a state that does not match.
DIGEST_SUFFIX = "-md5"
DIGEST_ATTRIBUTE = "Digest"

TLS_SID = "DenyInsecureTransport"
LOG_DELIVERY_SID = "AllowS3ServerAccessLogDelivery"
LIFECYCLE_RULE_ID = "terraform-state-noncurrent-versions"
LOGGING_PRINCIPAL = "logging.s3.amazonaws.com"
OWNERSHIP = "BucketOwnerEnforced"
PUBLIC_ACCESS_BLOCK = {
    "BlockPublicAcls": True,
    "IgnorePublicAcls": True,
    "BlockPublicPolicy": True,
    "RestrictPublicBuckets": True,
}
BACKEND_FILE_MARKER = "# Terraform S3 backend, managed by awsorg.landing_zone.tf_backend"
BACKEND_FILE_MODE = 0o644

_KMS_ALIAS = re.compile(r"^alias/[A-Za-z0-9/_-]{1,250}$")
_REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d{1,2}$")


class BackendSpecError(ValueError):
    """Bad input or a refused change; the message names the option and the value."""


# --- names ----------------------------------------------------------------------


def state_key_problem(key):
    """Terraform's own rules for the S3 backend's ``key``."""
    if not key:
        return "must not be empty"
    if len(key.encode("utf-8")) > 1024:
        return "must be at most 1024 bytes"
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


def _checked(field, name, problem):
    if problem:
        raise BackendSpecError(f"{field}: {name!r} {problem}")
    return name


class Names:
    """Every resource name of the run, expanded and validated."""

    def __init__(self, params, account_id, region):
        values = dict(project=params.get("project"), account=params.get("account"), account_id=account_id,
                      region=region)
        bucket = expand_name("bucket", params["bucket"], values)
        self.bucket = _checked("bucket", bucket, bucket_name_problem(bucket))
        self.table = None
        if params["locking"] == "dynamodb":
            table = expand_name("lock_table", params["lock_table"], values)
            self.table = _checked("lock_table", table, table_name_problem(table))
        self.log_bucket = None
        logging = params.get("access_logging")
        if logging:
            log_bucket = expand_name("access_logging.target_bucket", logging["target_bucket"], values)
            self.log_bucket = _checked("access_logging.target_bucket", log_bucket, bucket_name_problem(log_bucket))
            if self.log_bucket == self.bucket:
                raise BackendSpecError(
                    f"access_logging.target_bucket: {log_bucket!r} is the state bucket itself; logs must go elsewhere"
                )
        self.kms_alias = None
        if params["create_kms_key"]:
            alias = expand_name("kms_key_alias", params["kms_key_alias"] or f"alias/{self.bucket}", values)
            if not _KMS_ALIAS.match(alias) or alias.startswith("alias/aws/"):
                raise BackendSpecError(
                    f"kms_key_alias: {alias!r} must be alias/ followed by letters, digits, '/', '_' and '-'"
                    " (alias/aws/ is reserved for AWS managed keys)"
                )
            self.kms_alias = alias


# --- wanted settings (pure) ----------------------------------------------------------


def encryption_configuration(sse_algorithm, kms_key_arn):
    default = {"SSEAlgorithm": sse_algorithm}
    if kms_key_arn:
        default["KMSMasterKeyID"] = kms_key_arn
    rule = {"ApplyServerSideEncryptionByDefault": default}
    if sse_algorithm == "aws:kms":
        # S3 Bucket Keys cut the KMS requests (and their cost) per object write.
        rule["BucketKeyEnabled"] = True
    return {"Rules": [rule]}


def encryption_matches(current, wanted):
    rules = current.get("Rules", [])
    if len(rules) != 1:
        return False
    have, want = rules[0], wanted["Rules"][0]
    have_default = have.get("ApplyServerSideEncryptionByDefault", {})
    want_default = want["ApplyServerSideEncryptionByDefault"]
    if have_default.get("SSEAlgorithm") != want_default["SSEAlgorithm"]:
        return False
    if have_default.get("KMSMasterKeyID") != want_default.get("KMSMasterKeyID"):
        return False
    return bool(have.get("BucketKeyEnabled")) == bool(want.get("BucketKeyEnabled"))


def tls_statement(bucket_arn):
    # {"AWS": "*"} means the same as "*"; the mapping form is used because
    # some policy readers (moto's log-delivery check among them) expect every
    # Principal to be a mapping.
    return {
        "Sid": TLS_SID,
        "Effect": "Deny",
        "Principal": {"AWS": "*"},
        "Action": "s3:*",
        "Resource": [bucket_arn, f"{bucket_arn}/*"],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }


def log_delivery_statement(log_bucket_arn, account_id):
    # With BucketOwnerEnforced the log bucket takes no ACL grants: S3 server
    # access logging is allowed through the bucket policy instead, limited to
    # source buckets of this account.
    return {
        "Sid": LOG_DELIVERY_SID,
        "Effect": "Allow",
        "Principal": {"Service": LOGGING_PRINCIPAL},
        "Action": "s3:PutObject",
        "Resource": f"{log_bucket_arn}/*",
        "Condition": {"StringEquals": {"aws:SourceAccount": account_id}},
    }


def merged_policy(current_json, statements):
    """The policy with ``statements`` in place (matched by Sid), or None when it already holds them."""
    policy = json.loads(current_json) if current_json else {"Version": "2012-10-17", "Statement": []}
    existing = policy.get("Statement", [])
    if isinstance(existing, dict):
        existing = [existing]
    by_sid = {s.get("Sid"): s for s in existing}
    if all(
        s["Sid"] in by_sid and not compare_policies({"Statement": [by_sid[s["Sid"]]]}, {"Statement": [s]})
        for s in statements
    ):
        return None
    wanted_sids = {s["Sid"] for s in statements}
    policy["Statement"] = [s for s in existing if s.get("Sid") not in wanted_sids] + list(statements)
    policy.setdefault("Version", "2012-10-17")
    return policy


def lifecycle_rule(noncurrent_days, abort_days):
    return {
        "ID": LIFECYCLE_RULE_ID,
        "Status": "Enabled",
        "Filter": {"Prefix": ""},
        "NoncurrentVersionExpiration": {"NoncurrentDays": noncurrent_days},
        "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": abort_days},
    }


def _rule_summary(rule):
    filter_ = rule.get("Filter", {})
    return (
        rule.get("Status"),
        filter_.get("Prefix", rule.get("Prefix", "")) or "",
        bool(set(filter_) - {"Prefix"}),
        rule.get("NoncurrentVersionExpiration", {}).get("NoncurrentDays"),
        rule.get("AbortIncompleteMultipartUpload", {}).get("DaysAfterInitiation"),
        bool(rule.get("Expiration") or rule.get("Transitions") or rule.get("NoncurrentVersionTransitions")),
    )


def merged_lifecycle(current_rules, rule):
    """The rules with ``rule`` in place (matched by ID), or None when it is already there."""
    ours = [r for r in current_rules if r.get("ID") == rule["ID"]]
    if len(ours) == 1 and _rule_summary(ours[0]) == _rule_summary(rule):
        return None
    return [r for r in current_rules if r.get("ID") != rule["ID"]] + [rule]


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


# --- the plan -----------------------------------------------------------------------


class Plan:
    """Actions to run in order, each with the sentence results report it by."""

    def __init__(self):
        self.actions = []

    def add(self, description, action):
        self.actions.append((description, action))

    @property
    def changes(self):
        return [action[0] for action in self.actions]

    def apply(self):
        for _description, action in self.actions:
            action()


class Context:
    def __init__(self, module):
        self.module = module
        self.params = module.params
        self.region = module.region
        self.s3 = module.client("s3")
        self.sts = module.client("sts")
        identity = get_caller_identity(self.sts)
        self.account_id = identity["Account"]
        self.partition = identity["Arn"].split(":")[1]
        self.names = Names(self.params, self.account_id, self.region)
        self._dynamodb = None
        self._kms = None
        self.kms_key_arn = None  # known once the key is found or created

    @property
    def dynamodb(self):
        if self._dynamodb is None:
            self._dynamodb = self.module.client("dynamodb")
        return self._dynamodb

    @property
    def kms(self):
        if self._kms is None:
            self._kms = self.module.client("kms")
        return self._kms

    def bucket_arn(self, name):
        return f"arn:{self.partition}:s3:::{name}"


def _bucket_exists(ctx, name, field):
    try:
        headers = s3.head_bucket(ctx.s3, name)
    except AnsibleS3PermissionsError as e:
        raise BackendSpecError(
            f"{field}: {name!r} exists but account {ctx.account_id} cannot reach it; bucket names are global,"
            " so another account probably owns it. Choose another name"
        ) from e
    if headers is None:
        return False
    bucket_region = headers.get("x-amz-bucket-region")
    if bucket_region and bucket_region != ctx.region:
        raise BackendSpecError(f"{field}: {name!r} exists in {bucket_region}, not in region {ctx.region}")
    return True


def _read_bucket(ctx, name, with_lifecycle, with_logging):
    client = ctx.s3
    current = dict(
        versioning=s3.get_bucket_versioning(client, name).get("Status"),
        encryption=s3.get_bucket_encryption(client, name) or {},
        public_access_block=s3.get_public_access_block(client, name) or {},
        ownership=s3.get_bucket_ownership(client, name),
        policy=s3.get_bucket_policy(client, name),
    )
    if with_lifecycle:
        current["lifecycle"] = s3.get_bucket_lifecycle_rules(client, name) or []
    if with_logging:
        current["logging"] = s3.get_bucket_logging(client, name) or {}
    return current


def _empty_bucket(with_lifecycle, with_logging):
    current = dict(versioning=None, encryption={}, public_access_block={}, ownership=None, policy=None)
    if with_lifecycle:
        current["lifecycle"] = []
    if with_logging:
        current["logging"] = {}
    return current


def _describe_bucket(ctx, name, current):
    default = (current["encryption"].get("Rules") or [{}])[0]
    by_default = default.get("ApplyServerSideEncryptionByDefault", {})
    policy = json.loads(current["policy"]) if current.get("policy") else {}
    statements = policy.get("Statement", [])
    statements = [statements] if isinstance(statements, dict) else statements
    described = dict(
        name=name,
        arn=ctx.bucket_arn(name),
        region=ctx.region,
        versioning=current["versioning"],
        encryption=dict(
            sse_algorithm=by_default.get("SSEAlgorithm"),
            kms_key_id=by_default.get("KMSMasterKeyID"),
            bucket_key_enabled=bool(default.get("BucketKeyEnabled")),
        ),
        public_access_block={k: bool(current["public_access_block"].get(k)) for k in PUBLIC_ACCESS_BLOCK},
        object_ownership=current["ownership"],
        policy_statement_ids=sorted(s.get("Sid") or "" for s in statements),
    )
    if "lifecycle" in current:
        ours = [r for r in current["lifecycle"] if r.get("ID") == LIFECYCLE_RULE_ID]
        described["lifecycle_rule"] = None
        if ours:
            described["lifecycle_rule"] = dict(
                id=LIFECYCLE_RULE_ID,
                noncurrent_version_expiration_days=ours[0].get("NoncurrentVersionExpiration", {}).get(
                    "NoncurrentDays"
                ),
                abort_incomplete_multipart_upload_days=ours[0]
                .get("AbortIncompleteMultipartUpload", {})
                .get("DaysAfterInitiation"),
            )
    if "logging" in current:
        logging = current["logging"]
        described["logging"] = (
            dict(target_bucket=logging.get("TargetBucket"), target_prefix=logging.get("TargetPrefix"))
            if logging
            else None
        )
    return described


class BucketSpec:
    """What one bucket should look like."""

    def __init__(self, name, field, versioning, policy_statements, lifecycle=None, logging=None,
                 kms_dependent=True):
        self.name = name
        self.field = field
        self.versioning = versioning
        self.policy_statements = policy_statements
        self.lifecycle = lifecycle
        self.logging = logging  # (target bucket, prefix) or None
        self.kms_dependent = kms_dependent  # False: always SSE-S3 (log buckets must be)


def _wanted_encryption(ctx, spec):
    if not spec.kms_dependent or ctx.params["encryption"] == "AES256":
        return encryption_configuration("AES256", None)
    return encryption_configuration("aws:kms", ctx.kms_key_arn)


def plan_bucket(ctx, plan, spec):
    """Plan one bucket; returns (before, after, whether it exists now)."""
    client, name = ctx.s3, spec.name
    with_lifecycle, with_logging = spec.lifecycle is not None, spec.logging is not None
    exists = _bucket_exists(ctx, name, spec.field)
    if exists:
        current = _read_bucket(ctx, name, with_lifecycle, with_logging)
        before = _describe_bucket(ctx, name, current)
    else:
        current = _empty_bucket(with_lifecycle, with_logging)
        before = None
        plan.add(f"create bucket {name}",
                 lambda: s3.create_bucket(client, name, ctx.region, object_ownership=OWNERSHIP))

    after_state = dict(current)
    if current["public_access_block"] != PUBLIC_ACCESS_BLOCK:
        plan.add(f"block all public access to {name}",
                 lambda: s3.put_public_access_block(client, name, dict(PUBLIC_ACCESS_BLOCK)))
        after_state["public_access_block"] = dict(PUBLIC_ACCESS_BLOCK)
    if current["ownership"] != OWNERSHIP:
        plan.add(f"enforce bucket owner ownership on {name}", lambda: s3.put_bucket_ownership(client, name, OWNERSHIP))
        after_state["ownership"] = OWNERSHIP
    if spec.versioning and current["versioning"] != "Enabled":
        plan.add(f"enable versioning on {name}", lambda: s3.put_bucket_versioning(client, name, "Enabled"))
        after_state["versioning"] = "Enabled"

    wanted_encryption = _wanted_encryption(ctx, spec)
    key_pending = spec.kms_dependent and ctx.params["create_kms_key"] and ctx.kms_key_arn is None
    if key_pending or not encryption_matches(current["encryption"], wanted_encryption):
        # A key created by this run gets its ARN only when the plan runs.
        plan.add(f"set default encryption of {name}",
                 lambda: s3.put_bucket_encryption(client, name, _wanted_encryption(ctx, spec)))
        after_state["encryption"] = wanted_encryption

    policy = merged_policy(current["policy"], spec.policy_statements) if spec.policy_statements else None
    if policy is not None:
        policy_json = json.dumps(policy)
        plan.add(f"set the policy statements {', '.join(s['Sid'] for s in spec.policy_statements)} of {name}",
                 lambda: s3.put_bucket_policy(client, name, policy_json))
        after_state["policy"] = policy_json

    if with_lifecycle:
        rules = merged_lifecycle(current["lifecycle"], spec.lifecycle)
        if rules is not None:
            plan.add(f"set the lifecycle rule {LIFECYCLE_RULE_ID} of {name}",
                     lambda: s3.put_bucket_lifecycle_rules(client, name, rules))
            after_state["lifecycle"] = rules
    if with_logging:
        target, prefix = spec.logging
        logging = current["logging"]
        if logging.get("TargetBucket") != target or (logging.get("TargetPrefix") or "") != prefix:
            plan.add(f"send access logs of {name} to {target}/{prefix}",
                     lambda: s3.put_bucket_logging(client, name, target, prefix))
            after_state["logging"] = {"TargetBucket": target, "TargetPrefix": prefix}
    return before, _describe_bucket(ctx, name, after_state), exists


# --- KMS key ------------------------------------------------------------------------


def plan_kms_key(ctx, plan):
    """Find (or plan to create) the KMS key; sets ctx.kms_key_arn when it is known."""
    params = ctx.params
    if params["encryption"] == "AES256":
        return
    if params["kms_key_id"]:
        metadata = kms.describe_key(ctx.kms, params["kms_key_id"])
        if metadata is None:
            raise BackendSpecError(f"kms_key_id: no KMS key {params['kms_key_id']!r} in account {ctx.account_id}")
        if metadata.get("KeyState") != "Enabled":
            raise BackendSpecError(f"kms_key_id: the key {metadata['Arn']} is {metadata.get('KeyState')}, not Enabled")
        ctx.kms_key_arn = metadata["Arn"]
        return
    alias = ctx.names.kms_alias
    metadata = kms.describe_key(ctx.kms, alias)
    if metadata is None:
        def create():
            key = kms.create_key(ctx.kms, f"Terraform state in s3://{ctx.names.bucket}")
            kms.create_alias(ctx.kms, alias, key["KeyId"])
            kms.enable_key_rotation(ctx.kms, key["KeyId"])
            ctx.kms_key_arn = key["Arn"]

        plan.add(f"create the KMS key {alias} with yearly rotation", create)
        return
    ctx.kms_key_arn = metadata["Arn"]
    if not kms.get_key_rotation_enabled(ctx.kms, metadata["KeyId"]):
        plan.add(f"enable rotation of the KMS key {alias}", lambda: kms.enable_key_rotation(ctx.kms, metadata["KeyId"]))


# --- lock table -------------------------------------------------------------------------


def _table_sse(ctx):
    sse = {"Enabled": True, "SSEType": "KMS"}
    if ctx.kms_key_arn:
        sse["KMSMasterKeyId"] = ctx.kms_key_arn
    return sse


def _sse_matches(ctx, table):
    description = table.get("SSEDescription") or {}
    if description.get("Status") not in ("ENABLED", "ENABLING", "UPDATING") or description.get("SSEType") != "KMS":
        return False
    have = description.get("KMSMasterKeyArn")
    if ctx.kms_key_arn:
        return have == ctx.kms_key_arn
    if ctx.params["create_kms_key"]:
        return False  # the key is created by this run
    # Without a key of ours the table uses the AWS managed key aws/dynamodb.
    managed = kms.describe_key(ctx.kms, "alias/aws/dynamodb")
    return managed is not None and have == managed["Arn"]


def _describe_table(table, pitr):
    if table is None:
        return None
    sse = table.get("SSEDescription") or {}
    return dict(
        name=table["TableName"],
        arn=table.get("TableArn"),
        hash_key=LOCK_KEY,
        billing_mode=(table.get("BillingModeSummary") or {}).get("BillingMode", "PROVISIONED"),
        encryption=dict(status=sse.get("Status"), sse_type=sse.get("SSEType"), kms_key_arn=sse.get("KMSMasterKeyArn")),
        point_in_time_recovery=pitr,
        deletion_protection=bool(table.get("DeletionProtectionEnabled")),
    )


def plan_table(ctx, plan):
    """Plan the lock table; returns (before, after, exists)."""
    client, name = ctx.dynamodb, ctx.names.table
    table = dynamodb.describe_table(client, name)
    if table is None:
        def create():
            dynamodb.create_table(
                client,
                TableName=name,
                AttributeDefinitions=[{"AttributeName": LOCK_KEY, "AttributeType": "S"}],
                KeySchema=[{"AttributeName": LOCK_KEY, "KeyType": "HASH"}],
                BillingMode="PAY_PER_REQUEST",
                SSESpecification=_table_sse(ctx),
                DeletionProtectionEnabled=True,
            )
            dynamodb.wait_table_active(client, name)
            dynamodb.enable_point_in_time_recovery(client, name)

        plan.add(f"create the lock table {name}", create)
        after = dict(name=name, arn=None, hash_key=LOCK_KEY, billing_mode="PAY_PER_REQUEST",
                     encryption=dict(status="ENABLED", sse_type="KMS", kms_key_arn=ctx.kms_key_arn),
                     point_in_time_recovery=True, deletion_protection=True)
        return None, after, False

    if table.get("KeySchema") != [{"AttributeName": LOCK_KEY, "KeyType": "HASH"}]:
        raise BackendSpecError(
            f"lock_table: {name!r} exists with the key schema {table.get('KeySchema')}; Terraform needs a table"
            f" whose only key is the string hash key {LOCK_KEY}"
        )
    backups = dynamodb.describe_continuous_backups(client, name)
    pitr = (backups.get("PointInTimeRecoveryDescription") or {}).get("PointInTimeRecoveryStatus") == "ENABLED"
    before = _describe_table(table, pitr)
    after = dict(before)
    if before["billing_mode"] != "PAY_PER_REQUEST":
        plan.add(f"switch {name} to on-demand billing",
                 lambda: dynamodb.update_table(client, name, BillingMode="PAY_PER_REQUEST"))
        after["billing_mode"] = "PAY_PER_REQUEST"
    if not _sse_matches(ctx, table):
        plan.add(f"encrypt {name} with {'the KMS key' if ctx.params['encryption'] != 'AES256' else 'KMS'}",
                 lambda: dynamodb.update_table(client, name, SSESpecification=_table_sse(ctx)))
        after["encryption"] = dict(status="ENABLED", sse_type="KMS", kms_key_arn=ctx.kms_key_arn)
    if not before["deletion_protection"]:
        plan.add(f"turn on deletion protection of {name}",
                 lambda: dynamodb.update_table(client, name, DeletionProtectionEnabled=True))
        after["deletion_protection"] = True
    if not pitr:
        plan.add(f"turn on point-in-time recovery of {name}",
                 lambda: dynamodb.enable_point_in_time_recovery(client, name))
        after["point_in_time_recovery"] = True
    return before, after, True


# --- state push -----------------------------------------------------------------------


def _state_identity(data, what):
    """(lineage, serial) of a Terraform state file; BackendSpecError when it is not one."""
    try:
        state = json.loads(data)
    except ValueError as e:
        raise BackendSpecError(f"{what} is not JSON, so not a Terraform state: {e}") from e
    if not isinstance(state, dict) or "lineage" not in state or not isinstance(state.get("serial"), int):
        raise BackendSpecError(f"{what} is not a Terraform state (no lineage and serial)")
    return state["lineage"], state["serial"]


def _read_local_state(src):
    try:
        with open(src, "rb") as handle:
            return handle.read()
    except FileNotFoundError:
        return None


def plan_state_push(ctx, plan, bucket_exists, table_exists):
    spec = ctx.params.get("push_state")
    if not spec:
        return None
    src, key = spec["src"], spec["key"]
    bucket = ctx.names.bucket
    local = _read_local_state(src)
    remote = s3.get_object_bytes(ctx.s3, bucket, key) if bucket_exists else None
    location = f"s3://{bucket}/{key}"
    report = dict(src=src, key=key, location=location)
    if local is None:
        if remote is None:
            raise BackendSpecError(f"push_state.src: {src} does not exist and {location} holds no state either")
        report.update(result="already_pushed", lineage=None, serial=None)
        return report
    lineage, serial = _state_identity(local, f"push_state.src {src}")
    report.update(lineage=lineage, serial=serial)
    if remote is None:
        plan.add(f"upload {src} to {location}",
                 lambda: s3.put_object(ctx.s3, bucket, key, local, "application/json"))
        report["result"] = "uploaded"
    elif remote == local:
        report["result"] = "unchanged"
    else:
        remote_lineage, remote_serial = _state_identity(remote, location)
        if remote_lineage != lineage or remote_serial < serial:
            raise BackendSpecError(
                f"push_state: {location} already holds a different state (lineage {remote_lineage}, serial"
                f" {remote_serial}; {src} has lineage {lineage}, serial {serial}); refusing to overwrite it"
            )
        # Terraform has moved on from the pushed state (same lineage, later serial).
        report["result"] = "remote_is_newer"
        return report
    if ctx.names.table:
        _plan_digest(ctx, plan, key, local, table_exists)
    return report


def _plan_digest(ctx, plan, key, state_bytes, table_exists):
    lock_id = f"{ctx.names.bucket}/{key}{DIGEST_SUFFIX}"
    digest = hashlib.md5(state_bytes, usedforsecurity=False).hexdigest()
    current = dynamodb.get_item(ctx.dynamodb, ctx.names.table, {LOCK_KEY: {"S": lock_id}}) if table_exists else None
    if current and current.get(DIGEST_ATTRIBUTE, {}).get("S") == digest:
        return
    item = {LOCK_KEY: {"S": lock_id}, DIGEST_ATTRIBUTE: {"S": digest}}
    plan.add(f"record the state digest {lock_id} in {ctx.names.table}",
             lambda: dynamodb.put_item(ctx.dynamodb, ctx.names.table, item))


# --- backend files ----------------------------------------------------------------------


def _read_text(path):
    try:
        with open(path, "rb") as handle:
            return handle.read().decode("utf-8", "surrogateescape")
    except FileNotFoundError:
        return None


def plan_backend_files(ctx, plan):
    """Plan the backend files; returns (paths, diffs)."""
    paths, diffs = [], []
    for index, entry in enumerate(ctx.params.get("backend_files") or []):
        path = os.path.abspath(os.path.expanduser(entry["path"]))
        content = render_backend_file(backend_settings(ctx.names, ctx.region, ctx.kms_key_arn, ctx.params, entry))
        current = _read_text(path)
        paths.append(path)
        if current == content and not (ctx.params["create_kms_key"] and ctx.kms_key_arn is None):
            continue
        if current is not None and BACKEND_FILE_MARKER not in current and not entry["overwrite"]:
            raise BackendSpecError(
                f"backend_files[{index}].path: {path} exists and was not written by this module;"
                " set overwrite=true to replace it"
            )

        def write(path=path, entry=entry):
            # Rendered again: a KMS key created by this run is known only now.
            text = render_backend_file(backend_settings(ctx.names, ctx.region, ctx.kms_key_arn, ctx.params, entry))
            os.makedirs(os.path.dirname(path), exist_ok=True)
            write_file_atomic(path, text.encode("utf-8"), mode=BACKEND_FILE_MODE)

        plan.add(f"write {path}", write)
        diffs.append(dict(before_header=path, after_header=path, before=current or "", after=content))
    return paths, diffs


def _validate_static(params):
    """Checks that need no AWS call."""
    if params["encryption"] == "AES256" and (params["kms_key_id"] or params["create_kms_key"]):
        raise BackendSpecError("encryption: kms_key_id and create_kms_key need encryption=aws:kms")
    if params["kms_key_id"] and params["create_kms_key"]:
        raise BackendSpecError("kms_key_id: give either kms_key_id or create_kms_key=true, not both")
    if params["encryption"] == "aws:kms" and not (params["kms_key_id"] or params["create_kms_key"]):
        # Terraform's encrypt=true without kms_key_id uploads every state with SSE-S3,
        # overriding a bucket default of the AWS managed key: name the key instead.
        raise BackendSpecError("encryption: aws:kms needs kms_key_id or create_kms_key=true")
    for field in ("noncurrent_version_expiration_days", "abort_incomplete_multipart_upload_days"):
        if params[field] < 1:
            raise BackendSpecError(f"{field}: must be 1 or more, got {params[field]}")
    for index, entry in enumerate(params.get("backend_files") or []):
        for key in ("key", "workspace_key_prefix"):
            if entry.get(key) is not None:
                _checked(f"backend_files[{index}].{key}", entry[key], state_key_problem(entry[key]))
        if entry.get("profile") and ("\n" in entry["profile"] or "\r" in entry["profile"]):
            raise BackendSpecError(f"backend_files[{index}].profile: must be a single line")
    if params.get("push_state"):
        key = params["push_state"]["key"]
        _checked("push_state.key", key, state_key_problem(key))
    logging = params.get("access_logging")
    if logging and logging.get("target_prefix") and "\n" in logging["target_prefix"]:
        raise BackendSpecError("access_logging.target_prefix: must be a single line")


# --- present / absent -------------------------------------------------------------------


def _state_bucket_spec(ctx):
    params, names = ctx.params, ctx.names
    logging = None
    if params.get("access_logging"):
        prefix = params["access_logging"]["target_prefix"]
        logging = (names.log_bucket, f"{names.bucket}/" if prefix is None else prefix)
    statements = [tls_statement(ctx.bucket_arn(names.bucket))] if params["deny_insecure_transport"] else []
    return BucketSpec(
        names.bucket,
        "bucket",
        versioning=True,
        policy_statements=statements,
        lifecycle=lifecycle_rule(params["noncurrent_version_expiration_days"],
                                 params["abort_incomplete_multipart_upload_days"]),
        logging=logging,
    )


def _log_bucket_spec(ctx):
    arn = ctx.bucket_arn(ctx.names.log_bucket)
    statements = [log_delivery_statement(arn, ctx.account_id)]
    if ctx.params["deny_insecure_transport"]:
        statements.insert(0, tls_statement(arn))
    return BucketSpec(
        ctx.names.log_bucket,
        "access_logging.target_bucket",
        versioning=False,
        policy_statements=statements,
        # S3 server access logs can only be delivered to an SSE-S3 bucket.
        kms_dependent=False,
    )


def ensure_present(ctx):
    params, names = ctx.params, ctx.names
    plan = Plan()
    before, after = {}, {}

    plan_kms_key(ctx, plan)
    logging = params.get("access_logging")
    if logging:
        if logging["create"]:
            before["log_bucket"], after["log_bucket"], _exists = plan_bucket(ctx, plan, _log_bucket_spec(ctx))
        elif not _bucket_exists(ctx, names.log_bucket, "access_logging.target_bucket"):
            raise BackendSpecError(
                f"access_logging.target_bucket: {names.log_bucket!r} does not exist; create it first or set"
                " access_logging.create=true"
            )
    before["bucket"], after["bucket"], bucket_exists = plan_bucket(ctx, plan, _state_bucket_spec(ctx))
    table_exists = False
    if names.table:
        before["lock_table"], after["lock_table"], table_exists = plan_table(ctx, plan)
    state_push = plan_state_push(ctx, plan, bucket_exists, table_exists)
    file_paths, file_diffs = plan_backend_files(ctx, plan)

    if not ctx.module.check_mode:
        plan.apply()
        after["bucket"]["encryption"]["kms_key_id"] = _bucket_kms_key(ctx)
        if names.table and after["lock_table"]["encryption"]["kms_key_arn"] is None:
            after["lock_table"]["encryption"]["kms_key_arn"] = ctx.kms_key_arn
        if names.table and after["lock_table"]["arn"] is None:
            after["lock_table"]["arn"] = dynamodb.describe_table(ctx.dynamodb, names.table)["TableArn"]

    backend_config = dict(backend_settings(names, ctx.region, ctx.kms_key_arn, params))
    return dict(
        changed=bool(plan.actions),
        changes=plan.changes,
        bucket=after["bucket"],
        lock_table=after.get("lock_table"),
        log_bucket=after.get("log_bucket") or (dict(name=names.log_bucket) if names.log_bucket else None),
        kms_key_arn=ctx.kms_key_arn,
        backend_config=backend_config,
        backend_files=file_paths,
        state_push=state_push,
        diff=[dict(before=before, after=after)] + file_diffs,
    )


def _bucket_kms_key(ctx):
    return ctx.kms_key_arn if ctx.params["encryption"] == "aws:kms" else None


def ensure_absent(ctx):
    names, force = ctx.names, ctx.params["force"]
    plan = Plan()
    before = {}
    if _bucket_exists(ctx, names.bucket, "bucket"):
        before["bucket"] = dict(name=names.bucket, arn=ctx.bucket_arn(names.bucket))
        if s3.has_object_versions(ctx.s3, names.bucket):
            if not force:
                raise BackendSpecError(
                    f"bucket: {names.bucket!r} is not empty (it holds state files or their old versions);"
                    " set force=true to delete them with the bucket"
                )
            plan.add(f"delete every object version in {names.bucket}",
                     lambda: s3.delete_object_versions(ctx.s3, names.bucket,
                                                       s3.list_object_versions(ctx.s3, names.bucket)))
        plan.add(f"delete bucket {names.bucket}", lambda: s3.delete_bucket(ctx.s3, names.bucket))
    if names.table:
        table = dynamodb.describe_table(ctx.dynamodb, names.table)
        if table is not None:
            before["lock_table"] = dict(name=names.table, arn=table.get("TableArn"))
            held = [k for k in dynamodb.scan_keys(ctx.dynamodb, names.table, LOCK_KEY) if not k.endswith(DIGEST_SUFFIX)]
            if held and not force:
                raise BackendSpecError(
                    f"lock_table: {names.table!r} holds the lock {held[0]!r}: Terraform is running (or crashed"
                    " holding it); set force=true to delete the table anyway"
                )
            if table.get("DeletionProtectionEnabled"):
                plan.add(f"turn off deletion protection of {names.table}",
                         lambda: dynamodb.update_table(ctx.dynamodb, names.table, DeletionProtectionEnabled=False))
            plan.add(f"delete the lock table {names.table}", lambda: dynamodb.delete_table(ctx.dynamodb, names.table))
    if not ctx.module.check_mode:
        plan.apply()
    return dict(
        changed=bool(plan.actions),
        changes=plan.changes,
        bucket=None,
        lock_table=None,
        log_bucket=None,
        kms_key_arn=None,
        backend_config=None,
        backend_files=[],
        state_push=None,
        diff=[dict(before=before, after={})],
    )


def run(module):
    params = module.params
    try:
        _validate_static(params)
        if not module.region or not _REGION.match(module.region):
            raise BackendSpecError(f"region: the backend needs an AWS region like us-east-1, got {module.region!r}")
        # Every account id is 12 digits, so names built with a stand-in are valid exactly
        # when the real ones will be: bad names fail before the first AWS call.
        Names(params, PLACEHOLDER_ACCOUNT_ID, module.region)
        ctx = Context(module)
        if params["state"] == "absent":
            return ensure_absent(ctx)
        return ensure_present(ctx)
    except BackendSpecError as e:
        module.fail_json(msg=str(e))
