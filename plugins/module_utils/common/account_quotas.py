# -*- coding: utf-8 -*-
# Copyright: Contributors to the awsorg.landing_zone collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The two account quotas of an organization, as pure functions (no AWS call).

* Closing: CloseAccount is limited per rolling 30 days.  AWS's CloseAccount
  reference (https://docs.aws.amazon.com/organizations/latest/APIReference/API_CloseAccount.html,
  the text of botocore 1.44's Organizations model): "Within a rolling 30 day
  period you can close the higher of either 250 or 20% of the member accounts
  in your organization, up to a maximum of 1,000."  (Older copies of that page
  said 10%, between 10 and 1,000.)  Organizations shows no closure date, so the
  collection tags each account right before its CloseAccount
  (``CLOSE_REQUESTED_TAG`` = the UTC time, ISO 8601) and counts the closed
  accounts whose tag falls within the last 30 days.
* Creating: "Default maximum number of accounts" of Service Quotas' service
  ``organizations``, 10 by default; "An invitation sent to an account counts
  against this quota" and "When an account is closed it does not stop
  counting against this quota until it is permanently closed" (Quotas for AWS
  Organizations, https://docs.aws.amazon.com/organizations/latest/userguide/orgs_reference_limits.html).
  Its code is L-29A0C5DF today, but "Service quota codes might change over
  time" (same page): it is found by its name.
"""

import datetime

# --- closing ------------------------------------------------------------------------

CLOSE_REQUESTED_TAG = "landing-zone:close-requested"
CLOSE_QUOTA_WINDOW = datetime.timedelta(days=30)
CLOSE_QUOTA_FLOOR = 250
CLOSE_QUOTA_PERCENT = 20
CLOSE_QUOTA_MAXIMUM = 1000


def close_quota(member_accounts, floor=CLOSE_QUOTA_FLOOR):
    """Member accounts an organization may close within 30 days: max(250, 20% of members), at most 1,000."""
    return min(CLOSE_QUOTA_MAXIMUM, max(floor, member_accounts * CLOSE_QUOTA_PERCENT // 100))


def utc_now():
    return datetime.datetime.now(datetime.timezone.utc)


def close_requested_value(now):
    """The tag value recorded right before CloseAccount: the UTC time to the second, ISO 8601."""
    return now.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def close_requested_at(tags):
    """The time of the tag ``CLOSE_REQUESTED_TAG`` in ``tags`` (a dict), or None when absent or unreadable."""
    value = (tags or {}).get(CLOSE_REQUESTED_TAG)
    if not value:
        return None
    text = str(value).strip().replace("Z", "+00:00")
    try:
        moment = datetime.datetime.fromisoformat(text)
    except ValueError:
        try:
            moment = datetime.datetime.strptime(text[:10], "%Y-%m-%d")
        except ValueError:
            return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.timezone.utc)
    return moment


def recent_closures(moments, now):
    """The closure times of ``moments`` within the rolling 30 days ending ``now``, oldest first."""
    return sorted(m for m in moments if m is not None and now - m < CLOSE_QUOTA_WINDOW)


def plan_closures(wanted, quota, recent, now):
    """Which of ``wanted`` (account ids, inventory order) close in this run, and when the rest can.

    ``recent``: the closure times already counted (``recent_closures``).
    Returns ``(allowed, waiting_until)``: the ids that fit what is left of
    the quota, and, when some wait, the time the first of them can close:
    the oldest counted closure (this run's own count, at ``now``) + 30 days.
    """
    room = max(0, quota - len(recent))
    allowed = list(wanted[:room])
    counted = list(recent) + [now] * len(allowed)
    waiting_until = counted[0] + CLOSE_QUOTA_WINDOW if wanted[room:] and counted else None
    return allowed, waiting_until


def is_close_quota_refusal(error):
    """Whether a ClientError is AWS's ConstraintViolationException, Reason CLOSE_ACCOUNT_QUOTA_EXCEEDED."""
    response = getattr(error, "response", None) or {}
    if response.get("Error", {}).get("Code") != "ConstraintViolationException":
        return False
    reason = response.get("Reason") or response.get("Error", {}).get("Reason")
    return reason == "CLOSE_ACCOUNT_QUOTA_EXCEEDED" or "close account quota" in str(
        response.get("Error", {}).get("Message", "")).lower()


# --- creating -----------------------------------------------------------------------

ACCOUNT_QUOTA_SERVICE_CODE = "organizations"
ACCOUNT_QUOTA_NAME = "Default maximum number of accounts"
DEFAULT_ACCOUNT_QUOTA = 10


def is_account_quota(quota):
    """Whether a Service Quotas record (service ``organizations``) is the organization's account quota."""
    name = " ".join((quota.get("QuotaName") or "").lower().split())
    return name == ACCOUNT_QUOTA_NAME.lower() or (
        "number of" in name and "accounts" in name and "maximum" in name and "close" not in name)


def account_quota_problem(existing, planned, quota):
    """The refusal when ``existing`` accounts plus the ``planned`` creations (names) exceed ``quota``; else None."""
    if existing + len(planned) <= quota:
        return None
    room = max(0, quota - existing)
    return (
        f"account quota: the inventory creates {len(planned)} account(s) ({', '.join(planned)}), but the organization"
        f" has {existing} account(s) (closed ones count until AWS removes them, 90 days after closing) and its"
        f" account quota is {quota}: room for {room}. Ask AWS to raise the Service Quotas quota"
        f" {ACCOUNT_QUOTA_NAME!r} (organizations), or create fewer accounts; nothing was written"
    )
