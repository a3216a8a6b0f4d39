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
export MOLECULE_MOTO_PORT
MOLECULE_MOTO_PORT=$(python -c 'from tests.harness.motoserver import free_port; print(free_port())')
export LANDING_ZONE_REPO=$PWD
export ANSIBLE_COLLECTIONS_PATH=$PWD/.collections
cd extensions
exec molecule test -s default "$@"
