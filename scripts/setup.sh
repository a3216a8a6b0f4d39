#!/usr/bin/env bash
# Prepare a fresh clone: a virtualenv in .venv with the Python packages, and
# a collections tree in .collections that holds amazon.aws and this checkout
# (as awsorg.landing_zone), so ansible.cfg resolves both without Galaxy.
# Idempotent: a second run only checks.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
# The Python that builds .venv: $PYTHON if set, else the operating system's
# own 3.11 before one found on PATH.  Debian and Ubuntu build CPython with
# profile-guided and link-time optimization; pyenv builds without them unless
# asked (--enable-optimizations).  On these machines pyenv's 3.11 ran a
# playbook of four module tasks (controller and modules) with about 30% more
# CPU time, and two integration test files with 25% more (docs/developing.md
# has what the whole suite showed).  A Python whose venv has no ensurepip
# (Debian without python3.11-venv) is passed over.
if [ -z "${PYTHON:-}" ]; then
    for candidate in /usr/bin/python3.11 python3.11 python3; do
        if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c 'import ensurepip, venv' 2>/dev/null; then
            PYTHON=$candidate
            break
        fi
    done
    PYTHON=${PYTHON:-python3}
fi
# amazon.aws comes from the 'ansible' community package wheel (Galaxy is not
# reachable from every machine); 12.3.0 bundles amazon.aws 10.1.2.
ANSIBLE_BUNDLE_VERSION=${ANSIBLE_BUNDLE_VERSION:-12.3.0}
VENV=$ROOT/.venv
COLLECTIONS=$ROOT/.collections/ansible_collections

log() { printf '[setup] %s\n' "$*"; }

if [ ! -x "$VENV/bin/python" ]; then
    log "creating virtualenv $VENV with $("$PYTHON" --version)"
    "$PYTHON" -m venv "$VENV"
fi
stamp=$VENV/.requirements.sha
want=$(cat requirements.txt requirements-dev.txt | sha256sum | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    log "installing Python packages"
    "$VENV/bin/python" -m pip install --quiet --upgrade pip
    "$VENV/bin/python" -m pip install --quiet -r requirements-dev.txt
    echo "$want" > "$stamp"
fi

# Collections taken from that wheel: amazon.aws (the modules build on it) and
# awx.awx (only to syntax-check and lint playbooks/awx/, the AWX configuration).
BUNDLED_COLLECTIONS="amazon/aws awx/awx"
missing=""
for collection in $BUNDLED_COLLECTIONS; do
    [ -f "$COLLECTIONS/$collection/MANIFEST.json" ] || missing="$missing $collection"
done
if [ -n "$missing" ]; then
    log "installing${missing//\//.} from the ansible $ANSIBLE_BUNDLE_VERSION wheel"
    tmp=$(mktemp -d)
    trap 'rm -rf "$tmp"' EXIT
    "$VENV/bin/python" -m pip download --quiet --no-deps --only-binary=:all: \
        -d "$tmp" "ansible==$ANSIBLE_BUNDLE_VERSION"
    # shellcheck disable=SC2086  # one argument per collection
    "$VENV/bin/python" - "$tmp" $missing <<'PY'
import pathlib, sys, zipfile
tmp = pathlib.Path(sys.argv[1])
prefixes = tuple(f"ansible_collections/{name}/" for name in sys.argv[2:])
wheel = next(tmp.glob("ansible-*.whl"))
with zipfile.ZipFile(wheel) as zf:
    members = [m for m in zf.namelist() if m.startswith(prefixes)]
    zf.extractall(tmp / "x", members)
PY
    mkdir -p "$COLLECTIONS"
    for collection in $missing; do
        "$VENV/bin/ansible-galaxy" collection install --force --no-deps \
            -p "$ROOT/.collections" "$tmp/x/ansible_collections/$collection" >/dev/null
    done
fi

# This checkout is the collection root: link it into the collections tree.
mkdir -p "$COLLECTIONS/awsorg"
ln -sfn ../../.. "$COLLECTIONS/awsorg/landing_zone"
# The whole output captured, then its first line: a pipe into `head -1` closes
# before ansible has written the rest, and ansible then dies on a BrokenPipe.
ansible_version=$("$VENV/bin/ansible" --version)
log "ready: ${ansible_version%%$'\n'*}, amazon.aws $(
    "$VENV/bin/python" -c 'import json,sys; print(json.load(open(sys.argv[1]))["collection_info"]["version"])' \
    "$COLLECTIONS/amazon/aws/MANIFEST.json")"
