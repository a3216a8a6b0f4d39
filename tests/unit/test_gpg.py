"""gpg.py with real keys: which keys are accepted, why the others are refused, and the throwaway keyring."""

import os

import pytest

from ansible_collections.awsorg.landing_zone.plugins.module_utils.common import gpg as gpg_utils
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.gpg import GPGKeyError
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.gpg import encrypt_to
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.gpg import load_recipient_key
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.gpg import throwaway_gpg
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.gpg import uid_email

from tests.harness.gpgkeys import TestKeyring


@pytest.fixture(scope="module")
def keyring(tmp_path_factory):
    with TestKeyring(base_dir=tmp_path_factory.mktemp("gpg")) as ring:
        ring.keys = dict(
            jane=ring.generate("Jane Doe", email="jane.doe@example.com"),
            expired=ring.generate("expired", expired=True),
            revoked=ring.generate("revoked", revoked=True),
            sign_only=ring.generate("signer", encrypt=False),
        )
        yield ring


def load(key_file, **kwargs):
    with throwaway_gpg() as gpg:
        return load_recipient_key(gpg, key_file, **kwargs)


def test_a_good_key_is_accepted_and_encrypts_for_its_owner(keyring):
    jane = keyring.keys["jane"]
    with throwaway_gpg() as gpg:
        key = load_recipient_key(gpg, jane.public_key_file, expected_uid="jane doe <JANE.DOE@example.com>",
                                 expected_email="Jane.Doe@Example.com")
        armored = encrypt_to(gpg, key, "correct horse battery staple")
        home = gpg.gnupghome
        # Import and encryption need no agent: nothing of it is left running.
        assert not any(name.startswith("S.gpg-agent") for name in os.listdir(home))
    assert not os.path.exists(home)
    assert key.fingerprint == jane.fingerprint
    assert key.uids == ["Jane Doe <jane.doe@example.com>"]
    assert key.expires is None
    assert armored.startswith("-----BEGIN PGP MESSAGE-----")
    assert "correct horse" not in armored
    assert keyring.decrypt(armored) == "correct horse battery staple"


@pytest.mark.parametrize(
    "case, reason",
    [
        ("expired", "expired on 2020-01-02"),
        ("revoked", "is revoked"),
        ("sign_only", "has no encryption subkey"),
    ],
)
def test_unusable_keys_are_refused_naming_the_file(keyring, case, reason):
    key_file = keyring.keys[case].public_key_file
    with pytest.raises(GPGKeyError) as raised:
        load(key_file)
    message = str(raised.value)
    assert message.startswith(f"public_key_file {key_file!r}: key {keyring.keys[case].fingerprint}")
    assert reason in message


def test_user_id_mismatches_are_refused(keyring):
    key_file = keyring.keys["jane"].public_key_file
    with pytest.raises(GPGKeyError, match="none of them has the email expected_email 'john@example.com'"):
        load(key_file, expected_email="john@example.com")
    with pytest.raises(GPGKeyError, match="none of them is expected_uid 'Jane Doe'"):
        load(key_file, expected_uid="Jane Doe")


def test_files_that_are_not_one_public_key_are_refused(keyring, tmp_path):
    missing = str(tmp_path / "missing.asc")
    with pytest.raises(GPGKeyError, match=f"public_key_file '{missing}' does not exist"):
        load(missing)

    unreadable = tmp_path / "unreadable.asc"
    unreadable.write_text("x")
    unreadable.chmod(0)
    if not os.access(unreadable, os.R_OK):  # root reads anything
        with pytest.raises(GPGKeyError, match="cannot be read"):
            load(str(unreadable))

    with pytest.raises(GPGKeyError, match="is not a regular file"):
        load(str(tmp_path))

    garbage = tmp_path / "garbage.asc"
    garbage.write_text("not a key\n")
    with pytest.raises(GPGKeyError, match="holds no OpenPGP public key"):
        load(str(garbage))

    both = tmp_path / "two.asc"
    both.write_text(
        open(keyring.keys["jane"].public_key_file).read() + open(keyring.keys["sign_only"].public_key_file).read()
    )
    with pytest.raises(GPGKeyError, match="holds 2 keys"):
        load(str(both))

    secret = tmp_path / "secret.asc"
    secret.write_text(keyring.gpg("--armor", "--export-secret-keys", keyring.keys["jane"].fingerprint).stdout)
    with pytest.raises(GPGKeyError, match="holds a private key"):
        load(str(secret))


def test_the_throwaway_home_is_removed_on_errors_too(monkeypatch, tmp_path):
    monkeypatch.setattr(gpg_utils.tempfile, "tempdir", str(tmp_path))
    with pytest.raises(RuntimeError):
        with throwaway_gpg() as gpg:
            assert os.path.dirname(gpg.gnupghome) == str(tmp_path)
            assert oct(os.stat(gpg.gnupghome).st_mode & 0o777) == "0o700"
            raise RuntimeError("boom")
    assert os.listdir(tmp_path) == []


def test_a_missing_gpg_binary_is_reported():
    with pytest.raises(GPGKeyError, match="cannot run the gpg binary '/nonexistent/gpg'"):
        with throwaway_gpg("/nonexistent/gpg"):
            pass


@pytest.mark.parametrize(
    "uid, email",
    [
        ("Jane Doe <jane@example.com>", "jane@example.com"),
        ("Jane Doe (work) <jane@example.com>", "jane@example.com"),
        ("jane@example.com", "jane@example.com"),
        ("Jane Doe", None),
    ],
)
def test_uid_email(uid, email):
    assert uid_email(uid) == email
