"""Benchmark: the landing zone of N accounts against moto, and org-formation beside it.

    .venv/bin/python -m bench.run                      # N = 20, 100, 400; writes docs/benchmarks.md
    .venv/bin/python -m bench.run --sizes 20,100       # some sizes only
    .venv/bin/python -m bench.run --sizes 20 --orgformation none --no-latency --no-docs
    .venv/bin/python -m bench.run --sizes 20,100 --orgformation latency   # org-formation in the latency mode only

For every size N (bench/inventory.py: N member accounts, 15 OUs, 10 SCPs,
the demo's per-account baseline, roles, identities and profiles), against a
fresh moto server behind the recording proxy (tests/harness/awsproxy.py):

1. ``ansible-playbook playbooks/site.yml``: the first converge, then the
   same command again (the no-op re-run, which must make no write call):
   wall time, CPU time (ansible-playbook and everything it started; moto
   separately), AWS calls per account by action, write calls, and where
   the time went per task (bench/callback_plugins/bench_timer.py);
2. org-formation (bench/orgformation.py) on its own fresh moto with the
   same organization: ``org-formation update`` from scratch, then again
   (no-op), with the same measures, and the ratios of the two tools;
3. the one-process floor of the no-op (bench/batched_floor.py): the same
   per-account reads made from one process with a thread pool.

Latency-realistic mode (``--latency-accounts``, default 20): 60 ms added to
every AWS call, account creation taking 20 s (``--creation-seconds``: AWS
documents "a few minutes") and strict mode's realistic
delays (a new account's member role assumable 15 s after SUCCEEDED); the
first converge of that many new accounts is compared with the floor AWS
sets by allowing 5 creations in flight, ceil(N / 5) x 20 s, and with that
floor plus the member role delay (the last account's own work cannot start
earlier).  From the proxy's record of the run, how much member-account work
ran while accounts were still being created (bench/report.py,
member_work_overlap).  org-formation runs beside it (``--orgformation``:
``all`` sizes and the latency mode, ``latency`` only, or ``none``).

Results (JSON, logs, per-task timings) go to bench/results/<stamp>/
(gitignored); docs/benchmarks.md is written from them (bench/report.py).
"""

import argparse
import json
import os
import re
import shlex
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import boto3
import botocore.exceptions

REPO = Path(__file__).resolve().parents[1]
for _path in (REPO, REPO / ".collections"):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

from bench import batched_floor  # noqa: E402
from bench import moto_server  # noqa: E402
from bench import orgformation  # noqa: E402
from bench.inventory import generate_inventory  # noqa: E402
from bench.measure import children_cpu  # noqa: E402
from bench.measure import machine  # noqa: E402
from bench.measure import process_cpu  # noqa: E402
from bench.report import TARGET_CREATION_SECONDS  # noqa: E402
from bench.report import creation_floor  # noqa: E402
from bench.report import member_work_overlap  # noqa: E402
from bench.report import write_report  # noqa: E402
from bench.support_stub import SupportStub  # noqa: E402
from tests.harness.awsproxy import FaultConfig  # noqa: E402
from tests.harness.awsproxy import RecordingProxy  # noqa: E402
from tests.harness.motoserver import MotoServer  # noqa: E402
from tests.harness.strict_aws import StrictConfig  # noqa: E402
from tests.harness.playbook import REPO_ROOT  # noqa: E402

RESULTS = REPO / "bench" / "results"
DOCS = REPO / "docs" / "benchmarks.md"
SITE = REPO / "playbooks" / "site.yml"
CALLBACKS = REPO / "bench" / "callback_plugins"
LATENCY_MS = 60
CREATION_SECONDS = TARGET_CREATION_SECONDS  # what issue 17's latency targets are judged at
CONCURRENT_CREATIONS = 5
# Strict mode's eventual consistency in the latency mode, as seen on AWS: a
# new account's OrganizationAccountAccessRole is usually assumable within
# seconds to a minute of SUCCEEDED; a new IAM role within a few seconds.
MEMBER_ROLE_DELAY_SECONDS = 15
NEW_ROLE_DELAY_SECONDS = 5
# How long the strict layer keeps its view of the organization (see strict_config).
BENCH_ORGANIZATION_VIEW_SECONDS = 600
FLOOR_THREADS = 16
RECAP = re.compile(r"^\S+\s+:\s+ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)", re.M)
CREDENTIALS = dict(aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1")


# --- measuring -------------------------------------------------------------------


def call_stats(calls, accounts):
    """Totals and per-account averages of the recorded AWS calls."""
    by_action = Counter(f"{c['service']}:{c['action']}" for c in calls)
    writes = Counter(f"{c['service']}:{c['action']}" for c in calls if c["mutating"])
    return dict(
        calls=len(calls),
        writes=sum(writes.values()),
        calls_per_account=round(len(calls) / accounts, 2),
        by_action=dict(by_action.most_common()),
        writes_by_action=dict(writes.most_common()),
        injected=sum(1 for c in calls if c.get("injected")),
    )


def _task_times(path):
    """Seconds per task action (and the slowest tasks) from the bench_timer lines."""
    if not path.exists():
        return {}
    tasks = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    by_action = Counter()
    for task in tasks:
        by_action[task["action"]] += task["seconds"]
    slowest = sorted(tasks, key=lambda t: t["seconds"], reverse=True)[:12]
    return dict(by_action={k: round(v, 1) for k, v in by_action.most_common()},
                slowest=[dict(task=t["task"], action=t["action"], seconds=t["seconds"], results=t["results"])
                         for t in slowest])


class Stack:
    """moto (fresh, one per measured tool and size; bench/moto_server.py) behind the recording proxy."""

    def __init__(self, directory, load_managed_policies=True, config=None, strict=None):
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.moto = MotoServer(log_path=str(self.directory / "moto.log"), load_managed_policies=load_managed_policies,
                               command=moto_server.COMMAND).start()
        self.proxy = RecordingProxy(self.moto.url, log_path=str(self.directory / "proxy.jsonl"),
                                    config=config, strict=strict).start()

    def organizations(self):
        return boto3.client("organizations", endpoint_url=self.moto.url, **CREDENTIALS)

    def measure(self, label, command, accounts, env=None, cwd=REPO_ROOT, timeout=None):
        """Run ``command``; its wall and CPU time, the AWS calls it made, its log."""
        self.proxy.reset()
        log_path = self.directory / f"{label}.log"
        moto_cpu = process_cpu(self.moto.process.pid)
        cpu = children_cpu()
        started, started_epoch = time.monotonic(), time.time()
        with open(log_path, "w", encoding="utf-8") as log:
            proc = subprocess.run(command, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT,
                                  timeout=timeout, check=False)
        wall = time.monotonic() - started
        result = dict(
            label=label,
            rc=proc.returncode,
            wall_seconds=round(wall, 1),
            started_epoch=started_epoch,
            cpu_seconds=round(children_cpu() - cpu, 1),
            moto_cpu_seconds=round(process_cpu(self.moto.process.pid) - moto_cpu, 1),
            log=str(log_path.relative_to(REPO) if log_path.is_relative_to(REPO) else log_path),
            **call_stats(list(self.proxy.calls), accounts),
        )
        output = log_path.read_text(encoding="utf-8", errors="replace")
        recap = RECAP.findall(output)
        if recap:
            result["tasks_changed"] = sum(int(r[1]) for r in recap)
            result["tasks_failed"] = sum(int(r[2]) + int(r[3]) for r in recap)
        if proc.returncode:
            result["tail"] = output[-3000:]
        return result

    def stop(self):
        self.proxy.stop()
        self.moto.stop()


def _ansible_env(proxy_url, timer_path):
    env = dict(os.environ)
    for key in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_CONFIG_FILE",
                "AWS_SHARED_CREDENTIALS_FILE"):
        env.pop(key, None)
    env.update(
        PATH=str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", ""),
        ANSIBLE_CONFIG=str(REPO / "ansible.cfg"),
        ANSIBLE_CALLBACK_PLUGINS=str(CALLBACKS),
        ANSIBLE_CALLBACKS_ENABLED="bench_timer",
        ANSIBLE_NOCOLOR="1",
        BENCH_TIMER_PATH=str(timer_path),
        AWS_ENDPOINT_URL=proxy_url,
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_DEFAULT_REGION="us-east-1",
        AWS_REGION="us-east-1",
    )
    return env


def _ansible_playbook():
    return str(Path(sys.executable).parent / "ansible-playbook")


def strict_config(size, realistic=False):
    """Strict mode for ``size`` member accounts: the account quota raised as an organization of that size has it."""
    delays = dict(member_role_delay_seconds=MEMBER_ROLE_DELAY_SECONDS,
                  new_role_delay_seconds=NEW_ROLE_DELAY_SECONDS) if realistic else {}
    # Every write of a benchmark run passes through the proxy, which refreshes the strict layer's view of
    # the organization at once: its timed re-reads (for tests writing straight to moto) only add moto
    # requests AWS does not have (StrictConfig.organization_view_seconds).
    return StrictConfig(account_quota=size + 10, organization_view_seconds=BENCH_ORGANIZATION_VIEW_SECONDS,
                        **delays)


def run_landing_zone(size, directory, config=None, rerun=True, timeout=None):
    """Our side: site.yml on a fresh N-account inventory, first converge and (optionally) the no-op."""
    stack = Stack(directory, config=config, strict=strict_config(size, realistic=config is not None))
    keyring = generate_inventory(directory / "inventory", size)
    accounts = size + 1
    runs = []
    try:
        for label in ("first", "noop") if rerun else ("first",):
            timer = directory / f"{label}-tasks.jsonl"
            command = [_ansible_playbook(), str(SITE), "-i", str(directory / "inventory" / "hosts.yml")]
            result = stack.measure(label, command, accounts, env=_ansible_env(stack.proxy.url, timer),
                                   timeout=timeout)
            result["task_seconds"] = _task_times(timer)
            if label == "first" and config is not None:
                result["member_work"] = _member_work(stack, result["started_epoch"], config)
            runs.append(result)
            if result["rc"]:
                break
        created = len(stack.organizations().get_paginator("list_accounts").paginate()
                      .build_full_result()["Accounts"])
    finally:
        keyring.close()
        stack.stop()
    return dict(tool="landing_zone", size=size, accounts=accounts, accounts_in_organization=created, runs=runs)


def _member_work(stack, started_epoch, config):
    """The overlap of member-account work with the creations, from the proxy's record of the run just made."""
    calls = list(stack.proxy.calls)
    org = stack.organizations()
    try:
        management = org.describe_organization()["Organization"]["MasterAccountId"]
    except org.exceptions.AWSOrganizationsNotInUseException:
        return None
    return member_work_overlap(calls, _accounts_of_keys(stack.proxy, calls), management,
                               config.account_creation_seconds, started=started_epoch)


def _accounts_of_keys(proxy, calls):
    """{access key id: account id} of the callers, as the strict layer knows them (moto's GetCallerIdentity)."""
    accounts = {}
    for key in {c.get("access_key_id") for c in calls} - {None}:
        try:
            accounts[key] = proxy.strict.sessions.caller(key).account_id
        except botocore.exceptions.ClientError:
            continue  # its calls count as an unknown caller's
    return accounts


def run_orgformation(size, directory, config=None, rerun=True, timeout=None):
    """org-formation on a fresh moto: ``update`` from scratch, then again."""
    stack = Stack(directory, load_managed_policies=False, config=config,
                  strict=strict_config(size, realistic=config is not None))
    keyring = generate_inventory(directory / "inventory", size)
    keyring.close()
    accounts = size + 1
    template = orgformation.write_template(directory / "inventory", directory / "organization.yml")
    runs = []
    try:
        # org-formation starts from an existing organization (its `init` reads one).
        org = stack.organizations()
        org.create_organization(FeatureSet="ALL")
        org.enable_policy_type(RootId=org.list_roots()["Roots"][0]["Id"], PolicyType="SERVICE_CONTROL_POLICY")
        with SupportStub() as support:
            env = orgformation.environment(stack.proxy.url, support.url)
            for label in ("first", "noop") if rerun else ("first",):
                result = stack.measure(f"orgformation-{label}", orgformation.update_command(template), accounts,
                                       env=env, cwd=directory, timeout=timeout)
                result["label"] = label
                runs.append(result)
                if result["rc"]:
                    break
            support_calls = len(support.calls)
        created = len(org.get_paginator("list_accounts").paginate().build_full_result()["Accounts"])
    finally:
        stack.stop()
    return dict(tool="org-formation", size=size, accounts=accounts, accounts_in_organization=created,
                support_stub_calls=support_calls, runs=runs)


# --- the whole benchmark ---------------------------------------------------------


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="20,100,400", help="member accounts per run, comma separated")
    parser.add_argument("--latency-accounts", type=int, default=20,
                        help="accounts of the latency-realistic first converge (0: skip)")
    parser.add_argument("--no-latency", action="store_true", help="skip the latency-realistic mode")
    parser.add_argument("--creation-seconds", type=int, default=CREATION_SECONDS,
                        help="how long an account creation stays IN_PROGRESS in the latency-realistic mode"
                             f" (default {CREATION_SECONDS}; AWS documents 'a few minutes')")
    parser.add_argument("--orgformation", choices=("all", "latency", "none"), default="all",
                        help="where org-formation runs beside the landing zone: every size and the latency mode"
                             " (all), the latency mode only (latency: it costs a minute per size), or nowhere")
    parser.add_argument("--no-orgformation", action="store_const", const="none", dest="orgformation",
                        default=argparse.SUPPRESS,
                        help="the same as --orgformation none")
    parser.add_argument("--no-floor", action="store_true",
                        help="do not measure the one-process floor of the no-op (bench/batched_floor.py)")
    parser.add_argument("--no-docs", action="store_true", help="do not write docs/benchmarks.md")
    parser.add_argument("--timeout", type=int, default=6 * 3600, help="seconds per run before giving up")
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    stamp = time.strftime("%Y%m%d-%H%M%S")
    out = RESULTS / stamp
    out.mkdir(parents=True, exist_ok=True)
    # Quoted as a shell needs it (an empty --sizes stays '').
    command = " ".join([".venv/bin/python -m bench.run"]
                       + [shlex.quote(arg) for arg in (sys.argv[1:] if argv is None else argv)])
    began = time.monotonic()
    results = dict(started=stamp, machine=machine(), sizes=sizes, command=command, landing_zone=[],
                   orgformation=[], latency=None, floor=[])
    latency_mode = not args.no_latency and args.latency_accounts > 0
    orgformation_at_sizes = args.orgformation == "all"
    orgformation_in_latency = args.orgformation in ("all", "latency") and latency_mode
    if orgformation_at_sizes or orgformation_in_latency:
        results["machine"]["orgformation"] = orgformation.install()
    results_file = out / "results.json"

    def save():
        results["machine"]["load_average_end"] = list(os.getloadavg())
        results["duration_seconds"] = round(time.monotonic() - began)
        results_file.write_text(json.dumps(results, indent=1), encoding="utf-8")

    for size in sizes:
        print(f"== landing zone, {size} accounts", flush=True)
        results["landing_zone"].append(run_landing_zone(size, out / f"lz-{size}", timeout=args.timeout))
        _print_runs(results["landing_zone"][-1])
        save()
        if orgformation_at_sizes:
            print(f"== org-formation, {size} accounts", flush=True)
            results["orgformation"].append(run_orgformation(size, out / f"of-{size}", timeout=args.timeout))
            _print_runs(results["orgformation"][-1])
            save()
        if not args.no_floor:
            print(f"== one-process floor of the no-op, {size} accounts", flush=True)
            results["floor"].append(batched_floor.measure(size, FLOOR_THREADS, strict=strict_config(size)))
            print(f"   {results['floor'][-1]}", flush=True)
            save()

    if latency_mode:
        size = args.latency_accounts
        config = FaultConfig(latency_ms=LATENCY_MS, account_creation_seconds=args.creation_seconds)
        floor = creation_floor(size, args.creation_seconds, CONCURRENT_CREATIONS)
        print(f"== latency-realistic: {size} new accounts, {LATENCY_MS} ms a call, creation {args.creation_seconds} s"
              f" (floors {floor} s, {floor + MEMBER_ROLE_DELAY_SECONDS} s with the member role delay)", flush=True)
        ours = run_landing_zone(size, out / f"lz-latency-{size}", config=config, rerun=False, timeout=args.timeout)
        _print_runs(ours)
        theirs = None
        if orgformation_in_latency:
            theirs = run_orgformation(size, out / f"of-latency-{size}", config=config, rerun=False,
                                      timeout=args.timeout)
            _print_runs(theirs)
        # floor_seconds: the creation floor, under its earlier name (older results files have only it).
        results["latency"] = dict(size=size, latency_ms=LATENCY_MS, creation_seconds=args.creation_seconds,
                                  concurrent_creations=CONCURRENT_CREATIONS, creation_floor_seconds=floor,
                                  floor_seconds=floor, member_role_delay_seconds=MEMBER_ROLE_DELAY_SECONDS,
                                  floor_with_member_role_seconds=floor + MEMBER_ROLE_DELAY_SECONDS,
                                  landing_zone=ours, orgformation=theirs)
        save()

    save()
    print(f"results: {results_file.relative_to(REPO)}")
    if not args.no_docs:
        write_report([results_file], DOCS)
        print(f"written: {DOCS.relative_to(REPO)}")
    problems = _problems(results)
    for problem in problems:
        print(f"FAILED: {problem}", flush=True)
    return 1 if problems else 0


def _problems(results):
    """Runs that failed, and no-op re-runs that wrote to AWS."""
    measured = results["landing_zone"] + results["orgformation"]
    if results["latency"]:
        measured += [r for r in (results["latency"]["landing_zone"], results["latency"]["orgformation"]) if r]
    problems = []
    for result in measured:
        for run in result["runs"]:
            name = f"{result['tool']} N={result['size']} {run['label']}"
            if run["rc"]:
                problems.append(f"{name}: exit status {run['rc']} (log: {run['log']})")
            if run["label"] == "noop" and run["writes"]:
                problems.append(f"{name}: {run['writes']} write calls: {run['writes_by_action']}")
    return problems


def _print_runs(result):
    for run in result["runs"]:
        print(f"   {result['tool']} N={result['size']} {run['label']}: rc={run['rc']} wall={run['wall_seconds']} s"
              f" cpu={run['cpu_seconds']} s moto-cpu={run['moto_cpu_seconds']} s calls={run['calls']}"
              f" ({run['calls_per_account']}/account) writes={run['writes']}", flush=True)
        if run.get("member_work"):
            print(f"   member-account work: {run['member_work']}", flush=True)
        if run["rc"]:
            print(run.get("tail", ""), flush=True)


if __name__ == "__main__":
    sys.exit(main())
