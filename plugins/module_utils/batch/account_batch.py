# -*- coding: utf-8 -*-
# Copyright: Contributors to the awsorg.landing_zone collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Converge many accounts in one module run.

A module process costs a Python start, the AnsiballZ unpacking, the boto3
import and the parsing of every service model it uses: about a second of
CPU before the first AWS call, paid once per account and task when a role
runs per host.  With ``accounts``, one run converges a whole deploy wave:
each account gets an ``AccountRun``, which looks like the module to the
module's runner (``params``, ``client()``, ``check_mode``, ``warn()``,
``fail_json()``), and the runs go through a thread pool.  AWS calls wait
on the network, so threads overlap them; clients come from the module's
single boto3 session (see modules.py).

Every account's options are checked before the first account is touched:
one bad entry fails the task with nothing written anywhere.
"""

from concurrent.futures import ThreadPoolExecutor

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.module_utils.common.text.converters import to_native

try:
    import botocore
except ImportError:
    pass  # AnsibleAWSModule reports the missing dependency.

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError

from ansible_collections.awsorg.landing_zone.plugins.module_utils.aws.assume_role import DEFAULT_MEMBER_ROLE
from ansible_collections.awsorg.landing_zone.plugins.module_utils.aws.sts import get_caller_identity
from ansible_collections.awsorg.landing_zone.plugins.module_utils.aws.assume_role import ActsThroughMemberRole
from ansible_collections.awsorg.landing_zone.plugins.module_utils.aws.assume_role import assume_member_role
from ansible_collections.awsorg.landing_zone.plugins.module_utils.aws.assume_role import member_role_arn
from ansible_collections.awsorg.landing_zone.plugins.module_utils.batch.run_context import RunContext
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.placeholders import is_placeholder

DEFAULT_MAX_WORKERS = 8


def accounts_argument_spec():
    return dict(
        accounts=dict(
            type="list",
            elements="dict",
            options=dict(
                account_id=dict(type="str"),
                role_name=dict(type="str", default=DEFAULT_MEMBER_ROLE),
                caller=dict(type="bool", default=False),
                params=dict(type="dict", default={}),
            ),
        ),
        max_workers=dict(type="int", default=DEFAULT_MAX_WORKERS),
    )


class AccountRunError(Exception):
    """One account failed; the message says why."""


class AccountRun(ActsThroughMemberRole):
    """What a runner sees of the module while it converges one account of the batch."""

    def __init__(self, module, entry, params, context, as_caller=False):
        self._module = module
        self.account_id = entry["account_id"]
        self.label = _label(entry)
        # How the entry is named in messages before the run: its place in ``accounts``.
        self.where = self.label
        self.params = params
        # The batch's RunContext: what every account of this run reads once.
        self.context = context
        self.check_mode = module.check_mode
        self._diff = module._diff
        self.region = module.region
        self.warnings = []
        self.assumed_role = None
        if not (entry["caller"] or as_caller):
            self.assumed_role = dict(account_id=self.account_id, role_name=entry["role_name"])
        self._credentials = None
        # True for an account the preview would create (see _predicted).
        self.predicted = False
        # Its place in the order the batch converges its accounts (run_for_accounts).
        self.turn = None

    def member_credentials(self):
        """The member role's credentials: assumed once for this account, on first use."""
        if self._credentials is None:
            self._credentials = assume_member_role(self.caller_client("sts"), self.assumed_role,
                                                   partition=self.partition())
        return self._credentials

    def assumed_credentials(self):
        """The member role's credentials if this run has assumed it already, else None."""
        return self._credentials

    def reuse_credentials(self, credentials):
        """Act with credentials another run of the same account and role has assumed (None: assume them)."""
        self._credentials = credentials

    def partition(self):
        """The module's partition: every account of the batch is in the caller's."""
        return self._module.partition()

    def caller_client(self, service, retry_decorator=None, **extra_params):
        # shared_client raises AnsibleAWSError where caller_client would end the
        # module (fail_json exits) from this worker thread while others still run.
        return self._module.shared_client(service, retry_decorator=retry_decorator, **extra_params)

    def warn(self, message):
        self.warnings.append(message)

    def fail_json(self, msg, **_kwargs):
        raise AccountRunError(msg)

    def fail_json_aws_error(self, error):
        raise AccountRunError(aws_error_message(error))


def aws_error_message(error):
    if error.exception is not None:
        return f"{error.message}: {to_native(error.exception)}"
    return error.message


def account_params(module, entry):
    """The options of one account: the task's own, overridden by the entry's ``params``.

    Returns ``(params, problems)``; see ``merged_params``.
    """
    params, problems = merged_params(module, entry["params"])
    return params, [problem if problem.startswith("params:") else f"params: {problem}" for problem in problems]


def _label(entry):
    """How an entry is named in messages: its account id, else the name or email in its params."""
    if entry["account_id"]:
        return f"account {entry['account_id']}"
    params = entry["params"]
    return f"account {params.get('name') or params.get('email') or '(caller)'}"


def _check_entries(module, validate, context, as_caller):
    runs, problems = [], []
    seen = set()
    callers = 0
    for index, entry in enumerate(module.params["accounts"]):
        where = f"accounts[{index}] ({_label(entry)})"
        if as_caller and entry["account_id"] and "account_id" in module.account_argument_spec:
            entry = dict(entry, params=dict(entry["params"]))
            entry["params"].setdefault("account_id", entry["account_id"])
        if not entry["account_id"] and not (entry["caller"] or as_caller):
            problems.append(f"{where}: account_id is required unless caller is true")
            continue
        acts_as_caller = bool(entry["caller"]) and not as_caller
        if entry["account_id"] and entry["account_id"] in seen:
            problems.append(f"{where}: the account is listed twice")
        elif acts_as_caller and callers:
            # The caller's credentials act in one account only: the caller's own.
            problems.append(f"{where}: only one entry can act as the caller (caller: true)")
        seen.add(entry["account_id"])
        callers += 1 if acts_as_caller else 0
        params, errors = account_params(module, entry)
        problems.extend(f"{where}: {error}" for error in errors)
        if errors:
            continue
        account_run = AccountRun(module, entry, params, context, as_caller)
        account_run.index = index
        account_run.where = where
        account_run.acts_as_caller = acts_as_caller
        # A preview's account that does not exist yet (org_account's check-mode placeholder id).
        account_run.predicted = module.check_mode and is_placeholder(entry["account_id"])
        if account_run.assumed_role and not account_run.predicted:
            try:
                member_role_arn(account_run.assumed_role)  # account_id and role_name, before any call
            except AnsibleAWSError as e:
                problems.append(f"{where}: {e.message.replace('assume_role.', '')}")
                continue
        problems.extend(refusals(validate, account_run, where))
        runs.append(account_run)
    return runs, problems


def refusals(validate, item_run, where):
    """``validate(item_run)``'s refusal as a problem line (an empty list when it accepts or there is none)."""
    if validate is None:
        return []
    try:
        validate(item_run)
    except (AccountRunError, ValueError) as e:
        return [f"{where}: {e}"]
    return []


def _predicted(account_run):
    """The result of an account the preview would create: all of it is created, no AWS call made."""
    return dict(changed=True, account_id=account_run.account_id,
                msg=f"{account_run.account_id} does not exist yet: the real run creates everything of this task in it",
                diff=dict(before={}, after="created by the real run"))


def converge_account(run, account_run):
    if account_run.predicted:
        return _predicted(account_run), None
    try:
        result = run(account_run)
        return dict(result, account_id=result.get("account_id") or account_run.account_id), None
    except AccountRunError as e:
        return None, str(e)
    except AnsibleAWSError as e:
        return None, aws_error_message(e)
    except Exception as e:  # pylint: disable=broad-exception-caught
        # A bug or an unexpected AWS answer in one account: the others' results still count.
        return None, f"{type(e).__name__}: {to_native(e)}"


def _caller_problems(module, account_runs):
    """Entries acting with the caller's credentials act in the caller's account: check it is theirs.

    Fills in the account id of a caller entry that has none (so results and
    the diff are keyed by it); a caller entry naming another account would
    report that account while writing to the caller's, so it is refused
    before anything is written.
    """
    callers = [account_run for account_run in account_runs if account_run.acts_as_caller]
    if not callers:
        return []
    try:
        caller_account = get_caller_identity(callers[0].caller_client("sts"))["Account"]
    except AnsibleAWSError as e:
        return [f"caller: {aws_error_message(e)}"]
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        return [f"caller: could not get the caller identity: {to_native(e)}"]
    problems = []
    for account_run in callers:
        if not account_run.account_id:
            account_run.account_id = caller_account
        elif account_run.account_id != caller_account:
            problems.append(
                f"{account_run.where}: caller is true, but the caller's credentials are those of account"
                f" {caller_account}, not {account_run.account_id}"
            )
    return problems


def run_for_accounts(module, run, validate=None, context=None, as_caller=False, follow_up=None):
    """Converge every entry of ``accounts`` with ``run(account_run)``; return the module result.

    ``as_caller``: every entry acts with the caller's credentials (a module
    that works on accounts from the management account, such as
    org_account); an entry's ``account_id`` is then the module's own
    ``account_id`` option.

    ``validate(account_run)`` runs for every account before any ``run``; it
    raises (``account_run.fail_json``) to refuse an entry.  ``context`` (a
    batch RunContext, made here when not given) is every ``AccountRun``'s
    ``context``: what all accounts of the run read once, such as the
    organization's account list.

    ``follow_up`` (resources/account_follow_up.FollowUps): other work per
    account, checked with the entries and started in each account as soon
    as its converge has ended (``account_converged``); the accounts are then
    converged in the follow-up's order (``priority``).
    """
    context = RunContext(batch=True) if context is None else context
    account_runs, problems = _check_entries(module, validate, context, as_caller)
    if follow_up is not None and not problems:
        problems = follow_up.problems(account_runs)
    if problems:
        module.fail_json(msg="; ".join(problems))
    module.connection_info()  # bad connection options fail here, not in a worker thread
    problems = _caller_problems(module, account_runs)
    if problems:
        module.fail_json(msg="; ".join(problems))

    def converge(account_run):
        outcome = converge_account(run, account_run)
        if follow_up is not None:
            follow_up.account_converged(account_run, *outcome)
        return outcome

    order = account_runs if follow_up is None else sorted(account_runs, key=follow_up.priority)
    for turn, account_run in enumerate(order):
        account_run.turn = turn
    workers = max(1, min(module.params["max_workers"], len(account_runs) or 1))
    if follow_up is not None:
        follow_up.start(account_runs)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        outcome_of = dict(zip((id(account_run) for account_run in order), pool.map(converge, order)))
    outcomes = [outcome_of[id(account_run)] for account_run in account_runs]

    results, failures, diff = [], [], dict(before={}, after={})
    for account_run, (result, failure) in zip(account_runs, outcomes):
        for warning in account_run.warnings:
            module.warn(f"{account_run.label}: {warning}")
        if failure is not None:
            failures.append(f"{account_run.label}: {failure}")
            results.append(dict(account_id=account_run.account_id, failed=True, msg=failure))
            continue
        account_diff = result.pop("diff", None)
        if account_diff is not None:
            # Keyed by account id; an account that does not exist yet (check mode) by its label.
            key = result.get("account_id") or account_run.label
            diff["before"][key] = account_diff.get("before")
            diff["after"][key] = account_diff.get("after")
        results.append(result)
    changed = any(result.get("changed") for result in results)
    extra = {} if follow_up is None else _follow_up_outcome(follow_up, failures, diff)
    changed = changed or any(result.get("changed") for result in extra.get("follow_up", ()))
    if failures:
        module.fail_json(msg="; ".join(failures), changed=changed, accounts=results, **extra)
    return dict(changed=changed, accounts=results, diff=diff, **extra)


def _follow_up_outcome(follow_up, failures, diff):
    """The follow-up's results once all its jobs ended: failures and diff added to the batch's."""
    results, follow_up_failures, followed_up, left = follow_up.finish()
    failures.extend(follow_up_failures)
    for result in results:
        job_diff = result.pop("diff", None)
        if job_diff is not None:
            key = f"{result['account_id']} {result['label']}"
            diff["before"][key] = job_diff.get("before")
            diff["after"][key] = job_diff.get("after")
    return dict(follow_up=results, followed_up=followed_up, follow_up_left=left)


# --- many option sets converged one after the other --------------------------


class OptionsRun:
    """The module, seen by its runner with other options (one item of a list option)."""

    def __init__(self, module, params):
        self._module = module
        self.params = params

    def __getattr__(self, name):
        return getattr(self._module, name)

    def fail_json(self, msg, **_kwargs):
        # Raised, so the task's message can name the item.
        raise AccountRunError(msg)


def merged_params(module, overrides):
    """The task's options overridden by ``overrides``, checked against the single-item argument spec.

    Returns ``(params, problems)``: types, choices and suboption defaults
    applied; an alias sets its option.  The connection options (endpoint_url,
    profile, ...) are the task's: helpers read them from params.
    """
    spec = module.account_argument_spec
    aliases = {alias: name for name, option in spec.items() for alias in option.get("aliases") or ()}
    # Canonical names only: an alias next to its option would be reported as given twice.  An option
    # the task leaves unset (None) is left out, so that a required one the element does not give
    # either is reported missing (not a None the choices then refuse).
    params = {name: module.params[name] for name in spec if module.params.get(name) is not None}
    unknown = sorted(set(overrides) - set(spec) - set(aliases))
    if unknown:
        return None, [f"unknown option(s) {', '.join(unknown)}"]
    canonical_overrides, problems = {}, []
    for name, value in overrides.items():
        canonical = aliases.get(name, name)
        if canonical in canonical_overrides:
            problems.append(f"{canonical} is given twice (as {canonical} and its alias)")
        canonical_overrides[canonical] = value
    if problems:
        return None, problems
    params.update(canonical_overrides)
    result = ArgumentSpecValidator(spec).validate(params)
    if result.error_messages:
        return None, list(result.error_messages)
    others = set(spec) | set(aliases) | {"accounts", "max_workers", "follow_up", "assume_role", "paths", "policies",
                                         "users"}
    validated = {name: value for name, value in module.params.items() if name not in others}
    validated.update(result.validated_parameters)
    return validated, []


def run_in_sequence(module, run, items, key, validate=None):
    """Converge ``items`` (option overrides) one after the other in this run, in order.

    For resources of the organization itself (OUs, policies), where order
    matters and AWS answers ConcurrentModificationException to parallel
    changes; what is saved is the module process per item.  Every item is
    checked (``validate(options_run)``) before the first is converged.
    ``key(params)`` names an item in messages and in the diff.
    """
    runs, problems = [], []
    for index, overrides in enumerate(items):
        params, errors = merged_params(module, overrides)
        where = f"item {index}" if params is None else f"item {index} ({key(params)})"
        problems.extend(f"{where}: {error}" for error in errors)
        if errors:
            continue
        options_run = OptionsRun(module, params)
        problems.extend(refusals(validate, options_run, where))
        runs.append(options_run)
    if problems:
        module.fail_json(msg="; ".join(problems))

    results, diff = [], dict(before={}, after={})
    for options_run in runs:
        try:
            result = run(options_run)
        except AccountRunError as e:
            module.fail_json(msg=f"{key(options_run.params)}: {e}", changed=any(r.get("changed") for r in results),
                             results=results)
        item_diff = result.pop("diff", None) or {}
        diff["before"][key(options_run.params)] = item_diff.get("before")
        diff["after"][key(options_run.params)] = item_diff.get("after")
        results.append(result)
    return dict(changed=any(result.get("changed") for result in results), results=results, diff=diff)
