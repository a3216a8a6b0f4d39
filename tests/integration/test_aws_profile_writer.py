"""aws_profile_writer: files the AWS CLI and botocore read, merged into what was there, safe in parallel."""

import configparser
import json
import os
import subprocess
import sys

import botocore.session
import pytest

MODULE = "awsorg.landing_zone.aws_profile_writer"
MANAGEMENT = "123456789012"
AWS_CLI = os.path.join(os.path.dirname(sys.executable), "aws")
MARKER = "# managed by awsorg.landing_zone"

BOOTSTRAP_SECRET = "bootstrap/Secret+Value+0123456789abcdefghij"
FOREIGN_SECRET = "foreign/Secret+Value+9876543210zyxwvutsrqp"

FOREIGN_CONFIG = """\
# My own settings: the collection must not touch them.
[default]
region = eu-central-1
output=json

; a profile I wrote by hand
[profile personal]
region: us-west-2
s3 =
    max_concurrent_requests = 20
"""

FOREIGN_CREDENTIALS = f"""\
[default]
aws_access_key_id = AKIA-foreign-test-01
aws_secret_access_key = {FOREIGN_SECRET}
"""


def _status(run, task_name):
    """ok / failed of one task; ansible-core 2.19 keeps ``failed`` out of the result dict."""
    return next(r["status"] for r in run.results if r["task"] == task_name)


def _member_account(organization, name):
    status = organization["client"].create_account(AccountName=name, Email=f"{name}@example.com")
    return status["CreateAccountStatus"]["AccountId"]


def _cli_env(directory, endpoint):
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(
        AWS_CONFIG_FILE=str(directory / "config"),
        AWS_SHARED_CREDENTIALS_FILE=str(directory / "credentials"),
        AWS_ENDPOINT_URL=endpoint,
        AWS_EC2_METADATA_DISABLED="true",
    )
    return env


def _aws_cli(directory, endpoint, *args):
    proc = subprocess.run([AWS_CLI, *args], env=_cli_env(directory, endpoint), capture_output=True, text=True,
                          timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def _botocore_account(directory, profile):
    """The account botocore reaches through ``profile`` (role chains resolved by botocore itself)."""
    session = botocore.session.Session()
    session.set_config_variable("config_file", str(directory / "config"))
    session.set_config_variable("credentials_file", str(directory / "credentials"))
    session.set_config_variable("profile", profile)
    return session.create_client("sts", region_name="us-east-1").get_caller_identity()["Account"]


def _writer_args(directory, accounts):
    return dict(
        directory=str(directory),
        project="acme",
        accounts=accounts,
        profiles=[
            dict(name="acme-bootstrap", type="static", aws_access_key_id="AKIA-bootstrap-test-1",
                 aws_secret_access_key=BOOTSTRAP_SECRET, region="us-east-1", account_id=MANAGEMENT),
        ],
        sso_sessions=[dict(name="acme", sso_start_url="https://d-1234567890.awsapps.com/start",
                           sso_region="us-east-1")],
        roles=[
            # As the aws_profiles role writes them: the management account has no
            # OrganizationAccountAccessRole (AWS creates it only in the accounts an
            # organization creates), so its profile is acme-bootstrap itself.
            dict(name="oaar", source_profile="acme-bootstrap", region="us-east-1", output="json",
                 role_session_name="acme-admin", duration_seconds=3600,
                 accounts=[a["name"] for a in accounts if a["id"] != MANAGEMENT]),
            dict(name="admin", type="sso", sso_session="acme", sso_role_name="AdministratorAccess",
                 accounts=["security"]),
        ],
    )


@pytest.mark.long
def test_profiles_are_read_by_botocore_and_the_aws_cli(ansible, aws, proxy, organization, tmp_path, monkeypatch):
    security = _member_account(organization, "security")
    shared = _member_account(organization, "shared")
    directory = tmp_path / ".aws" / "acme"
    directory.mkdir(parents=True)
    (directory / "config").write_text(FOREIGN_CONFIG)
    (directory / "credentials").write_text(FOREIGN_CREDENTIALS)
    accounts = [dict(name="management", id=MANAGEMENT), dict(name="security", id=security),
                dict(name="shared", id=shared, region="eu-west-1")]
    args = dict(_writer_args(directory, accounts), verify=True)

    written = ansible.run_module(MODULE, args, diff=True, verbosity=3)
    run = written["_run"]
    assert _status(run, "module under test") == "ok", written.get("msg")
    assert written["changed"] is True
    expected = {"acme-bootstrap": MANAGEMENT, "acme-security-oaar": security, "acme-shared-oaar": shared}
    assert written["verified"] == expected
    assert sorted(written["added"]) == sorted(
        ["sso-session acme", "profile acme-bootstrap", "profile acme-security-oaar",
         "profile acme-shared-oaar", "profile acme-security-admin", "profile acme-bootstrap"]
    )

    # Secrets: not in the diff, not in -vvv output, not in the results.
    assert BOOTSTRAP_SECRET not in run.output and FOREIGN_SECRET not in run.output
    assert BOOTSTRAP_SECRET not in json.dumps(written["diff"]) and FOREIGN_SECRET not in json.dumps(written["diff"])
    # Of the credentials file the diff shows key names, never a value (issue 14).
    credentials_diff = next(d for d in written["diff"] if d["after_header"].endswith("credentials"))
    assert "aws_secret_access_key = (set)" in credentials_diff["after"]
    assert "aws_access_key_id = (set)" in credentials_diff["after"]
    assert "AKIA-bootstrap-test-1" not in json.dumps(written["diff"])
    assert "AKIA-foreign-test-01" not in json.dumps(written["diff"]) and "AKIA-foreign-test-01" not in run.output

    # Foreign sections and comments are kept byte for byte; the files are private; backups hold the old text.
    config_text = (directory / "config").read_text()
    credentials_text = (directory / "credentials").read_text()
    assert config_text.startswith(FOREIGN_CONFIG)
    assert credentials_text.startswith(FOREIGN_CREDENTIALS)
    assert BOOTSTRAP_SECRET in credentials_text
    for name in ("config", "credentials"):
        assert (directory / name).stat().st_mode & 0o777 == 0o600
    with open(written["backup_file"]) as backup:
        assert backup.read() == FOREIGN_CONFIG
    with open(written["credentials_backup_file"]) as backup:
        assert backup.read() == FOREIGN_CREDENTIALS
    assert os.stat(written["credentials_backup_file"]).st_mode & 0o777 == 0o600

    parsed = configparser.RawConfigParser()
    parsed.read_string(config_text)
    assert dict(parsed["profile acme-shared-oaar"]) == {
        "role_arn": f"arn:aws:iam::{shared}:role/OrganizationAccountAccessRole",
        "source_profile": "acme-bootstrap",
        "role_session_name": "acme-admin",
        "duration_seconds": "3600",
        "region": "eu-west-1",
        "output": "json",
    }
    assert dict(parsed["profile acme-security-admin"]) == {
        "sso_session": "acme", "sso_account_id": security, "sso_role_name": "AdministratorAccess",
    }
    assert parsed["sso-session acme"]["sso_start_url"] == "https://d-1234567890.awsapps.com/start"

    # botocore itself resolves every role chain (source profile keys -> AssumeRole in moto).
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ENDPOINT_URL", proxy.url)  # the strict proxy: as AWS, no AssumeRole of a missing role
    for profile, account_id in expected.items():
        assert _botocore_account(directory, profile) == account_id

    # The AWS CLI (v1 here, which has no `configure list-profiles`) reads the profiles and reaches the
    # right account.
    role_arn = _aws_cli(directory, aws.url, "configure", "get", "role_arn", "--profile", "acme-shared-oaar")
    assert role_arn.strip() == f"arn:aws:iam::{shared}:role/OrganizationAccountAccessRole"
    listed = _aws_cli(directory, aws.url, "configure", "list", "--profile", "acme-bootstrap")
    assert "****************st-1 shared-credentials-file" in " ".join(listed.split())
    # Every profile written except the sso one (it needs an IAM Identity Center sign-in) reaches its
    # account with the AWS CLI too, through the strict proxy: AssumeRole of a role that does not
    # exist (as OrganizationAccountAccessRole in the management account) would be AccessDenied.
    config = configparser.RawConfigParser()
    config.read_string((directory / "config").read_text())
    written = {s[len("profile "):] for s in config.sections() if s.startswith("profile ")}
    written = {name for name in written if "sso_session" not in config[f"profile {name}"]} - {"personal"}
    assert written == set(expected)
    for profile, account_id in expected.items():
        identity = json.loads(_aws_cli(directory, proxy.url, "sts", "get-caller-identity", "--profile", profile,
                                       "--output", "json"))
        assert identity["Account"] == account_id, profile
    identity = json.loads(_aws_cli(directory, proxy.url, "sts", "get-caller-identity", "--profile",
                                   "acme-security-oaar", "--output", "json"))
    assert identity["Arn"].startswith(f"arn:aws:sts::{security}:assumed-role/OrganizationAccountAccessRole/")

    # Again, in check mode and for real: nothing to do, no backup, no AWS call.
    proxy.reset()
    args_again = dict(args, verify=False)
    again = ansible.run_tasks([{"name": "check", MODULE: args_again, "check_mode": True},
                               {"name": "apply", MODULE: args_again}], diff=True)
    assert [again.one(t)["changed"] for t in ("check", "apply")] == [False, False]
    assert "backup_file" not in again.one("apply")
    assert (directory / "config").read_text() == config_text
    assert proxy.calls == []

    # Fewer accounts and purge: our stale profiles go, foreign ones stay.
    purged = ansible.run_module(MODULE, dict(args_again, accounts=accounts[:1], roles=[], purge=True))
    assert "removed" in purged, purged.get("msg")
    assert sorted(purged["removed"]) == ["profile acme-security-admin", "profile acme-security-oaar",
                                         "profile acme-shared-oaar"]
    config_text = (directory / "config").read_text()
    assert config_text.startswith(FOREIGN_CONFIG)
    assert "acme-shared-oaar" not in config_text and "[profile acme-bootstrap]" in config_text


def test_twenty_parallel_writers_lose_no_profile(ansible, tmp_path):
    directory = tmp_path / "aws"
    directory.mkdir()
    (directory / "config").write_text(FOREIGN_CONFIG)
    hosts = [f"acct{i:02d}" for i in range(20)]
    inventory = tmp_path / "inventory.ini"
    inventory.write_text(
        "[accounts]\n" + "".join(f"{h} account_id=1000000000{i:02d}\n" for i, h in enumerate(hosts))
        + "[accounts:vars]\nansible_connection=local\n"
    )
    play = [dict(
        hosts="accounts",
        gather_facts=False,
        tasks=[{
            "name": "profile of this account",
            MODULE: dict(
                directory=str(directory),
                project="acme",
                accounts=[dict(name="{{ inventory_hostname }}", id="{{ account_id }}")],
                roles=[dict(name="oaar", source_profile="acme-bootstrap")],
            ),
            "delegate_to": "localhost",
        }],
    )]
    playbook = tmp_path / "parallel.yml"
    playbook.write_text(json.dumps(play))

    run = ansible.run_playbook(playbook, inventory=inventory, args=["--forks", "20"])
    assert run.rc == 0, run.output[-3000:]
    results = [run.one("profile of this account", host) for host in hosts]
    assert all(r["changed"] for r in results)

    text = (directory / "config").read_text()
    assert text.startswith(FOREIGN_CONFIG)
    parsed = configparser.RawConfigParser()
    parsed.read_string(text)  # strict: a duplicated or torn section would raise
    assert {f"profile acme-{h}-oaar" for h in hosts} <= set(parsed.sections())
    assert len(parsed.sections()) == 22
    for i, host in enumerate(hosts):
        assert parsed[f"profile acme-{host}-oaar"]["role_arn"] == (
            f"arn:aws:iam::1000000000{i:02d}:role/OrganizationAccountAccessRole"
        )
    assert text.count(MARKER) == 20
    assert (directory / "config").stat().st_mode & 0o777 == 0o600
    backups = [r["backup_file"] for r in results]
    assert len(set(backups)) == 20 and all(os.path.exists(b) for b in backups)
    assert FOREIGN_CONFIG in [open(b).read() for b in backups]


@pytest.mark.long
def test_collisions_bad_input_and_mfa_device(ansible, aws, tmp_path):
    iam = aws.client("iam")
    iam.create_user(UserName="jane")
    keys = iam.create_access_key(UserName="jane")["AccessKey"]
    serial = iam.create_virtual_mfa_device(VirtualMFADeviceName="jane")["VirtualMFADevice"]["SerialNumber"]
    iam.enable_mfa_device(UserName="jane", SerialNumber=serial, AuthenticationCode1="123456",
                          AuthenticationCode2="654321")

    directory = tmp_path / "aws"
    directory.mkdir()
    hand_written = "[profile acme-dev-oaar]\nregion = us-east-1\n"
    (directory / "config").write_text(hand_written)
    base = dict(directory=str(directory), project="acme", accounts=[dict(name="dev", id="111111111111")],
                roles=[dict(name="oaar", source_profile="acme-bootstrap")])
    tasks = [
        {"name": "collision", MODULE: base},
        {"name": "bad id", MODULE: dict(base, accounts=[dict(name="dev", id="12345")])},
        {"name": "two sources", MODULE: dict(base, roles=[dict(name="oaar", source_profile="a",
                                                               credential_source="Environment")])},
        {"name": "duplicate", MODULE: dict(base, profiles=[dict(name="acme-dev-oaar", type="role",
                                                                role_arn="arn:aws:iam::111111111111:role/R",
                                                                source_profile="x")])},
        {"name": "injection", MODULE: dict(base, roles=[dict(name="oaar", source_profile="x\n[profile evil]")])},
        {"name": "adopt with mfa", MODULE: dict(base, adopt=True, fetch_mfa_device=True,
                                                access_key=keys["AccessKeyId"],
                                                secret_key=keys["SecretAccessKey"])},
    ]
    for task in tasks[:-1]:
        task["ignore_errors"] = True
    run = ansible.run_tasks(tasks)

    messages = {t["name"]: run.one(t["name"]).get("msg", "") for t in tasks}
    assert all(_status(run, t["name"]) == "failed" for t in tasks[:-1]), messages
    assert "[profile acme-dev-oaar] already exists" in messages["collision"] and "adopt" in messages["collision"]
    assert "accounts[0].id: must be 12 digits" in messages["bad id"]
    assert "exactly one of source_profile and credential_source" in messages["two sources"]
    assert "'acme-dev-oaar' comes from both" in messages["duplicate"]
    assert "roles[0].source_profile: must be a single line" in messages["injection"]

    adopted = run.one("adopt with mfa")
    assert _status(run, "adopt with mfa") == "ok", adopted.get("msg")
    assert adopted["mfa_serial"] == serial
    parsed = configparser.RawConfigParser()
    parsed.read_string((directory / "config").read_text())
    assert parsed["profile acme-dev-oaar"]["mfa_serial"] == serial
    assert parsed["profile acme-dev-oaar"]["role_arn"] == "arn:aws:iam::111111111111:role/OrganizationAccountAccessRole"
    with open(adopted["backup_file"]) as backup:
        assert backup.read() == hand_written
