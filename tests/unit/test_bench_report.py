"""The benchmark report's computations (bench/report.py): floors, ratios, verdicts, the overlap, flatness."""

import json
import subprocess
from pathlib import Path

import pytest

from bench import report
from bench.measure import source_commit

MANAGEMENT = "123456789012"
MEMBER_A = "111111111111"
MEMBER_B = "222222222222"
KEYS = {"testing": MANAGEMENT, "ASIAA": MEMBER_A, "ASIAB": MEMBER_B}
START = 1000.0


def call(action, at, key="testing", mutating=False, status=200, elapsed=0.1, rewritten=None,
         service="organizations"):
    return dict(service=service, action=action, time=START + at, elapsed=elapsed, mutating=mutating,
                status=status, rewritten=rewritten, access_key_id=key)


@pytest.mark.parametrize("size, floor", [(20, 80), (21, 100), (5, 20), (1, 20), (100, 400)])
def test_creation_floor_is_rounds_of_five_creations(size, floor):
    assert report.creation_floor(size, 20) == floor


def test_latency_floors_add_the_member_role_delay_and_read_old_results():
    assert report.latency_floors(dict(size=20, creation_seconds=20, member_role_delay_seconds=15)) == (80, 95)
    # A results file from before the member role delay was recorded: only the creation floor.
    assert report.latency_floors(dict(size=20, creation_seconds=20, floor_seconds=80)) == (80, None)


@pytest.mark.parametrize("value, limit, at_most, ran, expected", [
    (1.2, 1.2, True, True, "met"),
    (1.21, 1.2, True, True, "missed"),
    (0.9, 1.2, True, False, "missed"),  # a failed run meets nothing
    (4.0, 4.0, False, True, "met"),
    (3.9, 4.0, False, True, "missed"),
    (None, 4.0, False, True, "not measured"),
    (0, 0, True, True, "met"),
])
def test_verdict(value, limit, at_most, ran, expected):
    assert report.verdict(value, limit, at_most=at_most, ran=ran) == expected


def test_ratio_is_none_without_both_numbers():
    assert report.ratio(150.0, 80) == pytest.approx(1.875)
    assert report.ratio(None, 80) is None
    assert report.ratio(150.0, None) is None
    assert report.ratio(150.0, 0) is None


def synthetic_run():
    """Two accounts created at 1 s (20 s each), member writes at 15 s (A, early) and 30 s (B, late)."""
    return [
        call("CreateAccount", 1.0, mutating=True, rewritten="account_creation_in_progress"),
        call("CreateAccount", 2.0, mutating=True, rewritten="account_creation_in_progress"),
        call("DescribeCreateAccountStatus", 5.0, rewritten="account_creation_in_progress"),
        call("DescribeCreateAccountStatus", 21.5),  # A's SUCCEEDED
        call("DescribeCreateAccountStatus", 22.5),  # B's SUCCEEDED: the last one the tool read
        call("AssumeRole", 14.0, service="sts"),
        call("CreateAccountAlias", 15.0, key="ASIAA", mutating=True, service="iam"),
        call("GetAccountPasswordPolicy", 16.0, key="ASIAA", service="iam"),  # a read: not counted
        call("AttachPolicy", 17.0, mutating=True),  # the management account's write: not counted
        call("CreateRole", 18.0, key="ASIAA", mutating=True, status=409, service="iam"),  # refused: not work done
        call("CreateAccountAlias", 30.0, key="ASIAB", mutating=True, service="iam", elapsed=0.5),
        call("CreateRole", 31.0, key="ASIAX", mutating=True, service="iam"),  # a key moto did not know
    ]


def test_member_work_overlap_of_a_synthetic_run():
    overlap = report.member_work_overlap(synthetic_run(), KEYS, MANAGEMENT, creation_seconds=20, started=START)
    assert overlap == dict(
        accounts_created=2,
        last_create_account_answered=2.1,
        last_creation_finished=22.1,
        last_succeeded_read=22.6,
        first_member_write=15.0,
        last_member_write=30.5,
        member_writes=2,
        member_writes_before_last_creation=1,
        accounts_written_before_last_creation=1,
        accounts_written=2,
        writes_of_unknown_caller=1,
        last_call_answered=31.1,
    )


def test_member_work_overlap_counts_from_the_first_call_without_a_start():
    overlap = report.member_work_overlap(synthetic_run(), KEYS, MANAGEMENT, creation_seconds=20)
    assert overlap["first_member_write"] == 14.0  # the first call (CreateAccount) came at 1 s


def test_member_work_overlap_without_member_work_or_creations():
    calls = [call("CreateAccount", 1.0, mutating=True), call("AttachPolicy", 3.0, mutating=True)]
    overlap = report.member_work_overlap(calls, KEYS, MANAGEMENT, creation_seconds=20, started=START)
    assert overlap["member_writes"] == 0 and overlap["first_member_write"] is None
    assert overlap["last_succeeded_read"] is None
    assert report.member_work_overlap([call("AttachPolicy", 3.0, mutating=True)], KEYS, MANAGEMENT, 20) is None
    assert report.member_work_overlap([], KEYS, MANAGEMENT, 20) is None


def test_calls_flatness_uses_the_calls_per_added_account():
    # 21 -> 101 -> 401 accounts: a fixed part of 200 calls and 18 per account.
    flat = report.calls_flatness([(101, 200 + 18 * 101), (21, 200 + 18 * 21), (401, 200 + 18 * 401)])
    assert flat == dict(slopes=[18.0, 18.0], spread=1.0, flat=True)
    # One list read per account on top (N^2 / 100 calls): the slope grows with N.
    growing = report.calls_flatness([(a, 200 + 18 * a + a * a // 100) for a in (21, 101, 401)])
    assert growing["flat"] is False and growing["slopes"][1] > growing["slopes"][0]
    # Two sizes give one slope: nothing to compare.
    assert report.calls_flatness([(21, 578), (101, 2018)])["flat"] is None


def run(label, wall, cpu=10.0, calls=100, writes=0, rc=0, accounts=1, **extra):
    return dict(label=label, rc=rc, wall_seconds=wall, cpu_seconds=cpu, moto_cpu_seconds=1.0, calls=calls,
                calls_per_account=round(calls / accounts, 2), writes=writes, by_action={"iam:GetRole": calls},
                writes_by_action={}, **extra)


def landing_zone(size, first_wall, noop_wall, noop_calls, noop_cpu, noop_writes=0):
    accounts = size + 1
    return dict(tool="landing_zone", size=size, accounts=accounts, runs=[
        run("first", first_wall, calls=noop_calls * 2, writes=500, accounts=accounts),
        run("noop", noop_wall, cpu=noop_cpu, calls=noop_calls, writes=noop_writes, accounts=accounts)])


def floor(size, wall):
    return dict(size=size, threads=16, wall_seconds=wall, cpu_seconds=1.0, moto_cpu_seconds=1.0, calls=18 * size,
                calls_per_account=18.0)


MACHINE = dict(cpu="test cpu", cores=2, memory_gb=1.0, os="linux", python="3.11", ansible_core="2.19",
               boto3="1", moto="5", node="-", load_average=[0.1, 0.2, 0.3], load_average_end=[1.0, 1.0, 1.0])


def write_results(path, command, **parts):
    data = dict(started=path.stem, machine=MACHINE, sizes=[], command=command, landing_zone=[], orgformation=[],
                latency=None, floor=[], duration_seconds=600)
    data.update(parts)
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


@pytest.fixture
def two_results(tmp_path):
    """A 20/100 run with the latency mode and org-formation in it, and a separate 400 run."""
    latency = dict(
        size=20, latency_ms=60, creation_seconds=20, creation_floor_seconds=80, floor_seconds=80,
        member_role_delay_seconds=15, floor_with_member_role_seconds=95,
        landing_zone=dict(tool="landing_zone", size=20, accounts=21, runs=[
            run("first", 110.0, member_work=report.member_work_overlap(synthetic_run(), KEYS, MANAGEMENT, 20,
                                                                       started=START))]),
        orgformation=dict(tool="org-formation", size=20, accounts=21, runs=[run("first", 450.0)]))
    small = write_results(
        tmp_path / "a.json", ".venv/bin/python -m bench.run --sizes 20,100 --orgformation latency --no-docs",
        landing_zone=[landing_zone(20, 60, 30.0, 20 * 21 + 200, 25.0),
                      landing_zone(100, 180, 30.0, 20 * 101 + 200, 23.0)],
        floor=[floor(20, 5.0), floor(100, 20.0)], latency=latency)
    large = write_results(
        tmp_path / "b.json", ".venv/bin/python -m bench.run --sizes 400 --orgformation none --no-latency --no-docs",
        landing_zone=[landing_zone(400, 1300, 170.0, 20 * 401 + 200, 90.0, noop_writes=2)],
        floor=[floor(400, 80.0)])
    return small, large


def targets(merged):
    return {target: (measured, result)
            for target, measured, result in report.latency_targets(merged["latency"]) + report.noop_targets(merged)}


def test_targets_from_two_merged_results_files(two_results):
    rows = targets(report._merge(two_results))  # pylint: disable=protected-access
    by_start = {target.split(" <=")[0].split(" >=")[0].split(" <")[0]: value for target, value in rows.items()}
    creation, with_role = [value for target, value in rows.items() if target.startswith("first converge")]
    assert creation == ("110.0 s / 80 s = 1.38x", "missed")  # 110 > 1.2 x 80 = 96
    assert with_role == ("110.0 s / 95 s = 1.16x", "met")  # 110 <= 1.2 x 95 = 114
    assert by_start["org-formation / landing zone wall, same run (Organizations only, creation 20 s)"] == (
        "450.0 s / 110.0 s = 4.09x", "met")
    assert by_start["no-op re-run, 101 accounts"] == ("30.0 s / 20.0 s = 1.50x", "met")
    assert by_start["no-op re-run, 401 accounts"] == ("170.0 s / 80.0 s = 2.12x", "missed")
    assert by_start["no-op re-run: 0 writes"] == ("0 at 21, 0 at 101, 2 at 401", "missed")
    flat = next(value for target, value in rows.items() if "flat" in target)
    assert flat[1] == "met" and "20.0 -> 20.0" in flat[0]
    cpu = {target: value for target, value in rows.items() if target.startswith("Ansible CPU")}
    assert list(cpu.values()) == [("23.0 s / 101 = 0.228 s", "met"), ("90.0 s / 401 = 0.224 s", "met")]


def test_a_latency_run_at_another_creation_time_is_reported_beside_the_targets_not_instead(two_results, tmp_path):
    data = json.loads(two_results[0].read_text(encoding="utf-8"))
    longer = dict(data["latency"], creation_seconds=60, creation_floor_seconds=240, floor_seconds=240,
                  floor_with_member_role_seconds=255)
    longer["landing_zone"] = dict(longer["landing_zone"], runs=[run("first", 300.0)])
    longer["orgformation"] = dict(longer["orgformation"], runs=[run("first", 1250.0)])
    later = write_results(tmp_path / "c.json", ".venv/bin/python -m bench.run --sizes '' --creation-seconds 60",
                          latency=longer)

    merged = report._merge([*two_results, later])  # pylint: disable=protected-access

    assert merged["latency"]["creation_seconds"] == 20  # the targets' run, though an earlier file
    assert [other["creation_seconds"] for other in merged["latency_other"]] == [60]
    page = report.render([*two_results, later])
    assert ("| first converge of 20 new accounts (latency mode, creation 20 s) <= 1.2x the floor with the member"
            " role delay | 110.0 s / 95 s = 1.16x | **met** |") in page
    assert ("| first converge of 20 new accounts (latency mode, creation 60 s) <= 1.2x the floor with the member"
            " role delay (beside the targets) | 300.0 s / 255 s = 1.18x | **met** |") in page
    assert ("| org-formation / landing zone wall, same run (Organizations only, creation 60 s) >= 4x (beside the"
            " targets) | 1250.0 s / 300.0 s = 4.17x | **met** |") in page
    assert "### The same at a creation time of 60 s" in page and "ceil(20 / 5) x 60 s = **240 s**" in page


def test_targets_not_measured_without_the_runs(tmp_path):
    only_small = write_results(tmp_path / "a.json", "cmd", landing_zone=[landing_zone(20, 60, 30.0, 620, 25.0)])
    rows = targets(report._merge([only_small]))  # pylint: disable=protected-access
    writes = rows.pop("no-op re-run: 0 writes")
    assert writes == ("0 at 21", "met")
    assert {result for _measured, result in rows.values()} == {"not measured"}


def test_a_failed_latency_run_misses_its_targets(two_results, tmp_path):
    data = json.loads(two_results[0].read_text(encoding="utf-8"))
    data["latency"]["landing_zone"]["runs"][0].update(rc=2, wall_seconds=50.0)
    failed = tmp_path / "failed.json"
    failed.write_text(json.dumps(data), encoding="utf-8")
    rows = targets(report._merge([failed]))  # pylint: disable=protected-access
    latency_rows = [value for target, value in rows.items() if "latency mode" in target or "org-formation" in target]
    assert [result for _measured, result in latency_rows] == ["missed", "missed", "missed"]
    assert "(rc 2)" in latency_rows[0][0]


def test_render_merges_files_and_lists_each_command(two_results):
    page = report.render(two_results)
    assert "`.venv/bin/python -m bench.run --sizes 20,100 --orgformation latency --no-docs` (10 min)" in page
    assert "`.venv/bin/python -m bench.run --sizes 400 --orgformation none --no-latency --no-docs`" in page
    assert "## Targets of issue 17" in page
    assert "load average at start 0.1, 0.2, 0.3, at end 1.0, 1.0, 1.0" in page
    # The overlap table from the latency run's member_work.
    assert "| ... started before the last creation finished | 1 in 1 accounts |" in page
    assert "| last new account's member role assumable (+ 15 s) | 37.1 s |" in page
    # The no-op against its floor, each size, a target only where issue 17 sets one.
    assert "| 21 | 30.0 | 5.0 | 6.00x | (none: report only) |" in page
    assert "| 401 | 170.0 | 80.0 | 2.12x | <= 2x: missed |" in page
    # No stale verdicts of earlier targets.
    assert "1.3x" not in page and "< 60 s" not in page


def test_the_proxy_records_the_callers_key_id_and_never_the_secret():
    """The overlap tells member-account calls from the management account's by the key id the proxy records."""
    # Imported here: the rest of this file needs no proxy.
    import boto3  # pylint: disable=import-outside-toplevel
    import botocore.config  # pylint: disable=import-outside-toplevel

    from tests.harness.awsproxy import RecordingProxy  # pylint: disable=import-outside-toplevel
    from tests.harness.strict_aws import StrictConfig  # pylint: disable=import-outside-toplevel

    # Nothing listens upstream: the proxy answers 502, and records the call all the same.
    proxy = RecordingProxy("http://127.0.0.1:9", strict=StrictConfig(enabled=False)).start()
    try:
        iam = boto3.client("iam", endpoint_url=proxy.url, region_name="us-east-1", aws_access_key_id="ASIABENCHKEY",
                           aws_secret_access_key="bench-secret",
                           config=botocore.config.Config(retries={"total_max_attempts": 1}))
        with pytest.raises(Exception):
            iam.create_account_alias(AccountAlias="bench")
        [recorded] = proxy.calls
    finally:
        proxy.stop()
    assert recorded["action"] == "CreateAccountAlias" and recorded["access_key_id"] == "ASIABENCHKEY"
    assert "bench-secret" not in json.dumps(recorded)


def test_each_run_names_the_commit_it_measured_when_its_file_has_one(tmp_path):
    older = write_results(tmp_path / "old.json", "bench old")
    newer = write_results(tmp_path / "new.json", "bench new", machine=dict(MACHINE, commit="abc1234+changes"))
    lines = report._machine_lines(report._merge([older, newer]))  # pylint: disable=protected-access
    assert lines[0].startswith("- run old: test cpu")
    assert lines[1].startswith("- run new at commit abc1234+changes: test cpu")


def test_the_commit_is_the_checkouts_own():
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True,
                          cwd=Path(__file__).resolve().parents[2]).stdout.strip()
    assert source_commit().split("+")[0] == head
