# -*- coding: utf-8 -*-
# Copyright: Contributors to the awsorg.landing_zone collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What org_account reads from the organization once per module run, and the checks across a batch.

Every function takes the run's RunContext (batch/run_context.py).  With the
module's ``accounts`` option all accounts of the organization are converged
in one run, and they share what each would otherwise read for itself: the
root and the OU tree, one ListAccounts and one ListCreateAccountStatus for
the whole run (not one per account: O(N) pages each, O(N^2) calls in all),
and five creation slots, the number of CreateAccount requests AWS lets one
organization have in flight.  A run of one account reads each of them at
most once too.

Before the first write, a batch also checks its entries against each other
and against the organization: no two entries may name one email, and each
entry's email and OU path must name one thing each.
"""

import threading
import time

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError

from ansible_collections.awsorg.landing_zone.plugins.module_utils.aws import organizations as org
from ansible_collections.awsorg.landing_zone.plugins.module_utils.batch.ordered_slots import OrderedSlots
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.ou_paths import DuplicateOUError
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.ou_paths import normalize_ou_path
from ansible_collections.awsorg.landing_zone.plugins.module_utils.resources.ou_resolver import OUResolver

# AWS Organizations: at most 5 CreateAccount requests in progress at a time
# (Quotas for AWS Organizations, maximum and minimum values:
# https://docs.aws.amazon.com/organizations/latest/userguide/orgs_reference_limits.html).
CREATIONS_IN_FLIGHT = 5


# Right after CreateAccount SUCCEEDED, Organizations can describe the new account
# before it lists it as a child of the root (ListParents: ChildNotFoundException,
# which list_parents reads as no parent): asked again, 1 + 2 + 4 + 8 s apart.
PARENT_ATTEMPTS = 5


def parent_id_of(client, account_id, sleep=time.sleep):
    """The id of the root or OU that holds ``account_id``."""
    for attempt in range(PARENT_ATTEMPTS):
        parents = org.list_parents(client, account_id)
        if parents:
            return parents[0]["Id"]
        if attempt + 1 < PARENT_ATTEMPTS:
            sleep(2 ** attempt)
    raise AnsibleAWSError(message=f"AWS Organizations lists no parent of account {account_id} yet; run the task again")


# --- what the accounts of a run read once -------------------------------------


class _LockedResolver:
    """An OUResolver several threads can use: one lookup at a time."""

    def __init__(self, resolver):
        self._resolver = resolver
        self._lock = threading.RLock()
        self.root_id = resolver.root_id

    def lookup(self, path):
        with self._lock:
            return self._resolver.lookup(path)

    def path_of(self, parent_id):
        with self._lock:
            return self._resolver.path_of(parent_id)


def resolver(context, client):
    """The run's OU resolver (one ListRoots, one listing per parent it walks)."""
    return context.once("resolver", lambda: _LockedResolver(OUResolver(client, org.list_roots(client)[0]["Id"])))


def listed_accounts(context, client):
    """The run's one ListAccounts."""
    return context.once("accounts", lambda: org.list_accounts(client))


def management_account_id(context, client):
    """The run's one DescribeOrganization: the management account's id."""
    return context.once("management_account_id", lambda: org.describe_organization(client)["MasterAccountId"])


def creation_requests(context, client):
    """The run's one ListCreateAccountStatus of the requests that are IN_PROGRESS or SUCCEEDED."""
    return context.once("creation_requests", lambda: org.list_create_account_status(client, ["IN_PROGRESS", "SUCCEEDED"]))


def invitations(context, client):
    """The run's one ListHandshakesForOrganization of invitations (only a run that invites asks for it)."""
    return context.once("invitations", lambda: org.list_handshakes_for_organization(client, "INVITE"))


def organization_exists(module, context, client):
    """Whether there is an organization; only a check-mode run may find none (a preview of a new one)."""
    try:
        resolver(context, client)
        return True
    except org.AnsibleOrganizationsError:
        if module.check_mode and context.once("organization_missing", lambda: org.describe_organization(client) is None):
            return False
        raise


def creates_account(params, listed_emails):
    """Whether an entry creates an account: present, no account_id, an email no listed account has (any case)."""
    return (params.get("state", "present") == "present" and not params.get("account_id")
            and bool(params.get("email")) and params["email"].lower() not in listed_emails)


def creation_indexes(module, context, account_runs):
    """The places in ``accounts`` of the entries whose account this run creates (``creates_account``).

    From the run's one ListAccounts, read before the first creation: the
    plan, not the race of the worker threads.  A request still in progress
    from an interrupted run counts (its account is not listed yet); every
    entry does in a preview of a new organization.
    """
    if not any(creates_account(run.params, set()) for run in account_runs):
        return set()  # every account known by its id (written back): no listing of the organization
    client = module.client("organizations")
    emails = set()
    if organization_exists(module, context, client):
        emails = {account["Email"].lower() for account in listed_accounts(context, client)}
    return {run.index for run in account_runs if creates_account(run.params, emails)}


def _creation_slots(context):
    return context.once("creation_slots", lambda: OrderedSlots(CREATIONS_IN_FLIGHT))


def creation_slot(context, turn):
    """Hold one of the organization's creation slots while a creation is in flight, taken in the batch's order.

    ``turn``: the account's place in its batch (None in a run of one).  The
    accounts that need a slot get one in that order, so the follow-up's
    first wave is created in the first round however the threads are
    scheduled (batch/ordered_slots.py).
    """
    return _creation_slots(context).slot(turn)


def creation_turn_passed(context, turn):
    """The account of ``turn`` needs no creation slot (any more): later accounts need not wait for it."""
    _creation_slots(context).pass_turn(turn)


# --- one account per email ----------------------------------------------------


def email_duplicates(accounts, email):
    """A message naming the accounts that share ``email`` (case-insensitive), or None when at most one has it."""
    same = [a for a in accounts if a["Email"].lower() == email.lower()]
    if len(same) < 2:
        return None
    return (
        f"email: {len(same)} accounts of the organization have the email {email!r}: "
        + ", ".join(f"{a.get('Name')!r} ({a['Id']})" for a in same)
        + "; AWS gives each email address to one account: adopt the right one by account_id"
    )


def accounts_with_email(module, accounts, email):
    """The accounts of ``accounts`` with ``email`` (case-insensitive): none or one; fails on several."""
    message = email_duplicates(accounts, email)
    if message:
        module.fail_json(msg=message)
    return [a for a in accounts if a["Email"].lower() == email.lower()]


# --- checks across the entries of a batch ---------------------------------------


def check_email_once(module, context):
    """No two entries of a run may name the same email; enrols the entry for ``refuse_batch_duplicates``.

    Their runs would both miss the account in the one ListAccounts of the
    batch and both send CreateAccount; AWS refuses the second one
    (EMAIL_ALREADY_EXISTS) after the first has been created.  ``validate``
    sees every entry before the first write, then each entry again when it
    runs, so an email is owned by the first entry that names it.
    """
    email = module.params["email"]
    if email:
        owner = context.first_claim("email", email.lower(), module)
        if owner is not module:
            module.fail_json(msg=f"email: {email!r} is also the email of {owner.where}; list each account once")
    context.enrol(module)


def refuse_batch_duplicates(module, context, client):
    """In a batch, before any account is touched: each entry's email and OU must name one thing each.

    Two accounts with an entry's email, or two OUs of one name on an entry's
    OU path, stop the whole batch before its first write: every entry's run
    comes here first, the first one checks all entries (the others wait on
    the context's lock) and each run fails when there is a problem.  The
    check reads the batch's one account listing and OU resolver, which the
    runs read afterwards anyway: it costs no call of its own.  It is not done
    by ``validate``, so that bad input still fails before any AWS call.  (A
    single account's run checks the same in ``locate`` and ``resolve_ou``.)
    """
    if not context.batch:
        return
    entries = context.items()
    by_email = any(e.params["email"] and not e.params["account_id"] for e in entries)
    accounts = listed_accounts(context, client) if by_email else []
    ou_resolver = resolver(context, client)
    problems = context.once("duplicates", lambda: _batch_duplicates(entries, accounts, ou_resolver))
    if problems:
        module.fail_json(
            msg=problems.get(id(module))
            or "not converged: another entry of accounts names duplicates (see its message), so nothing was written"
        )


def _batch_duplicates(entries, accounts, ou_resolver):
    """``{id(entry): message}`` for the entries whose email or OU path names several things."""
    problems = {}
    for entry in entries:
        params = entry.params
        if params["email"] and not params["account_id"]:
            message = email_duplicates(accounts, params["email"])
            if message:
                problems[id(entry)] = f"{entry.where}: {message}"
                continue
        option = "quarantine_ou" if params["state"] == "absent" else "ou"
        if params[option] is not None:
            try:
                ou_resolver.lookup(normalize_ou_path(params[option]))
            except DuplicateOUError as e:
                problems[id(entry)] = f"{entry.where}: {option}: {e}"
    return problems
