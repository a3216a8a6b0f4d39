# -*- coding: utf-8 -*-
# Copyright: Contributors to the awsorg.landing_zone collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Retry policies shared by every AWS call of the collection.

botocore already retries throttling and 5xx answers a few times with short
delays; these decorators add a longer, jittered backoff on top for the errors
that AWS Organizations and freshly created accounts return for seconds to
minutes.
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

# For a few minutes after CreateAccount reports SUCCEEDED, the new account's
# OrganizationAccountAccessRole may not be assumable yet and its services may
# answer "needs a subscription" or reject fresh credentials.
NEW_ACCOUNT_TRANSIENT_CODES = [
    "SubscriptionRequiredException",
    "OptInRequired",
    "InvalidClientTokenId",
    "UnrecognizedClientException",
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

# Calls made into a member account right after it was created.
new_account_retry = AWSRetry.jittered_backoff(
    retries=12,
    delay=2,
    backoff=2.0,
    max_delay=30,
    catch_extra_error_codes=COMMON_TRANSIENT_CODES + NEW_ACCOUNT_TRANSIENT_CODES,
)
