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

The buckets are hardened_bucket's (the log bucket module shares them); the
names, the option checks and the backend file format are pure
(common/terraform_backend.py).  Only the tf_backend module imports this file.
"""

import hashlib
import os

from ansible_collections.awsorg.landing_zone.plugins.module_utils.aws import dynamodb
from ansible_collections.awsorg.landing_zone.plugins.module_utils.aws import kms
from ansible_collections.awsorg.landing_zone.plugins.module_utils.aws import s3
from ansible_collections.awsorg.landing_zone.plugins.module_utils.aws.sts import get_caller_identity
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.change_plan import Plan
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.files import write_file_atomic
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.service_inputs import REGION
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.service_inputs import SpecError
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.terraform_backend import BACKEND_FILE_MARKER
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.terraform_backend import BackendSpecError
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.terraform_backend import Names
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.terraform_backend import backend_settings
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.terraform_backend import render_backend_file
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.terraform_backend import state_identity
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.terraform_backend import validate_static
from ansible_collections.awsorg.landing_zone.plugins.module_utils.resources.hardened_bucket import BucketContext
from ansible_collections.awsorg.landing_zone.plugins.module_utils.resources.hardened_bucket import BucketSpec
from ansible_collections.awsorg.landing_zone.plugins.module_utils.resources.hardened_bucket import bucket_exists
from ansible_collections.awsorg.landing_zone.plugins.module_utils.resources.hardened_bucket import lifecycle_rule
from ansible_collections.awsorg.landing_zone.plugins.module_utils.resources.hardened_bucket import log_delivery_statement
from ansible_collections.awsorg.landing_zone.plugins.module_utils.resources.hardened_bucket import plan_bucket
from ansible_collections.awsorg.landing_zone.plugins.module_utils.resources.hardened_bucket import tls_statement

# Every account id is 12 digits, so names built with this stand-in are valid
# exactly when the real ones will be.
PLACEHOLDER_ACCOUNT_ID = "000000000000"
LOCK_KEY = "LockID"
# Terraform's S3 backend keeps the MD5 of the state it last wrote in the lock
# table, under "<bucket>/<key>-md5", and refuses a state that does not match.
DIGEST_SUFFIX = "-md5"
DIGEST_ATTRIBUTE = "Digest"
BACKEND_FILE_MODE = 0o644


class Context(BucketContext):
    """The run: the hardened-bucket context (S3, account, region, encryption) plus names, DynamoDB and KMS."""

    def __init__(self, module):
        super().__init__(module, get_caller_identity(module.client("sts")), module.params)
        self.names = Names(self.params, self.account_id, self.region)
        self._dynamodb = None
        self._kms = None

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

    @property
    def kms_single_attempt(self):
        """A KMS client that never repeats a call by itself (for CreateKey: see kms.SINGLE_ATTEMPT)."""
        return self.module.client("kms", config=kms.SINGLE_ATTEMPT)


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
        orphan = find_unaliased_key(ctx.kms, alias)
        if orphan is not None:
            def adopt():
                _name_and_rotate(ctx, alias, orphan)

            plan.add(f"adopt the KMS key {orphan['KeyId']} made for {alias} by an interrupted run: "
                     "its alias and yearly rotation", adopt)
            return

        def create():
            _name_and_rotate(ctx, alias, _create_key(ctx, alias))

        plan.add(f"create the KMS key {alias} with yearly rotation", create)
        return
    ctx.kms_key_arn = metadata["Arn"]
    if not kms.get_key_rotation_enabled(ctx.kms, metadata["KeyId"]):
        plan.add(f"enable rotation of the KMS key {alias}", lambda: kms.enable_key_rotation(ctx.kms, metadata["KeyId"]))


def find_unaliased_key(client, alias):
    """An enabled key tagged for ``alias`` that no alias points to: made by a run that lost CreateKey's answer
    or stopped before CreateAlias.  Two list calls when there is none (a new account has no key without an alias:
    AWS managed keys come with theirs)."""
    aliased = kms.list_aliased_key_ids(client)
    for key_id in kms.list_key_ids(client):
        if key_id in aliased or kms.list_key_tags(client, key_id).get(kms.KEY_ALIAS_TAG) != alias:
            continue
        metadata = kms.describe_key(client, key_id)
        if metadata is not None and metadata.get("KeyState") == "Enabled":
            return metadata
    return None


def _create_key(ctx, alias):
    """KeyMetadata of the key made for ``alias``: created once, or found when CreateKey's answer was lost."""
    description = f"Terraform state in s3://{ctx.names.bucket}"
    try:
        return kms.create_key(ctx.kms_single_attempt, description, alias)
    except kms.AnsibleKMSError as error:
        if not kms.answer_lost(error):
            raise
    # AWS may have made the key before the answer was lost: adopt it, or
    # create it now if the request never arrived.
    return find_unaliased_key(ctx.kms, alias) or kms.create_key(ctx.kms_single_attempt, description, alias)


def _name_and_rotate(ctx, alias, metadata):
    try:
        kms.create_alias(ctx.kms, alias, metadata["KeyId"])
    except kms.KMSAliasExistsError:
        # botocore's repeat of a CreateAlias whose answer was lost: ours if it names this key.
        if (kms.describe_key(ctx.kms, alias) or {}).get("KeyId") != metadata["KeyId"]:
            raise
    kms.enable_key_rotation(ctx.kms, metadata["KeyId"])
    ctx.kms_key_arn = metadata["Arn"]


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


def _read_local_state(src):
    try:
        with open(src, "rb") as handle:
            return handle.read()
    except FileNotFoundError:
        return None


def plan_state_push(ctx, plan, bucket_found, table_exists):
    spec = ctx.params.get("push_state")
    if not spec:
        return None
    src, key = spec["src"], spec["key"]
    bucket = ctx.names.bucket
    local = _read_local_state(src)
    remote = s3.get_object_bytes(ctx.s3, bucket, key) if bucket_found else None
    location = f"s3://{bucket}/{key}"
    report = dict(src=src, key=key, location=location)
    if local is None:
        if remote is None:
            raise BackendSpecError(f"push_state.src: {src} does not exist and {location} holds no state either")
        report.update(result="already_pushed", lineage=None, serial=None)
        return report
    lineage, serial = state_identity(local, f"push_state.src {src}")
    report.update(lineage=lineage, serial=serial)
    if remote is None:
        plan.add(f"upload {src} to {location}",
                 lambda: s3.put_object(ctx.s3, bucket, key, local, "application/json"))
        report["result"] = "uploaded"
    elif remote == local:
        report["result"] = "unchanged"
    else:
        remote_lineage, remote_serial = state_identity(remote, location)
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
        elif not bucket_exists(ctx, names.log_bucket, "access_logging.target_bucket"):
            raise BackendSpecError(
                f"access_logging.target_bucket: {names.log_bucket!r} does not exist; create it first or set"
                " access_logging.create=true"
            )
    before["bucket"], after["bucket"], bucket_found = plan_bucket(ctx, plan, _state_bucket_spec(ctx))
    table_exists = False
    if names.table:
        before["lock_table"], after["lock_table"], table_exists = plan_table(ctx, plan)
    state_push = plan_state_push(ctx, plan, bucket_found, table_exists)
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
    if bucket_exists(ctx, names.bucket, "bucket"):
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
        validate_static(params)
        if not module.region or not REGION.fullmatch(module.region):
            raise BackendSpecError(f"region: the backend needs an AWS region like us-east-1, got {module.region!r}")
        # Bad names fail before the first AWS call.
        Names(params, PLACEHOLDER_ACCOUNT_ID, module.region)
        ctx = Context(module)
        if params["state"] == "absent":
            return ensure_absent(ctx)
        return ensure_present(ctx)
    except SpecError as e:
        # BackendSpecError, and hardened_bucket's refusals of a bucket someone else owns.
        module.fail_json(msg=str(e))
