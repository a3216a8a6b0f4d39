# -*- coding: utf-8 -*-
# Copyright: Contributors to the awsorg.landing_zone collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""CreateAccount is asynchronous: find, start and wait on account creation requests.

CreateAccount only starts a request (``car-...``); the account exists once
DescribeCreateAccountStatus says SUCCEEDED, usually after one to a few
minutes.  botocore has no waiter for it, so ``wait_for_creation`` polls:
every STEADY_POLL_DELAY seconds for the first STEADY_POLL_PERIOD seconds
(most creations finish in that time, and a request seen late holds one of
the organization's five creation slots for nothing: with twenty accounts,
four rounds of five, each round starts when the last one is seen to end),
then at a growing interval.

A run killed after CreateAccount was sent must not create a second account on
the next run.  ``find_pending_request`` finds the earlier request: the account
is not listed yet while the request is IN_PROGRESS (and for a short while
after it SUCCEEDED), and ListCreateAccountStatus only carries the account
*name*, not the email, so the name is what matches.  If a second request
slipped through anyway, AWS would refuse it with EMAIL_ALREADY_EXISTS: the
email address is unique across AWS.  That is also what a CreateAccount whose
answer was lost turns into: botocore sends it again, and the repeat ends
FAILED with EMAIL_ALREADY_EXISTS while the first request makes the account
(``CreationFailed.reason``; org_account then adopts the account by email).
"""

import time

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError

from ansible_collections.awsorg.landing_zone.plugins.module_utils.aws import organizations as org

# One DescribeCreateAccountStatus a second per creation in flight, five at
# most: a read, retried with backoff on TooManyRequestsException
# (aws/retries.py) if Organizations throttles it.  The Organizations quotas
# page (docs.aws.amazon.com/organizations/latest/userguide/orgs_reference_limits.html)
# publishes no per-operation request rate, so none is encoded here.
STEADY_POLL_DELAY = 1.0
STEADY_POLL_PERIOD = 60.0
MAX_POLL_DELAY = 15.0
POLL_DELAY_GROWTH = 1.5

# DescribeCreateAccountStatus FailureReason, in plain words.
FAILURE_REASONS = {
    "ACCOUNT_LIMIT_EXCEEDED": (
        "the organization has reached its quota of accounts; ask AWS Support to raise it"
        " (Service Quotas, AWS Organizations)"
    ),
    "EMAIL_ALREADY_EXISTS": (
        "an AWS account with this email address already exists (email addresses are unique across"
        " all of AWS); use another address, or invite the existing account instead"
    ),
    "INVALID_ADDRESS": "the account's contact address is not valid",
    "INVALID_EMAIL": "AWS does not accept this email address",
    "CONCURRENT_ACCOUNT_MODIFICATION": (
        "another change to the organization's accounts ran at the same time; run the task again"
    ),
    "INTERNAL_FAILURE": "AWS had an internal failure; run the task again, and contact AWS Support if it persists",
    "GOVCLOUD_ACCOUNT_ALREADY_EXISTS": "an AWS GovCloud (US) account is already linked to this account",
    "MISSING_BUSINESS_VALIDATION": (
        "the management account has not completed business validation (AWS India / AISPL);"
        " complete it in the billing console"
    ),
    "FAILED_BUSINESS_VALIDATION": "the management account failed business validation; contact AWS Support",
    "PENDING_BUSINESS_VALIDATION": (
        "business validation of the management account is still pending; run the task again once it completes"
    ),
    "INVALID_IDENTITY_FOR_BUSINESS_VALIDATION": (
        "the identity details given for business validation are not valid; correct them in the billing console"
    ),
    "UNKNOWN_BUSINESS_VALIDATION": "business validation failed for an unknown reason; contact AWS Support",
    "MISSING_PAYMENT_INSTRUMENT": "the management account has no valid payment method; add one in the billing console",
    "INVALID_PAYMENT_INSTRUMENT": "the management account's payment method was declined; update it in the billing console",
    "UPDATE_EXISTING_RESOURCE_POLICY_WITH_TAGS_NOT_SUPPORTED": (
        "the organization's resource policy cannot be updated together with tags; create the account"
        " without tags and tag it afterwards"
    ),
}


class CreationFailed(AnsibleAWSError):
    """A creation request ended FAILED; ``status`` is its CreateAccountStatus."""

    def __init__(self, status):
        super().__init__(message=failure_message(status))
        self.status = status

    @property
    def reason(self):
        return self.status.get("FailureReason")


def failure_message(status):
    """A sentence explaining why a FAILED creation request failed."""
    reason = status.get("FailureReason") or "UNKNOWN"
    explanation = FAILURE_REASONS.get(reason, "AWS gave no further explanation")
    name = status.get("AccountName")
    subject = f"account {name!r}" if name else "the account"
    return f"AWS could not create {subject} (request {status.get('Id')}): {reason}: {explanation}"


def wait_for_creation(client, request_id, timeout, sleep=time.sleep, clock=time.monotonic):
    """Poll DescribeCreateAccountStatus until SUCCEEDED; return that status.

    Every STEADY_POLL_DELAY seconds for STEADY_POLL_PERIOD seconds, then the
    delay grows up to MAX_POLL_DELAY seconds.  FAILED raises with the reason in plain words; still
    IN_PROGRESS after ``timeout`` seconds raises too, telling the user that a
    re-run resumes waiting on the same request.
    """
    started = clock()
    deadline = started + timeout
    delay = STEADY_POLL_DELAY
    while True:
        status = org.describe_create_account_status(client, request_id)
        if status is None:
            raise AnsibleAWSError(message=f"AWS no longer knows the account creation request {request_id}")
        if status["State"] == "SUCCEEDED":
            return status
        if status["State"] == "FAILED":
            raise CreationFailed(status)
        remaining = deadline - clock()
        if remaining <= 0:
            raise AnsibleAWSError(
                message=(
                    f"The account creation request {request_id} was still {status['State']} after"
                    f" {timeout} seconds (wait_timeout). AWS keeps working on it: run the task again"
                    " and it will wait on the same request instead of creating a second account"
                )
            )
        sleep(min(delay, remaining))
        if clock() - started >= STEADY_POLL_PERIOD:
            delay = min(delay * POLL_DELAY_GROWTH, MAX_POLL_DELAY)


def _requested_at(status):
    # Timestamps are datetimes from boto3; a missing one sorts first.
    return str(status.get("RequestedTimestamp") or "")


def find_pending_request(client, account_name, listed_account_ids, requests=None):
    """The newest creation request for ``account_name`` whose account is not listed yet.

    Returns ``(request, account)``, ``account`` being None while the request
    is IN_PROGRESS, or ``(None, None)``.  IN_PROGRESS requests match by name.
    A SUCCEEDED request matches only when its account is missing from
    ListAccounts (``listed_account_ids``) but DescribeAccount already knows
    it: ListAccounts lags behind a just-finished request.  A SUCCEEDED
    request whose account AWS does not know any more belongs to an account
    that has since left the organization.  ``requests``: the IN_PROGRESS and
    SUCCEEDED requests when the caller has listed them already.
    """
    if requests is None:
        requests = org.list_create_account_status(client, ["IN_PROGRESS", "SUCCEEDED"])
    candidates = [
        r
        for r in requests
        if r.get("AccountName") == account_name
        and (r["State"] == "IN_PROGRESS" or r.get("AccountId") not in listed_account_ids)
    ]
    for request in sorted(candidates, key=_requested_at, reverse=True):
        if request["State"] == "IN_PROGRESS":
            return request, None
        account = org.describe_account(client, request["AccountId"])
        if account is not None:
            return request, account
    return None, None
