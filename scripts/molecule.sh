#!/usr/bin/env bash
# The Molecule scenario: a working copy of the demo inventory (with generated
# GPG keys) and a free port for the scenario's moto server, then
# `molecule test` (prepare, converge, idempotence, verify, destroy).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.venv/bin:$PATH"
work=$PWD/tests/output/molecule
rm -rf "$work" && mkdir -p "$work"
export MOLECULE_DEMO_INVENTORY=$work/inventory
python tests/harness/demo_inventory.py "$MOLECULE_DEMO_INVENTORY" >/dev/null
# The plays talk to the strict AWS proxy (MOLECULE_MOTO_PORT), which talks to moto.
export MOLECULE_MOTO_PORT MOLECULE_MOTO_UPSTREAM_PORT
read -r MOLECULE_MOTO_PORT MOLECULE_MOTO_UPSTREAM_PORT < <(python - <<'PY'
import socket
# Both sockets held at once, so the two ports differ.
sockets = [socket.socket() for _ in range(2)]
for sock in sockets:
    sock.bind(("127.0.0.1", 0))
print(*(sock.getsockname()[1] for sock in sockets))
PY
)
export LANDING_ZONE_REPO=$PWD
export ANSIBLE_COLLECTIONS_PATH=$PWD/.collections
cd extensions
exec molecule test -s default "$@"
