# -*- coding: utf-8 -*-
# Copyright: Contributors to the awsorg.landing_zone collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Assume a role in a member account, patiently.

Right after CreateAccount reports SUCCEEDED, AWS still needs a few minutes
before the new account's OrganizationAccountAccessRole can be assumed: STS
answers AccessDenied, and the account's services may answer that it "needs a
subscription".  Those answers are retried here until ``timeout`` seconds
have passed; anything else fails at once.  Once the role works, the
account's services may still answer that the account is not ready
(retries.MEMBER_ACCOUNT_NOT_READY_CODES): the clients of a member account
(MemberAccountClient) wait those out too, within the same ``timeout``.

The options are checked before STS is called, so a typo fails in
milliseconds with the option and its value, not after minutes of retries.
"""

import copy
import functools
import random
import threading
import time

try:
    import botocore
except ImportError:
    pass  # AnsibleAWSModule reports the missing dependency.

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError

from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.service_inputs import ROLE_ARN
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.service_inputs import ROLE_NAME
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.service_inputs import ROLE_SESSION_NAME
from ansible_collections.awsorg.landing_zone.plugins.module_utils.aws.retries import MEMBER_ACCOUNT_NOT_READY_CODES
from ansible_collections.awsorg.landing_zone.plugins.module_utils.aws.retries import landing_zone_retry
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.arns import DEFAULT_PARTITION
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.arns import iam_role_arn

DEFAULT_MEMBER_ROLE = "OrganizationAccountAccessRole"
DEFAULT_SESSION_NAME = "awsorg-landing-zone"
DEFAULT_TIMEOUT = 300
DEFAULT_DURATION = 3600

# What STS and a just-created account answer while the role is not usable yet.
# InvalidClientTokenId is deliberately absent: from AssumeRole it means the
# *caller's* access key is unknown, which waiting does not fix.
NOT_READY_CODES = (
    "AccessDenied",
    "SubscriptionRequiredException",
    "OptInRequired",
    "RegionDisabledException",
)

# STS limits: DurationSeconds 900..43200 (the role's MaxSessionDuration may be
# lower), RoleSessionName 2..64 characters of [\w+=,.@-].
MIN_DURATION = 900
MAX_DURATION = 43200


def assume_role_argument_spec():
    return dict(
        assume_role=dict(
            type="dict",
            options=dict(
                account_id=dict(type="str"),
                role_name=dict(type="str", default=DEFAULT_MEMBER_ROLE),
                role_arn=dict(type="str"),
                external_id=dict(type="str", no_log=True),
                session_name=dict(type="str", default=DEFAULT_SESSION_NAME),
                duration_seconds=dict(type="int", default=DEFAULT_DURATION),
                timeout=dict(type="int", default=DEFAULT_TIMEOUT),
            ),
            required_one_of=[("account_id", "role_arn")],
            mutually_exclusive=[("account_id", "role_arn")],
        ),
    )


def _invalid(field, value, expectation):
    return AnsibleAWSError(message=f"assume_role.{field} {expectation}, got {value!r}")


def member_role_arn(assume_role, partition=DEFAULT_PARTITION):
    """The ARN to assume, from ``role_arn`` or ``account_id`` + ``role_name`` in ``partition``.

    ``partition`` is the caller's (aws, aws-cn, aws-us-gov): a member account
    is in its management account's partition.
    """
    if assume_role.get("role_arn"):
        role_arn = assume_role["role_arn"]
        if not ROLE_ARN.fullmatch(role_arn):
            raise _invalid("role_arn", role_arn, "must be an IAM role ARN like arn:aws:iam::123456789012:role/name")
        return role_arn
    account_id = str(assume_role["account_id"])
    if len(account_id) != 12 or not account_id.isdigit():
        raise _invalid("account_id", account_id, "must be 12 digits")
    role_name = assume_role.get("role_name") or DEFAULT_MEMBER_ROLE
    if not ROLE_NAME.fullmatch(role_name):
        raise _invalid("role_name", role_name, "must be 1-64 characters of letters, digits and +=,.@_-")
    return iam_role_arn(partition, account_id, role_name)


def _assume_role_params(assume_role, partition):
    """The AssumeRole parameters, validated; raises AnsibleAWSError naming the bad option."""
    session_name = assume_role.get("session_name") or DEFAULT_SESSION_NAME
    if not ROLE_SESSION_NAME.fullmatch(session_name):
        raise _invalid("session_name", session_name, "must be 2-64 characters of letters, digits and +=,.@_-")
    duration = assume_role.get("duration_seconds")
    duration = DEFAULT_DURATION if duration is None else duration
    if not MIN_DURATION <= duration <= MAX_DURATION:
        raise _invalid("duration_seconds", duration, f"must be between {MIN_DURATION} and {MAX_DURATION}")
    params = dict(RoleArn=member_role_arn(assume_role, partition), RoleSessionName=session_name, DurationSeconds=duration)
    if assume_role.get("external_id"):
        params["ExternalId"] = assume_role["external_id"]
    return params


def _timeout(assume_role):
    timeout = assume_role.get("timeout")
    timeout = DEFAULT_TIMEOUT if timeout is None else timeout
    if timeout < 0:
        raise _invalid("timeout", timeout, "must be 0 or more seconds")
    return timeout


# A new account's member role answers AccessDenied for some seconds after
# its CreateAccount request reports SUCCEEDED (IAM is eventually consistent;
# usually well under a minute).  Doubling the wait from the start would
# overshoot that moment by up to as much again, so poll steadily (jittered,
# a call every 0.75 to 1.25 seconds: the account's work starts at most about
# a second after its role works; STS allows far more) for the first minute,
# then back off, doubling up to 30 seconds.
STEADY_POLL_SECONDS = 60.0
STEADY_POLL_DELAY = (0.75, 1.25)
BACKOFF_START = 4.0
BACKOFF_MAX = 30.0


def _next_pause(waited, delay):
    """(how long to sleep, the next backoff delay) after ``waited`` seconds of not-ready answers."""
    if waited < STEADY_POLL_SECONDS:
        return random.uniform(*STEADY_POLL_DELAY), delay
    return random.uniform(delay / 2, delay), min(delay * 2, BACKOFF_MAX)


@landing_zone_retry
def _assume_role(sts_client, **params):
    return sts_client.assume_role(**params)["Credentials"]


def _not_ready_error(role_arn, error, attempts, timeout):
    code = error.response["Error"]["Code"]
    plural = "" if attempts == 1 else "s"
    return AnsibleAWSError(
        message=(
            f"Could not assume {role_arn}: AWS still answered {code} after {attempts} attempt{plural}"
            f" over {timeout} seconds. A new account can take several minutes before its role"
            " is usable; raise assume_role.timeout, or check the role name and its trust policy"
        ),
        exception=error,
    )


def assume_member_role(sts_client, assume_role, sleep=time.sleep, clock=time.monotonic, partition=DEFAULT_PARTITION):
    """Return the Credentials dict of AssumeRole, retrying while the role is not ready.

    ``partition``: the caller's, for the role ARN built from ``account_id``.

    ``sleep`` and ``clock`` are injectable so the retry loop can be tested
    without waiting.  The loop never sleeps past the deadline: the last
    attempt happens at (or just after) ``timeout`` seconds.
    """
    params = _assume_role_params(assume_role, partition)
    role_arn = params["RoleArn"]
    timeout = _timeout(assume_role)
    started = clock()
    deadline = started + timeout
    delay = BACKOFF_START
    attempts = 0
    while True:
        attempts += 1
        try:
            return _assume_role(sts_client, **params)
        except is_boto3_error_code(list(NOT_READY_CODES)) as e:
            remaining = deadline - clock()
            if remaining <= 0:
                raise _not_ready_error(role_arn, e, attempts, timeout) from e
            pause, delay = _next_pause(clock() - started, delay)
            sleep(min(remaining, pause))
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
            raise AnsibleAWSError(message=f"Failed to assume {role_arn}", exception=e) from e


def credentials_params(credentials):
    """boto3 client keyword arguments for an STS Credentials dict."""
    return dict(
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
    )


class ActsThroughMemberRole:
    """``client()`` and ``target_role_arn`` for a class with ``assumed_role``,
    ``member_credentials()``, ``caller_client()`` and ``partition()``: the
    module itself, and each account of an ``accounts`` batch
    (account_batch.AccountRun).
    """

    @property
    def target_role_arn(self):
        """ARN of the role acted through, or None when acting as the caller."""
        return member_role_arn(self.assumed_role, self.partition()) if self.assumed_role else None

    def client(self, service, retry_decorator=None, **extra_params):
        """A client in the target account: the member role's credentials when one is assumed.

        A member account's client waits out the account's not-ready answers
        (MemberAccountClient); the caller's own client never does.
        """
        if self.assumed_role and "aws_access_key_id" not in extra_params:
            extra_params.update(credentials_params(self.member_credentials()))
            client = self.caller_client(service, retry_decorator=retry_decorator, **extra_params)
            return MemberAccountClient(client, self.member_readiness())
        return self.caller_client(service, retry_decorator=retry_decorator, **extra_params)

    def member_readiness(self):
        """The member account's MemberAccountReadiness: one for every client of this module or account run."""
        with _READINESS_LOCK:
            readiness = getattr(self, "_member_readiness", None)
            if readiness is None:
                readiness = MemberAccountReadiness(self.target_role_arn, _timeout(self.assumed_role))
                self._member_readiness = readiness  # pylint: disable=attribute-defined-outside-init
            return readiness


_READINESS_LOCK = threading.Lock()


# --- a new member account's services ----------------------------------------------------


class MemberAccountReadiness:
    """How long a member account's calls wait out its services' not-ready answers.

    A just-created account's role can be assumed some time before its
    services answer (retries.MEMBER_ACCOUNT_NOT_READY_CODES).  Each call
    that gets such an answer is made again, polled as AssumeRole is, until
    ``timeout`` seconds (assume_role.timeout, 300 by default: the budget the
    account's role gets) after the account's *first* not-ready answer: one
    budget per account and run, whichever call and region meets it, so an
    account that never becomes ready fails after ``timeout`` seconds, not
    ``timeout`` per call.  Then the answer is raised, its message saying so.
    """

    def __init__(self, role_arn, timeout, sleep=time.sleep, clock=time.monotonic):
        self.role_arn = role_arn
        self.timeout = timeout
        self._sleep = sleep
        self._clock = clock
        self._lock = threading.Lock()
        self._first_not_ready = None

    def call(self, function, *args, **kwargs):
        delay = BACKOFF_START
        while True:
            try:
                return function(*args, **kwargs)
            except botocore.exceptions.ClientError as e:
                if e.response.get("Error", {}).get("Code") not in MEMBER_ACCOUNT_NOT_READY_CODES:
                    raise
                now = self._clock()
                with self._lock:
                    if self._first_not_ready is None:
                        self._first_not_ready = now
                    first = self._first_not_ready
                remaining = first + self.timeout - now
                if remaining <= 0:
                    raise self._still_not_ready(e, now - first) from e
                pause, delay = _next_pause(now - first, delay)
                self._sleep(min(remaining, pause))

    def _still_not_ready(self, error, waited):
        """The error again (same code: handlers still recognise it), its message saying how long it was waited out."""
        response = copy.deepcopy(error.response)
        message = response.setdefault("Error", {}).get("Message") or ""
        response["Error"]["Message"] = (
            f"{message} (still answered {waited:.0f} seconds after the first not-ready answer in the account of"
            f" {self.role_arn}: a new account's services can take minutes to be ready, raise assume_role.timeout;"
            " or the account may not use this service or region)"
        )
        return botocore.exceptions.ClientError(response, error.operation_name)


class MemberAccountClient:
    """A member account's client: each API call, and each paginated result, waits out not-ready answers."""

    def __init__(self, client, readiness):
        self._client = client
        self._readiness = readiness

    def __getattr__(self, name):
        attribute = getattr(self._client, name)
        if name == "get_paginator":
            return lambda *args, **kwargs: _ReadyPaginator(attribute(*args, **kwargs), self._readiness)
        # API calls only (botocore names them in meta; a stand-in without meta: every method).
        api_methods = getattr(getattr(self._client, "meta", None), "method_to_api_mapping", None)
        if not callable(attribute) or (api_methods is not None and name not in api_methods):
            return attribute
        return functools.partial(self._readiness.call, attribute)


class _ReadyPaginator:
    def __init__(self, paginator, readiness):
        self._paginator = paginator
        self._readiness = readiness

    def __getattr__(self, name):
        return getattr(self._paginator, name)

    def paginate(self, **kwargs):
        return _ReadyPages(self._paginator, kwargs, self._readiness)


class _ReadyPages:
    """A paginate() result: the whole result waits out not-ready answers, iteration until its first page."""

    def __init__(self, paginator, kwargs, readiness):
        self._paginator = paginator
        self._kwargs = kwargs
        self._readiness = readiness

    def __getattr__(self, name):
        return getattr(self._paginator.paginate(**self._kwargs), name)

    def build_full_result(self):
        return self._readiness.call(lambda: self._paginator.paginate(**self._kwargs).build_full_result())

    def __iter__(self):
        # A page iterator that raised cannot go on: start again, which is only
        # safe before a page was handed out.
        pages, first = self._readiness.call(self._first_page)
        if first is _NO_PAGE:
            return
        yield first
        yield from pages

    def _first_page(self):
        pages = iter(self._paginator.paginate(**self._kwargs))
        return pages, next(pages, _NO_PAGE)


_NO_PAGE = object()
