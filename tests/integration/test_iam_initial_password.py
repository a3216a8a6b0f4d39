"""iam_initial_password against moto, with real GPG keys generated for the test."""

import base64
import json
import os
import shlex
import stat
import string
import subprocess
import sys

import boto3
import pytest
from botocore.exceptions import ClientError

from tests.harness.gpgkeys import TestKeyring
from tests.harness.lost_answers import FirstAnswerLost
from tests.harness.playbook import REPO_ROOT
from tests.harness.playbook import AnsibleRunner

MODULE = "awsorg.landing_zone.iam_initial_password"
POLICY_MODULE = "awsorg.landing_zone.account_baseline"
SYMBOLS = set("!@#$%^&*()_+-=[]{}|'")
STRICT_POLICY = dict(minimum_password_length=30, require_symbols=True, require_numbers=True, require_uppercase=True,
                     require_lowercase=True, allow_password_change=True)


@pytest.fixture(scope="module")
def keyring(tmp_path_factory):
    with TestKeyring(base_dir=tmp_path_factory.mktemp("gpg")) as ring:
        ring.keys = dict(
            alice=ring.generate("alice"),
            expired=ring.generate("bob", expired=True),
            revoked=ring.generate("carol", revoked=True),
            sign_only=ring.generate("dave", encrypt=False),
        )
        yield ring


def assert_meets_policy(password, minimum_length):
    assert len(password) >= minimum_length
    assert any(c in string.ascii_uppercase for c in password)
    assert any(c in string.ascii_lowercase for c in password)
    assert any(c in string.digits for c in password)
    assert any(c in SYMBOLS for c in password)
    assert set(password) <= set(string.ascii_letters + string.digits) | SYMBOLS


def test_encrypted_password_meets_the_policy_and_never_shows_in_clear(ansible, aws, proxy, keyring, tmp_path):
    alice = keyring.keys["alice"]
    dest = tmp_path / "passwords" / "alice.asc"
    dest.parent.mkdir()
    module_tmp = tmp_path / "module-tmp"  # the modules' TMPDIR, where their throwaway keyrings go
    module_tmp.mkdir()
    os.utime(module_tmp, (0, 0))
    args = dict(user_name="alice", public_key_file=alice.public_key_file, expected_email="Alice@Example.com",
                dest=str(dest))

    run = ansible.run_tasks(
        [
            {"name": "policy", POLICY_MODULE: dict(password_policy=STRICT_POLICY)},
            {"name": "user", "amazon.aws.iam_user": {"name": "alice", "state": "present"}},
            {"name": "predict", MODULE: args, "check_mode": True},
            {"name": "password", MODULE: args},
        ],
        diff=True,
        verbosity=3,
        env={"TMPDIR": str(module_tmp)},
    )
    assert not run.failed(), run.output[-4000:]
    predicted, result = run.one("predict"), run.one("password")
    assert predicted["changed"] is True and predicted["encrypted_password"] is None
    assert result["changed"] is True
    assert result["key_fingerprint"] == alice.fingerprint

    armored = result["encrypted_password"]
    assert armored.startswith("-----BEGIN PGP MESSAGE-----")
    assert base64.b64decode(result["encrypted_password_base64"]).decode() == armored
    password = keyring.decrypt(armored)
    assert_meets_policy(password, 30)

    # The plaintext is nowhere: not in the -vvv output, not in any task result.
    assert password not in run.output
    assert password not in json.dumps(run.results)

    assert dest.read_text() == armored
    assert stat.S_IMODE(dest.stat().st_mode) == 0o600
    assert os.listdir(dest.parent) == ["alice.asc"]  # no temporary file left behind
    # The throwaway keyrings were made there (the directory changed) and are gone.
    assert module_tmp.stat().st_mtime > 0
    assert os.listdir(module_tmp) == []
    # moto ignores PasswordResetRequired on CreateLoginProfile (it honours it
    # on UpdateLoginProfile, checked after the reset below).
    assert aws.client("iam").get_login_profile(UserName="alice")["LoginProfile"]["UserName"] == "alice"
    # Check mode did not create anything: one login profile call in the run.
    assert [c["action"] for c in proxy.calls].count("CreateLoginProfile") == 1

    # Re-run: the existing password stays.  reset: a new one, with one call.
    proxy.reset()
    again = ansible.run_tasks(
        [
            {"name": "again", MODULE: args},
            {"name": "reset", MODULE: dict(args, reset=True)},
        ]
    )
    assert again.one("again")["changed"] is False
    assert again.one("again")["encrypted_password"] is None
    reset = again.one("reset")
    assert reset["changed"] is True
    assert [c["action"] for c in proxy.mutating_calls()] == ["UpdateLoginProfile"]
    new_password = keyring.decrypt(reset["encrypted_password"])
    assert_meets_policy(new_password, 30)
    assert new_password != password
    assert dest.read_text() == reset["encrypted_password"]
    profile = aws.client("iam").get_login_profile(UserName="alice")["LoginProfile"]
    assert profile["PasswordResetRequired"] is True


BAD_KEYS = ["missing", "expired", "revoked", "sign_only", "uid_mismatch"]


def test_bad_keys_are_refused_before_anything_is_written(ansible, aws, proxy, keyring, tmp_path):
    iam = aws.client("iam")
    key_files = dict(
        missing=str(tmp_path / "keys" / "nobody.asc"),
        expired=keyring.keys["expired"].public_key_file,
        revoked=keyring.keys["revoked"].public_key_file,
        sign_only=keyring.keys["sign_only"].public_key_file,
        uid_mismatch=keyring.keys["alice"].public_key_file,
    )
    reasons = dict(
        missing="does not exist",
        expired="expired on 2020-01-02",
        revoked="is revoked",
        sign_only="has no encryption subkey",
        uid_mismatch="none of them has the email expected_email 'mallory@example.com'",
    )
    tasks = []
    for case in BAD_KEYS:
        user = f"user-{case.replace('_', '-')}"
        iam.create_user(UserName=user)
        args = dict(user_name=user, public_key_file=key_files[case], dest=str(tmp_path / f"{user}.asc"))
        if case == "uid_mismatch":
            args["expected_email"] = "mallory@example.com"
        tasks.append({"name": case, MODULE: args, "ignore_errors": True})

    run = ansible.run_tasks(tasks)
    assert [r["status"] for r in run.results] == ["failed"] * len(BAD_KEYS)
    for case in BAD_KEYS:
        user = f"user-{case.replace('_', '-')}"
        message = run.one(case)["msg"]
        assert message.startswith(f"IAM user '{user}': refusing to set a password: public_key_file"), message
        assert repr(key_files[case]) in message
        assert reasons[case] in message
        with pytest.raises(ClientError, match="NoSuchEntity"):
            iam.get_login_profile(UserName=user)
    assert proxy.mutating_calls() == []
    assert [c for c in proxy.calls if c["service"] == "iam"] == []  # refused before any IAM call
    assert not any(name.endswith(".asc") for name in os.listdir(tmp_path))  # no dest written


def test_decrypt_playbook_prints_the_password_only_to_the_terminal(keyring, tmp_path):
    alice = keyring.keys["alice"]
    encrypted = tmp_path / "alice.asc"
    encrypted.write_text(keyring.gpg("--armor", "--encrypt", "--trust-model", "always", "-r", alice.fingerprint,
                                     input_text="S3cret!initial-Password").stdout)
    record = tmp_path / "results.jsonl"
    command = [
        os.path.join(os.path.dirname(sys.executable), "ansible-playbook"),
        "awsorg.landing_zone.decrypt_initial_password",  # the collection's playbook, as documented
        "-e", f"encrypted_password_file={encrypted}",
        "-vvv",
    ]
    # No AWS here: the user's own gpg and keyring (GNUPGHOME) do the work.
    env = AnsibleRunner("http://127.0.0.1:9", tmp_path).env(RESULT_RECORDER_PATH=str(record), GNUPGHOME=keyring.home)
    # `script` gives the play a terminal, as a user's shell would; what it
    # captures is what the user sees.
    terminal = subprocess.run(
        ["script", "-qec", shlex.join(command), "/dev/null"],
        cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL, check=False,
    )
    assert terminal.returncode == 0, terminal.stdout[-3000:]
    assert "S3cret!initial-Password" in terminal.stdout
    recorded = record.read_text()
    assert "decrypt" in recorded.lower()
    assert "S3cret!initial-Password" not in recorded  # never in a task result

    # Without a terminal (a new session has none) it refuses instead of
    # printing the password anywhere else.
    headless = subprocess.run(command, cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=120,
                              stdin=subprocess.DEVNULL, start_new_session=True, check=False)
    assert headless.returncode != 0
    assert "no terminal" in headless.stdout + headless.stderr
    assert "S3cret!initial-Password" not in headless.stdout + headless.stderr


# --- a password nobody can read (issue 12) -------------------------------------------


def _login_profile_calls(proxy):
    return [(c["action"], c["injected"], c["status"]) for c in proxy.calls if "LoginProfile" in c["action"]]


def test_a_login_profile_without_its_password_file_gets_a_new_password(ansible, aws, proxy, keyring, tmp_path):
    alice = keyring.keys["alice"]
    iam = aws.client("iam")
    iam.create_user(UserName="alice")
    # An earlier run set a password, then lost IAM's answer (or died) before writing dest.
    lost_password = "Lost-by-an-earlier-run-1!"
    iam.create_login_profile(UserName="alice", Password=lost_password, PasswordResetRequired=True)
    # moto drops PasswordResetRequired on create (the strict layer restores it
    # for calls through the proxy; this one went straight to moto).
    iam.update_login_profile(UserName="alice", Password=lost_password, PasswordResetRequired=True)
    dest = tmp_path / "alice.password.asc"
    args = dict(user_name="alice", public_key_file=alice.public_key_file, dest=str(dest))

    run = ansible.run_tasks(
        [{"name": "predict", MODULE: args, "check_mode": True}, {"name": "recover", MODULE: args},
         {"name": "again", MODULE: args}],
        diff=True, verbosity=3,
    )

    assert not run.failed(), run.output[-4000:]
    predicted, recovered, again = run.one("predict"), run.one("recover"), run.one("again")
    # Check mode predicts it: changed, and the diff says why (the file is missing).
    assert predicted["changed"] is True and predicted["encrypted_password"] is None
    assert predicted["diff"]["before"]["password_file"] is False
    assert predicted["diff"]["after"]["password_file"] is True
    # The run sets a new password (UpdateLoginProfile, reset required), written to dest encrypted.
    assert recovered["changed"] is True
    assert any("encrypted password file" in w and "is missing" in w for w in recovered.get("warnings", []))
    password = keyring.decrypt(dest.read_text())
    assert dest.read_text() == recovered["encrypted_password"]
    assert stat.S_IMODE(dest.stat().st_mode) == 0o600
    assert password != lost_password and len(password) >= 24
    assert aws.client("iam").get_login_profile(UserName="alice")["LoginProfile"]["PasswordResetRequired"] is True
    assert _login_profile_calls(proxy) == [
        ("GetLoginProfile", None, 200), ("GetLoginProfile", None, 200), ("UpdateLoginProfile", None, 200),
        ("GetLoginProfile", None, 200),
    ]
    # The file is there now: the next run keeps the password.
    assert again["changed"] is False and again["encrypted_password"] is None
    assert password not in run.output and lost_password not in run.output
    assert password not in json.dumps(run.results)


def test_a_user_who_chose_their_own_password_keeps_it_without_the_file(ansible, aws, proxy, keyring, tmp_path):
    alice = keyring.keys["alice"]
    iam = aws.client("iam")
    iam.create_user(UserName="alice")
    # alice signed in and set her own password: IAM no longer requires a reset.
    iam.create_login_profile(UserName="alice", Password="Chosen-by-alice-1!")
    iam.update_login_profile(UserName="alice", Password="Chosen-by-alice-1!", PasswordResetRequired=False)
    dest = tmp_path / "alice.password.asc"  # never written here (an AWX job's fresh directory)
    args = dict(user_name="alice", public_key_file=alice.public_key_file, dest=str(dest))

    run = ansible.run_tasks([{"name": "predict", MODULE: args, "check_mode": True}, {"name": "keep", MODULE: args}],
                            diff=True)

    assert not run.failed(), run.output[-4000:]
    assert run.one("predict")["changed"] is False
    assert run.one("keep")["changed"] is False and not run.one("keep").get("warnings")
    assert proxy.mutating_calls() == []
    assert not dest.exists()
    assert iam.get_login_profile(UserName="alice")["LoginProfile"]["PasswordResetRequired"] is False


def test_create_login_profile_through_strict_mode_keeps_password_reset_required(aws, proxy):
    """moto drops PasswordResetRequired on CreateLoginProfile; strict mode keeps it, as IAM does."""
    aws.client("iam").create_user(UserName="alice")
    through = boto3.client("iam", endpoint_url=proxy.url, region_name="us-east-1", aws_access_key_id="testing",
                           aws_secret_access_key="testing")
    through.create_login_profile(UserName="alice", Password="Initial-password-1!", PasswordResetRequired=True)
    assert aws.client("iam").get_login_profile(UserName="alice")["LoginProfile"]["PasswordResetRequired"] is True
    aws.client("iam").create_user(UserName="bob")
    proxy.configure_strict(enabled=False)
    through.create_login_profile(UserName="bob", Password="Initial-password-1!", PasswordResetRequired=True)
    assert aws.client("iam").get_login_profile(UserName="bob")["LoginProfile"]["PasswordResetRequired"] is False


def test_a_lost_create_login_profile_answer_goes_on_with_update(ansible, aws, proxy, keyring, tmp_path):
    alice = keyring.keys["alice"]
    aws.client("iam").create_user(UserName="alice")
    dest = tmp_path / "alice.password.asc"
    args = dict(user_name="alice", public_key_file=alice.public_key_file, dest=str(dest))

    with FirstAnswerLost(proxy, "iam:CreateLoginProfile") as lost:
        result = ansible.run_module(MODULE, args, verbosity=3)

    assert result.get("failed") is not True, result.get("msg")
    assert [c["action"] for c in lost.lost] == ["CreateLoginProfile"]
    # botocore's repeat finds the profile the lost call made (EntityAlreadyExists, 409);
    # the module sets a new password over it.
    assert _login_profile_calls(proxy) == [
        ("GetLoginProfile", None, 404), ("CreateLoginProfile", "reset_after", 200),
        ("CreateLoginProfile", None, 409), ("UpdateLoginProfile", None, 200),
    ]
    assert result["changed"] is True
    password = keyring.decrypt(dest.read_text())
    assert dest.read_text() == result["encrypted_password"]
    assert len(password) >= 24
    assert aws.client("iam").get_login_profile(UserName="alice")["LoginProfile"]["PasswordResetRequired"] is True
    assert password not in result["_run"].output


@pytest.mark.long
def test_users_in_one_run_every_key_and_user_checked_before_the_first_password(ansible, aws, proxy, keyring, tmp_path):
    alice, eve = keyring.keys["alice"], keyring.generate("eve")
    iam = aws.client("iam")
    for name in ("alice", "eve"):
        iam.create_user(UserName=name)
    passwords = tmp_path / "passwords"
    passwords.mkdir()
    users = [dict(user_name="alice", public_key_file=alice.public_key_file, dest=str(passwords / "alice.asc")),
             dict(user_name="eve", public_key_file=eve.public_key_file, expected_email="eve@example.com",
                  dest=str(passwords / "eve.asc"))]
    proxy.reset()

    # A bad key of the last user, or a user IAM does not have: nothing is written for the others either.
    bad_key = ansible.run_module(MODULE, dict(users=users + [dict(
        user_name="bob", public_key_file=keyring.keys["expired"].public_key_file)]))
    assert "users[2] (bob): refusing to set a password: public_key_file" in bad_key["msg"], bad_key["msg"]
    no_such_user = ansible.run_module(MODULE, dict(users=users + [dict(
        user_name="mallory", public_key_file=alice.public_key_file)]))
    assert "IAM user 'mallory': user_name: the IAM user 'mallory' does not exist" in no_such_user["msg"]
    no_key = ansible.run_module(MODULE, dict(users=[dict(user_name="alice")]))
    assert "users[0] (alice): public_key_file: required when state is present" in no_key["msg"]
    assert proxy.mutating_calls() == []
    assert list(passwords.iterdir()) == []

    preview = ansible.run_module(MODULE, dict(users=users), check=True)
    assert [r["changed"] for r in preview["results"]] == [True, True]
    assert preview["diff"]["after"]["eve"]["login_profile"] is True
    assert proxy.mutating_calls() == []

    applied = ansible.run_module(MODULE, dict(users=users))
    assert [r["user_name"] for r in applied["results"] if r["changed"]] == ["alice", "eve"]
    # Each password is encrypted to its own user's key, written 0600, and IAM asks for a change at sign-in.
    for name, key in (("alice", alice), ("eve", eve)):
        dest = passwords / f"{name}.asc"
        assert stat.S_IMODE(dest.stat().st_mode) == 0o600
        assert key.fingerprint == next(r["key_fingerprint"] for r in applied["results"] if r["user_name"] == name)
        assert len(keyring.decrypt(dest.read_text())) >= 24
        assert iam.get_login_profile(UserName=name)["LoginProfile"]["PasswordResetRequired"] is True
    # Exactly one CreateLoginProfile per user, nothing else written.
    assert sorted(c["action"] for c in proxy.mutating_calls()) == ["CreateLoginProfile", "CreateLoginProfile"]

    proxy.reset()
    again = ansible.run_module(MODULE, dict(users=users))
    assert again["changed"] is False
    assert proxy.mutating_calls() == []
