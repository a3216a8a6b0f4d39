#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the awsorg.landing_zone collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: tf_backend
short_description: Create a secure Terraform S3 backend (state bucket and lock table) in an account
version_added: 0.1.0
description:
  - Makes sure an account has a Terraform state bucket and, with O(locking=dynamodb), a lock table,
    secure by default, then writes the backend configuration files Terraform reads and can push an
    existing local state into the bucket.
  - "The state bucket gets: versioning, default encryption (SSE-S3, or SSE-KMS with a key given or
    created), all four public access block settings, C(BucketOwnerEnforced) object ownership, a policy
    statement denying requests that do not use TLS (see O(deny_insecure_transport)), a lifecycle rule expiring noncurrent versions and
    aborting stale multipart uploads, and optionally server access logging to a log bucket."
  - "The lock table gets: the string hash key C(LockID), on-demand billing, KMS encryption (the key of
    the bucket, or the AWS managed key C(aws/dynamodb)), point-in-time recovery and deletion protection."
  - Every setting is read back and only what differs is written, so a second run changes nothing.
    The bucket policy and lifecycle configuration are merged, not replaced; other statements and
    rules stay.
  - Every name and option is checked, and every refusal (a different state already in the bucket,
    a table with another key schema, a file this module did not write) happens, before the first change.
  - Use O(assume_role) to act inside a member account of the organization.
author:
  - awsorg.landing_zone maintainers (@awsorg)
options:
  state:
    description:
      - V(present) creates or converges the backend.
      - V(absent) deletes the state bucket and the lock table. A bucket holding any object version
        and a table holding a lock are refused unless O(force=true). The log bucket, the KMS key and
        the backend files are never deleted.
    type: str
    choices: [present, absent]
    default: present
  project:
    description: Value of C({project}) in the names.
    type: str
  account:
    description: Value of C({account}) in the names, a short account name like V(management).
    type: str
  bucket:
    description:
      - Name of the state bucket, a Python format string over C({project}), C({account}),
        C({account_id}) (of the target account) and C({region}).
      - Checked against the S3 bucket naming rules before any change.
    type: str
    default: "{project}-{account}-terraform-state"
  lock_table:
    description:
      - Name of the DynamoDB lock table with O(locking=dynamodb), a format string like O(bucket).
    type: str
    default: "{project}-{account}-terraform-state-lock"
  locking:
    description:
      - V(dynamodb) locks state in the lock table (the C(dynamodb_table) backend setting).
      - V(s3) uses the lock file Terraform 1.10 and later keeps in the bucket itself
        (C(use_lockfile)); no table is created.
    type: str
    choices: [dynamodb, s3]
    default: dynamodb
  encryption:
    description:
      - Default encryption of the state bucket. V(AES256) is SSE-S3; V(aws:kms) is SSE-KMS with
        O(kms_key_id) or a key created by O(create_kms_key) (one of them is required).
      - The lock table is encrypted with the same KMS key, or with the AWS managed key
        C(aws/dynamodb) for V(AES256).
    type: str
    choices: [AES256, aws:kms]
    default: AES256
  kms_key_id:
    description: Existing KMS key (id, ARN or alias) for O(encryption=aws:kms).
    type: str
  create_kms_key:
    description:
      - With O(encryption=aws:kms), create (or find again by O(kms_key_alias)) a customer managed key
        with automatic rotation, and use it for the bucket and the lock table.
      - "The key is created tagged C(landing-zone:alias) with its alias, and in one attempt (CreateKey has no
        idempotency token, and a repeated call would make a second key). A key so tagged that no alias points to,
        left by a run whose CreateKey answer was lost or that stopped before CreateAlias, is adopted instead
        of creating another (two list calls, ListAliases and ListKeys, when the alias does not exist yet)."
    type: bool
    default: false
  kms_key_alias:
    description: Alias of the key O(create_kms_key) creates; V(alias/<bucket>) when omitted.
    type: str
  deny_insecure_transport:
    description:
      - Add the bucket policy statement C(DenyInsecureTransport), which denies every request made
        without TLS, to the state bucket and the log bucket.
      - Turn it off only for an S3-compatible endpoint served over plain HTTP (a local emulator),
        where it would deny every object request. V(false) leaves an existing statement in place.
    type: bool
    default: true
  noncurrent_version_expiration_days:
    description: Days after which a noncurrent version of a state file is deleted.
    type: int
    default: 90
  abort_incomplete_multipart_upload_days:
    description: Days after which an unfinished multipart upload is aborted.
    type: int
    default: 7
  access_logging:
    description:
      - Send S3 server access logs of the state bucket to a log bucket in the same account and region.
      - Omit it to leave the bucket's access logging as it is.
    type: dict
    suboptions:
      target_bucket:
        description: Name of the log bucket, a format string like O(bucket).
        type: str
        default: "{project}-{account}-s3-access-logs"
      target_prefix:
        description: Prefix of the log objects; V(<bucket>/) when omitted.
        type: str
      create:
        description:
          - Create the log bucket when missing and keep it secure (public access block, bucket owner
            enforced, SSE-S3, a TLS-only policy statement and a statement letting the S3 logging service
            of this account write to it).
          - When false the log bucket must exist and allow log delivery already.
        type: bool
        default: false
  backend_files:
    description:
      - Backend configuration files to write, for C(terraform init -backend-config=FILE), for example
        one C(backend.tfvars) per account or layer. They hold C(bucket), C(key), C(region), C(profile),
        C(encrypt), C(kms_key_id) and C(dynamodb_table) or C(use_lockfile).
      - Written with mode C(0644); parent directories are created.
    type: list
    elements: dict
    default: []
    suboptions:
      path:
        description: Where to write the file.
        type: path
        required: true
      key:
        description: State key (path of the state inside the bucket), for example V(management/base/terraform.tfstate).
        type: str
      workspace_key_prefix:
        description: Prefix of the state keys of non-default workspaces.
        type: str
      profile:
        description: AWS CLI profile Terraform uses to reach the backend, for example V(acme-management-oaar).
        type: str
      overwrite:
        description: Replace an existing file this module did not write. Without it such a file fails the task.
        type: bool
        default: false
  push_state:
    description:
      - Upload a local state file into the bucket, as after the first apply of the layer that
        creates the backend.
      - Uploaded when the key is absent; nothing happens when the same state (or a later serial of the
        same lineage) is there, or when O(push_state.src) is gone but the key exists; the task fails
        when a different state is there.
      - With O(locking=dynamodb) the state's MD5 digest is recorded in the lock table, as Terraform does.
    type: dict
    suboptions:
      src:
        description: Local C(terraform.tfstate) to push.
        type: path
        required: true
      key:
        description: State key to push it to.
        type: str
        required: true
  force:
    description: With O(state=absent), delete a non-empty bucket (every version) and a table holding a lock.
    type: bool
    default: false
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - awsorg.landing_zone.assume_role
  - awsorg.landing_zone.attributes
notes:
  - The C(dynamodb_table) backend setting is deprecated since Terraform 1.11 in favour of
    C(use_lockfile) (O(locking=s3)).
  - S3 server access logs can only be delivered to a bucket encrypted with SSE-S3, so the log bucket
    never uses the KMS key.
"""

EXAMPLES = r"""
- name: Backend of the management account, Leverage style, then push the bootstrap state
  awsorg.landing_zone.tf_backend:
    project: acme
    account: management
    region: us-east-1
    access_logging:
      create: true
    backend_files:
      - path: "{{ repo }}/management/config/backend.tfvars"
        profile: acme-management-oaar
    push_state:
      src: "{{ repo }}/management/base-tf-backend/terraform.tfstate"
      key: management/tf-backend/terraform.tfstate

- name: A KMS-encrypted backend with S3-native locking in a member account
  awsorg.landing_zone.tf_backend:
    project: acme
    account: shared
    region: eu-west-1
    assume_role:
      account_id: "{{ shared_account_id }}"
    encryption: aws:kms
    create_kms_key: true
    locking: s3
    backend_files:
      - path: "{{ repo }}/shared/{{ item }}/backend.hcl"
        key: "shared/{{ item }}/terraform.tfstate"
        profile: acme-shared-oaar
  loop: [network, dns]

- name: Remove a test backend and everything in it
  awsorg.landing_zone.tf_backend:
    state: absent
    project: acme
    account: sandbox
    region: us-east-1
    force: true
"""

RETURN = r"""
changes:
  description: What the run changed (would change in check mode), in order.
  returned: always
  type: list
  elements: str
  sample: ["create bucket acme-management-terraform-state", "enable versioning on acme-management-terraform-state"]
bucket:
  description: The state bucket after the run (predicted in check mode); null with O(state=absent).
  returned: always
  type: dict
  contains:
    name:
      description: Bucket name.
      type: str
      sample: acme-management-terraform-state
    arn:
      description: Bucket ARN.
      type: str
    region:
      description: Bucket region.
      type: str
    versioning:
      description: V(Enabled).
      type: str
    encryption:
      description: C(sse_algorithm), C(kms_key_id) and C(bucket_key_enabled).
      type: dict
    public_access_block:
      description: The four public access block settings.
      type: dict
    object_ownership:
      description: V(BucketOwnerEnforced).
      type: str
    policy_statement_ids:
      description: Sids of the bucket policy statements.
      type: list
      elements: str
    lifecycle_rule:
      description: The managed lifecycle rule.
      type: dict
    logging:
      description: C(target_bucket) and C(target_prefix) of access logging, when O(access_logging) is set.
      type: dict
lock_table:
  description: The lock table (null with O(locking=s3) or O(state=absent)).
  returned: always
  type: dict
  contains:
    name:
      description: Table name.
      type: str
    arn:
      description: Table ARN (null in check mode before creation).
      type: str
    hash_key:
      description: V(LockID).
      type: str
    billing_mode:
      description: V(PAY_PER_REQUEST).
      type: str
    encryption:
      description: C(status), C(sse_type) and C(kms_key_arn).
      type: dict
    point_in_time_recovery:
      description: Whether point-in-time recovery is on.
      type: bool
    deletion_protection:
      description: Whether deletion protection is on.
      type: bool
log_bucket:
  description: The log bucket, described like RV(bucket) when O(access_logging.create=true), else its name only.
  returned: when O(access_logging) is set
  type: dict
kms_key_arn:
  description: ARN of the KMS key of the bucket and table (null for SSE-S3).
  returned: always
  type: str
backend_config:
  description: The backend settings shared by every backend file (without C(key) and C(profile)).
  returned: always
  type: dict
  sample: {"bucket": "acme-management-terraform-state", "region": "us-east-1", "encrypt": true,
           "dynamodb_table": "acme-management-terraform-state-lock"}
backend_files:
  description: Absolute paths of the backend files.
  returned: always
  type: list
  elements: str
state_push:
  description: What happened to O(push_state).
  returned: when O(push_state) is set
  type: dict
  contains:
    location:
      description: C(s3://bucket/key).
      type: str
    result:
      description: V(uploaded), V(unchanged), V(remote_is_newer) or V(already_pushed) (the local file is gone).
      type: str
    lineage:
      description: Lineage of the local state.
      type: str
    serial:
      description: Serial of the local state.
      type: int
"""

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError

from ansible_collections.awsorg.landing_zone.plugins.module_utils.batch.modules import AnsibleLandingZoneModule
from ansible_collections.awsorg.landing_zone.plugins.module_utils.resources.tf_backend import run


def main():
    argument_spec = dict(
        state=dict(type="str", choices=["present", "absent"], default="present"),
        project=dict(type="str"),
        account=dict(type="str"),
        bucket=dict(type="str", default="{project}-{account}-terraform-state"),
        lock_table=dict(type="str", default="{project}-{account}-terraform-state-lock"),
        locking=dict(type="str", choices=["dynamodb", "s3"], default="dynamodb"),
        encryption=dict(type="str", choices=["AES256", "aws:kms"], default="AES256"),
        kms_key_id=dict(type="str", no_log=False),
        create_kms_key=dict(type="bool", default=False, no_log=False),
        kms_key_alias=dict(type="str", no_log=False),
        deny_insecure_transport=dict(type="bool", default=True),
        noncurrent_version_expiration_days=dict(type="int", default=90),
        abort_incomplete_multipart_upload_days=dict(type="int", default=7),
        access_logging=dict(
            type="dict",
            options=dict(
                target_bucket=dict(type="str", default="{project}-{account}-s3-access-logs"),
                target_prefix=dict(type="str"),
                create=dict(type="bool", default=False),
            ),
        ),
        backend_files=dict(
            type="list",
            elements="dict",
            default=[],
            options=dict(
                path=dict(type="path", required=True),
                key=dict(type="str", no_log=False),
                workspace_key_prefix=dict(type="str", no_log=False),
                profile=dict(type="str"),
                overwrite=dict(type="bool", default=False),
            ),
        ),
        push_state=dict(
            type="dict",
            options=dict(
                src=dict(type="path", required=True),
                key=dict(type="str", required=True, no_log=False),
            ),
        ),
        force=dict(type="bool", default=False),
    )
    module = AnsibleLandingZoneModule(argument_spec=argument_spec, supports_check_mode=True, assume_role=True)
    try:
        module.exit_json(**run(module))
    except AnsibleAWSError as e:
        module.fail_json_aws_error(e)


if __name__ == "__main__":
    main()
