#!/usr/bin/env bash
# The whole test suite: unit and integration tests (against a moto server
# the tests start themselves), then ansible-test sanity.  Sets itself up.
# Arguments go to pytest.  Sanity runs even when pytest fails, so one run
# reports both; the exit status is non-zero if either failed.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
export PATH="$PWD/.venv/bin:$PATH"
workers=${TEST_WORKERS:-2}
echo "== pytest (unit + integration, $workers workers)"
pytest_status=0
python -m pytest -q -n "$workers" "$@" || pytest_status=$?
echo "== ansible-test sanity"
sanity_status=0
./scripts/sanity.sh || sanity_status=$?
if [ "$pytest_status" -ne 0 ] || [ "$sanity_status" -ne 0 ]; then
    echo "== FAILED: pytest exit $pytest_status, sanity exit $sanity_status"
    exit 1
fi
