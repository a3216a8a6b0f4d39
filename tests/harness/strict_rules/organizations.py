"""Organizations: duplicates, creation limits, account quota, closing (behaviours 6 and 7).

CreateAccount is asynchronous in AWS: the request is accepted (IN_PROGRESS)
and ends SUCCEEDED or FAILED with a FailureReason.  moto makes the account at
once and checks nothing, so a retried CreateAccount whose first answer was
lost makes a second account.  This rule answers, instead of moto, with a
creation request of its own that ends FAILED as AWS's would
(CreateAccountStatus, Organizations API Reference,
https://docs.aws.amazon.com/organizations/latest/APIReference/API_CreateAccountStatus.html):

* EMAIL_ALREADY_EXISTS: "another AWS account with that email address already
  exists" (an account of the organization, in moto's ListAccounts);
* CONCURRENT_ACCOUNT_MODIFICATION: "You already submitted a request with the
  same information" (a creation with that email still IN_PROGRESS);
* ACCOUNT_LIMIT_EXCEEDED: "you reached the limit on the number of accounts in
  your organization" (``StrictConfig.account_quota``, AWS's default 10 "accounts
  allowed in an organization", so the management account counts; "When an
  account is closed it does not stop counting against this quota until it is
  permanently closed": Quotas for AWS Organizations, orgs_reference_limits.html).

Its requests read IN_PROGRESS for as long as the proxy's slow account
creation lasts (``FaultConfig.account_creation_seconds``) and FAILED after, in
DescribeCreateAccountStatus and ListCreateAccountStatus (States filter,
NextToken pages) next to moto's own.

More creations in flight than AWS runs at a time is refused at once:
ConstraintViolationException, Reason ACCOUNT_CREATION_RATE_LIMIT_EXCEEDED
("You attempted to exceed the number of accounts that can be in progress at
a time", ConstraintViolationException in botocore's Organizations model).

CloseAccount (API_CloseAccount.html): the account reads PENDING_CLOSURE "while
the close account request is in progress" and SUSPENDED after (moto goes
straight to SUSPENDED); "Within a rolling 30 day period you can close the
higher of either 250 or 20% of the member accounts in your organization, up
to a maximum of 1,000" (botocore 1.44's model of CloseAccount; the re:Post
article "organizations-close-account-quota" gives the same figures and the
message); past it ConstraintViolationException, Reason
CLOSE_ACCOUNT_QUOTA_EXCEEDED, "You have exceeded close account quota for the
past 30 days."  (The collection plans its closures with the same figure,
common/account_quotas.py; older copies of the API reference said "10% of member
accounts, between 10 and 1000".)  Closing an account already closed is moto's
AccountAlreadyClosedException, as AWS answers.

CreateOrganizationalUnit under a parent that already has an OU of that name:
DuplicateOrganizationalUnitException, "An OU with the same name already
exists." (moto checks only on rename).  CreatePolicy with the name of a policy
of the same type: DuplicatePolicyException, "A policy with the same name
already exists." (moto 5.2.5 already refuses a name used by a policy of any type).
"""

import datetime
import json
import threading
import time
import uuid

from botocore.exceptions import ClientError

from tests.harness.strict_aws import AwsError
from tests.harness.strict_aws import Rule
from tests.harness.strict_aws import answer_json
from tests.harness.strict_aws import json_answer
from tests.harness.strict_aws import json_error

# CreateAccount requests that may be IN_PROGRESS at a time (the figure of this
# project's brief: the Organizations documentation names the limit,
# ACCOUNT_CREATION_RATE_LIMIT_EXCEEDED, but not its number).
MAX_CREATIONS_IN_FLIGHT = 5
CLOSE_QUOTA_WINDOW_SECONDS = 30 * 24 * 3600
CLOSE_QUOTA_PERCENT = 20
CLOSE_QUOTA_MAXIMUM = 1000
TOKEN_PREFIX = "strict:"
_HIDDEN_WHILE_IN_PROGRESS = ("AccountId", "CompletedTimestamp", "FailureReason", "GovCloudAccountId")
_ACCOUNT_LISTINGS = ("DescribeAccount", "ListAccounts", "ListAccountsForParent")


def close_quota(member_accounts, minimum=250):
    """Accounts an organization may close within 30 days: max(minimum, 20% of members), at most 1,000."""
    return min(CLOSE_QUOTA_MAXIMUM, max(minimum, member_accounts * CLOSE_QUOTA_PERCENT // 100))


def closures_within(closed_at, now, window=CLOSE_QUOTA_WINDOW_SECONDS):
    """How many of the closing times fall within the rolling window ending ``now``."""
    return sum(1 for moment in closed_at if now - moment < window)


def failure_reason(email, accounts, in_flight_account_ids, account_quota):
    """The FailureReason AWS would end this CreateAccount with, or None when it would succeed.

    ``accounts``: the organization's accounts (moto's ListAccounts, including
    the management account and accounts still being created).
    """
    email = (email or "").lower()
    same_email = [a for a in accounts if (a.get("Email") or "").lower() == email]
    if any(a["Id"] in in_flight_account_ids for a in same_email):
        return "CONCURRENT_ACCOUNT_MODIFICATION"
    if same_email:
        return "EMAIL_ALREADY_EXISTS"
    if len(accounts) >= account_quota:
        return "ACCOUNT_LIMIT_EXCEEDED"
    return None


def as_in_progress(status):
    return dict({k: v for k, v in status.items() if k not in _HIDDEN_WHILE_IN_PROGRESS}, State="IN_PROGRESS")


def _epoch_times(status):
    """boto3 parses timestamps; the JSON protocol sends them as epoch seconds."""
    return {k: v.timestamp() if isinstance(v, datetime.datetime) else v for k, v in status.items()}


def _rewritten(answer, data):
    status, headers, _payload = answer
    headers = {k: v for k, v in headers.items() if k.lower() not in ("x-amz-crc32", "content-length")}
    return status, headers, json.dumps(data).encode()


class OrganizationsRules(Rule):
    name = "organizations"

    def __init__(self, layer):
        super().__init__(layer)
        self._lock = threading.Lock()
        self._requests = {}  # our car- id -> the failed-to-be request
        self._closed_at = {}  # account id -> clock time of its CloseAccount
        # CloseAccount calls let through and not answered yet: AWS counts a closure against the
        # quota atomically, so parallel calls must not all pass the check before one is recorded.
        self._closing = set()
        # The configuration whose creation_internal_failures are being spent, and how many are left.
        self._failures_of = None
        self._failures_left = 0

    def reset(self):
        with self._lock:
            self._requests.clear()
            self._closed_at.clear()
            self._closing.clear()

    def before(self, request):
        if request.service != "organizations":
            return None
        handler = {
            "CreateAccount": self._create_account,
            "DescribeCreateAccountStatus": self._describe_status,
            "ListCreateAccountStatus": self._list_statuses,
            "CreateOrganizationalUnit": self._check_ou_name,
            "CreatePolicy": self._check_policy_name,
            "CloseAccount": self._check_close_quota,
        }.get(request.action)
        return handler(request) if handler else None

    def after(self, request, answer):
        if request.is_("organizations", "CloseAccount"):
            with self._lock:
                self._closing.discard(request.params.get("AccountId"))
                if answer and answer[0] == 200:
                    self._closed_at[request.params.get("AccountId")] = self.layer.clock()
            return None
        if request.service != "organizations" or not answer or answer[0] != 200:
            return None
        if request.action in _ACCOUNT_LISTINGS:
            return self._show_pending_closure(answer)
        return None

    # --- CreateAccount ------------------------------------------------------

    def _accounts(self, org):
        return [a for page in org.get_paginator("list_accounts").paginate() for a in page["Accounts"]]

    def _create_account(self, request):
        org = self.caller_client("organizations", request)
        try:
            accounts = self._accounts(org)
        except ClientError:
            return None  # no organization: moto answers as AWS does
        # The proxy's slow-creation view outlives a moto reset: only accounts
        # that exist are being created.
        existing = {a["Id"] for a in accounts}
        in_flight = {r: a for r, a in self.layer.creations_in_flight().items() if a in existing}
        if len(in_flight) + self._own_in_progress() >= MAX_CREATIONS_IN_FLIGHT:
            return json_error("ConstraintViolationException",
                              "You attempted to exceed the number of accounts that can be in progress at a time.",
                              Reason="ACCOUNT_CREATION_RATE_LIMIT_EXCEEDED")
        reason = failure_reason(request.params.get("Email"), accounts, set(in_flight.values()),
                                self.config.account_quota)
        if reason is None and self._spend_internal_failure():
            reason = "INTERNAL_FAILURE"
        if reason is None:
            return None
        record = dict(Id="car-" + uuid.uuid4().hex, AccountName=request.params.get("AccountName"),
                      RequestedTimestamp=time.time(), started=self.layer.clock(), reason=reason)
        with self._lock:
            self._requests[record["Id"]] = record
        # AWS accepts the request: it fails later, in the background.
        return json_answer({"CreateAccountStatus": as_in_progress(self._status(record))})

    def _spend_internal_failure(self):
        """Whether this CreateAccount is one of the configured INTERNAL_FAILUREs."""
        with self._lock:
            if self._failures_of is not self.config:
                self._failures_of, self._failures_left = self.config, self.config.creation_internal_failures
            if self._failures_left <= 0:
                return False
            self._failures_left -= 1
            return True

    def _status(self, record):
        """Our request as AWS shows it now: IN_PROGRESS while a creation lasts, FAILED after."""
        seconds = self.layer.creation_seconds()
        status = dict(Id=record["Id"], AccountName=record["AccountName"], State="IN_PROGRESS",
                      RequestedTimestamp=record["RequestedTimestamp"])
        if self.layer.clock() - record["started"] >= seconds:
            status.update(State="FAILED", FailureReason=record["reason"],
                          CompletedTimestamp=record["RequestedTimestamp"] + seconds)
        return status

    def _own_in_progress(self):
        with self._lock:
            records = list(self._requests.values())
        return sum(1 for r in records if self._status(r)["State"] == "IN_PROGRESS")

    def _describe_status(self, request):
        with self._lock:
            record = self._requests.get(request.params.get("CreateAccountRequestId"))
        if record is None:
            return None
        return json_answer({"CreateAccountStatus": self._status(record)})

    def _moto_statuses(self, org):
        """All of moto's creation requests (moto's NextToken is an offset it miscounts: stop on a repeat)."""
        statuses, token, seen = [], None, set()
        while True:
            page = org.list_create_account_status(**({"NextToken": token} if token else {}))
            statuses.extend(_epoch_times(s) for s in page.get("CreateAccountStatuses", []))
            token = page.get("NextToken")
            if not token or token in seen:
                return statuses
            seen.add(token)

    def _list_statuses(self, request):
        token = request.params.get("NextToken")
        with self._lock:
            records = sorted(self._requests.values(), key=lambda r: r["started"])
        ours = bool(token) and token.startswith(TOKEN_PREFIX)
        if not ours and (token or not records):
            return None  # nothing of ours to show: moto's answer (and the proxy's slow-creation view) stands
        org = self.caller_client("organizations", request)
        try:
            statuses = self._moto_statuses(org)
            management = org.describe_organization()["Organization"]["MasterAccountId"]
        except ClientError:
            return None
        # moto lists a creation request for the management account too; AWS
        # has none (that account was not made by CreateAccount).
        statuses = [s for s in statuses if s.get("AccountId") != management]
        in_flight = self.layer.creations_in_flight()
        statuses = [as_in_progress(s) if s.get("Id") in in_flight else s for s in statuses]
        statuses += [self._status(r) for r in records]
        wanted = request.params.get("States")
        if wanted:
            statuses = [s for s in statuses if s["State"] in wanted]
        start = int(token[len(TOKEN_PREFIX):]) if ours else 0
        size = int(request.params.get("MaxResults") or len(statuses) or 1)
        page = dict(CreateAccountStatuses=statuses[start:start + size])
        if start + size < len(statuses):
            page["NextToken"] = f"{TOKEN_PREFIX}{start + size}"
        return json_answer(page)

    # --- names that must be unique -----------------------------------------------

    def _check_ou_name(self, request):
        org = self.caller_client("organizations", request)
        try:
            pages = org.get_paginator("list_organizational_units_for_parent").paginate(
                ParentId=request.params.get("ParentId"))
            names = [ou["Name"] for page in pages for ou in page["OrganizationalUnits"]]
        except ClientError:
            return None  # no such parent: moto answers ParentNotFoundException
        if request.params.get("Name") in names:
            raise AwsError("DuplicateOrganizationalUnitException", "An OU with the same name already exists.", 400)
        return None

    def _check_policy_name(self, request):
        org = self.caller_client("organizations", request)
        try:
            pages = org.get_paginator("list_policies").paginate(Filter=request.params.get("Type"))
            names = [p["Name"] for page in pages for p in page["Policies"]]
        except ClientError:
            return None
        if request.params.get("Name") in names:
            raise AwsError("DuplicatePolicyException", "A policy with the same name already exists.", 400)
        return None

    # --- CloseAccount -------------------------------------------------------

    def _check_close_quota(self, request):
        org = self.caller_client("organizations", request)
        try:
            account = org.describe_account(AccountId=request.params.get("AccountId"))["Account"]
            management = org.describe_organization()["Organization"]["MasterAccountId"]
            accounts = self._accounts(org)
        except ClientError:
            return None  # no such account / organization: moto answers as AWS does
        if account["Status"] != "ACTIVE":
            return None  # moto's AccountAlreadyClosedException, as AWS answers
        members = sum(1 for a in accounts if a["Id"] != management)
        with self._lock:
            closed = closures_within(self._closed_at.values(), self.layer.clock()) + len(self._closing)
            if closed >= close_quota(members, self.config.close_quota_minimum):
                return json_error("ConstraintViolationException",
                                  "You have exceeded close account quota for the past 30 days.",
                                  Reason="CLOSE_ACCOUNT_QUOTA_EXCEEDED")
            self._closing.add(request.params.get("AccountId"))
        return None

    def _pending_closure(self):
        now = self.layer.clock()
        with self._lock:
            return {a for a, moment in self._closed_at.items() if now - moment < self.config.close_pending_seconds}

    def _show_pending_closure(self, answer):
        pending = self._pending_closure()
        if not pending or answer[1].get("Content-Encoding") not in (None, "", "identity"):
            return None
        data = answer_json(answer)
        if data is None:
            return None
        accounts = [data["Account"]] if "Account" in data else data.get("Accounts", [])
        changed = False
        for account in accounts:
            if account.get("Id") in pending:
                account.update(Status="PENDING_CLOSURE", State="PENDING_CLOSURE")
                changed = True
        return _rewritten(answer, data) if changed else None
