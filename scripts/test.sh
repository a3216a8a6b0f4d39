#!/usr/bin/env bash
# The whole test suite, set-up included:
#   1. pytest: unit tests and integration tests against moto servers the
#      tests start themselves (arguments go to pytest);
#   2. Molecule: the demo landing zone converged, idempotence, verify;
#   3. ansible-test sanity on the collection.
# Every step runs even when an earlier one failed, so one run reports all;
# the exit status is non-zero if any failed.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
export PATH="$PWD/.venv/bin:$PATH"
workers=${TEST_WORKERS:-2}
started=$SECONDS

echo "== pytest (unit + integration, $workers workers)"
pytest_status=0
python -m pytest -q -n "$workers" "$@" || pytest_status=$?

echo "== molecule (extensions/molecule/default)"
molecule_status=0
mkdir -p tests/output
./scripts/molecule.sh > tests/output/molecule.log 2>&1 || molecule_status=$?
grep -E "SCENARIO RECAP" -A2 tests/output/molecule.log || true
[ "$molecule_status" -eq 0 ] || tail -60 tests/output/molecule.log

echo "== ansible-test sanity"
sanity_status=0
./scripts/sanity.sh || sanity_status=$?

echo "== done in $((SECONDS - started)) s: pytest exit $pytest_status, molecule exit $molecule_status, sanity exit $sanity_status"
if [ "$pytest_status" -ne 0 ] || [ "$molecule_status" -ne 0 ] || [ "$sanity_status" -ne 0 ]; then
    exit 1
fi
