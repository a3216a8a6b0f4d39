"""Converge the demo landing zone in a test and read its whole end state back.

Shared by the landing-zone tests (tests/integration/test_landing_zone_*.py):

* ``landing_zone_moto()``: a moto server of their own (it knows the AWS
  managed policies the roles attach) behind a recording proxy;
* ``DemoLandingZone``: a working copy of inventories/demo (GPG keys made for
  its users), ``converge()`` runs playbooks/site.yml on it through
  ``AnsibleRunner``, ``start()`` runs it as a child process and ``kill()``
  kills that and everything it started;
* ``end_state(moto_url)``: everything the landing zone owns, read through
  boto3 straight from moto, with every id that differs between two clean
  runs (account, OU, root, organization ids) replaced by a stable name, so
  two runs compare with ``==``;
* ``profiles_state(directory)``: the AWS CLI files, keys only for secrets.
"""

import configparser
import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import boto3
import yaml

from tests.harness.awsproxy import RecordingProxy
from tests.harness.demo_inventory import prepare_demo_inventory
from tests.harness.motoserver import MotoServer
from tests.harness.snapshot import comparable
from tests.harness.snapshot import organization_snapshot

REPO = Path(__file__).resolve().parents[2]
SITE = REPO / "playbooks" / "site.yml"
MANAGEMENT_ACCOUNT = "123456789012"
MEMBER_ROLE = "OrganizationAccountAccessRole"
CREDENTIALS = dict(aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1")

# Ids AWS (moto) makes up: the same landing zone converged twice has other
# ones each time.
_VOLATILE_IDS = (
    (re.compile(r"\bou-[0-9a-z]{4,32}-[0-9a-z]{8,32}\b"), "<ou>"),
    (re.compile(r"\br-[0-9a-z]{4,32}\b"), "<root>"),
    (re.compile(r"\bo-[0-9a-z]{10,32}\b"), "<organization>"),
    (re.compile(r"\bp-[0-9a-z]{8,128}\b"), "<policy>"),
    # IAM Identity Center: the identity store (in the access portal URL),
    # the instance and its permission sets.
    (re.compile(r"\bd-[0-9a-z]{10}\b"), "<identity-store>"),
    (re.compile(r"\bssoins-[0-9a-z]{16}\b"), "<sso-instance>"),
    (re.compile(r"\bps-[0-9a-z]{16}\b"), "<permission-set>"),
)
_ACCOUNT_ID = re.compile(r"(?<![0-9])[0-9]{12}(?![0-9])")


@contextlib.contextmanager
def landing_zone_moto(log_dir=None, config=None):
    """A moto server of its own, knowing AWS managed policies, behind a recording proxy: ``(moto, proxy)``.

    The roles attach managed policies (AdministratorAccess, ...), which moto
    only knows when it loads them; the session's moto server does not (a
    reset would reload them into every account).  With ``log_dir``, moto's
    output goes to ``moto.log`` and every call to ``proxy.jsonl`` there.
    """
    log_dir = Path(log_dir) if log_dir else None
    with MotoServer(log_path=str(log_dir / "moto.log") if log_dir else None, load_managed_policies=True) as moto:
        proxy = RecordingProxy(moto.url, log_path=str(log_dir / "proxy.jsonl") if log_dir else None,
                               config=config).start()
        try:
            yield moto, proxy
        finally:
            proxy.stop()


class DemoLandingZone:
    """A copy of inventories/demo under ``workdir`` and the runs of site.yml on it."""

    def __init__(self, runner, workdir, source=None, keyring_dir=None):
        self.runner = runner
        self.workdir = Path(workdir)
        self.inventory = self.workdir / "inventory"
        # The users' private keys: in the system temp dir by default, as
        # gpg-agent's socket path must stay short (a test's tmp_path is long).
        self.keyring = prepare_demo_inventory(self.inventory, keyring_dir=keyring_dir, source=source)

    def close(self):
        """Remove the users' keyring (stops its gpg-agent)."""
        self.keyring.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    @property
    def hosts_file(self):
        return self.inventory / "hosts.yml"

    @property
    def settings_file(self):
        return self.inventory / "group_vars" / "all" / "landing_zone.yml"

    @property
    def output_dir(self):
        return self.inventory / "output"

    def converge(self, **kwargs):
        """ansible-playbook playbooks/site.yml on the copy; a RunResult (the caller judges rc)."""
        return self.runner.run_playbook(SITE, inventory=self.hosts_file, **kwargs)

    def start(self, log_path, env=None):
        """site.yml as a child process in its own process group (see ``kill``)."""
        command = [os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), str(SITE),
                   "-i", str(self.hosts_file)]
        log = open(log_path, "w", encoding="utf-8")  # pylint: disable=consider-using-with
        try:
            return subprocess.Popen(command, cwd=REPO, env=self.runner.env(**(env or {})), stdout=log,
                                    stderr=subprocess.STDOUT, start_new_session=True)
        finally:
            log.close()

    @staticmethod
    def kill(process):
        """SIGKILL the run and every process it started, as when the controller crashes.

        Killing the process group is not enough: Ansible's worker processes
        call setsid(), so they and the modules they run would go on (and
        finish what the run had started).  Every descendant is stopped first,
        so none can start another process between listing and killing.
        """
        stopped = set()
        while True:
            tree = {process.pid} | _descendants(process.pid)
            new = tree - stopped
            if not new:
                break
            for pid in new:
                _signal(pid, signal.SIGSTOP)
            stopped |= new
        for pid in stopped:
            _signal(pid, signal.SIGKILL)
        process.wait(30)
        return sorted(stopped)

    def settings(self):
        """group_vars/all/landing_zone.yml of the copy (the demo's organization-wide settings)."""
        return yaml.safe_load(self.settings_file.read_text(encoding="utf-8"))

    def write_settings(self, settings):
        self.settings_file.write_text(yaml.safe_dump(settings, sort_keys=False), encoding="utf-8")

    def account_ids(self):
        """The account ids the organization role wrote back ({} before the first run)."""
        path = self.inventory / "group_vars" / "all" / "landing_zone_account_ids.yml"
        if not path.exists():
            return {}
        return yaml.safe_load(path.read_text(encoding="utf-8"))["landing_zone_account_ids"]


def _signal(pid, signum):
    try:
        os.kill(pid, signum)
    except ProcessLookupError:
        pass


def _descendants(root):
    """Every living descendant of ``root`` (from /proc; session and group do not matter)."""
    children = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # pid (comm) state ppid ...: comm may hold spaces and parentheses.
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(parent, set()).add(int(entry.name))
    found, queue = set(), [root]
    while queue:
        for child in children.get(queue.pop(), ()):
            if child not in found:
                found.add(child)
                queue.append(child)
    return found


def wait_for_call(proxy, action, timeout, process=None):
    """Poll the proxy's record until ``action`` was answered; the call, or None on timeout/exit."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = next((c for c in list(proxy.calls) if c["action"] == action and c["status"] == 200), None)
        if found or (process is not None and process.poll() is not None):
            return found
        time.sleep(0.05)
    return None


# --- the end state --------------------------------------------------------------


def _all(client, operation, key, **params):
    return client.get_paginator(operation).paginate(**params).build_full_result().get(key, [])


def _member_session(moto_url, account_id):
    """A boto3 session acting in ``account_id`` through its member role (straight to moto)."""
    if account_id == MANAGEMENT_ACCOUNT:
        return boto3.Session(**CREDENTIALS)
    sts = boto3.client("sts", endpoint_url=moto_url, **CREDENTIALS)
    creds = sts.assume_role(RoleArn=f"arn:aws:iam::{account_id}:role/{MEMBER_ROLE}",
                            RoleSessionName="end-state")["Credentials"]
    return boto3.Session(aws_access_key_id=creds["AccessKeyId"], aws_secret_access_key=creds["SecretAccessKey"],
                         aws_session_token=creds["SessionToken"], region_name="us-east-1")


def _document(value):
    return json.loads(value) if isinstance(value, str) else value


def _roles(iam):
    roles = {}
    for role in _all(iam, "list_roles", "Roles"):
        name = role["RoleName"]
        if role.get("Path", "/").startswith("/aws-service-role/"):
            continue
        inline = sorted(_all(iam, "list_role_policies", "PolicyNames", RoleName=name))
        roles[name] = dict(
            path=role.get("Path"),
            trust=_document(role["AssumeRolePolicyDocument"]),
            max_session_duration=role.get("MaxSessionDuration"),
            managed=sorted(p["PolicyArn"] for p in _all(iam, "list_attached_role_policies", "AttachedPolicies",
                                                        RoleName=name)),
            inline={p: _document(iam.get_role_policy(RoleName=name, PolicyName=p)["PolicyDocument"]) for p in inline},
            tags={t["Key"]: t["Value"] for t in iam.list_role_tags(RoleName=name).get("Tags", [])},
        )
    return roles


def _login_profile(iam, user):
    try:
        iam.get_login_profile(UserName=user)
    except iam.exceptions.NoSuchEntityException:
        return False
    return True


def _identities(iam):
    users = {
        u["UserName"]: dict(
            groups=sorted(g["GroupName"] for g in _all(iam, "list_groups_for_user", "Groups", UserName=u["UserName"])),
            login_profile=_login_profile(iam, u["UserName"]),
            access_keys=len(_all(iam, "list_access_keys", "AccessKeyMetadata", UserName=u["UserName"])),
        )
        for u in _all(iam, "list_users", "Users")
    }
    groups = {}
    for group in _all(iam, "list_groups", "Groups"):
        name = group["GroupName"]
        inline = sorted(_all(iam, "list_group_policies", "PolicyNames", GroupName=name))
        groups[name] = dict(
            inline={p: _document(iam.get_group_policy(GroupName=name, PolicyName=p)["PolicyDocument"])
                    for p in inline},
            managed=sorted(p["PolicyArn"] for p in _all(iam, "list_attached_group_policies", "AttachedPolicies",
                                                        GroupName=name)),
        )
    try:
        policy = iam.get_account_password_policy()["PasswordPolicy"]
    except iam.exceptions.NoSuchEntityException:
        policy = None
    return dict(users=users, groups=groups, password_policy=policy)


def _optional(call, missing_codes, key=None):
    try:
        answer = call()
    except Exception as error:  # pylint: disable=broad-except
        code = getattr(error, "response", {}).get("Error", {}).get("Code")
        if code in missing_codes:
            return None
        raise
    return answer.get(key) if key else answer


def _buckets(s3):
    buckets = {}
    for bucket in s3.list_buckets().get("Buckets", []):
        name = bucket["Name"]
        buckets[name] = dict(
            versioning=s3.get_bucket_versioning(Bucket=name).get("Status"),
            encryption=_optional(lambda n=name: s3.get_bucket_encryption(Bucket=n),
                                 ("ServerSideEncryptionConfigurationNotFoundError",),
                                 "ServerSideEncryptionConfiguration"),
            public_access_block=_optional(lambda n=name: s3.get_public_access_block(Bucket=n),
                                          ("NoSuchPublicAccessBlockConfiguration",),
                                          "PublicAccessBlockConfiguration"),
            policy=_document(_optional(lambda n=name: s3.get_bucket_policy(Bucket=n), ("NoSuchBucketPolicy",),
                                       "Policy")),
            ownership=_optional(lambda n=name: s3.get_bucket_ownership_controls(Bucket=n),
                                ("OwnershipControlsNotFoundError",), "OwnershipControls"),
            tags=_bucket_tags(s3, name),
        )
    return buckets


def _bucket_tags(s3, name):
    tag_set = _optional(lambda: s3.get_bucket_tagging(Bucket=name), ("NoSuchTagSet",), "TagSet") or []
    return {t["Key"]: t["Value"] for t in tag_set}


def _tables(dynamodb):
    tables = {}
    for name in _all(dynamodb, "list_tables", "TableNames"):
        table = dynamodb.describe_table(TableName=name)["Table"]
        tables[name] = dict(key_schema=table["KeySchema"],
                            billing=(table.get("BillingModeSummary") or {}).get("BillingMode"),
                            sse=(table.get("SSEDescription") or {}).get("Status"))
    return tables


def profiles_state(directory):
    """The AWS CLI config and credentials files: every setting, but only the key names of credentials."""
    directory = Path(directory)
    state = {}
    for name in ("config", "credentials"):
        path = directory / name
        if not path.exists():
            state[name] = None
            continue
        parser = configparser.RawConfigParser()
        parser.read(path, encoding="utf-8")
        sections = {section: dict(parser.items(section)) for section in parser.sections()}
        if name == "credentials":
            sections = {section: sorted(values) for section, values in sections.items()}
        state[name] = dict(sections=sections, mode=oct(path.stat().st_mode & 0o777))
    return state


def _account_names(org):
    return {a["Id"]: a["Name"] for a in _all(org, "list_accounts", "Accounts")}


def _sorted_lists(value):
    """Lists of strings sorted: in policies (Resource, Principal, Action) their order means nothing,
    and ARNs holding account ids come out in id order, which differs between runs."""
    if isinstance(value, dict):
        return {key: _sorted_lists(item) for key, item in value.items()}
    if isinstance(value, list):
        items = [_sorted_lists(item) for item in value]
        return sorted(items) if all(isinstance(item, str) for item in items) else items
    return value


def _stable(value, names):
    """``value`` as JSON with volatile ids replaced: account ids by ``<account name>``."""
    text = json.dumps(value, sort_keys=True, default=str)
    for pattern, replacement in _VOLATILE_IDS:
        text = pattern.sub(replacement, text)
    text = _ACCOUNT_ID.sub(lambda m: f"<{names.get(m.group(0), 'unknown account')}>", text)
    return _sorted_lists(json.loads(text))


def end_state(moto_url, profiles_directory=None):
    """Accounts, OUs, SCP attachments, and in every account its roles, users, groups, buckets, tables.

    Read from moto directly (never through the proxy: reading does not show
    in a run's record), comparable between two runs with ``==``.
    """
    org = boto3.client("organizations", endpoint_url=moto_url, **CREDENTIALS)
    names = _account_names(org)
    per_account = {}
    for account_id, name in sorted(names.items()):
        session = _member_session(moto_url, account_id)
        iam = session.client("iam", endpoint_url=moto_url)
        per_account[name] = dict(
            roles=_roles(iam),
            identities=_identities(iam),
            buckets=_buckets(session.client("s3", endpoint_url=moto_url)),
            tables=_tables(session.client("dynamodb", endpoint_url=moto_url)),
        )
    state = dict(organization=comparable(organization_snapshot(org)), accounts=per_account)
    if profiles_directory is not None:
        state["profiles"] = profiles_state(profiles_directory)
    return _stable(state, names)


def differences(expected, actual, path=""):
    """Where two end states differ, as ``path: expected != actual`` lines (empty when equal)."""
    if isinstance(expected, dict) and isinstance(actual, dict):
        lines = []
        for key in sorted(set(expected) | set(actual), key=str):
            if key not in actual:
                lines.append(f"{path}/{key}: missing")
            elif key not in expected:
                lines.append(f"{path}/{key}: unexpected {json.dumps(actual[key], default=str)[:300]}")
            else:
                lines += differences(expected[key], actual[key], f"{path}/{key}")
        return lines
    if expected != actual:
        return [f"{path}: {json.dumps(expected, default=str)[:300]} != {json.dumps(actual, default=str)[:300]}"]
    return []
