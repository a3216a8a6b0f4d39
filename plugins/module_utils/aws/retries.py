# -*- coding: utf-8 -*-
# Copyright: Contributors to the awsorg.landing_zone collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Retry policies shared by every AWS call of the collection.

botocore already retries throttling and 5xx answers a few times with short
delays; this decorator adds a longer, jittered backoff on top for the errors
that AWS Organizations and IAM return for seconds to minutes.

A freshly created account is not ready for a few minutes (its member role
answers AccessDenied, its services SubscriptionRequiredException or
OptInRequired): every call into a member account goes through its role, so
assume_role.assume_member_role is where those answers are retried, until its
own timeout.
"""

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
