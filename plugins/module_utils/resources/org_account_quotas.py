# -*- coding: utf-8 -*-
# Copyright: Contributors to the awsorg.landing_zone collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""org_account and the organization's two account quotas (common/account_quotas.py has the figures).

* Closing within the quota: before the first CloseAccount of a run, the run
  plans its closures once (``close_plan``): the quota for the organization's
  member count, minus the closures the collection made within 30 days (the
  closed accounts carrying a recent ``landing-zone:close-requested`` tag).
  The entries that close go in inventory order; the others stay retired in
  the quarantine OU and are reported as waiting.  Check mode reads the same
  and predicts the same split.
* The account quota before any creation: ``check_only`` (the option
  ``quota_check_only``, which the organization role runs before its first
  write) and, as a backstop, ``refuse_over_account_quota`` before a run's
  first CreateAccount.  One ListAccounts, and Service Quotas only when an
  account is to be created: never a call per account.
"""

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError

from ansible_collections.awsorg.landing_zone.plugins.module_utils.aws import organizations as org
from ansible_collections.awsorg.landing_zone.plugins.module_utils.aws import service_quotas
from ansible_collections.awsorg.landing_zone.plugins.module_utils.batch.account_batch import merged_params
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.account_quotas import ACCOUNT_QUOTA_NAME
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.account_quotas import ACCOUNT_QUOTA_SERVICE_CODE
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.account_quotas import CLOSE_REQUESTED_TAG
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.account_quotas import DEFAULT_ACCOUNT_QUOTA
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.account_quotas import account_quota_problem
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.account_quotas import close_quota
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.account_quotas import close_requested_at
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.account_quotas import close_requested_value
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.account_quotas import is_account_quota
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.account_quotas import is_close_quota_refusal
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.account_quotas import plan_closures
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.account_quotas import recent_closures
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.account_quotas import utc_now
from ansible_collections.awsorg.landing_zone.plugins.module_utils.resources import org_account_reads as reads

# A closed account is SUSPENDED (the older Status field) or PENDING_CLOSURE /
# CLOSED (the State field that replaces it) for 90 days, then leaves the
# organization.
_CLOSED = ("SUSPENDED", "PENDING_CLOSURE", "CLOSED")


def is_closed(account):
    return account.get("State") in _CLOSED or account.get("Status") in _CLOSED


def _entry_account(params, accounts):
    """The listed account an entry names (by account_id, else email), or None."""
    if params.get("account_id"):
        return next((a for a in accounts if a["Id"] == params["account_id"]), None)
    email = (params.get("email") or "").lower()
    return next((a for a in accounts if email and a["Email"].lower() == email), None)


def entry_name(params):
    """How an account is named in the quota messages: its inventory host, else its name, email or id."""
    return params.get("host") or params.get("name") or params.get("email") or params.get("account_id")


# --- closing within the quota ---------------------------------------------------------


class ClosePlan:
    """The closures of one run: ``allowed`` account ids, and the date the others can close."""

    def __init__(self, allowed=(), waiting_until=None, quota=None, counted=0):
        self.allowed = set(allowed)
        self.waiting_until = waiting_until
        self.quota = quota
        self.counted = counted

    def waiting_message(self, account):
        when = (f"it can close from {self.waiting_until:%Y-%m-%d}" if self.waiting_until
                else "the date it can close is not known")
        return (
            f"account {account['Id']} ({account.get('Name')}) is not closed in this run:"
            f" AWS lets this organization close {self.quota} member account(s) per rolling"
            f" 30 days and {self.counted} closure(s) of the last 30 days count; {when}. It stays retired in the"
            " quarantine OU and a later run closes it"
        )


def close_plan(module, context, client):
    """The run's ClosePlan, made once, before its first CloseAccount (in check mode too)."""
    return context.once("close_plan", lambda: _make_close_plan(module, context, client))


def _make_close_plan(module, context, client):
    accounts = reads.listed_accounts(context, client)
    management = reads.management_account_id(context, client)
    wanted = []
    for entry in context.items():
        params = entry.params
        if params.get("state") != "absent" or not params.get("close"):
            continue
        account = _entry_account(params, accounts)
        if account is None or account["Id"] == management or is_closed(account) or account["Id"] in wanted:
            continue
        wanted.append(account["Id"])
    if not wanted:
        return ClosePlan()
    members = sum(1 for a in accounts if a["Id"] != management)
    quota = module.params.get("close_quota") or close_quota(members)
    # Organizations shows no closure date: the collection's tag tells it (one
    # ListTagsForResource per closed account, and only when something closes).
    moments = [close_requested_at(org.tags_of(client, a["Id"])) for a in accounts if is_closed(a)]
    now = utc_now()
    recent = recent_closures(moments, now)
    allowed, waiting_until = plan_closures(wanted, quota, recent, now)
    return ClosePlan(allowed, waiting_until, quota, len(recent))


def close(module, context, client, account, tags):
    """org_account's close=true of a retired account: ``(closing now, account, tags, result fields)``.

    An account closed already is closing or closed, never closed twice;
    another closes when the run's plan lets it (``close_within_quota``).
    """
    params = module.params
    fields = dict(close_state=close_state_of(account) if params["close"] else None, close_waiting_until=None)
    if not params["close"] or is_closed(account):
        return False, account, tags, fields
    outcome = close_within_quota(module, context, client, account)
    if outcome.tag_value:
        tags = dict(tags, **{CLOSE_REQUESTED_TAG: outcome.tag_value})
    if outcome.closed and module.check_mode:
        account = dict(account, State="PENDING_CLOSURE", Status="PENDING_CLOSURE")
    elif outcome.closed:
        account = org.describe_account(client, account["Id"]) or account
    return outcome.closed, account, tags, outcome.result_fields()


def close_within_quota(module, context, client, account):
    """Close ``account`` when the run's plan allows it; returns a CloseOutcome.

    The closure time is tagged right before CloseAccount (the plan of later
    runs counts it).  A refusal of AWS's anyway (CLOSE_ACCOUNT_QUOTA_EXCEEDED:
    closures made outside the collection) leaves the account waiting, date
    unknown, with its tag removed again: the account is as it was.
    """
    plan = close_plan(module, context, client)
    if account["Id"] not in plan.allowed:
        module.warn(plan.waiting_message(account))
        return CloseOutcome(waiting_until=plan.waiting_until)
    tag_value = close_requested_value(utc_now())
    if module.check_mode:
        return CloseOutcome(closed=True, tag_value=tag_value)
    org.tag_resource(client, account["Id"], [dict(Key=CLOSE_REQUESTED_TAG, Value=tag_value)])
    try:
        org.close_account(client, account["Id"])
    except AnsibleAWSError as e:
        if not is_close_quota_refusal(e.exception):
            raise
        org.untag_resource(client, account["Id"], [CLOSE_REQUESTED_TAG])
        module.warn(
            f"account {account['Id']} ({account.get('Name')}) is not closed in this run:"
            f" AWS refused CloseAccount (CLOSE_ACCOUNT_QUOTA_EXCEEDED), the organization's"
            " close quota of the last 30 days is used up (closures made outside this collection count too); the"
            " date it can close is not known. It stays retired in the quarantine OU and a later run closes it"
        )
        return CloseOutcome()
    return CloseOutcome(closed=True, tag_value=tag_value)


class CloseOutcome:
    """What ``close_within_quota`` did: closed (CloseAccount sent, or predicted), else waiting (until a date, or unknown)."""

    def __init__(self, closed=False, waiting_until=None, tag_value=None):
        self.closed = closed
        self.waiting = not closed
        self.waiting_until = waiting_until
        self.tag_value = tag_value

    def result_fields(self):
        """``close_state`` and ``close_waiting_until`` (an ISO date, or None) of org_account's result."""
        return dict(close_state="waiting" if self.waiting else "closing",
                    close_waiting_until=f"{self.waiting_until:%Y-%m-%d}" if self.waiting_until else None)


def close_state_of(account):
    """``close_state`` of an account already closed: closing (PENDING_CLOSURE) or closed (SUSPENDED, CLOSED)."""
    state = account.get("State") or account.get("Status")
    return "closing" if state == "PENDING_CLOSURE" else "closed"


# --- the account quota ----------------------------------------------------------------


def account_quota(module):
    """The organization's account quota from Service Quotas; AWS's default (10), with a warning, when it has no answer."""
    problem = "it lists no such quota for organizations"
    try:
        client = module.client("service-quotas", region=service_quotas.quotas_region(module.region))
        value = service_quotas.live_quota_value(client, ACCOUNT_QUOTA_SERVICE_CODE, is_account_quota)
    except AnsibleAWSError as e:
        value, problem = None, str(e)
    if value is None:
        module.warn(
            f"Could not read the account quota {ACCOUNT_QUOTA_NAME!r} from Service Quotas ({problem});"
            f" counting with AWS's default of {DEFAULT_ACCOUNT_QUOTA} accounts"
        )
        return DEFAULT_ACCOUNT_QUOTA
    return value


def planned_creations(entries, accounts):
    """The names of the entries that create an account: present, no account_id, no listed account with their email."""
    emails = {a["Email"].lower() for a in accounts}
    return [entry_name(params) for params in entries if reads.creates_account(params, emails)]


def _over_quota(module, context, client):
    accounts = reads.listed_accounts(context, client)
    planned = planned_creations([entry.params for entry in context.items()], accounts)
    if not planned:
        return None
    return account_quota_problem(len(accounts), planned, account_quota(module))


def refuse_over_account_quota(module, context, client):
    """Before a run's first CreateAccount (and its preview): fail when its creations exceed the account quota."""
    problem = context.once("account_quota_problem", lambda: _over_quota(module, context, client))
    if problem:
        module.fail_json(msg=problem)


def check_only(module):
    """``quota_check_only``: the accounts the options create fit the organization's account quota; writes nothing.

    A new organization (none yet: the organization role runs this before
    creating it) has one account, the caller's, and AWS's default quota
    (Service Quotas is asked all the same).
    """
    entries = []
    problems = []
    for index, entry in enumerate(module.params["accounts"] or [dict(params={})]):
        params, errors = merged_params(module, entry["params"]) if module.params["accounts"] is not None else (
            module.params, [])
        problems.extend(f"accounts[{index}]: {error}" for error in errors)
        if params is not None:
            entries.append(dict(params, account_id=params.get("account_id") or entry.get("account_id")))
    if problems:
        module.fail_json(msg="; ".join(problems))
    client = module.client("organizations")
    try:
        accounts = org.list_accounts(client)
    except org.AnsibleOrganizationsError:
        if org.describe_organization(client) is not None:
            raise
        accounts = None
    # An organization always lists its management account (moto lists none without one).
    accounts = accounts or None
    planned = planned_creations(entries, accounts or [])
    existing = 1 if accounts is None else len(accounts)
    quota = None
    if planned:
        # A new organization gets the quota of the account that creates it: AWS's default, unless
        # Service Quotas answers another (a benchmark's emulated organization of some size).
        quota = account_quota(module)
        problem = account_quota_problem(existing, planned, quota)
        if problem:
            module.fail_json(msg=problem, account_quota=dict(quota=quota, existing=existing, planned=planned))
    return dict(changed=False, account_quota=dict(quota=quota, existing=existing, planned=planned))
