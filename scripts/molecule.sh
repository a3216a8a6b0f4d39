#!/usr/bin/env bash
# The Molecule scenario (extensions/molecule/default): a working copy of the
# demo inventory (with generated GPG keys), the scenario's AWS (moto behind
# the strict proxy: tests/harness/stack.py, each server on a port it bound
# itself), then `molecule test` (destroy, prepare, converge, idempotence,
# verify, destroy); the stack is stopped when molecule exits, however it ends.
#
# Everything lives in tests/output/molecule/ of this checkout, molecule's
# scenario state included (MOLECULE_EPHEMERAL_DIRECTORY; set it yourself to
# put it elsewhere), so two checkouts on one machine never share anything.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.venv/bin:$PATH"
work=$PWD/tests/output/molecule
# A stack a killed earlier run left behind goes before its state file does.
python -m tests.harness.stack stop --state "$work/stack/state.json" >/dev/null 2>&1 || true
rm -rf "$work" && mkdir -p "$work"
export MOLECULE_EPHEMERAL_DIRECTORY=${MOLECULE_EPHEMERAL_DIRECTORY:-$work/ephemeral}
export MOLECULE_DEMO_INVENTORY=$work/inventory
# The users' private keys: in the system temp dir (gpg-agent's socket path
# must stay short), removed at the end.
keyring=$(python tests/harness/demo_inventory.py "$MOLECULE_DEMO_INVENTORY")

export LANDING_ZONE_REPO=$PWD
export LANDING_ZONE_STACK_STATE=$work/stack/state.json
mkdir -p "$work/stack"
cleanup() {
    cd "$LANDING_ZONE_REPO" && python -m tests.harness.stack stop --state "$LANDING_ZONE_STACK_STATE" >/dev/null || true
    rm -rf "$keyring"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
# Exports LANDING_ZONE_PROXY_URL (the plays' AWS_ENDPOINT_URL) and
# LANDING_ZONE_MOTO_URL (verify reads the end state there).
stack_exports=$(python -m tests.harness.stack start --state "$LANDING_ZONE_STACK_STATE")
eval "$stack_exports"
echo "moto on $LANDING_ZONE_MOTO_URL, strict AWS proxy on $LANDING_ZONE_PROXY_URL (logs in $work/stack)"

export ANSIBLE_COLLECTIONS_PATH=$PWD/.collections
# In a subshell: the EXIT trap above runs from the checkout's root.
(cd extensions && molecule test -s default "$@")
