# -*- coding: utf-8 -*-
# Copyright: Contributors to the awsorg.landing_zone collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Retry policies shared by every AWS call of the collection.

botocore already retries throttling and 5xx answers a few times with short
delays; this decorator adds a longer, jittered backoff on top for the errors
that AWS Organizations and IAM return for seconds to minutes.

A freshly created account is not ready for a few minutes: first its member
role answers AccessDenied (retried by assume_role.assume_member_role), then,
once the role can be assumed, its services may still answer that the account
is not subscribed or not verified yet (MEMBER_ACCOUNT_NOT_READY_CODES).  Those
answers are retried only for calls made with a member role's credentials,
by the member account's clients (assume_role.MemberAccountClient), within the
account's assume_role.timeout: from the management account's own
credentials they mean a real problem and fail at once.
"""

import functools
import random
import time

try:
    import botocore.exceptions
except ImportError:
    pass  # AnsibleAWSModule reports the missing dependency.

from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry

# Organizations serialises writes per organization and answers concurrent ones
# with ConcurrentModificationException; TooManyRequestsException is its
# throttling code.  Both clear by themselves.
ORGANIZATIONS_TRANSIENT_CODES = [
    "ConcurrentModificationException",
    "TooManyRequestsException",
    "ServiceException",
]

# IAM's eventual consistency: a role just created may not yet be usable as a
# principal in another policy, and a policy just attached may not be visible.
IAM_TRANSIENT_CODES = [
    "ConcurrentModification",
    "ServiceFailure",
]

COMMON_TRANSIENT_CODES = ORGANIZATIONS_TRANSIENT_CODES + IAM_TRANSIENT_CODES + [
    "SlowDown",
    "RequestTimeout",
    "RequestTimeoutException",
    "ThrottlingException",
    "ProvisionedThroughputExceededException",
    "OperationAborted",
]

# A just-created member account's services, after its role can already be
# assumed, not ready yet.  Retried only in member accounts (see above), never
# by landing_zone_retry: from the management account's credentials they are
# real errors.
# - OptInRequired: EC2's "not authorized to use the requested service":
#   subscribe to it, and a new account may take some time to be activated;
#   PendingVerification: "Your account is pending verification"; AuthFailure:
#   "Ensure that your account is authorized to use Amazon EC2" (Amazon EC2
#   API Reference, "Error codes for the Amazon EC2 API", common client
#   errors).  Seen on new accounts: awslabs/aws-deployment-framework issue
#   #283 (EC2 DescribeRegions right after account creation; PR #238 waits
#   for it) and awslabs/aws-service-catalog-products issue #47
#   (CloudFormation DescribeStacks).
# - SubscriptionRequiredException ("The AWS Access Key Id needs a
#   subscription for the service", SSM and others):
#   aws-deployment-framework issues #243 and #519, fixed by PR #540 (retry
#   the account bootstrap while it is answered).
MEMBER_ACCOUNT_NOT_READY_CODES = (
    "OptInRequired",
    "PendingVerification",
    "AuthFailure",
    "SubscriptionRequiredException",
)

# One decorator for every wrapped call: 10 attempts, 1 s base, 30 s cap, full
# jitter so parallel hosts do not retry in lock step.
landing_zone_retry = AWSRetry.jittered_backoff(
    retries=10, delay=1, backoff=2.0, max_delay=30, catch_extra_error_codes=COMMON_TRANSIENT_CODES
)

# --- Organizations writes that wait on the organization itself ------------------
# Kept apart from the codes above: these two are retried only on the calls AWS
# answers them for, each with its own budget.

# FinalizingOrganizationException: "AWS Organizations couldn't perform the
# operation because your organization hasn't finished initializing. This can
# take up to an hour. Try again later." (botocore's Organizations exceptions
# reference, FinalizingOrganizationException).  botocore 1.44's model lists it
# for CreateAccount, CreateGovCloudAccount and InviteAccountToOrganization;
# terraform-provider-aws also retries CreateOrganizationalUnit on it, for 4
# minutes (internal/service/organizations/organizational_unit.go), and
# hashicorp/terraform PR #13831 met it on CreateAccount right after
# CreateOrganization.  Budget: 25 attempts, 1 s base doubling to a 30 s cap,
# full jitter: at most ~10 minutes of sleep, ~5 minutes on average (19 of the
# 24 sleeps are drawn from 0-30 s), longer than terraform's 4 minutes; a
# new organization that is still finalizing after that needs AWS Support
# rather than a longer wait ("If after one hour you continue to receive this
# error, contact Amazon Web Services Support").
ORGANIZATION_FINALIZING_CODES = [
    "FinalizingOrganizationException",
]

# PolicyChangesInProgressException: "Changes to the effective policy are in
# progress, and its contents can't be returned. Try the operation again later."
# botocore 1.44's model lists it for AttachPolicy, DetachPolicy,
# EnablePolicyType, DisablePolicyType and UpdatePolicy; those calls take the
# normal budget (10 attempts, as landing_zone_retry).
POLICY_CHANGES_CODES = [
    "PolicyChangesInProgressException",
]

# CreateAccount, CreateOrganizationalUnit, InviteAccountToOrganization.
organization_finalizing_retry = AWSRetry.jittered_backoff(
    retries=25, delay=1, backoff=2.0, max_delay=30,
    catch_extra_error_codes=COMMON_TRANSIENT_CODES + ORGANIZATION_FINALIZING_CODES,
)

# AttachPolicy, DetachPolicy, EnablePolicyType, DisablePolicyType, UpdatePolicy.
policy_change_retry = AWSRetry.jittered_backoff(
    retries=10, delay=1, backoff=2.0, max_delay=30,
    catch_extra_error_codes=COMMON_TRANSIENT_CODES + POLICY_CHANGES_CODES,
)


# --- a principal IAM does not know yet ---------------------------------------------
# IAM stores a role or user named in a trust policy as that entity's unique id,
# and one made moments ago (in this run, maybe in another account) may not be
# known to it yet: CreateRole and UpdateAssumeRolePolicy answer
# MalformedPolicyDocument "Invalid principal in policy" until it is.
# terraform-provider-aws retries both calls on that message for its IAM
# propagation timeout, 2 minutes (internal/service/iam/role.go, wait.go); so
# does this, each wait drawn between half and all of a doubling delay (15 s
# at most).  The price: a principal that never exists (a typing error) fails
# after those 2 minutes instead of at once.
INVALID_PRINCIPAL_CODE = "MalformedPolicyDocument"
INVALID_PRINCIPAL_MESSAGE = "Invalid principal in policy"
PRINCIPAL_PROPAGATION_SECONDS = 120.0
_PRINCIPAL_RETRY_MAX_DELAY = 15.0


def _invalid_principal(error):
    details = error.response.get("Error", {})
    return details.get("Code") == INVALID_PRINCIPAL_CODE and INVALID_PRINCIPAL_MESSAGE in details.get("Message", "")


def principal_propagation_retry(func, sleep=time.sleep, clock=time.monotonic):
    """``func`` called again while IAM answers Invalid principal in policy, for PRINCIPAL_PROPAGATION_SECONDS."""

    @functools.wraps(func)
    def retried(*args, **kwargs):
        deadline = clock() + PRINCIPAL_PROPAGATION_SECONDS
        delay = 1.0
        while True:
            try:
                return func(*args, **kwargs)
            except botocore.exceptions.ClientError as e:
                if not _invalid_principal(e) or clock() >= deadline:
                    raise
            sleep(random.uniform(delay / 2, delay))
            delay = min(delay * 2, _PRINCIPAL_RETRY_MAX_DELAY)

    return retried
