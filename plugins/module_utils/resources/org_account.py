# -*- coding: utf-8 -*-
# Copyright: Contributors to the awsorg.landing_zone collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Converge one member account: find or create it, place it in its OU, tag it, retire it.

With the module's ``accounts`` option every account of the organization is
converged in one run (module_utils/account_batch.py).  The accounts then
share what each would otherwise read for itself (``module.shared``): the
root and the OU tree, one ListAccounts and one ListCreateAccountStatus for
the whole run (not one per account: O(N) pages each, O(N^2) calls in all),
and five creation slots, the number of CreateAccount requests AWS lets one
organization have in flight.
"""

import contextlib
import re
import threading

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict

from ansible_collections.awsorg.landing_zone.plugins.module_utils.aws import organizations as org
from ansible_collections.awsorg.landing_zone.plugins.module_utils.resources.account_creation import CreationFailed
from ansible_collections.awsorg.landing_zone.plugins.module_utils.resources.account_creation import find_pending_request
from ansible_collections.awsorg.landing_zone.plugins.module_utils.resources.account_creation import wait_for_creation
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.ou_paths import DuplicateOUError
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.ou_paths import OUPathError
from ansible_collections.awsorg.landing_zone.plugins.module_utils.resources.ou_resolver import OUResolver
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.ou_paths import normalize_ou_path
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.ou_paths import split_ou_path

# The CreateAccount input constraints of the Organizations API model, matched
# with fullmatch (a "$" anchor would let a trailing newline through).
_EMAIL = re.compile(r"[^\s@]+@[^\s@]+\.[^\s@]+")
_EMAIL_LENGTH = (6, 64)
_ACCOUNT_NAME = re.compile(r"[\x20-\x7e]{1,50}")
_ACCOUNT_ID = re.compile(r"[0-9]{12}")
_ROLE_NAME = re.compile(r"[\w+=,.@-]{1,64}")

# A closed account is SUSPENDED (the older Status field) or PENDING_CLOSURE /
# CLOSED (the State field that replaces it) for 90 days, then leaves the
# organization.
_CLOSED = ("SUSPENDED", "PENDING_CLOSURE", "CLOSED")

# AWS Organizations: at most 5 CreateAccount requests in progress at a time.
CREATIONS_IN_FLIGHT = 5

# The FailureReasons of a repeated creation request (CreateAccountStatus,
# https://docs.aws.amazon.com/organizations/latest/APIReference/API_CreateAccountStatus.html):
# EMAIL_ALREADY_EXISTS "another AWS account with that email address already
# exists" (the first request made it), CONCURRENT_ACCOUNT_MODIFICATION "You
# already submitted a request with the same information" (it is making it).
REPEATED_REQUEST_REASONS = ("EMAIL_ALREADY_EXISTS", "CONCURRENT_ACCOUNT_MODIFICATION")
# After a repeated CreateAccount failed that way, how long to look for the
# account the first request made (ListAccounts may show it only after a while).
READ_BACK_ATTEMPTS = 10
READ_BACK_DELAY = 3.0


# --- validation -------------------------------------------------------------


def _check_email(module, email):
    low, high = _EMAIL_LENGTH
    if not (low <= len(email) <= high and _EMAIL.fullmatch(email)):
        module.fail_json(
            msg=f"email: {email!r} is not a valid email address (name@domain.tld, {low}-{high} characters)"
        )


def _check_name(module, name):
    if not _ACCOUNT_NAME.fullmatch(name):
        module.fail_json(
            msg=f"name: {name!r} must be 1 to 50 printable ASCII characters (it has {len(name)} characters)"
        )


def validate(module):
    """Check every option before the first AWS call."""
    params = module.params
    if params["email"] is not None:
        _check_email(module, params["email"])
    if params["name"] is not None:
        _check_name(module, params["name"])
    if params["account_id"] is not None and not _ACCOUNT_ID.fullmatch(params["account_id"]):
        module.fail_json(msg=f"account_id: {params['account_id']!r} is not a 12-digit AWS account id")
    if not _ROLE_NAME.fullmatch(params["role_name"]):
        module.fail_json(msg=f"role_name: {params['role_name']!r} is not a valid IAM role name")
    if params["wait_timeout"] < 0:
        module.fail_json(msg=f"wait_timeout: {params['wait_timeout']} must not be negative")
    for option in ("ou", "quarantine_ou"):
        if params[option] is not None:
            try:
                split_ou_path(params[option])
            except OUPathError as e:
                module.fail_json(msg=f"{option}: {e}")
    if not params["account_id"] and not params["email"]:
        module.fail_json(msg="account_id or email: one of them is required to find the account")
    if params["state"] == "absent" and not params["quarantine_ou"]:
        module.fail_json(msg="quarantine_ou: required with state=absent (where retired accounts go)")
    _check_email_once(module)
    _remember_entry(module)


def _check_email_once(module):
    """In a batch, no two entries may name the same email.

    Their runs would both miss the account in the one ListAccounts of the
    batch and both send CreateAccount; AWS refuses the second one
    (EMAIL_ALREADY_EXISTS) after the first has been created.  ``validate``
    sees every entry before the first write, then each entry again when it
    runs, so an email is owned by the first entry that names it.
    """
    shared = getattr(module, "shared", None)
    email = module.params["email"]
    if shared is None or not email:
        return
    with shared["lock"]:
        owner = shared.setdefault("entry_emails", {}).setdefault(email.lower(), module)
    if owner is not module:
        module.fail_json(
            msg=(
                f"email: {email!r} is also the email of {getattr(owner, 'where', owner.label)};"
                " list each account once"
            )
        )


def _remember_entry(module):
    """In a batch, keep every validated entry: ``_refuse_batch_duplicates`` checks them all at once."""
    shared = getattr(module, "shared", None)
    if shared is not None:
        with shared["lock"]:
            shared.setdefault("entries", {})[id(module)] = module


def _refuse_batch_duplicates(module, client):
    """In a batch, before any account is touched: each entry's email and OU must name one thing each.

    Two accounts with an entry's email, or two OUs of one name on an entry's
    OU path, stop the whole batch before its first write: every entry's run
    comes here first, the first one checks all entries (the others wait on
    the batch's lock) and each run fails when there is a problem.  The check
    reads the batch's one account listing and OU resolver, which the runs
    read afterwards anyway: it costs no call of its own.  It is not done by
    ``validate``, so that bad input still fails before any AWS call.  (A
    single account's run checks the same in ``locate`` and ``_resolve_ou``.)
    """
    if getattr(module, "shared", None) is None:
        return
    with module.shared["lock"]:
        entries = list(module.shared["entries"].values())
    # Read (once per batch) outside the batch's lock: _shared takes it.
    by_email = any(e.params["email"] and not e.params["account_id"] for e in entries)
    accounts = _listed_accounts(module, client) if by_email else []
    resolver = _resolver(module, client)
    problems = _shared(module, "duplicates", lambda: _batch_duplicates(entries, accounts, resolver))
    if problems:
        module.fail_json(
            msg=problems.get(id(module))
            or "not converged: another entry of accounts names duplicates (see its message), so nothing was written"
        )


def _batch_duplicates(entries, accounts, resolver):
    """``{id(entry): message}`` for the entries whose email or OU path names several things."""
    problems = {}
    for entry in entries:
        params = entry.params
        where = getattr(entry, "where", entry.label)
        if params["email"] and not params["account_id"]:
            message = _email_duplicates(accounts, params["email"])
            if message:
                problems[id(entry)] = f"{where}: {message}"
                continue
        option = "quarantine_ou" if params["state"] == "absent" else "ou"
        if params[option] is not None:
            try:
                resolver.lookup(normalize_ou_path(params[option]))
            except DuplicateOUError as e:
                problems[id(entry)] = f"{where}: {option}: {e}"
    return problems


def _email_duplicates(accounts, email):
    """A message naming the accounts that share ``email`` (case-insensitive), or None when at most one has it."""
    same = [a for a in accounts if a["Email"].lower() == email.lower()]
    if len(same) < 2:
        return None
    return (
        f"email: {len(same)} accounts of the organization have the email {email!r}: "
        + ", ".join(f"{a.get('Name')!r} ({a['Id']})" for a in same)
        + "; AWS gives each email address to one account: adopt the right one by account_id"
    )


def _accounts_with_email(module, accounts, email):
    """The accounts of ``accounts`` with ``email`` (case-insensitive): none or one; fails on several."""
    message = _email_duplicates(accounts, email)
    if message:
        module.fail_json(msg=message)
    return [a for a in accounts if a["Email"].lower() == email.lower()]


def _resolve_ou(module, resolver, option):
    """The id of the existing OU named by ``option``; fails when it does not exist, or is not one OU."""
    path = normalize_ou_path(module.params[option])
    try:
        found_id, missing = resolver.lookup(path)
    except DuplicateOUError as e:
        module.fail_json(msg=f"{option}: {e}")
    if missing:
        module.fail_json(
            msg=(
                f"{option}: the OU {path!r} does not exist ({missing[0]!r} is missing below"
                f" {resolver.path_of(found_id)!r}); create it first with awsorg.landing_zone.org_ou"
            )
        )
    return found_id


# --- describing -------------------------------------------------------------


def _status(account):
    # AWS is replacing the Status field with State; prefer the newer one.
    return account.get("State") or account.get("Status")


def _is_closed(account):
    return account.get("State") in _CLOSED or account.get("Status") in _CLOSED


def _describe(account, resolver, parent_id, tags):
    return dict(
        id=account["Id"],
        arn=account.get("Arn"),
        name=account.get("Name"),
        email=account.get("Email"),
        status=_status(account),
        ou_path=resolver.path_of(parent_id) if parent_id else None,
        parent_id=parent_id,
        tags=tags,
        joined_method=account.get("JoinedMethod"),
    )


def _predict_new(module, resolver, parent_id, status):
    """The account a creation request will produce (its id is not known yet)."""
    params = module.params
    tags = boto3_tag_list_to_ansible_dict(ansible_dict_to_boto3_tag_list(params["tags"]))
    predicted = dict(Id=None, Name=params["name"], Email=params["email"], State=status, JoinedMethod="CREATED")
    return _describe(predicted, resolver, parent_id, tags)


def _result(changed, account, found_by, request, before):
    return dict(
        changed=changed,
        account=account,
        found_by=found_by,
        adopted=found_by is not None and found_by != "created",
        create_request_id=request["Id"] if request else None,
        diff=dict(before=before, after=account),
    )


# --- what the accounts of a batch read once ----------------------------------


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


def _shared(module, name, build):
    """``build()`` once per batch (kept in ``module.shared``); every call without a batch."""
    shared = getattr(module, "shared", None)
    if shared is None:
        return build()
    with shared["lock"]:
        if name not in shared:
            shared[name] = build()
        return shared[name]


def _resolver(module, client):
    def build():
        resolver = OUResolver(client, org.list_roots(client)[0]["Id"])
        return resolver if getattr(module, "shared", None) is None else _LockedResolver(resolver)

    return _shared(module, "resolver", build)


def _listed_accounts(module, client):
    return _shared(module, "accounts", lambda: org.list_accounts(client))


def _creation_requests(module, client):
    return _shared(
        module, "creation_requests", lambda: org.list_create_account_status(client, ["IN_PROGRESS", "SUCCEEDED"])
    )


def _creation_slot(module):
    """Hold one of the organization's creation slots while a creation is in flight (batches only)."""
    if getattr(module, "shared", None) is None:
        return contextlib.nullcontext()
    return _shared(module, "creation_slots", lambda: threading.BoundedSemaphore(CREATIONS_IN_FLIGHT))


# --- finding the account ----------------------------------------------------


def _check_identity(module, account, found_by):
    """The found account must be the one described by the options."""
    params = module.params
    if found_by == "account_id" and params["email"] and params["email"].lower() != account["Email"].lower():
        module.fail_json(
            msg=(
                f"email: account {account['Id']} has the email {account['Email']!r}, not {params['email']!r};"
                " check account_id and email"
            )
        )
    if params["name"] and account.get("Name") and params["name"] != account["Name"]:
        module.warn(
            f"name: account {account['Id']} is named {account['Name']!r}, not {params['name']!r};"
            " this module does not rename accounts"
        )


def locate(module, client, look_for_requests):
    """Find the account without creating anything: ``(account, found_by, request)``.

    In order: by ``account_id`` (DescribeAccount, never a listing of the
    organization); by ``email`` in ListAccounts (case-insensitive); and, when
    ``look_for_requests``, by ``name`` among creation requests whose account
    is not listed yet (a run killed after CreateAccount).  ``account`` is None
    while such a request is still IN_PROGRESS.
    """
    params = module.params
    if params["account_id"]:
        account = org.describe_account(client, params["account_id"])
        if account is not None:
            _check_identity(module, account, "account_id")
        return account, "account_id", None

    accounts = _listed_accounts(module, client)
    account = next(iter(_accounts_with_email(module, accounts, params["email"])), None)
    if account is not None:
        _check_identity(module, account, "email")
        return account, "email", None

    if not look_for_requests or not params["name"]:
        return None, None, None
    requests = _creation_requests(module, client) if getattr(module, "shared", None) is not None else None
    request, account = find_pending_request(client, params["name"], {a["Id"] for a in accounts}, requests)
    if request is None:
        return None, None, None
    return account, "create_request", request


# --- state=present ----------------------------------------------------------


def _create(module, client):
    params = module.params
    request = dict(
        AccountName=params["name"],
        Email=params["email"],
        RoleName=params["role_name"],
        IamUserAccessToBilling=params["iam_user_access_to_billing"],
    )
    if params["tags"]:
        request["Tags"] = ansible_dict_to_boto3_tag_list(params["tags"])
    return org.create_account(client, **request)


def _finish_creation(module, client, request):
    """Wait for ``request`` when asked to; return the account, or None while still in progress.

    A request that failed with EMAIL_ALREADY_EXISTS or
    CONCURRENT_ACCOUNT_MODIFICATION right after this task sent it is, in all
    likelihood, botocore's repeat of a CreateAccount whose answer was lost:
    the first one made (or is making) the account.  That account is adopted
    (``_adopt_after_repeat``) instead of failing.
    """
    try:
        return _wait_for_account(module, client, request)
    except CreationFailed as failed:
        if failed.reason not in REPEATED_REQUEST_REASONS:
            raise
        return _adopt_after_repeat(module, client, failed)


def _wait_for_account(module, client, request):
    if request["State"] == "FAILED":
        raise CreationFailed(request)
    if request["State"] != "SUCCEEDED":
        if not module.params["wait"]:
            return None
        request = wait_for_creation(client, request["Id"], module.params["wait_timeout"])
    return _describe_created(client, request)


def _adopt_after_repeat(module, client, failed):
    """The account with the task's email, made by an earlier try of this creation; else ``failed`` is raised.

    The account may not be listed yet, while the first request is still
    IN_PROGRESS (it is then waited on, found by name as after a killed run)
    or just finished: ListAccounts is read again a few times.  An email
    owned by an account outside the organization never shows: the task
    fails with AWS's reason, as before.
    """

    def find():
        accounts = org.list_accounts(client)  # a fresh listing: the account is newer than the batch's
        same = _accounts_with_email(module, accounts, module.params["email"])
        if same:
            return same[0]
        request, account = find_pending_request(client, module.params["name"], {a["Id"] for a in accounts})
        if request is not None and account is None:
            return _describe_created(client, wait_for_creation(client, request["Id"], module.params["wait_timeout"]))
        return account

    account = org.read_back(find, attempts=READ_BACK_ATTEMPTS, delay=READ_BACK_DELAY)
    if account is None:
        raise failed
    return account


def _describe_created(client, request):
    account = org.describe_account(client, request["AccountId"])
    if account is None:
        raise AnsibleAWSError(
            message=(
                f"The account creation request {request['Id']} SUCCEEDED but AWS does not describe account"
                f" {request['AccountId']} yet; run the task again"
            )
        )
    return account


def _converge(module, client, resolver, account, target_parent_id):
    """Move and tag an existing account; return (changed, before, after)."""
    params = module.params
    parent_id = org.list_parents(client, account["Id"])[0]["Id"]
    current_tags = org.tags_of(client, account["Id"])
    before = _describe(account, resolver, parent_id, current_tags)

    moved = target_parent_id is not None and target_parent_id != parent_id
    if moved and not module.check_mode:
        org.move_account(client, account["Id"], parent_id, target_parent_id)
    retagged, tags = org.sync_tags(
        client, account["Id"], current_tags, params["tags"], params["purge_tags"], module.check_mode
    )
    after = _describe(account, resolver, target_parent_id if moved else parent_id, tags)
    return moved or retagged, before, after


def ensure_present(module, client, resolver):
    params = module.params
    # Resolve the OU before anything else: an unknown OU must fail before CreateAccount.
    target_parent_id = _resolve_ou(module, resolver, "ou") if params["ou"] is not None else None
    account, found_by, request = locate(module, client, look_for_requests=True)

    if account is None and found_by == "account_id":
        module.fail_json(
            msg=(
                f"account_id: there is no account {params['account_id']} in this organization; this module"
                " creates accounts from name and email, and cannot invite existing ones"
            )
        )

    created_now = account is None and request is None
    if created_now:
        if not params["name"]:
            module.fail_json(msg=f"name: required to create an account; no account has the email {params['email']!r}")
        found_by = "created"
        if module.check_mode:
            predicted = _predict_new(module, resolver, target_parent_id or resolver.root_id, "ACTIVE")
            return _result(True, predicted, found_by, None, None)

    if account is None:
        if not module.check_mode:
            with _creation_slot(module):
                if created_now:
                    request = _create(module, client)
                account = _finish_creation(module, client, request)
        if account is None:
            return _still_in_progress(module, resolver, target_parent_id, found_by, request, created_now)

    changed, before, after = _converge(module, client, resolver, account, target_parent_id)
    if created_now:
        before = None
    return _result(changed or created_now, after, found_by, request, before)


def _still_in_progress(module, resolver, target_parent_id, found_by, request, created_now):
    """The result while the creation request has not finished (check mode, or wait=false)."""
    if module.check_mode:
        # A real run would wait for the request, then place and tag the account.
        predicted = _predict_new(module, resolver, target_parent_id or resolver.root_id, "ACTIVE")
        return _result(True, predicted, found_by, request, None)
    module.warn(
        f"The account creation request {request['Id']} is {request['State']}; the account is placed in"
        " its OU on a later run (or use wait=true)"
    )
    predicted = _predict_new(module, resolver, None, None)
    return _result(created_now, predicted, found_by, request, None)


# --- state=absent -----------------------------------------------------------


def _refuse_management_account(module, client, account, found_by):
    management_id = org.describe_organization(client)["MasterAccountId"]
    if account["Id"] == management_id:
        module.fail_json(
            msg=(
                f"{found_by}: {account['Id']} is the management account of the organization;"
                " it cannot be retired or closed"
            )
        )


def ensure_absent(module, client, resolver):
    params = module.params
    quarantine_id = _resolve_ou(module, resolver, "quarantine_ou")
    account, found_by, _request = locate(module, client, look_for_requests=False)
    if account is None:
        return _result(False, None, None, None, None)
    _refuse_management_account(module, client, account, found_by)

    parent_id = org.list_parents(client, account["Id"])[0]["Id"]
    tags = org.tags_of(client, account["Id"])
    before = _describe(account, resolver, parent_id, tags)

    moved = parent_id != quarantine_id
    if moved and not module.check_mode:
        org.move_account(client, account["Id"], parent_id, quarantine_id)

    # Closing is never implied by state=absent: only close=true closes.
    closing = params["close"] and not _is_closed(account)
    if closing:
        if module.check_mode:
            account = dict(account, State="PENDING_CLOSURE", Status="PENDING_CLOSURE")
        else:
            org.close_account(client, account["Id"])
            account = org.describe_account(client, account["Id"]) or account

    after = _describe(account, resolver, quarantine_id, tags)
    return _result(moved or closing, after, found_by, None, before)


def run(module):
    validate(module)
    client = module.client("organizations")
    resolver = _resolver(module, client)
    _refuse_batch_duplicates(module, client)
    if module.params["state"] == "absent":
        result = ensure_absent(module, client, resolver)
    else:
        result = ensure_present(module, client, resolver)
    if getattr(module, "shared", None) is not None:
        # A batch names each result by its account id (None until the account exists).
        result["account_id"] = (result["account"] or {}).get("id")
    return result
