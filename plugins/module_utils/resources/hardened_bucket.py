# -*- coding: utf-8 -*-
# Copyright: Contributors to the awsorg.landing_zone collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""A hardened S3 bucket: the Terraform state bucket, its access-log bucket, the organization's log bucket.

``plan_bucket`` reads one bucket and adds to a Plan (common/change_plan.py)
the writes that bring it to: all four public access blocks on,
BucketOwnerEnforced, versioning when asked, default encryption (SSE-S3, or
SSE-KMS with a bucket key), the policy statements given, and optionally one
lifecycle rule and server access logging.

Every sub-resource is compared setting by setting, so a second run reads
each one back and writes nothing.  The bucket policy and the lifecycle
configuration are shared documents: only our statements (by Sid) and our
rule (by ID) are managed, the others are kept.
"""

import json

from ansible_collections.amazon.aws.plugins.module_utils.policy import compare_policies
from ansible_collections.amazon.aws.plugins.module_utils.s3 import AnsibleS3PermissionsError

from ansible_collections.awsorg.landing_zone.plugins.module_utils.aws import s3
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.service_inputs import SpecError

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


# --- what plan_bucket reads and is asked for ------------------------------------------


class BucketContext:
    """What ``plan_bucket`` reads: the S3 client, the account, region and partition, the encryption choice.

    ``params`` holds ``encryption`` (``AES256`` or ``aws:kms``) and
    ``create_kms_key``; ``kms_key_arn`` is set once the key is known (a key
    created by the same run gets its ARN only when the plan runs).
    """

    def __init__(self, module, identity, params):
        self.module = module
        self.params = params
        self.region = module.region
        self.s3 = module.client("s3")
        self.account_id = identity["Account"]
        self.partition = identity["Partition"]
        self.kms_key_arn = None

    def bucket_arn(self, name):
        return f"arn:{self.partition}:s3:::{name}"


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


# --- reading the bucket ------------------------------------------------------------------


def bucket_exists(ctx, name, field):
    """Whether ``name`` exists in this account and region; SpecError when it is someone else's or elsewhere."""
    try:
        headers = s3.head_bucket(ctx.s3, name)
    except AnsibleS3PermissionsError as e:
        # HeadBucket answers 403 alike for a bucket another account owns and
        # for one this caller is denied (an SCP, a permissions boundary, the
        # bucket's own policy): S3 does not say which.
        raise SpecError(
            f"{field}: {name!r} exists but account {ctx.account_id} is refused HeadBucket on it (403)."
            " Either another account owns a bucket of that name (bucket names are global: choose another"
            " name), or a policy denies this account s3:ListBucket on it (a service control policy, a"
            " permissions boundary or the bucket's own policy)"
        ) from e
    if headers is None:
        return False
    bucket_region = headers.get("x-amz-bucket-region")
    if bucket_region and bucket_region != ctx.region:
        raise SpecError(f"{field}: {name!r} exists in {bucket_region}, not in region {ctx.region}")
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


def _describe_lifecycle_rule(rules):
    ours = [r for r in rules if r.get("ID") == LIFECYCLE_RULE_ID]
    if not ours:
        return None
    return dict(
        id=LIFECYCLE_RULE_ID,
        noncurrent_version_expiration_days=ours[0].get("NoncurrentVersionExpiration", {}).get("NoncurrentDays"),
        abort_incomplete_multipart_upload_days=ours[0].get("AbortIncompleteMultipartUpload", {}).get(
            "DaysAfterInitiation"
        ),
    )


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
        described["lifecycle_rule"] = _describe_lifecycle_rule(current["lifecycle"])
    if "logging" in current:
        logging = current["logging"]
        described["logging"] = (
            dict(target_bucket=logging.get("TargetBucket"), target_prefix=logging.get("TargetPrefix"))
            if logging
            else None
        )
    return described


# --- planning ----------------------------------------------------------------------------


def _wanted_encryption(ctx, spec):
    if not spec.kms_dependent or ctx.params["encryption"] == "AES256":
        return encryption_configuration("AES256", None)
    return encryption_configuration("aws:kms", ctx.kms_key_arn)


def _plan_access_settings(ctx, plan, spec, current, after_state):
    """Public access blocks, object ownership, versioning."""
    client, name = ctx.s3, spec.name
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


def _plan_encryption(ctx, plan, spec, current, after_state):
    client, name = ctx.s3, spec.name
    wanted_encryption = _wanted_encryption(ctx, spec)
    key_pending = spec.kms_dependent and ctx.params["create_kms_key"] and ctx.kms_key_arn is None
    if key_pending or not encryption_matches(current["encryption"], wanted_encryption):
        # A key created by this run gets its ARN only when the plan runs.
        plan.add(f"set default encryption of {name}",
                 lambda: s3.put_bucket_encryption(client, name, _wanted_encryption(ctx, spec)))
        after_state["encryption"] = wanted_encryption


def _plan_documents(ctx, plan, spec, current, after_state):
    """The shared documents: our policy statements (by Sid), our lifecycle rule (by ID), the logging target."""
    client, name = ctx.s3, spec.name
    policy = merged_policy(current["policy"], spec.policy_statements) if spec.policy_statements else None
    if policy is not None:
        policy_json = json.dumps(policy)
        plan.add(f"set the policy statements {', '.join(s['Sid'] for s in spec.policy_statements)} of {name}",
                 lambda: s3.put_bucket_policy(client, name, policy_json))
        after_state["policy"] = policy_json
    if spec.lifecycle is not None:
        rules = merged_lifecycle(current["lifecycle"], spec.lifecycle)
        if rules is not None:
            plan.add(f"set the lifecycle rule {LIFECYCLE_RULE_ID} of {name}",
                     lambda: s3.put_bucket_lifecycle_rules(client, name, rules))
            after_state["lifecycle"] = rules
    if spec.logging is not None:
        target, prefix = spec.logging
        logging = current["logging"]
        if logging.get("TargetBucket") != target or (logging.get("TargetPrefix") or "") != prefix:
            plan.add(f"send access logs of {name} to {target}/{prefix}",
                     lambda: s3.put_bucket_logging(client, name, target, prefix))
            after_state["logging"] = {"TargetBucket": target, "TargetPrefix": prefix}


def plan_bucket(ctx, plan, spec):
    """Plan one bucket; returns (before, after, whether it exists now)."""
    client, name = ctx.s3, spec.name
    with_lifecycle, with_logging = spec.lifecycle is not None, spec.logging is not None
    exists = bucket_exists(ctx, name, spec.field)
    if exists:
        current = _read_bucket(ctx, name, with_lifecycle, with_logging)
        before = _describe_bucket(ctx, name, current)
    else:
        current = _empty_bucket(with_lifecycle, with_logging)
        before = None
        plan.add(f"create bucket {name}",
                 lambda: s3.create_bucket(client, name, ctx.region, object_ownership=OWNERSHIP))

    after_state = dict(current)
    _plan_access_settings(ctx, plan, spec, current, after_state)
    _plan_encryption(ctx, plan, spec, current, after_state)
    _plan_documents(ctx, plan, spec, current, after_state)
    return before, _describe_bucket(ctx, name, after_state), exists
