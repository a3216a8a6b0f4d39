"""org_account's follow_up: per-account jobs started behind each account's converge, wave by wave.

The module is the real AnsibleLandingZoneModule with the follow_up option;
the accounts' converge (org_account's runner) and the jobs' runners are
stand-ins that record when they ran, so the order the scheduler keeps is
what is asserted: no AWS, no sleeping longer than a few tenths of a second.
"""

import json
import threading
import time

import pytest

from ansible.module_utils import basic
from ansible.module_utils.testing import patch_module_args

from ansible_collections.awsorg.landing_zone.plugins.module_utils.batch.account_batch import run_for_accounts
from ansible_collections.awsorg.landing_zone.plugins.module_utils.batch.modules import AnsibleLandingZoneModule
from ansible_collections.awsorg.landing_zone.plugins.module_utils.resources import account_follow_up
from ansible_collections.awsorg.landing_zone.plugins.module_utils.resources import org_account_reads as reads
from ansible_collections.awsorg.landing_zone.plugins.module_utils.resources.account_follow_up import FollowUps
from ansible_collections.awsorg.landing_zone.plugins.module_utils.resources.account_follow_up import follow_up_argument_spec

ORG_SPEC = dict(name=dict(type="str"), account_id=dict(type="str"))
IDS = ["111111111111", "222222222222", "333333333333", "444444444444", "555555555555"]


@pytest.fixture(autouse=True)
def module_profile(monkeypatch):
    monkeypatch.setattr(basic, "_ANSIBLE_PROFILE", "legacy")


class Recorder:
    """The stand-in runners: each account's converge after its delay, each job's run, in time order."""

    def __init__(self, delays, inactive=(), failing_accounts=(), failing_jobs=()):
        self.delays = delays
        self.inactive = set(inactive)
        self.failing_accounts = set(failing_accounts)
        self.failing_jobs = set(failing_jobs)
        self.events = []
        self.lock = threading.Lock()

    def note(self, *event):
        with self.lock:
            self.events.append((time.monotonic(),) + event)

    def converge_account(self, account_run):
        index = int(account_run.params["name"].split("-")[1])
        time.sleep(self.delays[index])
        self.note("converged", index)
        if index in self.failing_accounts:
            account_run.fail_json(msg="creation failed")
        status = None if index in self.inactive else "ACTIVE"
        return dict(changed=True, account=dict(id=IDS[index], status=status))

    def job_runner(self, module_name):
        def run(account_run):
            self.note("job", module_name, account_run.account_id, dict(account_run.params))
            time.sleep(0.02)
            if (module_name, account_run.account_id) in self.failing_jobs:
                account_run.fail_json(msg="job failed")
            return dict(changed=True, diff=dict(before={}, after={"done": True}))
        return run

    def first(self, kind, *match):
        return next(event[0] for event in self.events if event[1] == kind and event[2:2 + len(match)] == match)

    def jobs_in(self, account_id):
        return [event for event in self.events if event[1] == "job" and event[3] == account_id]


@pytest.fixture
def recorder_with(monkeypatch):
    def make(**kwargs):
        recorder = Recorder(**kwargs)
        for name, (spec, _run, check) in list(account_follow_up.JOB_MODULES.items()):
            monkeypatch.setitem(account_follow_up.JOB_MODULES, name, (spec, recorder.job_runner(name), check))
        return recorder
    return make


def make_module(accounts, follow_up, check_mode=False):
    args = dict(region="us-east-1", accounts=accounts, follow_up=follow_up, max_workers=8)
    if check_mode:
        args["_ansible_check_mode"] = True
    with patch_module_args(args):
        return AnsibleLandingZoneModule(argument_spec=dict(ORG_SPEC), supports_check_mode=True, accounts=True,
                                        batch_argument_spec=follow_up_argument_spec())


def run(recorder, accounts, follow_up):
    module = make_module(accounts, follow_up)
    return run_for_accounts(module, recorder.converge_account, as_caller=True,
                            follow_up=FollowUps(module, module.params["follow_up"]))


def failed_run(capsys, recorder, accounts, follow_up):
    with pytest.raises(SystemExit):
        run(recorder, accounts, follow_up)
    return json.loads(capsys.readouterr().out)


def accounts_of(count):
    return [dict(params=dict(name=f"account-{index}")) for index in range(count)]


def baseline_job(indexes, **options):
    return dict(module="account_baseline", options=dict(options or dict(regions=["us-east-1"])),
                entries=[dict(index=index, params=dict(account_alias=f"alias-{index}")) for index in indexes])


def test_each_account_starts_its_jobs_behind_its_own_converge_and_waves_keep_their_order(recorder_with):
    # Wave 1: accounts 0 (fast) and 1 (slow); wave 2: accounts 2 (fast) and 3.
    recorder = recorder_with(delays=[0.0, 0.4, 0.0, 0.1])
    result = run(recorder, accounts_of(4), dict(waves=[1, 1, 2, 2], jobs=[baseline_job(range(4))]))

    assert result["changed"] is True
    assert result["followed_up"] == [0, 1, 2, 3]
    # Account 0's baseline ran while account 1 was still converging (behind its own creation).
    assert recorder.first("job", "account_baseline", IDS[0]) < recorder.first("converged", 1)
    # Account 2 was ready at once, but its wave waited for every job of wave 1.
    assert recorder.first("converged", 2) < recorder.first("converged", 1)
    wave_one_done = max(recorder.first("job", "account_baseline", IDS[index]) for index in (0, 1))
    assert all(recorder.first("job", "account_baseline", IDS[index]) > wave_one_done for index in (2, 3))
    # Each account's own options, over the job's.
    params = {event[3]: event[4] for event in recorder.events if event[1] == "job"}
    assert params[IDS[2]]["account_alias"] == "alias-2" and params[IDS[2]]["regions"] == ["us-east-1"]
    # One result per job and account, ordered by entry, and a diff key per account and job.
    assert [(r["index"], r["module"], r["account_id"]) for r in result["follow_up"]] == [
        (index, "account_baseline", IDS[index]) for index in range(4)]
    assert result["diff"]["after"][f"{IDS[3]} account_baseline"] == {"done": True}


def test_the_creations_start_in_wave_order(recorder_with):
    recorder = recorder_with(delays=[0.0] * 4)
    accounts = accounts_of(4)
    module = make_module(accounts, dict(waves=[3, 2, 1, 2], jobs=[baseline_job(range(4))]), )
    module.params["max_workers"] = 1
    run_for_accounts(module, recorder.converge_account, as_caller=True,
                     follow_up=FollowUps(module, module.params["follow_up"]))
    assert [event[2] for event in recorder.events if event[1] == "converged"] == [2, 1, 3, 0]


def test_the_creation_slots_go_to_the_lower_waves_first_whatever_thread_gets_there_first():
    # Six accounts to create, five slots: the wave-1 accounts (2 and 5) must be
    # in the first round even when their threads reach the slots last (as on
    # a loaded machine; a plain semaphore gave a slot to whoever came first).
    waves = [2, 2, 1, 2, 2, 1]
    taken, lock = [], threading.Lock()

    def converge_account(account_run):
        index = int(account_run.params["name"].split("-")[1])
        time.sleep(0.03 * waves[index] + 0.005 * (5 - index))  # wave 1 arrives last
        try:
            with reads.creation_slot(account_run.context, account_run.turn):
                with lock:
                    taken.append(index)
                time.sleep(0.1)
        finally:
            reads.creation_turn_passed(account_run.context, account_run.turn)
        return dict(changed=True, account=dict(id=f"{index + 1:012d}", status="ACTIVE"))

    module = make_module(accounts_of(6), dict(waves=waves, jobs=[]))
    run_for_accounts(module, converge_account, as_caller=True, follow_up=FollowUps(module, module.params["follow_up"]))
    assert taken == [2, 5, 0, 1, 3, 4]


def test_a_failed_account_stops_the_later_waves_but_not_its_own(recorder_with, capsys):
    recorder = recorder_with(delays=[0.0, 0.05, 0.0], failing_accounts={1})
    result = failed_run(capsys, recorder, accounts_of(3), dict(waves=[1, 1, 2], jobs=[baseline_job(range(3))]))

    assert "creation failed" in result["msg"]
    assert result["followed_up"] == [0]
    assert recorder.jobs_in(IDS[0]) and not recorder.jobs_in(IDS[2])


def test_a_failed_job_stops_the_later_waves_and_is_named(recorder_with, capsys):
    recorder = recorder_with(delays=[0.0, 0.0, 0.0], failing_jobs={("account_baseline", IDS[0])})
    result = failed_run(capsys, recorder, accounts_of(3), dict(waves=[1, 1, 2], jobs=[baseline_job(range(3))]))

    assert f"account {IDS[0]}: follow_up account_baseline: job failed" in result["msg"]
    assert result["followed_up"] == [1]
    assert not recorder.jobs_in(IDS[2])


def test_an_account_that_is_not_a_member_yet_gets_no_jobs_and_holds_up_nobody(recorder_with):
    recorder = recorder_with(delays=[0.0, 0.0], inactive={0})
    result = run(recorder, accounts_of(2), dict(waves=[1, 2], jobs=[baseline_job(range(2))]))

    assert result["followed_up"] == [1]
    assert not recorder.jobs_in(IDS[0]) and recorder.jobs_in(IDS[1])


def test_a_role_waits_for_the_account_it_trusts_and_gets_its_id(recorder_with):
    # Account 0 (wave 1) trusts account 2 (wave 2, the slowest to converge).
    recorder = recorder_with(delays=[0.0, 0.0, 0.3])
    role = dict(module="iam_cross_account_role", options=dict(name="admin", require_mfa=True),
                account_id_options=dict(source_account_id=2), entries=[dict(index=0), dict(index=1)])
    result = run(recorder, accounts_of(3), dict(waves=[1, 1, 2], jobs=[role, baseline_job([2])]))

    assert result["followed_up"] == [0, 1, 2]
    assert recorder.first("job", "iam_cross_account_role", IDS[0]) > recorder.first("converged", 2)
    params = {event[3]: event[4] for event in recorder.events if event[2] == "iam_cross_account_role"}
    assert params[IDS[0]]["source_account_id"] == IDS[2] and params[IDS[1]]["source_account_id"] == IDS[2]
    assert {r["label"] for r in result["follow_up"]} == {"iam_cross_account_role admin", "account_baseline"}


@pytest.mark.parametrize("follow_up, expected", [
    (dict(waves=[1, 1], jobs=[baseline_job([0], regions="not-a-list", password_policy="weak")]),
     "follow_up.jobs[0] (account_baseline): options: "),
    (dict(waves=[1, 1], jobs=[baseline_job([5])]), "follow_up: entry index 5 is not an entry of accounts"),
    (dict(waves=[1], jobs=[baseline_job([0])]), "follow_up.waves: 1 waves for 2 accounts entries"),
    (dict(waves=[1, 1], jobs=[dict(module="iam_cross_account_role", options=dict(name="x"),
                                   account_id_options=dict(source_account_id=9), entries=[dict(index=0)])]),
     "account_id_options: source_account_id -> 9 names no option of iam_cross_account_role or no entry"),
    (dict(waves=[1, 1], jobs=[dict(module="iam_cross_account_role", options=dict(name="x", max_session_duration=5),
                                   account_id_options=dict(source_account_id=1), entries=[dict(index=0)])]),
     "follow_up.jobs[0] (iam_cross_account_role) entry for accounts[0]: max_session_duration"),
])
def test_bad_jobs_are_refused_before_any_account_is_touched(recorder_with, capsys, follow_up, expected):
    recorder = recorder_with(delays=[0.0, 0.0])
    result = failed_run(capsys, recorder, accounts_of(2), follow_up)
    assert expected in result["msg"]
    assert recorder.events == []


def test_check_mode_predicts_the_jobs_of_an_account_the_run_would_create(recorder_with):
    recorder = recorder_with(delays=[0.0])
    module = make_module(accounts_of(1), dict(waves=[1], jobs=[baseline_job([0])]), check_mode=True)

    def predict(account_run):
        return dict(changed=True, account=dict(id="(new account account-0)", status="ACTIVE"))

    result = run_for_accounts(module, predict, as_caller=True, follow_up=FollowUps(module, module.params["follow_up"]))
    assert result["followed_up"] == [0]
    assert result["follow_up"][0]["changed"] is True
    assert "does not exist yet" in result["follow_up"][0]["msg"]
    assert recorder.events == []  # predicted: the job's runner never ran


def test_leave_last_creations_leaves_the_last_round_and_the_later_waves_to_the_caller(recorder_with):
    # Eight accounts: 0 exists (wave 0); 1-6 are created (waves 1, 2, 2, 2, 2, 2), the sixth creation
    # goes to a second round (five in flight); 7 exists, in wave 3.
    ids = [f"{index + 1:012d}" for index in range(8)]
    waves = [0, 1, 2, 2, 2, 2, 2, 3]
    created = {1, 2, 3, 4, 5, 6}
    asked = []

    def planned_creations(account_runs):
        asked.append(sorted(account_run.index for account_run in account_runs))
        return created

    def converge_account(account_run):
        index = int(account_run.params["name"].split("-")[1])
        return dict(changed=index in created, account=dict(id=ids[index], status="ACTIVE"))

    recorder = recorder_with(delays=[0.0] * 8)
    follow_up = dict(waves=waves, jobs=[baseline_job(range(8))], leave_last_creations=True)
    module = make_module(accounts_of(8), follow_up)
    result = run_for_accounts(module, converge_account, as_caller=True,
                              follow_up=FollowUps(module, module.params["follow_up"], planned_creations))

    assert asked == [list(range(8))]
    # The last round is the last creation in wave order (one: six creations, five a round): account 6.
    # Account 7 (wave 3) is left too, so that the caller keeps the waves' order.
    assert result["followed_up"] == [0, 1, 2, 3, 4, 5]
    assert result["follow_up_left"] == [6, 7]
    done = sorted(event[3] for event in recorder.events if event[1] == "job")
    assert done == sorted(ids[:6])

    # Five creations or fewer are one round: every created account is left (2 and 3), with the
    # later waves (7); the existing accounts of their own wave and of lower waves are not.
    created = {2, 3}
    recorder = recorder_with(delays=[0.0] * 8)
    module = make_module(accounts_of(8), follow_up)
    result = run_for_accounts(module, converge_account, as_caller=True,
                              follow_up=FollowUps(module, module.params["follow_up"], planned_creations))
    assert result["followed_up"] == [0, 1, 4, 5, 6]
    assert result["follow_up_left"] == [2, 3, 7]

    # Without the option, every account gets its jobs.
    recorder = recorder_with(delays=[0.0] * 8)
    module = make_module(accounts_of(8), dict(follow_up, leave_last_creations=False))
    result = run_for_accounts(module, converge_account, as_caller=True,
                              follow_up=FollowUps(module, module.params["follow_up"], planned_creations))
    assert result["followed_up"] == list(range(8))
    assert result["follow_up_left"] == []
