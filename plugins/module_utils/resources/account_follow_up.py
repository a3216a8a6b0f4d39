# -*- coding: utf-8 -*-
# Copyright: Contributors to the awsorg.landing_zone collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""An account's own work, started as soon as its account is ready (org_account's ``follow_up``).

Creating an account takes minutes, and AWS allows five creations in flight:
twenty new accounts are created in four rounds.  Without a follow-up every
account's baseline and cross-account roles wait for the last creation (the
wave plays run after org_account).  With one, org_account runs those jobs
itself, in the same process, for each account once it is ready: created
(or found), placed, tagged and ACTIVE, its member role assumable (the job's
first AssumeRole retries while a new role is not usable yet,
aws/assume_role.py), while other accounts are still being created.

The jobs are the modules' own runners (account_baseline,
iam_cross_account_role), checked against the modules' own argument specs,
so a job does exactly what the module's task would have done.  The order
the waves set is kept: an entry's jobs start only when every entry of a
lower wave has finished its jobs, and when every account a job names (such
as the identity account a role trusts: ``account_id_options``) exists.  A
failure, of an account or of a job, stops every later wave; the entries it
stops are not reported in ``followed_up``, so the wave plays do their work
on a later run.  Everything is checked before org_account's first write.

With ``leave_last_creations``, the accounts of the last round of
creations get no jobs (nor do the entries of later waves): their member
roles become usable seconds to minutes after the last creation, and the
caller's organization-wide work (policies, the account map, the identity
account, in the organization role's plays) runs during that wait instead
of after it.  The result names them (``follow_up_left``); the organization
role runs org_account again for them, in the background, and the wave
plays wait for that run.  Which accounts are in that round follows from
the plan (the entries whose account is created, in creation order), so a
preview leaves out the same ones as the real run.
"""

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.awsorg.landing_zone.plugins.module_utils.aws.assume_role import DEFAULT_MEMBER_ROLE
from ansible_collections.awsorg.landing_zone.plugins.module_utils.batch.account_batch import AccountRun
from ansible_collections.awsorg.landing_zone.plugins.module_utils.batch.account_batch import account_params
from ansible_collections.awsorg.landing_zone.plugins.module_utils.batch.account_batch import converge_account
from ansible_collections.awsorg.landing_zone.plugins.module_utils.batch.account_batch import refusals
from ansible_collections.awsorg.landing_zone.plugins.module_utils.batch.run_context import RunContext
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.placeholders import is_placeholder
from ansible_collections.awsorg.landing_zone.plugins.module_utils.resources import account_baseline
from ansible_collections.awsorg.landing_zone.plugins.module_utils.resources import iam_cross_account_role
from ansible_collections.awsorg.landing_zone.plugins.module_utils.resources.org_account_reads import CREATIONS_IN_FLIGHT

# module name: (its options for one account, its runner, its checks before any call)
JOB_MODULES = {
    "account_baseline": (account_baseline.argument_spec_of_one_account, account_baseline.run,
                         account_baseline.check_settings),
    "iam_cross_account_role": (iam_cross_account_role.argument_spec_of_one_account, iam_cross_account_role.run,
                               iam_cross_account_role.check_options),
}
DEFAULT_FOLLOW_UP_WORKERS = 8
# An account id of the right form, standing in (for the checks before the
# first write only) for an account a job names that does not exist yet.
_STAND_IN_ACCOUNT_ID = "000000000000"
# The options of org_account itself that are not connection options.
_BATCH_OPTIONS = ("accounts", "max_workers", "follow_up")


def follow_up_argument_spec():
    return dict(
        follow_up=dict(
            type="dict",
            options=dict(
                member_role_name=dict(type="str", default=DEFAULT_MEMBER_ROLE),
                waves=dict(type="list", elements="int", required=True),
                max_workers=dict(type="int", default=DEFAULT_FOLLOW_UP_WORKERS),
                leave_last_creations=dict(type="bool", default=False),
                jobs=dict(
                    type="list",
                    elements="dict",
                    default=[],
                    options=dict(
                        module=dict(type="str", required=True, choices=sorted(JOB_MODULES)),
                        options=dict(type="dict", default={}),
                        entries=dict(
                            type="list",
                            elements="dict",
                            default=[],
                            options=dict(
                                index=dict(type="int", required=True),
                                caller=dict(type="bool", default=False),
                                params=dict(type="dict", default={}),
                            ),
                        ),
                        account_id_options=dict(type="dict", default={}),
                    ),
                ),
            ),
        ),
    )


class _JobModule:
    """org_account's module as another module's runner sees it: that module's options, the same connection."""

    def __init__(self, module, argument_spec, params):
        self._module = module
        self.account_argument_spec = argument_spec
        self.params = params

    def __getattr__(self, name):
        return getattr(self._module, name)


class _Job:
    """One job: a module's options for every account it runs in."""

    def __init__(self, module, number, job, member_role_name):
        self.number = number
        self.name = job["module"]
        argument_spec, self.runner, self.check = JOB_MODULES[self.name]
        self.where = f"follow_up.jobs[{number}] ({self.name})"
        self.member_role_name = member_role_name
        self.account_id_options = {option: int(index) for option, index in job["account_id_options"].items()}
        self.context = RunContext(batch=True)
        spec = argument_spec()
        checked = ArgumentSpecValidator(spec).validate(dict(job["options"]))
        self.problems = [f"{self.where}: options: {error}" for error in checked.error_messages]
        params = {name: value for name, value in module.params.items()
                  if name not in module.account_argument_spec and name not in _BATCH_OPTIONS}
        params.update(checked.validated_parameters)
        self.module = _JobModule(module, spec, params)

    def label(self, params):
        """How the job is named in messages and the diff: its module, and the role's name."""
        name = params.get("name") if self.name == "iam_cross_account_role" else None
        return f"{self.name} {name}" if name else self.name

    def account_run(self, entry, account_id, account_ids):
        """The job's AccountRun in ``account_id``, or the problems of its options."""
        params = dict(entry["params"])
        for option, index in self.account_id_options.items():
            params[option] = account_ids[index]
        batch_entry = dict(account_id=account_id, role_name=self.member_role_name, caller=entry["caller"],
                           params=params)
        merged, problems = account_params(self.module, batch_entry)
        if problems:
            return None, problems
        run = AccountRun(self.module, batch_entry, merged, self.context)
        run.predicted = self.module.check_mode and is_placeholder(account_id)
        return run, []


class FollowUps:
    """The follow-up jobs of one org_account run: checked first, then scheduled as accounts become ready."""

    def __init__(self, module, options, planned_creations=None):
        """``planned_creations(account_runs)``: the indexes of the entries whose account the run creates."""
        self._module = module
        self._leave_last_creations = options["leave_last_creations"]
        self._planned_creations = planned_creations
        self._left = set()          # accounts indexes left to the caller (leave_last_creations)
        self._left_waves = set()    # their waves: the later waves are left too
        self._waves = list(options["waves"])
        self._workers = max(1, options["max_workers"])
        self._jobs = [_Job(module, number, job, options["member_role_name"])
                      for number, job in enumerate(options["jobs"])]
        # accounts index: [(job, entry)], in the order of the jobs
        self._work = {}
        for job, spec_job in zip(self._jobs, options["jobs"]):
            for entry in spec_job["entries"]:
                self._work.setdefault(entry["index"], []).append((job, entry))
        self._condition = threading.Condition()
        self._account_ids = {}      # accounts index: id, once its account is ready
        self._ended = set()         # accounts indexes whose converge has ended (ready or not)
        self._failed_waves = set()  # waves where an account or a job failed
        self._state = {index: "waiting" for index in self._work}
        # wave: its entries not finished yet (waiting or running); at most ten
        # waves, so a check is cheap at hundreds of accounts.
        self._open = Counter(self._waves[index] for index in self._work if index < len(self._waves))
        self._running = 0
        self._results = []
        self._failures = []
        self._warnings = []
        self._pool = None

    # --- before the first write ------------------------------------------------

    def problems(self, account_runs):
        """Every problem of the jobs, named by job and entry; checked before org_account writes anything."""
        problems = [problem for job in self._jobs for problem in job.problems]
        if len(self._waves) != len(account_runs):
            return problems + [f"follow_up.waves: {len(self._waves)} waves for {len(account_runs)} accounts entries"]
        known_ids = {run.index: run.account_id or _STAND_IN_ACCOUNT_ID for run in account_runs}
        for job in self._jobs:
            for option, index in job.account_id_options.items():
                if option not in job.module.account_argument_spec or index not in known_ids:
                    problems.append(f"{job.where}: account_id_options: {option} -> {index} names no option"
                                    f" of {job.name} or no entry of accounts")
        if problems:
            return problems
        for index, work in sorted(self._work.items()):
            if index not in known_ids:
                problems.append(f"follow_up: entry index {index} is not an entry of accounts")
                continue
            for job, entry in work:
                where = f"{job.where} entry for accounts[{index}]"
                run, errors = job.account_run(entry, known_ids[index], known_ids)
                problems.extend(f"{where}: {error}" for error in errors)
                if run is not None:
                    problems.extend(refusals(job.check, run, where))
        return problems

    def priority(self, account_run):
        """Creation order: lower waves first, so their jobs (which later waves wait for) start soonest."""
        return (self._waves[account_run.index], account_run.index)

    # --- while the accounts converge ---------------------------------------------

    def start(self, account_runs):
        if self._leave_last_creations and self._planned_creations is not None:
            self._left = self._last_creations(self._planned_creations(account_runs))
        self._pool = ThreadPoolExecutor(max_workers=self._workers)

    def _last_creations(self, created):
        """The entries of the last round of creations: AWS allows CREATIONS_IN_FLIGHT, taken in creation order."""
        in_order = sorted((self._waves[index], index) for index in created if index < len(self._waves))
        if not in_order:
            return set()
        last_round = len(in_order) % CREATIONS_IN_FLIGHT or CREATIONS_IN_FLIGHT
        return {index for _wave, index in in_order[-last_round:]}

    def account_converged(self, account_run, result, failure):
        """Called from org_account's worker thread when one account's converge has ended."""
        account = (result or {}).get("account") or {}
        with self._condition:
            self._ended.add(account_run.index)
            if failure is not None:
                self._failed_waves.add(self._waves[account_run.index])
            elif account.get("id") and account.get("status") == "ACTIVE":
                # ACTIVE: created or found, and a member (not an invitation still waiting).
                self._account_ids[account_run.index] = account["id"]
            self._schedule()

    def _blocked(self, index):
        """Whether a lower wave has not finished its jobs, or failed or was left to the caller (then it never starts)."""
        wave = self._waves[index]
        return any(stopped < wave for stopped in self._failed_waves | self._left_waves) or any(
            other < wave for other, unfinished in self._open.items() if unfinished)

    def _finished(self, index, state):
        self._state[index] = state
        self._open[self._waves[index]] -= 1

    def _needed(self, index):
        """The entry's own account and every account its jobs name."""
        return {index} | {target for job, _entry in self._work[index] for target in job.account_id_options.values()}

    def _schedule(self):
        """Start every entry whose account, named accounts and lower waves are ready (under the condition)."""
        for index, state in sorted(self._state.items(), key=lambda item: (self._waves[item[0]], item[0])):
            if state != "waiting":
                continue
            if index in self._left:
                # Left to the caller; the later waves wait for it there.
                self._finished(index, "left")
                self._left_waves.add(self._waves[index])
                continue
            needed = self._needed(index)
            if any(target in self._ended and target not in self._account_ids for target in needed):
                # Not a member (an invitation waiting for acceptance, a creation still in
                # progress with wait=false) or failed: no work there yet, as in the wave plays.
                self._finished(index, "skipped")
                continue
            if self._blocked(index) or not needed <= set(self._account_ids):
                continue
            self._state[index] = "running"
            self._running += 1
            self._pool.submit(self._follow_up, index, self._account_ids[index], dict(self._account_ids))

    def _follow_up(self, index, account_id, account_ids):
        failed = False
        # One AssumeRole per account for all its jobs (they run one after the
        # other, well within the credentials' hour).
        credentials = None
        try:
            for job, entry in self._work[index]:
                run, problems = job.account_run(entry, account_id, account_ids)
                if run is not None:
                    run.reuse_credentials(credentials)
                result, failure = (None, "; ".join(problems)) if problems else converge_account(job.runner, run)
                credentials = run.assumed_credentials() if run is not None else credentials
                self._record(job, run, index, account_id, result, failure)
                if failure is not None:
                    failed = True
                    break
        finally:
            with self._condition:
                self._finished(index, "failed" if failed else "done")
                if failed:
                    self._failed_waves.add(self._waves[index])
                self._running -= 1
                self._schedule()
                self._condition.notify_all()

    def _record(self, job, run, index, account_id, result, failure):
        label = job.label(run.params if run is not None else {})
        with self._condition:
            for warning in run.warnings if run is not None else ():
                self._warnings.append(f"account {account_id}: follow_up {label}: {warning}")
            if failure is not None:
                self._failures.append(f"account {account_id}: follow_up {label}: {failure}")
                result = dict(failed=True, msg=failure)
            self._results.append(dict(result, job=job.number, module=job.name, label=label, index=index,
                                      account_id=account_id))

    def finish(self):
        """Wait for every job that can still start; return (results, failures, followed_up, left).

        ``left``: the entries left to the caller (``leave_last_creations``),
        those of the last round of creations and of every later wave, in order.
        """
        with self._condition:
            self._schedule()
            while self._running:
                self._condition.wait()
        self._pool.shutdown(wait=True)
        for warning in self._warnings:
            self._module.warn(warning)
        done = sorted(index for index, state in self._state.items() if state == "done")
        # A later wave's entry still waiting at the end waited for a wave left to the caller.
        first_left_wave = min(self._left_waves, default=None)
        left = sorted(index for index, state in self._state.items()
                      if state == "left" or (state == "waiting" and first_left_wave is not None
                                             and self._waves[index] > first_left_wave))
        results = sorted(self._results, key=lambda result: (result["index"], result["job"]))
        return results, list(self._failures), done, left
