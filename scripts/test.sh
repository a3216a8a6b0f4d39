#!/usr/bin/env bash
# The whole test suite: unit and integration tests (against a moto server
# the tests start themselves), then ansible-test sanity.  Sets itself up.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
export PATH="$PWD/.venv/bin:$PATH"
workers=${TEST_WORKERS:-2}
echo "== pytest (unit + integration, $workers workers)"
python -m pytest -q -n "$workers" "$@"
