"""The pieces of an initial password: the generated password and the private file it is stored in."""

import os
import stat
import string

import pytest

from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.files import write_file_atomic
from ansible_collections.awsorg.landing_zone.plugins.module_utils.resources.iam_initial_password import SYMBOLS
from ansible_collections.awsorg.landing_zone.plugins.module_utils.resources.iam_initial_password import generate_password

STRICT_POLICY = dict(
    MinimumPasswordLength=40,
    RequireSymbols=True,
    RequireNumbers=True,
    RequireUppercaseCharacters=True,
    RequireLowercaseCharacters=True,
)


@pytest.mark.parametrize(
    "policy, length, expected_length",
    [
        (None, 24, 24),  # no policy: AWS's default rules (8 characters, 3 classes)
        (dict(MinimumPasswordLength=6), 8, 8),
        (STRICT_POLICY, 24, 40),  # the policy's minimum wins
        (dict(MinimumPasswordLength=128), 24, 128),
        (None, 500, 128),  # IAM's maximum
    ],
)
def test_generated_passwords_satisfy_the_policy(policy, length, expected_length):
    for _attempt in range(50):
        password = generate_password(policy, length)
        assert len(password) == expected_length
        assert set(password) & set(string.ascii_uppercase)
        assert set(password) & set(string.ascii_lowercase)
        assert set(password) & set(string.digits)
        assert set(password) & set(SYMBOLS)
        assert set(password) <= set(string.ascii_letters + string.digits + SYMBOLS)


def test_generated_passwords_differ():
    passwords = {generate_password(None, 24) for _attempt in range(200)}
    assert len(passwords) == 200


def test_write_file_atomic_is_private_and_replaces(tmp_path):
    target = tmp_path / "alice.asc"
    old_umask = os.umask(0)
    try:
        write_file_atomic(str(target), b"first")
    finally:
        os.umask(old_umask)
    assert target.read_bytes() == b"first"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600

    target.chmod(0o644)
    write_file_atomic(str(target), b"second", mode=0o640)
    assert target.read_bytes() == b"second"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert os.listdir(tmp_path) == ["alice.asc"]


def test_write_file_atomic_leaves_the_old_file_when_writing_fails(tmp_path):
    target = tmp_path / "alice.asc"
    target.write_bytes(b"old")
    with pytest.raises(TypeError):
        write_file_atomic(str(target), "not bytes")
    assert target.read_bytes() == b"old"
    assert os.listdir(tmp_path) == ["alice.asc"]


# --- CreateLoginProfile answered EntityAlreadyExists (issue 12) ----------------------

import boto3  # noqa: E402
from botocore.stub import Stubber  # noqa: E402

from ansible_collections.awsorg.landing_zone.plugins.module_utils.resources import iam_initial_password  # noqa: E402


class PasswordModule:
    """What _set_password uses of the module: params and the no_log values."""

    def __init__(self):
        self.params = dict(user_name="alice", password_length=24)
        self.no_log_values = set()


def test_create_answered_entity_already_exists_sets_a_new_password_with_update(monkeypatch):
    # botocore repeats a CreateLoginProfile whose answer was lost; IAM refuses
    # the repeat (EntityAlreadyExists, 409): the first try made the profile.
    encrypted = []
    monkeypatch.setattr(iam_initial_password, "encrypt_to",
                        lambda _gpg, _key, password: encrypted.append(password) or f"armored-{len(encrypted)}")
    client = boto3.client("iam", region_name="us-east-1", aws_access_key_id="unit", aws_secret_access_key="unit")
    module = PasswordModule()
    with Stubber(client) as stubber:
        stubber.add_client_error("get_account_password_policy", "NoSuchEntity", http_status_code=404)
        stubber.add_client_error("create_login_profile", "EntityAlreadyExists", http_status_code=409)
        stubber.add_response("update_login_profile", {})

        armored = iam_initial_password._set_password(module, client, gpg=None, key=None, profile=None)

        stubber.assert_no_pending_responses()
    # The password handed back is the one UpdateLoginProfile set: a fresh one.
    assert armored == "armored-2"
    assert len(encrypted) == 2 and encrypted[0] != encrypted[1]
    assert module.no_log_values == set(encrypted)
