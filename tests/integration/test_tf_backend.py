"""tf_backend against moto: a secure state bucket and lock table, backend files, the first state push."""

import hashlib
import json
import re

import pytest

from tests.harness.lost_answers import FirstAnswerLost

MODULE = "awsorg.landing_zone.tf_backend"
BUCKET = "acme-shared-terraform-state"
TABLE = "acme-shared-terraform-state-lock"
LOG_BUCKET = "acme-shared-s3-access-logs"
STATE_KEY = "shared/tf-backend/terraform.tfstate"


def _state(lineage, serial=1):
    return json.dumps(
        {"version": 4, "terraform_version": "1.9.8", "serial": serial, "lineage": lineage, "outputs": {},
         "resources": []},
        indent=2,
    ).encode() + b"\n"


def _status(result):
    """ok / failed of a run_module result; ansible-core 2.19 keeps ``failed`` out of the result dict."""
    return result["_run"].results[0]["status"]


def _member_account(organization, name):
    status = organization["client"].create_account(AccountName=name, Email=f"{name}@example.com")
    return status["CreateAccountStatus"]["AccountId"]


def _backend_file_settings(path):
    """key -> raw value of each ``key = value`` line of a backend file."""
    settings = {}
    for line in path.read_text().splitlines():
        match = re.match(r"^(\w+)\s*=\s*(.+)$", line)
        if match:
            settings[match.group(1)] = match.group(2)
    return settings


def _policy_statements(s3, bucket):
    return {s["Sid"]: s for s in json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"])["Statement"]}


@pytest.mark.long
def test_secure_backend_in_member_account_reads_back_and_rerun_is_a_noop(ansible, aws, proxy, organization, tmp_path):
    member = _member_account(organization, "shared")
    backend_file = tmp_path / "shared" / "base" / "backend.tfvars"
    args = dict(
        project="acme",
        account="shared",
        region="us-east-1",
        assume_role=dict(account_id=member),
        access_logging=dict(create=True),
        backend_files=[dict(path=str(backend_file), key="shared/base/terraform.tfstate", profile="acme-shared-oaar")],
    )

    predicted = ansible.run_module(MODULE, args, check=True)
    assert _status(predicted) == "ok", predicted.get("msg")
    assert predicted["changed"] is True
    assert proxy.mutating_calls() == []
    assert f"create bucket {BUCKET}" in predicted["changes"]
    assert f"create bucket {LOG_BUCKET}" in predicted["changes"]
    assert f"create the lock table {TABLE}" in predicted["changes"]
    assert predicted["bucket"]["versioning"] == "Enabled"
    assert predicted["diff"][0]["before"]["bucket"] is None
    assert not backend_file.exists()

    created = ansible.run_module(MODULE, args)
    assert _status(created) == "ok", created.get("msg")
    assert created["changed"] is True
    assert created["changes"] == predicted["changes"]

    s3 = aws.client("s3", account_id=member)
    assert s3.get_bucket_versioning(Bucket=BUCKET)["Status"] == "Enabled"
    rule = s3.get_bucket_encryption(Bucket=BUCKET)["ServerSideEncryptionConfiguration"]["Rules"][0]
    assert rule["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
    assert s3.get_public_access_block(Bucket=BUCKET)["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True, "RestrictPublicBuckets": True,
    }
    ownership = s3.get_bucket_ownership_controls(Bucket=BUCKET)["OwnershipControls"]["Rules"]
    assert ownership == [{"ObjectOwnership": "BucketOwnerEnforced"}]
    tls = _policy_statements(s3, BUCKET)["DenyInsecureTransport"]
    assert tls["Effect"] == "Deny"
    assert tls["Action"] == "s3:*"
    assert tls["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    assert sorted(tls["Resource"]) == [f"arn:aws:s3:::{BUCKET}", f"arn:aws:s3:::{BUCKET}/*"]
    lifecycle = s3.get_bucket_lifecycle_configuration(Bucket=BUCKET)["Rules"]
    assert [r["ID"] for r in lifecycle] == ["terraform-state-noncurrent-versions"]
    assert lifecycle[0]["Status"] == "Enabled"
    assert lifecycle[0]["NoncurrentVersionExpiration"]["NoncurrentDays"] == 90
    assert lifecycle[0]["AbortIncompleteMultipartUpload"]["DaysAfterInitiation"] == 7
    assert s3.get_bucket_logging(Bucket=BUCKET)["LoggingEnabled"] == {
        "TargetBucket": LOG_BUCKET, "TargetPrefix": f"{BUCKET}/",
    }
    log_policy = _policy_statements(s3, LOG_BUCKET)
    assert log_policy["AllowS3ServerAccessLogDelivery"]["Principal"] == {"Service": "logging.s3.amazonaws.com"}
    assert log_policy["AllowS3ServerAccessLogDelivery"]["Condition"] == {
        "StringEquals": {"aws:SourceAccount": member}
    }
    assert "DenyInsecureTransport" in log_policy
    log_rule = s3.get_bucket_encryption(Bucket=LOG_BUCKET)["ServerSideEncryptionConfiguration"]["Rules"][0]
    assert log_rule["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
    assert all(s3.get_public_access_block(Bucket=LOG_BUCKET)["PublicAccessBlockConfiguration"].values())
    # The backend lives in the member account, not in the management account.
    assert aws.client("s3").list_buckets()["Buckets"] == []

    ddb = aws.client("dynamodb", account_id=member)
    table = ddb.describe_table(TableName=TABLE)["Table"]
    assert table["KeySchema"] == [{"AttributeName": "LockID", "KeyType": "HASH"}]
    assert table["AttributeDefinitions"] == [{"AttributeName": "LockID", "AttributeType": "S"}]
    assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    assert table["SSEDescription"]["Status"] == "ENABLED"
    assert table["SSEDescription"]["SSEType"] == "KMS"
    assert table["DeletionProtectionEnabled"] is True
    backups = ddb.describe_continuous_backups(TableName=TABLE)["ContinuousBackupsDescription"]
    assert backups["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"] == "ENABLED"
    assert created["lock_table"]["arn"] == table["TableArn"]
    assert aws.client("dynamodb").list_tables()["TableNames"] == []

    assert oct(backend_file.stat().st_mode & 0o777) == "0o644"
    assert _backend_file_settings(backend_file) == {
        "bucket": f'"{BUCKET}"',
        "key": '"shared/base/terraform.tfstate"',
        "region": '"us-east-1"',
        "profile": '"acme-shared-oaar"',
        "encrypt": "true",
        "dynamodb_table": f'"{TABLE}"',
    }

    # Second run, in check mode and for real: every setting is read back, nothing is written.
    proxy.reset()
    rerun = ansible.run_tasks(
        [
            {"name": "check", MODULE: args, "check_mode": True},
            {"name": "apply", MODULE: args},
        ]
    )
    for name in ("check", "apply"):
        result = rerun.one(name)
        assert result["changed"] is False, result
        assert result["changes"] == []
        assert result["bucket"] == created["bucket"]
    assert proxy.mutating_calls() == []
    reads = {c["action"] for c in proxy.calls}
    assert {"DescribeTable", "DescribeContinuousBackups", "REST.GET.versioning", "REST.GET.encryption",
            "REST.GET.publicAccessBlock", "REST.GET.ownershipControls", "REST.GET.policy",
            "REST.GET.lifecycle", "REST.GET.logging"} <= reads


@pytest.mark.long
def test_state_is_pushed_once_and_a_different_state_is_refused(ansible, aws, proxy, tmp_path):
    state_file = tmp_path / "terraform.tfstate"
    lineage = "6f1c2f0e-0000-4000-8000-000000000001"
    state_file.write_bytes(_state(lineage, serial=3))
    args = dict(
        project="acme",
        account="shared",
        region="us-east-1",
        # moto applies a Deny statement whatever its condition, and its endpoint is plain HTTP anyway:
        # with the TLS-only statement every object request here would be refused.
        deny_insecure_transport=False,
        push_state=dict(src=str(state_file), key=STATE_KEY),
    )
    created = ansible.run_module(MODULE, args)
    assert _status(created) == "ok", created.get("msg")
    assert created["state_push"]["result"] == "uploaded"
    assert created["state_push"]["lineage"] == lineage and created["state_push"]["serial"] == 3
    s3, ddb = aws.client("s3"), aws.client("dynamodb")
    pushed = s3.get_object(Bucket=BUCKET, Key=STATE_KEY)["Body"].read()
    assert pushed == state_file.read_bytes()
    versions = s3.list_object_versions(Bucket=BUCKET, Prefix=STATE_KEY)["Versions"]
    assert len(versions) == 1
    digest = ddb.get_item(TableName=TABLE, Key={"LockID": {"S": f"{BUCKET}/{STATE_KEY}-md5"}})["Item"]
    assert digest["Digest"]["S"] == hashlib.md5(pushed).hexdigest()

    # Again: nothing to do. Then a state of another lineage must never replace the one in the bucket.
    other_state = tmp_path / "other.tfstate"
    other_state.write_bytes(_state("0a0a0a0a-0000-4000-8000-000000000002", serial=9))
    proxy.reset()
    run = ansible.run_tasks([
        {"name": "again", MODULE: args},
        {"name": "other", MODULE: dict(args, push_state=dict(src=str(other_state), key=STATE_KEY)),
         "ignore_errors": True},
    ])
    again = run.one("again")
    assert again["changed"] is False, again.get("changes")
    assert again["state_push"]["result"] == "unchanged"
    refused = run.one("other")
    assert next(r["status"] for r in run.results if r["task"] == "other") == "failed"
    assert "push_state" in refused["msg"] and "refusing to overwrite" in refused["msg"]
    assert proxy.mutating_calls() == []
    assert len(s3.list_object_versions(Bucket=BUCKET, Prefix=STATE_KEY)["Versions"]) == 1

    # Terraform took over (same lineage, later serial), or the local file is gone: nothing to do.
    s3.put_object(Bucket=BUCKET, Key=STATE_KEY, Body=_state(lineage, serial=7))
    proxy.reset()
    later = ansible.run_tasks(
        [
            {"name": "older local", MODULE: args},
            {"name": "gone", MODULE: dict(args, push_state=dict(src=str(tmp_path / "missing"), key=STATE_KEY))},
        ]
    )
    assert later.one("older local")["state_push"]["result"] == "remote_is_newer"
    assert later.one("gone")["state_push"]["result"] == "already_pushed"
    assert later.changed() == []
    assert proxy.mutating_calls() == []


@pytest.mark.long
def test_kms_key_and_s3_lockfile_in_management_account(ansible, aws, proxy, tmp_path):
    backend_file = tmp_path / "backend.hcl"
    args = dict(
        project="acme",
        account="management",
        region="us-east-1",
        encryption="aws:kms",
        create_kms_key=True,
        locking="s3",
        noncurrent_version_expiration_days=30,
        backend_files=[dict(path=str(backend_file), key="management/base/terraform.tfstate")],
    )
    created = ansible.run_module(MODULE, args)
    assert _status(created) == "ok", created.get("msg")["msg"] + created["_run"].output[-3000:]
    bucket = "acme-management-terraform-state"

    kms = aws.client("kms")
    key = kms.describe_key(KeyId=f"alias/{bucket}")["KeyMetadata"]
    assert created["kms_key_arn"] == key["Arn"]
    assert kms.get_key_rotation_status(KeyId=key["KeyId"])["KeyRotationEnabled"] is True
    s3 = aws.client("s3")
    rule = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"][0]
    assert rule["ApplyServerSideEncryptionByDefault"] == {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key["Arn"]}
    assert rule["BucketKeyEnabled"] is True
    lifecycle = s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"][0]
    assert lifecycle["NoncurrentVersionExpiration"]["NoncurrentDays"] == 30
    assert aws.client("dynamodb").list_tables()["TableNames"] == []
    assert created["lock_table"] is None
    settings = _backend_file_settings(backend_file)
    assert settings["use_lockfile"] == "true"
    assert settings["kms_key_id"] == f'"{key["Arn"]}"'
    assert "dynamodb_table" not in settings and "profile" not in settings

    # A foreign bucket policy statement stays; ours is put back once, then nothing more is written.
    foreign = {"Sid": "AuditRead", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
               "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{bucket}/*"}
    policy = json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"])
    policy["Statement"] = [s for s in policy["Statement"] if s["Sid"] != "DenyInsecureTransport"] + [foreign]
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps(policy))
    proxy.reset()
    # The second task names the same key by its alias instead of creating it: the same backend.
    by_alias = dict(args, create_kms_key=False, kms_key_id=f"alias/{bucket}")
    run = ansible.run_tasks([{"name": "heal", MODULE: args}, {"name": "again", MODULE: by_alias}])
    assert run.one("heal")["changes"] == [f"set the policy statements DenyInsecureTransport of {bucket}"]
    assert run.one("again")["changed"] is False, run.one("again").get("msg")
    assert run.one("again")["kms_key_arn"] == key["Arn"]
    assert [c["action"] for c in proxy.mutating_calls()] == ["REST.PUT.policy"]
    assert set(_policy_statements(s3, bucket)) == {"AuditRead", "DenyInsecureTransport"}


def test_a_lost_create_bucket_answer_outside_us_east_1_ends_with_the_bucket_adopted(ansible, aws, proxy):
    # Outside us-east-1 S3 answers the repeat of a CreateBucket that went through
    # BucketAlreadyOwnedByYou (Amazon S3 API Reference, CreateBucket); moto and
    # the strict layer (strict_rules/s3.py) answer so too.
    region, bucket = "eu-west-1", "acme-audit-terraform-state"
    args = dict(project="acme", account="audit", region=region, locking="s3")

    with FirstAnswerLost(proxy, "s3:REST.PUT.bucket") as lost:
        created = ansible.run_module(MODULE, args)

    assert _status(created) == "ok", created.get("msg")
    assert [c["action"] for c in lost.lost] == ["REST.PUT.bucket"]
    creations = [(c["injected"], c["status"]) for c in proxy.calls if c["action"] == "REST.PUT.bucket"]
    assert creations == [("reset_after", 200), (None, 409)]
    assert created["changed"] is True
    assert f"create bucket {bucket}" in created["changes"]
    # One bucket, in its region, with every setting of a new one.
    s3 = aws.client("s3", region=region)
    assert [b["Name"] for b in s3.list_buckets()["Buckets"]] == [bucket]
    assert s3.get_bucket_location(Bucket=bucket)["LocationConstraint"] == region
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
    assert s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]["BlockPublicAcls"] is True
    rule = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"][0]
    assert rule["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"

    proxy.reset()
    again = ansible.run_module(MODULE, args)
    assert again["changed"] is False, again.get("changes")
    assert proxy.mutating_calls() == []


def test_absent_refuses_a_non_empty_bucket_unless_forced(ansible, aws, proxy):
    bucket, table = "acme-sandbox-terraform-state", "acme-sandbox-terraform-state-lock"
    s3, ddb = aws.client("s3"), aws.client("dynamodb")
    s3.create_bucket(Bucket=bucket)
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    s3.put_object(Bucket=bucket, Key="sandbox/terraform.tfstate", Body=b"{}")
    s3.delete_object(Bucket=bucket, Key="sandbox/terraform.tfstate")  # only a noncurrent version and a marker left
    ddb.create_table(TableName=table, BillingMode="PAY_PER_REQUEST", DeletionProtectionEnabled=True,
                     AttributeDefinitions=[{"AttributeName": "LockID", "AttributeType": "S"}],
                     KeySchema=[{"AttributeName": "LockID", "KeyType": "HASH"}])
    args = dict(project="acme", account="sandbox", region="us-east-1", state="absent")

    run = ansible.run_tasks([
        {"name": "refused", MODULE: args, "ignore_errors": True},
        {"name": "forced", MODULE: dict(args, force=True)},
        {"name": "gone", MODULE: dict(args, force=True)},
    ])
    refused = run.one("refused")
    assert next(r["status"] for r in run.results if r["task"] == "refused") == "failed"
    assert "bucket: 'acme-sandbox-terraform-state' is not empty" in refused["msg"] and "force" in refused["msg"]
    assert run.one("forced")["changes"] == [
        f"delete every object version in {bucket}",
        f"delete bucket {bucket}",
        f"turn off deletion protection of {table}",
        f"delete the lock table {table}",
    ]
    assert run.one("gone")["changed"] is False
    # Only the forced run wrote anything, and exactly this.
    assert [c["action"] for c in proxy.mutating_calls()] == [
        "REST.POST.delete", "REST.DELETE.bucket", "UpdateTable", "DeleteTable",
    ]
    assert s3.list_buckets()["Buckets"] == []
    assert ddb.list_tables()["TableNames"] == []


BAD_INPUTS = [
    (dict(bucket="{project}-{account}-s3alias"), "bucket: 'acme-dev-s3alias' must not end with"),
    (dict(project=None, push_state=dict(src="/nonexistent", key="/abs/key")), "push_state.key: '/abs/key'"),
]


def test_bad_input_fails_before_any_change(ansible, aws, proxy):
    tasks = []
    for index, (override, _message) in enumerate(BAD_INPUTS):
        args = dict(dict(project="acme", account="dev", region="us-east-1"), **override)
        tasks.append({"name": f"bad {index}", MODULE: {k: v for k, v in args.items() if v is not None},
                      "ignore_errors": True})
    run = ansible.run_tasks(tasks)
    for index, (_override, message) in enumerate(BAD_INPUTS):
        result = run.one(f"bad {index}")
        assert next(r["status"] for r in run.results if r["task"] == f"bad {index}") == "failed"
        assert message in result["msg"], result["msg"]
    assert proxy.mutating_calls() == []
    assert aws.client("s3").list_buckets()["Buckets"] == []


def _customer_keys(kms):
    """KeyId -> tags of every customer managed key in the account (AWS managed keys have KeyManager AWS)."""
    keys = {}
    for key in kms.list_keys()["Keys"]:
        if kms.describe_key(KeyId=key["KeyId"])["KeyMetadata"]["KeyManager"] == "CUSTOMER":
            tags = kms.list_resource_tags(KeyId=key["KeyId"])["Tags"]
            keys[key["KeyId"]] = {tag["TagKey"]: tag["TagValue"] for tag in tags}
    return keys


KMS_ARGS = dict(project="acme", account="management", region="us-east-1", encryption="aws:kms",
                create_kms_key=True, locking="s3")
KMS_ALIAS = "alias/acme-management-terraform-state"


def test_a_lost_create_key_answer_makes_one_key_not_two(ansible, aws, proxy):
    # CreateKey has no idempotency token: botocore's own repeat of the lost call
    # would be a second key, left without alias.  The module makes one attempt
    # and finds the key AWS made by the tag it was created with.
    with FirstAnswerLost(proxy, "kms:CreateKey") as lost:
        result = ansible.run_module(MODULE, KMS_ARGS)

    assert _status(result) == "ok", result.get("msg")
    assert [c["action"] for c in lost.lost] == ["CreateKey"]
    assert [c["action"] for c in proxy.calls if c["action"] == "CreateKey"] == ["CreateKey"]
    kms = aws.client("kms")
    key = kms.describe_key(KeyId=KMS_ALIAS)["KeyMetadata"]
    assert _customer_keys(kms) == {key["KeyId"]: {"landing-zone:alias": KMS_ALIAS}}
    assert result["kms_key_arn"] == key["Arn"]
    assert kms.get_key_rotation_status(KeyId=key["KeyId"])["KeyRotationEnabled"] is True

    proxy.reset()
    again = ansible.run_module(MODULE, KMS_ARGS)
    assert again["changed"] is False and again["kms_key_arn"] == key["Arn"]
    assert proxy.mutating_calls() == []


def test_a_key_left_without_its_alias_is_predicted_adopted_and_no_other_key_is_made(ansible, aws, proxy):
    kms = aws.client("kms")
    # A run that stopped between CreateKey and CreateAlias; and a key of someone
    # else's, without alias or tag, that must be left alone.
    left = kms.create_key(Description="Terraform state", Tags=[{"TagKey": "landing-zone:alias", "TagValue": KMS_ALIAS}])
    foreign = kms.create_key(Description="someone else's")
    left_id, foreign_id = left["KeyMetadata"]["KeyId"], foreign["KeyMetadata"]["KeyId"]
    proxy.reset()

    preview = ansible.run_module(MODULE, KMS_ARGS, check=True)
    assert _status(preview) == "ok", preview.get("msg")
    assert f"adopt the KMS key {left_id} made for {KMS_ALIAS} by an interrupted run: its alias and yearly rotation" \
        in preview["changes"]
    assert proxy.mutating_calls() == []

    result = ansible.run_module(MODULE, KMS_ARGS)
    assert _status(result) == "ok", result.get("msg")
    assert result["changes"] == preview["changes"]
    assert "CreateKey" not in [c["action"] for c in proxy.calls]
    assert kms.describe_key(KeyId=KMS_ALIAS)["KeyMetadata"]["KeyId"] == left_id
    assert set(_customer_keys(kms)) == {left_id, foreign_id}
    assert kms.get_key_rotation_status(KeyId=left_id)["KeyRotationEnabled"] is True
    assert kms.get_key_rotation_status(KeyId=foreign_id)["KeyRotationEnabled"] is False


def test_a_lost_create_alias_answer_is_adopted(ansible, aws, proxy):
    # botocore repeats the CreateAlias whose answer was lost; KMS refuses the repeat
    # (AlreadyExistsException) because the first one made the alias: it names our key.
    with FirstAnswerLost(proxy, "kms:CreateAlias") as lost:
        result = ansible.run_module(MODULE, KMS_ARGS)

    assert _status(result) == "ok", result.get("msg")
    assert [c["action"] for c in lost.lost] == ["CreateAlias"]
    assert [c["status"] for c in proxy.calls if c["action"] == "CreateAlias"] == [200, 400]
    kms = aws.client("kms")
    key = kms.describe_key(KeyId=KMS_ALIAS)["KeyMetadata"]
    assert list(_customer_keys(kms)) == [key["KeyId"]]
    assert result["kms_key_arn"] == key["Arn"]
    assert kms.get_key_rotation_status(KeyId=key["KeyId"])["KeyRotationEnabled"] is True
