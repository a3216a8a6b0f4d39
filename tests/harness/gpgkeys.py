"""Real GPG test keys, generated at run time in a throwaway GNUPGHOME.

Nothing here is ever committed: every key pair is created when a test
session needs it, lives in a temporary directory and is deleted with it.
Keys use ed25519 (signing) and cv25519 (encryption) without a passphrase
(``%no-protection``), which makes generating one take milliseconds.

``TestKeyring.generate(...)`` returns a ``GeneratedKey`` whose
``public_key_file`` is an armored public key, like the files of a
``keys/`` directory users hand to the landing zone; ``decrypt()`` opens
what was encrypted to any of the keyring's keys.

gpg needs its agent for the secret keys; the agent is stopped after every
generation and decryption, so a test run that is killed leaves no agent
running (only a directory, which pytest's own tmp retention cleans up when
the keyring lives under ``tmp_path_factory``).
"""

import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

GPG = shutil.which("gpg") or "/usr/bin/gpg"
GPGCONF = shutil.which("gpgconf") or "/usr/bin/gpgconf"

# A point in the past for keys that must already be expired: generated with
# gpg's clock set there, valid for one day.
_PAST = "20200101T000000"
_PAST_EXPIRY = "2020-01-02"


@dataclass
class GeneratedKey:
    name: str
    email: str
    fingerprint: str
    public_key_file: str


class TestKeyring:
    """A private GNUPGHOME holding the test keys (public and secret parts)."""

    __test__ = False  # not a pytest test class

    def __init__(self, base_dir=None):
        # gpg-agent's socket path must stay short (sun_path is ~108 bytes):
        # the home is one level below base_dir (or the system temp dir).
        self.home = tempfile.mkdtemp(prefix="gpgtest-", dir=base_dir)
        os.chmod(self.home, 0o700)
        self.keys_dir = Path(self.home) / "public-keys"
        self.keys_dir.mkdir()

    def gpg(self, *args, input_text=None, faked_time=None, check=True):
        command = [GPG, "--homedir", self.home, "--batch", "--yes", "--quiet"]
        if faked_time:
            command += ["--faked-system-time", faked_time]
        command += list(args)
        proc = subprocess.run(command, input=input_text, capture_output=True, text=True, timeout=60, check=False)
        if check and proc.returncode != 0:
            raise RuntimeError(f"{' '.join(command)} failed: {proc.stderr}")
        return proc

    def generate(self, name, email=None, encrypt=True, expired=False, revoked=False):
        """Create a key pair and export its public key to ``<name>.asc``."""
        email = email or f"{name}@example.com"
        lines = [
            "%no-protection",
            "Key-Type: eddsa",
            "Key-Curve: ed25519",
            "Key-Usage: sign",
        ]
        if encrypt:
            lines += ["Subkey-Type: ecdh", "Subkey-Curve: cv25519", "Subkey-Usage: encrypt"]
        lines += [f"Name-Real: {name}", f"Name-Email: {email}"]
        if expired:
            lines += [f"Creation-Date: {_PAST}", f"Expire-Date: {_PAST_EXPIRY}"]
        else:
            lines += ["Expire-Date: 0"]
        lines += ["%commit", ""]
        self.gpg("--gen-key", input_text="\n".join(lines), faked_time=_PAST if expired else None)
        fingerprint = self._fingerprint_of(email)
        if revoked:
            self._revoke(fingerprint)
        path = self.keys_dir / f"{name}.asc"
        armored = self.gpg("--armor", "--export", fingerprint).stdout
        path.write_text(armored, encoding="utf-8")
        self.stop_agent()
        return GeneratedKey(name=name, email=email, fingerprint=fingerprint, public_key_file=str(path))

    def _fingerprint_of(self, email):
        listing = self.gpg("--with-colons", "--list-keys", f"<{email}>").stdout
        for line in listing.splitlines():
            if line.startswith("fpr:"):
                return line.split(":")[9]
        raise RuntimeError(f"no key for {email}")

    def _revoke(self, fingerprint):
        # gpg writes a revocation certificate for every key it generates; its
        # armor is prefixed with ':' so that it is not imported by accident.
        certificate = Path(self.home) / "openpgp-revocs.d" / f"{fingerprint}.rev"
        text = certificate.read_text(encoding="utf-8").replace(":-----BEGIN", "-----BEGIN")
        self.gpg("--import", input_text=text)

    def decrypt(self, armored):
        try:
            return self.gpg("--decrypt", input_text=armored).stdout
        finally:
            self.stop_agent()

    def stop_agent(self):
        subprocess.run([GPGCONF, "--homedir", self.home, "--kill", "all"], capture_output=True, timeout=30,
                       check=False)

    def close(self):
        self.stop_agent()
        shutil.rmtree(self.home, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
