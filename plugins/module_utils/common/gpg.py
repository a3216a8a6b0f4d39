# -*- coding: utf-8 -*-
# Copyright: Contributors to the awsorg.landing_zone collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Encrypt a secret to one user's GPG public key, in a keyring that never outlives the call.

Every operation runs in a fresh temporary GNUPGHOME (mode 0700, removed on
exit, whatever happens) with ``--no-autostart``: importing and encrypting to a
public key needs no gpg-agent, and none is left running behind.  The
controller's own keyring is never read or changed.

A key is refused before anything is encrypted when it is expired, revoked,
has no usable encryption (sub)key, or does not carry the user id the caller
expects; ``GPGKeyError`` says why in words that name the key file.
"""

import contextlib
import datetime
import os
import re
import shutil
import tempfile
import time

try:
    import gnupg

    HAS_GNUPG = True
    GNUPG_IMPORT_ERROR = None
except ImportError as e:
    HAS_GNUPG = False
    GNUPG_IMPORT_ERROR = e

# gpg --with-colons validity letters (field 2) that make a key unusable.
_REVOKED = "r"
_EXPIRED = "e"
_EMAIL_IN_UID = re.compile(r"<([^<>\s]+@[^<>\s]+)>\s*$")


class GPGKeyError(Exception):
    """A key file that cannot be used; the message names the file and the reason."""


class RecipientKey:
    def __init__(self, fingerprint, uids, expires):
        self.fingerprint = fingerprint
        self.uids = uids
        self.expires = expires  # epoch seconds, or None for "never"


@contextlib.contextmanager
def throwaway_gpg(gpg_binary="gpg"):
    """A python-gnupg GPG bound to a temporary GNUPGHOME that is always removed."""
    home = tempfile.mkdtemp(prefix="awsorg-gnupg-")
    try:
        os.chmod(home, 0o700)
        try:
            gpg = gnupg.GPG(gpgbinary=gpg_binary, gnupghome=home, options=["--no-autostart"])
        except (OSError, ValueError) as e:
            raise GPGKeyError(f"cannot run the gpg binary {gpg_binary!r}: {e}") from e
        gpg.encoding = "utf-8"
        yield gpg
    finally:
        shutil.rmtree(home, ignore_errors=True)


def _read_key_file(key_file):
    if not os.path.exists(key_file):
        raise GPGKeyError(f"public_key_file {key_file!r} does not exist")
    if not os.path.isfile(key_file):
        raise GPGKeyError(f"public_key_file {key_file!r} is not a regular file")
    try:
        with open(key_file, "rb") as handle:
            data = handle.read()
    except OSError as e:
        raise GPGKeyError(f"public_key_file {key_file!r} cannot be read: {e.strerror}") from e
    if b"PRIVATE KEY BLOCK" in data:
        raise GPGKeyError(
            f"public_key_file {key_file!r} holds a private key; give the public key only"
            " (gpg --armor --export <email>)"
        )
    return data


def _date(epoch):
    return datetime.datetime.fromtimestamp(int(epoch), tz=datetime.timezone.utc).strftime("%Y-%m-%d")


def _encryption_subkey_problem(key):
    """Why a key has no usable encryption capability, in words."""
    subkeys = (key.get("subkey_info") or {}).values()
    encrypting = [s for s in subkeys if "e" in (s.get("cap") or "")]
    if "e" in (key.get("cap") or "") and not encrypting:
        encrypting = [key]
    if not encrypting:
        return "has no encryption subkey (a sign-only key cannot receive encrypted passwords)"
    states = sorted({"revoked" if s.get("trust") == _REVOKED else "expired" for s in encrypting})
    return f"has no usable encryption subkey (its encryption subkeys are {' or '.join(states)})"


def _valid_uids(listing, key):
    uid_map = getattr(listing, "uid_map", {}) or {}
    return [uid for uid in key.get("uids", []) if (uid_map.get(uid) or {}).get("trust") != _REVOKED]


def uid_email(uid):
    """The email address of a user id like ``Jane Doe <jane@example.com>`` (or a bare address)."""
    match = _EMAIL_IN_UID.search(uid)
    if match:
        return match.group(1)
    return uid.strip() if "@" in uid and " " not in uid.strip() else None


def _check_uid(key_file, uids, expected_uid, expected_email):
    if expected_uid and expected_uid.strip().lower() not in [u.strip().lower() for u in uids]:
        raise GPGKeyError(
            f"public_key_file {key_file!r} has user ids {uids}, none of them is expected_uid {expected_uid!r}"
        )
    if expected_email:
        emails = [uid_email(u) for u in uids]
        if expected_email.strip().lower() not in [e.lower() for e in emails if e]:
            raise GPGKeyError(
                f"public_key_file {key_file!r} has user ids {uids}, none of them has the email"
                f" expected_email {expected_email!r}"
            )


def load_recipient_key(gpg, key_file, expected_uid=None, expected_email=None, now=None):
    """Import the one public key of ``key_file`` and return it if it can receive encrypted data."""
    data = _read_key_file(key_file)
    imported = gpg.import_keys(data)
    if not imported.count:
        raise GPGKeyError(f"public_key_file {key_file!r} holds no OpenPGP public key")
    listing = gpg.list_keys()
    if len(listing) != 1:
        raise GPGKeyError(f"public_key_file {key_file!r} holds {len(listing)} keys; give exactly one key per user")
    key = listing[0]
    now = time.time() if now is None else now
    if key.get("trust") == _REVOKED:
        raise GPGKeyError(f"public_key_file {key_file!r}: key {key['fingerprint']} is revoked")
    expires = int(key["expires"]) if key.get("expires") else None
    if key.get("trust") == _EXPIRED or (expires is not None and expires <= now):
        when = f" on {_date(expires)}" if expires else ""
        raise GPGKeyError(f"public_key_file {key_file!r}: key {key['fingerprint']} expired{when}")
    # The upper-case letters of the capability field are what the key as a
    # whole can still do, after expired and revoked subkeys are left out.
    if "E" not in (key.get("cap") or ""):
        raise GPGKeyError(f"public_key_file {key_file!r}: key {key['fingerprint']} {_encryption_subkey_problem(key)}")
    uids = _valid_uids(listing, key)
    _check_uid(key_file, uids, expected_uid, expected_email)
    return RecipientKey(fingerprint=key["fingerprint"], uids=uids, expires=expires)


def encrypt_to(gpg, key, plaintext):
    """ASCII-armored ciphertext of ``plaintext`` for ``key`` (a RecipientKey of this keyring)."""
    # The throwaway keyring has no trust database to speak of: trusting the
    # key is the caller's decision, made by pointing at this key file.
    result = gpg.encrypt(plaintext, [key.fingerprint], armor=True, always_trust=True)
    if not result.ok:
        raise GPGKeyError(f"gpg could not encrypt to key {key.fingerprint}: {result.status}")
    return str(result)
