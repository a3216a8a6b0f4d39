# -*- coding: utf-8 -*-
# Copyright: Contributors to the awsorg.landing_zone collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Converge the organization's log bucket (CloudTrail and AWS Config) in the log-archive account.

The bucket is hardened exactly like the Terraform state bucket: the
planning and the setting-by-setting comparison are hardened_bucket's
``plan_bucket`` (versioning, SSE-S3, all four public access blocks,
BucketOwnerEnforced, a TLS-only statement).  On top of that the policy gets
the statements the services need, each pinned to this organization:

* CloudTrail: GetBucketAcl, and PutObject under ``AWSLogs/<management
  account>/`` and ``AWSLogs/<organization id>/``, only for the organization
  trail (``aws:SourceArn`` is the trail's ARN);
* AWS Config: GetBucketAcl, ListBucket and PutObject under
  ``AWSLogs/*/Config/``, only for accounts of the organization
  (``aws:SourceOrgID``).

Only these statements (by Sid) are managed; other statements stay.
"""

from ansible_collections.awsorg.landing_zone.plugins.module_utils.aws import organizations as org
from ansible_collections.awsorg.landing_zone.plugins.module_utils.aws.sts import get_caller_identity
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.change_plan import Plan
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.service_inputs import SpecError
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.service_inputs import bucket_name_problem
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.service_inputs import check_account_id
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.service_inputs import check_organization_id
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.service_inputs import check_region
from ansible_collections.awsorg.landing_zone.plugins.module_utils.resources.hardened_bucket import BucketContext
from ansible_collections.awsorg.landing_zone.plugins.module_utils.resources.hardened_bucket import BucketSpec
from ansible_collections.awsorg.landing_zone.plugins.module_utils.resources.hardened_bucket import plan_bucket
from ansible_collections.awsorg.landing_zone.plugins.module_utils.resources.hardened_bucket import tls_statement
from ansible_collections.awsorg.landing_zone.plugins.module_utils.resources.org_cloudtrail import trail_name_problem

CLOUDTRAIL_PRINCIPAL = "cloudtrail.amazonaws.com"
CONFIG_PRINCIPAL = "config.amazonaws.com"
# CloudTrail and Config hand every object to the bucket owner; with
# BucketOwnerEnforced the ACL header they send is accepted and ignored.
OWNER_FULL_CONTROL = {"s3:x-amz-acl": "bucket-owner-full-control"}

CLOUDTRAIL_SIDS = ("AWSCloudTrailAclCheck", "AWSCloudTrailWrite", "AWSCloudTrailOrganizationWrite")
CONFIG_SIDS = ("AWSConfigBucketPermissionsCheck", "AWSConfigBucketExistenceCheck", "AWSConfigBucketDelivery")


def trail_arn(partition, region, management_account_id, trail_name):
    return f"arn:{partition}:cloudtrail:{region}:{management_account_id}:trail/{trail_name}"


def _service_statement(sid, principal, action, resource, condition):
    return {
        "Sid": sid,
        "Effect": "Allow",
        "Principal": {"Service": principal},
        "Action": action,
        "Resource": resource,
        "Condition": {"StringEquals": condition},
    }


def cloudtrail_statements(bucket_arn, trail, management_account_id, organization_id):
    """What an organization trail needs; ``aws:SourceArn`` admits that one trail only."""
    source = {"aws:SourceArn": trail}
    write = dict(OWNER_FULL_CONTROL, **source)
    return [
        _service_statement(CLOUDTRAIL_SIDS[0], CLOUDTRAIL_PRINCIPAL, "s3:GetBucketAcl", bucket_arn, source),
        # The management account's own events go under its account id, the
        # member accounts' under the organization id.
        _service_statement(CLOUDTRAIL_SIDS[1], CLOUDTRAIL_PRINCIPAL, "s3:PutObject",
                           f"{bucket_arn}/AWSLogs/{management_account_id}/*", write),
        _service_statement(CLOUDTRAIL_SIDS[2], CLOUDTRAIL_PRINCIPAL, "s3:PutObject",
                           f"{bucket_arn}/AWSLogs/{organization_id}/*", write),
    ]


def config_statements(bucket_arn, organization_id):
    """What AWS Config of every account of the organization needs to deliver here."""
    source = {"aws:SourceOrgID": organization_id}
    return [
        _service_statement(CONFIG_SIDS[0], CONFIG_PRINCIPAL, "s3:GetBucketAcl", bucket_arn, source),
        _service_statement(CONFIG_SIDS[1], CONFIG_PRINCIPAL, "s3:ListBucket", bucket_arn, source),
        _service_statement(CONFIG_SIDS[2], CONFIG_PRINCIPAL, "s3:PutObject", f"{bucket_arn}/AWSLogs/*/Config/*",
                           dict(OWNER_FULL_CONTROL, **source)),
    ]


def validate(params, region):
    """Every check that needs no AWS call."""
    problem = bucket_name_problem(params["name"])
    if problem:
        raise SpecError(f"name: {params['name']!r} {problem}")
    check_region("region", region)
    if params.get("organization_id") is not None:
        check_organization_id("organization_id", params["organization_id"])
    if params.get("management_account_id") is not None:
        check_account_id("management_account_id", params["management_account_id"])
    trail = params.get("cloudtrail")
    if trail:
        problem = trail_name_problem(trail["trail_name"])
        if problem:
            raise SpecError(f"cloudtrail.trail_name: {trail['trail_name']!r} {problem}")
        if trail.get("trail_region") is not None:
            check_region("cloudtrail.trail_region", trail["trail_region"])
    if not trail and not params["config_delivery"]:
        raise SpecError("cloudtrail/config_delivery: give cloudtrail, config_delivery=true or both;"
                        " a log bucket nobody may write to has no purpose")


def _organization(module, ctx):
    """(organization id, management account id), from the options or DescribeOrganization."""
    params = module.params
    if params.get("organization_id") and params.get("management_account_id"):
        return params["organization_id"], params["management_account_id"]
    organization = org.describe_organization(module.client("organizations"))
    if organization is None:
        raise SpecError(
            f"organization_id: account {ctx.account_id} is not in an organization; the log bucket admits"
            " the services of one organization"
        )
    return (params.get("organization_id") or organization["Id"],
            params.get("management_account_id") or organization["MasterAccountId"])


def wanted_statements(module, ctx, organization_id, management_account_id):
    params = module.params
    arn = ctx.bucket_arn(params["name"])
    statements = [tls_statement(arn)] if params["deny_insecure_transport"] else []
    trail = None
    if params.get("cloudtrail"):
        spec = params["cloudtrail"]
        trail = trail_arn(ctx.partition, spec.get("trail_region") or ctx.region, management_account_id,
                          spec["trail_name"])
        statements += cloudtrail_statements(arn, trail, management_account_id, organization_id)
    if params["config_delivery"]:
        statements += config_statements(arn, organization_id)
    return statements, trail


def run(module):
    params = module.params
    try:
        validate(params, module.region)
        # Log buckets stay SSE-S3 (the log delivery services need no key policy then).
        ctx = BucketContext(module, get_caller_identity(module.client("sts")),
                            dict(encryption="AES256", create_kms_key=False))
        organization_id, management_account_id = _organization(module, ctx)
        statements, trail = wanted_statements(module, ctx, organization_id, management_account_id)
        plan = Plan()
        spec = BucketSpec(params["name"], "name", versioning=True, policy_statements=statements,
                          kms_dependent=False)
        before, after, _exists = plan_bucket(ctx, plan, spec)
        if not module.check_mode:
            plan.apply()
    except SpecError as e:
        module.fail_json(msg=str(e))
    return dict(
        changed=bool(plan.actions),
        changes=plan.changes,
        bucket=after,
        organization_id=organization_id,
        management_account_id=management_account_id,
        trail_arn=trail,
        diff=dict(before=before, after=after),
    )
