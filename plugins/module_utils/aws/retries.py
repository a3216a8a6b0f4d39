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
