"""A working copy of inventories/demo with GPG keys made for its users.

The demo, the Molecule scenario and the landing-zone tests never run on the
committed inventory itself: runs write account ids and generated files next
to the inventory, and the users' keys are generated, never committed.
"""

import shutil
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from tests.harness.gpgkeys import TestKeyring  # noqa: E402

DEMO_USERS = ("alice", "bob")


def prepare_demo_inventory(destination, keyring_dir=None, source=None):
    """Copy the demo inventory to ``destination`` and put public keys in its ``keys/``.

    Returns the TestKeyring holding the users' private keys (to decrypt their
    initial passwords), under ``keyring_dir`` (default: the system temp dir).
    """
    destination = Path(destination)
    if destination.exists():
        shutil.rmtree(destination)
    shutil.copytree(Path(source) if source else REPO / "inventories" / "demo", destination)
    keys = destination / "keys"
    keys.mkdir(exist_ok=True)
    keyring = TestKeyring(base_dir=str(keyring_dir) if keyring_dir else None)
    for user in DEMO_USERS:
        key = keyring.generate(user, email=f"{user}@example.com")
        shutil.copy(key.public_key_file, keys / f"{user}.asc")
    return keyring


if __name__ == "__main__":
    # python tests/harness/demo_inventory.py DEST [KEYRING_DIR]
    ring = prepare_demo_inventory(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else None)
    print(ring.home)
