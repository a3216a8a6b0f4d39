# -*- coding: utf-8 -*-
# Copyright: Contributors to the awsorg.landing_zone collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Converge one member account: find or create it, place it in its OU, tag it, retire it.

Every function gets the module run's RunContext (batch/run_context.py).
With the module's ``accounts`` option every account of the organization is
converged in one run (batch/account_batch.py, ``run_entry``); the accounts
then share one reading of the organization (org_account_reads.py).
"""

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict

from ansible_collections.awsorg.landing_zone.plugins.module_utils.aws import organizations as org
from ansible_collections.awsorg.landing_zone.plugins.module_utils.batch.run_context import RunContext
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.ou_paths import DuplicateOUError
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.ou_paths import OUPathError
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.ou_paths import normalize_ou_path
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.ou_paths import split_ou_path
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.placeholders import new_account_id
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.placeholders import new_ou_id
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.placeholders import new_root_id
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.placeholders import placeholder_ou_path
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.service_inputs import ROLE_NAME
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.service_inputs import account_name_problem
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.service_inputs import email_problem
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.service_inputs import is_account_id
from ansible_collections.awsorg.landing_zone.plugins.module_utils.resources import account_invitation
from ansible_collections.awsorg.landing_zone.plugins.module_utils.resources import account_settings
from ansible_collections.awsorg.landing_zone.plugins.module_utils.resources import org_account_quotas as quotas
from ansible_collections.awsorg.landing_zone.plugins.module_utils.resources import org_account_reads as reads
from ansible_collections.awsorg.landing_zone.plugins.module_utils.resources.account_creation import CreationFailed
from ansible_collections.awsorg.landing_zone.plugins.module_utils.resources.account_creation import find_pending_request
from ansible_collections.awsorg.landing_zone.plugins.module_utils.resources.account_creation import wait_for_creation


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
# INTERNAL_FAILURE "The account couldn't be created because of an internal
# failure. Try again later." (CreateAccountStatus, same page): AWS's own
# failure, so the request is sent again, twice at most, in the same creation
# slot.  A FAILED request names no account; had it made one all the same,
# the email would be taken and the new request would end
# EMAIL_ALREADY_EXISTS, adopted as a lost answer is (_adopt_after_repeat).
INTERNAL_FAILURE_RESUBMITS = 2


# --- validation -------------------------------------------------------------


def validate(module, context=None):
    """Check every option before the first AWS call (service_inputs holds the email, name and id rules)."""
    context = RunContext() if context is None else context
    params = module.params
    for option, problem_of in (("email", email_problem), ("name", account_name_problem)):
        problem = problem_of(params[option]) if params[option] is not None else None
        if problem:
            module.fail_json(msg=f"{option}: {problem}")
    if params["account_id"] is not None and not is_account_id(params["account_id"]):
        module.fail_json(msg=f"account_id: {params['account_id']!r} is not a 12-digit AWS account id")
    if not ROLE_NAME.fullmatch(params["role_name"]):
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
    for problem in account_settings.validation_problems(params):
        module.fail_json(msg=problem)
    account_invitation.validate(module)
    reads.check_email_once(module, context)


def _resolve_ou(module, resolver, option):
    """The id of the existing OU named by ``option``; fails when it does not exist, or is not one OU."""
    path = normalize_ou_path(module.params[option])
    try:
        found_id, missing = resolver.lookup(path)
    except DuplicateOUError as e:
        module.fail_json(msg=f"{option}: {e}")
    if missing and module.check_mode:
        # A preview: org_ou's task before this one predicts the OU's creation (the preflight
        # checks every account's OU is one of the landing zone's), so the move goes to a
        # placeholder of it (common/placeholders.py).
        return new_ou_id(path)
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


def _describe(account, resolver, parent_id, tags):
    return dict(
        id=account["Id"],
        arn=account.get("Arn"),
        name=account.get("Name"),
        email=account.get("Email"),
        status=_status(account),
        ou_path=_path_of(resolver, parent_id),
        parent_id=parent_id,
        tags=tags,
        joined_method=account.get("JoinedMethod"),
    )


def _path_of(resolver, parent_id):
    """The OU path of ``parent_id``: a placeholder's own (check mode), else the resolver's."""
    if not parent_id:
        return None
    return placeholder_ou_path(parent_id) or resolver.path_of(parent_id)


def _predict_new(module, resolver, parent_id, status):
    """The account a creation request will produce.

    Its id is not known yet: None, or in check mode a placeholder such as
    ``(new account acme-sandbox)`` that the later steps of a preview take for
    an account the real run creates (common/placeholders.py).
    """
    params = module.params
    tags = boto3_tag_list_to_ansible_dict(ansible_dict_to_boto3_tag_list(params["tags"]))
    account_id = new_account_id(params["name"] or params["email"]) if module.check_mode else None
    predicted = dict(Id=account_id, Name=params["name"], Email=params["email"], State=status, JoinedMethod="CREATED")
    return account_settings.predict_new(params, _describe(predicted, resolver, parent_id, tags))


def _result(changed, account, found_by, request, before):
    return dict(
        changed=changed,
        account=account,
        found_by=found_by,
        adopted=found_by is not None and found_by != "created",
        create_request_id=request["Id"] if request else None,
        diff=dict(before=before, after=account),
    )


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
    # Another name than ``name`` is no mismatch: _converge renames the account (account_settings.py).


def locate(module, client, look_for_requests, context):
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

    accounts = reads.listed_accounts(context, client)
    account = next(iter(reads.accounts_with_email(module, accounts, params["email"])), None)
    if account is not None:
        _check_identity(module, account, "email")
        return account, "email", None

    if not look_for_requests or not params["name"]:
        return None, None, None
    requests = reads.creation_requests(context, client)
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


def _finish_creation(module, client, request, resubmits=INTERNAL_FAILURE_RESUBMITS):
    """Wait for ``request`` when asked to; return the account, or None while still in progress.

    A request that failed with EMAIL_ALREADY_EXISTS or
    CONCURRENT_ACCOUNT_MODIFICATION right after this task sent it is, in all
    likelihood, botocore's repeat of a CreateAccount whose answer was lost:
    the first one made (or is making) the account.  That account is adopted
    (``_adopt_after_repeat``) instead of failing.  One that failed with
    INTERNAL_FAILURE is sent again (INTERNAL_FAILURE_RESUBMITS).
    """
    try:
        return _wait_for_account(module, client, request)
    except CreationFailed as failed:
        if failed.reason == "INTERNAL_FAILURE" and resubmits > 0 and module.params["name"]:
            module.warn(f"AWS could not create account {module.params['name']!r} (request"
                        f" {failed.status.get('Id')}): INTERNAL_FAILURE, AWS's own failure; the request is sent"
                        " again")
            return _finish_creation(module, client, _create(module, client), resubmits - 1)
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
        same = reads.accounts_with_email(module, accounts, module.params["email"])
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


def _converge(module, client, resolver, account, target_parent_id, context=None):
    """Move, tag, rename an existing account and set its regions; return (changed, before, after)."""
    params = module.params
    parent_id = reads.parent_id_of(client, account["Id"])
    current_tags = org.tags_of(client, account["Id"])
    before = _describe(account, resolver, parent_id, current_tags)

    moved = target_parent_id is not None and target_parent_id != parent_id
    if moved and not module.check_mode:
        org.move_account(client, account["Id"], parent_id, target_parent_id)
    retagged, tags = org.sync_tags(
        client, account["Id"], current_tags, params["tags"], params["purge_tags"], module.check_mode
    )
    after = _describe(account, resolver, target_parent_id if moved else parent_id, tags)
    context = RunContext() if context is None else context
    settings_changed = account_settings.converge(module, context, client, account, before, after)
    return moved or retagged or settings_changed, before, after


def ensure_present(module, client, resolver, context=None):
    context = RunContext() if context is None else context
    params = module.params
    # Resolve the OU before anything else: an unknown OU must fail before CreateAccount.
    target_parent_id = _resolve_ou(module, resolver, "ou") if params["ou"] is not None else None
    account, found_by, request = locate(module, client, look_for_requests=True, context=context)

    invitation = None
    if account is None and found_by == "account_id":
        if not params.get("invite"):
            module.fail_json(msg=account_invitation.refusal(params["account_id"]))
        account, invitation = account_invitation.join(module, client, context)
        if account is None:
            return _waiting_for_acceptance(module, resolver, target_parent_id, invitation)
    elif found_by == "account_id":
        invitation = account_invitation.finish_member(module, client, account, context)

    created_now = account is None and request is None
    if created_now:
        if not params["name"]:
            module.fail_json(msg=f"name: required to create an account; no account has the email {params['email']!r}")
        found_by = "created"
        quotas.refuse_over_account_quota(module, context, client)  # before the run's first CreateAccount
        if module.check_mode:
            predicted = _predict_new(module, resolver, target_parent_id or resolver.root_id, "ACTIVE")
            return _result(True, predicted, found_by, None, None)

    turn = _turn(module)
    if account is None and not module.check_mode:
        with reads.creation_slot(context, turn):
            if created_now:
                request = _create(module, client)
            account = _finish_creation(module, client, request)
    reads.creation_turn_passed(context, turn)
    if account is None:
        return _still_in_progress(module, resolver, target_parent_id, found_by, request, created_now)

    changed, before, after = _converge(module, client, resolver, account, target_parent_id, context)
    if created_now or (invitation or {}).get("accepted"):
        before = None  # not a member before this run
    result = _result(changed or created_now, after, found_by, request, before)
    if invitation is not None:
        result.update(changed=result["changed"] or invitation["changed"], invitation=invitation)
    return result


def _waiting_for_acceptance(module, resolver, target_parent_id, invitation):
    """The result while an invited account is not a member: waiting for acceptance, or check mode's prediction."""
    params = module.params
    accepted = invitation["accepted"]  # predicted (check mode with invite_profile)
    tags = boto3_tag_list_to_ansible_dict(ansible_dict_to_boto3_tag_list(params["tags"])) if accepted else {}
    predicted = dict(Id=params["account_id"], Name=params["name"], Email=params["email"],
                     State="ACTIVE" if accepted else None, JoinedMethod="INVITED")
    parent_id = (target_parent_id or resolver.root_id) if accepted else None
    result = _result(invitation["changed"], _describe(predicted, resolver, parent_id, tags), "invited", None, None)
    result["invitation"] = invitation
    return result


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


def _refuse_management_account(module, client, account, found_by, context):
    management_id = reads.management_account_id(context, client)
    if account["Id"] == management_id:
        module.fail_json(
            msg=(
                f"{found_by}: {account['Id']} is the management account of the organization;"
                " it cannot be retired or closed"
            )
        )


def ensure_absent(module, client, resolver, context=None):
    context = RunContext() if context is None else context
    quarantine_id = _resolve_ou(module, resolver, "quarantine_ou")
    account, found_by, _request = locate(module, client, look_for_requests=False, context=context)
    if account is None:
        return _result(False, None, None, None, None)
    _refuse_management_account(module, client, account, found_by, context)

    parent_id = reads.parent_id_of(client, account["Id"])
    tags = org.tags_of(client, account["Id"])
    before = _describe(account, resolver, parent_id, tags)

    moved = parent_id != quarantine_id
    if moved and not module.check_mode:
        org.move_account(client, account["Id"], parent_id, quarantine_id)

    # Closing is never implied by state=absent: only close=true closes, within AWS's close quota.
    closing, account, tags, close_fields = quotas.close(module, context, client, account, tags)
    after = _describe(account, resolver, quarantine_id, tags)
    return dict(_result(moved or closing, after, found_by, None, before), **close_fields)


def _preview_in_new_organization(module):
    """Check mode without an organization: what the real run does once org_organization has made it.

    The account named by ``account_id`` is the caller's own (the only account
    there is before the organization), adopted as the management account in
    the root; every other account is created, with a placeholder id, in its
    OU (a placeholder too: org_ou's task predicts every OU as created).
    """
    params = module.params
    if params["state"] == "absent":
        return _result(False, None, None, None, None)
    parent_id = new_ou_id(normalize_ou_path(params["ou"])) if params["ou"] not in (None, "/") else new_root_id()
    if params["account_id"]:
        tags = boto3_tag_list_to_ansible_dict(ansible_dict_to_boto3_tag_list(params["tags"]))
        before = _describe(dict(Id=params["account_id"], Name=params["name"], Email=params["email"], State="ACTIVE"),
                           None, new_root_id(), {})
        after = dict(before, parent_id=parent_id, ou_path=_path_of(None, parent_id), tags=tags)
        return _result(after != before, after, "account_id", None, before)
    return _result(True, _predict_new(module, None, parent_id, "ACTIVE"), "created", None, None)


def run(module, context=None):
    """Converge the account of ``module``'s options; ``context``: the run's RunContext (a run of one when None)."""
    context = RunContext() if context is None else context
    validate(module, context)
    client = module.client("organizations")
    if not reads.organization_exists(module, context, client):
        result = _preview_in_new_organization(module)
        if context.batch:
            result["account_id"] = (result["account"] or {}).get("id")
        return result
    resolver = reads.resolver(context, client)
    reads.refuse_batch_duplicates(module, context, client)
    if module.params["state"] == "absent":
        reads.creation_turn_passed(context, _turn(module))  # retiring creates nothing
        result = ensure_absent(module, client, resolver, context)
    else:
        result = ensure_present(module, client, resolver, context)
    if context.batch:
        # A batch names each result by its account id (None until the account exists).
        result["account_id"] = (result["account"] or {}).get("id")
    return result


def run_entry(account_run):
    """``run`` for one entry of ``accounts`` (run_for_accounts): with the batch's context."""
    try:
        return run(account_run, account_run.context)
    finally:
        # However it ended, later entries no longer wait for this one's creation slot.
        reads.creation_turn_passed(account_run.context, account_run.turn)


def _turn(module):
    """The entry's place in its batch (AccountRun.turn); None for the module's own options."""
    return getattr(module, "turn", None)


def validate_entry(account_run):
    """``validate`` for one entry of ``accounts``, before any entry is converged."""
    validate(account_run, account_run.context)
