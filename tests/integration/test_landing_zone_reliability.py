"""The whole demo landing zone under faults, a killed run, and with its secrets watched.

Every test converges ``playbooks/site.yml`` on a copy of inventories/demo
against a moto server of its own (it knows the AWS managed policies the
roles attach) behind the recording proxy, and compares the end state with
the one of a clean run: accounts, OUs, SCP attachments, and in every
account its roles, users, groups, password policy, buckets, lock tables,
plus the AWS CLI profiles (``tests/harness/landing_zone.end_state``).

The clean run is made once per test session (under pytest-xdist, once for
all workers: the first to need it converges, the others wait and read its
result).  It is also the run whose secrets are watched: made with ``-vvv``
and ``--diff``, with a random secret access key as the management
credentials, the proxy keeping every secret key and session token STS hands
out.

Parallel profile writes from 20 hosts are proven in
tests/integration/test_aws_profile_writer.py
(test_twenty_parallel_writers_lose_no_profile).
"""

import fcntl
import json
import os
import re
import secrets
import threading
import time
from collections import Counter
from pathlib import Path

import boto3
import pytest

from tests.harness.awsproxy import FaultConfig
from tests.harness.landing_zone import CREDENTIALS
from tests.harness.landing_zone import DemoLandingZone
from tests.harness.landing_zone import differences
from tests.harness.landing_zone import end_state
from tests.harness.landing_zone import landing_zone_moto
from tests.harness.landing_zone import wait_for_call
from tests.harness.lost_answers import LostAnswers
from tests.harness.playbook import AnsibleRunner
from tests.harness.verify_landing_zone import verify

# The whole demo landing zone, converged clean, under faults and killed mid-run:
# minutes of both cores, so CI runs them after make test (make test-full-demo).
pytestmark = [pytest.mark.slow, pytest.mark.full_demo]

ACCOUNT_TASK = "awsorg.landing_zone.organization : Every account - create, adopt, place, tag or retire"
DEMO_ACCOUNTS = {"mgmt", "security", "shared", "development", "staging", "production"}
# Creations of the kill test stay IN_PROGRESS until released (at most this long).
HELD_CREATION_SECONDS = 600
# The creating calls whose answer the fault test loses (the write happens).
LOST_ANSWER_ACTIONS = {"organizations:CreateAccount", "organizations:CreateOrganizationalUnit",
                       "organizations:CreatePolicy", "iam:CreateRole", "iam:CreateLoginProfile"}
# How secrets look in AWS answers: STS (Query/XML) and JSON services.
_SECRET_FIELDS = re.compile(
    rb"<(SecretAccessKey|SessionToken)>([^<]+)</\1>|\"(SecretAccessKey|SessionToken)\"\s*:\s*\"([^\"]+)\""
)


# --- helpers ---------------------------------------------------------------------


def _verify(moto_url, inventory):
    """verify_landing_zone.verify, without leaving its AWS_ENDPOINT_URL in this process."""
    before = os.environ.get("AWS_ENDPOINT_URL")
    try:
        checks = verify(moto_url, inventory)
    finally:
        if before is None:
            os.environ.pop("AWS_ENDPOINT_URL", None)
        else:
            os.environ["AWS_ENDPOINT_URL"] = before
    return [f"{name}: {detail}" for name, _ok, detail in checks.failed]


def _files(directory):
    """{path: (mtime, size)} of every file below ``directory``."""
    return {str(p): (p.stat().st_mtime_ns, p.stat().st_size) for p in Path(directory).rglob("*") if p.is_file()}


class SecretCollector:
    """Keeps every secret access key and session token in the AWS answers the proxy relays."""

    def __init__(self):
        self.found = {"SecretAccessKey": set(), "SessionToken": set()}

    def __call__(self, call, answer):
        body = answer[2] or b""
        for match in _SECRET_FIELDS.finditer(body):
            field = (match.group(1) or match.group(3)).decode()
            self.found[field].add((match.group(2) or match.group(4)).decode())


def _converge_clean(directory):
    """The clean run: converge the demo with -vvv --diff; leave everything the tests read in ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    secret_key = "lzsecret" + secrets.token_hex(16)
    collector = SecretCollector()
    with landing_zone_moto(directory) as (moto, proxy):
        proxy.after_forward = collector
        runner = AnsibleRunner(proxy.url, directory, extra_env=dict(
            AWS_SECRET_ACCESS_KEY=secret_key, ANSIBLE_LOG_PATH=str(directory / "ansible.log")))
        with DemoLandingZone(runner, directory) as zone:
            settings = zone.settings()
            settings["landing_zone_profiles"]["bootstrap_credentials"]["aws_secret_access_key"] = secret_key
            zone.write_settings(settings)
            before = _files(directory)
            started = time.monotonic()
            run = zone.converge(verbosity=3, diff=True)
            elapsed = time.monotonic() - started
            (directory / "stdout.txt").write_text(run.stdout, encoding="utf-8")
            (directory / "stderr.txt").write_text(run.stderr, encoding="utf-8")
            (directory / "results.json").write_text(json.dumps(run.results, default=str), encoding="utf-8")
            passwords = {path.name: zone.keyring.decrypt(path.read_text(encoding="utf-8")).strip()
                         for path in sorted((zone.output_dir / "passwords").glob("*.password.asc"))}
        state = end_state(moto.url, zone.output_dir / "aws") if run.rc == 0 else None
        problems = _verify(moto.url, zone.inventory) if run.rc == 0 else []
    written = sorted(path for path, stamp in _files(directory).items() if before.get(path) != stamp)
    summary = dict(
        rc=run.rc, elapsed=elapsed, state=state, verify_problems=problems, inventory=str(zone.inventory),
        written=written, calls=len(proxy.calls),
        secrets=dict(secret_access_keys=sorted(collector.found["SecretAccessKey"] | {secret_key}),
                     session_tokens=sorted(collector.found["SessionToken"]), passwords=passwords,
                     bootstrap_secret_key=secret_key),
    )
    # Written last: its presence tells the other workers the run is done.
    (directory / "clean-run.json").write_text(json.dumps(summary), encoding="utf-8")


@pytest.fixture(scope="session")
def clean_run(tmp_path_factory):
    base = tmp_path_factory.getbasetemp()
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    directory = shared / "landing-zone-clean-run"
    with open(shared / "landing-zone-clean-run.lock", "w", encoding="utf-8") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (directory / "clean-run.json").exists():
            _converge_clean(directory)
    summary = json.loads((directory / "clean-run.json").read_text(encoding="utf-8"))
    summary["directory"] = directory
    assert summary["rc"] == 0, (directory / "stdout.txt").read_text()[-4000:]
    assert summary["verify_problems"] == []
    return summary


@pytest.fixture
def own_moto(tmp_path):
    with landing_zone_moto(tmp_path) as (moto, proxy):
        yield moto, proxy


@pytest.fixture
def zone(own_moto, tmp_path):
    """A demo inventory copy whose runs go to the test's own moto, through its proxy."""
    _moto, proxy = own_moto
    with DemoLandingZone(AnsibleRunner(proxy.url, tmp_path), tmp_path) as landing_zone:
        yield landing_zone


def _organizations(moto_url):
    return boto3.client("organizations", endpoint_url=moto_url, **CREDENTIALS)


def _creation_requests(org):
    """Every CreateAccount request of the organization (moto lists the management account's too)."""
    requests = org.get_paginator("list_create_account_status").paginate().build_full_result()
    return [r for r in requests["CreateAccountStatuses"] if r["AccountName"] != "master"]


def _wait_until_quiet(proxy, quiet=1.5, timeout=120):
    """Until the calls a killed run had in flight are answered, and none came for ``quiet`` seconds.

    moto can take seconds to answer CreateAccount (it sets up the new
    account's IAM), and the killed run may have sent five at once.
    """
    deadline = time.monotonic() + timeout
    count = -1
    while time.monotonic() < deadline and (count != len(proxy.calls) or proxy.in_flight):
        count = len(proxy.calls)
        time.sleep(quiet)


class CreationsReleasedWhenAwaited:
    """Hold account creations IN_PROGRESS until the re-run has waited on each of ``request_ids``.

    An answer hook of the proxy: once every request has been answered
    IN_PROGRESS to a DescribeCreateAccountStatus (the module waiting on a
    request it found), creations finish at once.  Whatever the load of the
    machine, the re-run meets every creation of the killed run in progress,
    and waits only as long as it takes to find them.  A timer releases them
    anyway after ``deadline`` seconds, so a re-run that never waits fails
    the test instead of hanging.
    """

    def __init__(self, proxy, request_ids, deadline=240):
        self.proxy = proxy
        self.waiting = set(request_ids)
        self.released_by = None
        self._lock = threading.Lock()
        self._timer = threading.Timer(deadline, self._release, args=("deadline",))
        self._timer.daemon = True
        self._timer.start()

    def __call__(self, call, answer):
        if call["action"] != "DescribeCreateAccountStatus" or answer[0] != 200:
            return
        status = json.loads(answer[2] or b"{}").get("CreateAccountStatus", {})
        if status.get("State") == "IN_PROGRESS":
            with self._lock:
                self.waiting.discard(status.get("Id"))
                done = not self.waiting
            if done:
                self._release("awaited")

    def _release(self, reason):
        with self._lock:
            if self.released_by:
                return
            self.released_by = reason
        self.proxy.configure(FaultConfig())  # creations finish now

    def cancel(self):
        self._timer.cancel()


def _ou_names_unique_per_parent(org):
    parents, seen = [org.list_roots()["Roots"][0]["Id"]], 0
    while parents:
        parent = parents.pop()
        ous = org.list_organizational_units_for_parent(ParentId=parent)["OrganizationalUnits"]
        names = [ou["Name"] for ou in ous]
        assert len(set(names)) == len(names), (parent, sorted(names))
        parents += [ou["Id"] for ou in ous]
        seen += len(ous)
    return seen > 0


# --- the tests --------------------------------------------------------------------


def _password_files(zone):
    """{file name: (mode, password length)} of the encrypted initial passwords, each decrypted with its user's key."""
    return {path.name: (oct(path.stat().st_mode & 0o777),
                        len(zone.keyring.decrypt(path.read_text(encoding="utf-8")).strip()))
            for path in sorted((zone.output_dir / "passwords").glob("*.password.asc"))}


def test_converges_with_30_percent_of_organizations_iam_and_sts_calls_failing(clean_run, own_moto, zone):
    moto, proxy = own_moto
    proxy.configure(FaultConfig(
        fault_rules={"organizations:*": 0.3, "iam:*": 0.3, "sts:*": 0.3},
        fault_kinds={"throttle": 1, "http500": 1, "http503": 1},
        seed=20261122,
    ))
    # On top: creating calls whose write happens and whose answer is lost
    # (reset_after); botocore sends them again, and AWS (strict mode) refuses
    # or fails the repeat.  The first of each action, then 30 %.
    lost = LostAnswers.install(proxy, LOST_ANSWER_ACTIONS, rate=0.3, seed=20261122)

    run = zone.converge()

    assert run.rc == 0, run.output[-6000:]
    faulted = [c for c in proxy.calls if c["service"] in ("organizations", "iam", "sts")]
    injected = Counter(c["injected"] for c in faulted if c["injected"])
    # The faults really happened, at about the rate asked for, of every kind.
    assert set(injected) == {"throttle", "http500", "http503", "reset_after"}, injected
    assert 0.2 <= sum(injected.values()) / len(faulted) <= 0.4, (injected, len(faulted))
    assert not [c for c in proxy.calls if c["service"] not in ("organizations", "iam", "sts") and c["injected"]]
    # Every creating action lost at least one answer, and only those did.
    lost_calls = Counter(f"{c['service']}:{c['action']}" for c in faulted if c["injected"] == "reset_after")
    assert set(lost_calls) == LOST_ANSWER_ACTIONS, lost_calls
    assert lost_calls == Counter(lost.lost)

    assert _verify(moto.url, zone.inventory) == []
    state = end_state(moto.url, zone.output_dir / "aws")
    differing = differences(clean_run["state"], state)
    assert not differing, "\n".join(differing)
    # No duplicate made by a repeated call (end_state keys accounts, OUs and
    # policies by name, so it would not show one): one of each name.
    org = _organizations(moto.url)
    accounts = org.get_paginator("list_accounts").paginate().build_full_result()["Accounts"]
    assert len(accounts) == len(DEMO_ACCOUNTS) and len({a["Email"].lower() for a in accounts}) == len(accounts)
    policies = org.list_policies(Filter="SERVICE_CONTROL_POLICY")["Policies"]
    assert len({p["Name"] for p in policies}) == len(policies), sorted(p["Name"] for p in policies)
    assert _ou_names_unique_per_parent(org)
    # Every user's password file is there and readable with their key, as after the clean run.
    passwords = _password_files(zone)
    assert sorted(passwords) == sorted(clean_run["secrets"]["passwords"])
    assert {mode for mode, _length in passwords.values()} == {"0o600"}
    assert all(length >= 16 for _mode, length in passwords.values())


def test_rerun_after_a_kill_during_account_creation_makes_one_account_per_email(clean_run, own_moto, zone, tmp_path):
    moto, proxy = own_moto
    org = _organizations(moto.url)
    # Creations stay IN_PROGRESS (their accounts unlisted) until the re-run
    # has waited on each of them: see CreationsReleasedWhenAwaited.
    proxy.configure(FaultConfig(account_creation_seconds=HELD_CREATION_SECONDS))

    process = zone.start(tmp_path / "killed-run.log")
    first = wait_for_call(proxy, "CreateAccount", timeout=300, process=process)
    killed = zone.kill(process)
    assert first is not None, (tmp_path / "killed-run.log").read_text()[-4000:]
    assert len(killed) > 1  # ansible-playbook and its workers
    _wait_until_quiet(proxy)
    started = {r["Id"]: r["AccountName"] for r in _creation_requests(org)}
    assert started and set(proxy.account_creation.pending(HELD_CREATION_SECONDS)) == set(started), \
        "the run was killed after its account creations had finished"
    assert not zone.account_ids(), "the killed run got as far as writing account ids back"

    release = CreationsReleasedWhenAwaited(proxy, set(started))
    proxy.after_forward = release
    try:
        run = zone.converge()
    finally:
        release.cancel()

    assert run.rc == 0, run.output[-6000:]
    assert release.released_by == "awaited", release.released_by
    # One org_account run converges every account; its results name the accounts (acme-<host>, master).
    account_results = [a for r in run.results if r["task"] == ACCOUNT_TASK for a in r["result"]["accounts"]]
    found_by = {"mgmt" if a["account"]["name"] == "master" else a["account"]["name"].removeprefix("acme-"):
                a["found_by"] for a in account_results}
    hosts_started = {name.removeprefix("acme-") for name in started.values()}
    # The accounts whose creation the killed run had started are adopted from
    # their requests; the others are created now; mgmt is adopted by its id.
    assert found_by == {host: "account_id" if host == "mgmt" else
                        "create_request" if host in hosts_started else "created" for host in DEMO_ACCOUNTS}, found_by

    accounts = org.get_paginator("list_accounts").paginate().build_full_result()["Accounts"]
    emails = Counter(a["Email"].lower() for a in accounts)
    assert len(accounts) == len(DEMO_ACCOUNTS) and set(emails.values()) == {1}, emails
    requests = _creation_requests(org)
    email_of = {a["Id"]: a["Email"].lower() for a in accounts}
    requested = Counter(email_of.get(r.get("AccountId"), r["AccountName"]) for r in requests)
    assert sorted(requested) == sorted(e for e in emails if e != "master@example.com"), requested
    assert set(requested.values()) == {1}, requested
    assert {r["State"] for r in requests} == {"SUCCEEDED"}

    assert _verify(moto.url, zone.inventory) == []
    state = end_state(moto.url, zone.output_dir / "aws")
    differing = differences(clean_run["state"], state)
    assert not differing, "\n".join(differing)


def test_no_secret_in_output_logs_or_written_files(clean_run):
    directory = clean_run["directory"]
    found = clean_run["secrets"]
    # Every kind of secret was handled, so the search below could find them.
    assert found["session_tokens"], "no STS session token seen: nothing assumed a role?"
    assert len(found["secret_access_keys"]) > 1
    assert sorted(found["passwords"]) == ["alice.password.asc", "bob.password.asc"]
    assert all(len(p) >= 16 for p in found["passwords"].values())
    watched = found["secret_access_keys"] + found["session_tokens"] + list(found["passwords"].values())

    inventory = Path(clean_run["inventory"])
    allowed = {str(inventory / "output" / "aws" / "credentials")}
    allowed |= {str(p) for p in (inventory / "output" / "passwords").glob("*.password.asc")}
    # The credentials file is where the bootstrap secret belongs: the search sees it there.
    assert found["bootstrap_secret_key"] in (inventory / "output" / "aws" / "credentials").read_text()

    stdout = (directory / "stdout.txt").read_text(encoding="utf-8")
    assert "ESTABLISH LOCAL CONNECTION" in stdout and "--- before" in stdout  # -vvv and --diff were on
    texts = {"stdout": stdout, "stderr": (directory / "stderr.txt").read_text(encoding="utf-8"),
             "task results": (directory / "results.json").read_text(encoding="utf-8")}
    written = [path for path in clean_run["written"] if path not in allowed and not path.endswith("clean-run.json")]
    assert str(directory / "ansible.log") in written and str(directory / "proxy.jsonl") in written
    assert str(inventory / "output" / "aws" / "config") in written
    for path in written:
        texts[path] = Path(path).read_text(encoding="utf-8", errors="replace")

    leaks = [(where, secret[:12] + "...") for where, text in texts.items() for secret in watched if secret in text]
    assert leaks == []
