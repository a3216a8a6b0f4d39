"""What a no-op re-run costs when one process makes its per-account AWS calls (an experiment).

The no-op re-run of site.yml spends its time starting a module process per
account and task (bench/run.py shows it per task).  This experiment makes
the AWS calls those per-account modules make in a no-op (org_account,
account_baseline, iam_cross_account_role for two roles) from a single
Python process with a thread pool (not the one running the recording
proxy), against moto behind that proxy, with N member accounts created directly in moto (a first pass,
not measured, has moto make each account's backends, as the first converge
does before a no-op re-run).  Its wall and CPU time are the floor a batched implementation (one module run, or one action
plugin, per wave instead of one per account) could reach.

    .venv/bin/python -m bench.batched_floor --sizes 20,100,400 [--threads 16]
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import boto3
import botocore.config
import botocore.session

REPO = Path(__file__).resolve().parents[1]
for _path in (REPO, REPO / ".collections"):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

from ansible_collections.awsorg.landing_zone.plugins.module_utils.aws.s3control import strip_account_label  # noqa: E402
from bench import moto_server  # noqa: E402
from bench.measure import machine  # noqa: E402
from bench.measure import process_cpu  # noqa: E402
from tests.harness.awsproxy import RecordingProxy  # noqa: E402
from tests.harness.motoserver import MotoServer  # noqa: E402

CREDENTIALS = dict(aws_access_key_id="testing", aws_secret_access_key="testing")
REGIONS = ("us-east-1", "eu-west-1")
ROLES = ("admin", "developer")
TRUST = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                            "Principal": {"AWS": "arn:aws:iam::123456789012:root"}}]})


def _cpu():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


class Clients:
    """boto3 clients sharing one botocore session (service models loaded once per process)."""

    def __init__(self, endpoint):
        self.endpoint = endpoint
        self.session = botocore.session.get_session()
        self.config = botocore.config.Config(max_pool_connections=64)
        # A botocore session is not thread-safe; the clients it makes are.
        self._lock = threading.Lock()

    def client(self, service, region="us-east-1", **credentials):
        with self._lock:
            client = boto3.Session(botocore_session=self.session).client(
                service, endpoint_url=self.endpoint, region_name=region, config=self.config,
                **(credentials or CREDENTIALS))
        if service == "s3control":
            # As the collection does: the account id out of the host name, for moto on 127.0.0.1.
            client.meta.events.register("before-sign.s3-control", strip_account_label)
        return client


def _member_credentials(sts, account_id):
    creds = sts.assume_role(RoleArn=f"arn:aws:iam::{account_id}:role/OrganizationAccountAccessRole",
                            RoleSessionName="floor")["Credentials"]
    return dict(aws_access_key_id=creds["AccessKeyId"], aws_secret_access_key=creds["SecretAccessKey"],
                aws_session_token=creds["SessionToken"])


def setup(clients, accounts):
    """The organization, N accounts, and in each the two roles the no-op reads."""
    org = clients.client("organizations")
    org.create_organization(FeatureSet="ALL")
    ids = [org.create_account(AccountName=f"acme-acct{i:03d}", Email=f"platform+acme-acct{i:03d}@example.com")
           ["CreateAccountStatus"]["AccountId"] for i in range(accounts)]
    sts = clients.client("sts")
    for account_id in ids:
        iam = clients.client("iam", **_member_credentials(sts, account_id))
        for role in ROLES:
            iam.create_role(RoleName=role, AssumeRolePolicyDocument=TRUST)
    return ids


def _ignore_missing(call, **kwargs):
    try:
        return call(**kwargs)
    except Exception as error:  # pylint: disable=broad-except
        if getattr(error, "response", None) is None:
            raise
        return None


def no_op_reads(clients, account_id):
    """The reads a no-op re-run makes for one account (see the docstring)."""
    org = clients.client("organizations")
    org.describe_account(AccountId=account_id)
    org.list_parents(ChildId=account_id)
    org.list_tags_for_resource(ResourceId=account_id)
    credentials = _member_credentials(clients.client("sts"), account_id)
    iam = clients.client("iam", **credentials)
    iam.list_account_aliases()
    _ignore_missing(iam.get_account_password_policy)
    _ignore_missing(clients.client("s3control", **credentials).get_public_access_block, AccountId=account_id)
    for region in REGIONS:
        clients.client("ec2", region=region, **credentials).get_ebs_encryption_by_default()
    account = clients.client("account", **credentials)
    for kind in ("SECURITY", "OPERATIONS"):
        _ignore_missing(account.get_alternate_contact, AlternateContactType=kind)
    for role in ROLES:
        iam.get_role(RoleName=role)
        iam.list_role_policies(RoleName=role)
        iam.list_attached_role_policies(RoleName=role)
        iam.list_role_tags(RoleName=role)


def _reads_in_a_process(endpoint, ids, threads):
    """``no_op_reads`` of every account, from a process of their own (as the landing zone's modules are).

    In this process they would share one interpreter lock with the recording
    proxy and the strict layer serving them: the floor would measure that
    lock on a slow machine rather than the calls.  Returns the child's
    (wall, CPU) seconds for the reads, its start-up (Python, boto3) left out.
    """
    child = subprocess.run([sys.executable, "-m", "bench.batched_floor", "--reads-from", endpoint,
                            "--threads", str(threads)],
                           input=json.dumps(ids).encode(), cwd=REPO, check=True, stdout=subprocess.PIPE)
    measured = json.loads(child.stdout.decode().strip().splitlines()[-1])
    return measured["wall"], measured["cpu"]


def _reads(endpoint, threads):
    """The child of ``_reads_in_a_process``: the account ids on stdin; prints its wall and CPU seconds."""
    ids = json.load(sys.stdin)
    clients = Clients(endpoint)
    cpu, started = _cpu(), time.monotonic()
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(lambda account_id: no_op_reads(clients, account_id), ids))
    print(json.dumps(dict(wall=time.monotonic() - started, cpu=_cpu() - cpu)))
    return 0


def measure(size, threads, strict=None):
    """``strict``: the proxy's StrictConfig, the landing zone runs' own (bench/run.py), so both pay the same harness."""
    with MotoServer(command=moto_server.COMMAND) as moto:
        proxy = RecordingProxy(moto.url, strict=strict).start()
        try:
            ids = setup(Clients(moto.url), size)
            # A first pass makes moto create each account's EC2, Account and S3 Control backends
            # (the no-op re-run finds them made by the first converge); the second pass is measured.
            _reads_in_a_process(proxy.url, ids, threads)
            proxy.reset()
            moto_cpu, proxy_cpu = process_cpu(moto.process.pid), _cpu()
            wall, cpu = _reads_in_a_process(proxy.url, ids, threads)
            cpu += _cpu() - proxy_cpu
            moto_cpu = process_cpu(moto.process.pid) - moto_cpu
            calls = len(proxy.calls)
        finally:
            proxy.stop()
    # cpu_seconds: the calls' process and this one (the recording proxy); moto_cpu_seconds: moto's.
    return dict(size=size, threads=threads, wall_seconds=round(wall, 1), cpu_seconds=round(cpu, 1),
                moto_cpu_seconds=round(moto_cpu, 1), calls=calls, calls_per_account=round(calls / size, 1), load_average=list(os.getloadavg()))


def main(argv=None):
    """Measure each size; print each result and keep them in bench/results/<stamp>/results.json."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="20,100,400")
    parser.add_argument("--threads", type=int, default=16)
    parser.add_argument("--reads-from", metavar="ENDPOINT", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.reads_from:
        return _reads(args.reads_from, args.threads)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    command = " ".join([".venv/bin/python -m bench.batched_floor"] + list(sys.argv[1:] if argv is None else argv))
    results = dict(started=stamp, machine=machine(), command=command, landing_zone=[], orgformation=[],
                   latency=None, floor=[])
    out = REPO / "bench" / "results" / stamp
    out.mkdir(parents=True, exist_ok=True)
    for size in (int(s) for s in args.sizes.split(",")):
        results["floor"].append(measure(size, args.threads))
        print(json.dumps(results["floor"][-1]), flush=True)
        results["machine"]["load_average_end"] = list(os.getloadavg())
        (out / "results.json").write_text(json.dumps(results, indent=1), encoding="utf-8")
    print(f"results: {(out / 'results.json').relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
