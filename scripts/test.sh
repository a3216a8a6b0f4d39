#!/usr/bin/env bash
# The whole test suite, set-up included:
#   1. pytest: unit tests and integration tests against moto servers the
#      tests start themselves (arguments go to pytest);
#   2. ansible-test sanity on the collection, and beside it ansible-lint on the
#      whole collection (its pytest test, left out of the pytest stage).
# Sanity and lint start with pytest: the run is bound by CPU (two cores, three
# pytest workers, each test's ansible-playbook and module processes), so
# what counts is the CPU time of all three, and the two fill the cores the
# pytest workers leave idle while their tests wait on moto, delays and child
# processes, and at pytest's tail.  Sanity works on its own copy of the
# collection; ansible-lint reads the checkout, where pytest writes only under
# the paths .ansible-lint excludes (tests/output, .pytest_cache).
# Not here, to keep this under ten minutes on two cores; CI (.ci/run) runs
# them after it: the scenarios marked "long" (make test-long), the whole demo
# through pytest (make test-full-demo) and Molecule (make molecule).
# Every stage runs even when an earlier one failed, so one run reports all;
# the last lines say which stage passed or failed and how long each took,
# and the exit status is non-zero if any failed.  Logs: tests/output/.
#
#   TEST_WORKERS=N   pytest workers (default: cores + 1: the tests wait on
#                    moto, the proxy and child processes part of the time)
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.venv/bin:$PATH"
workers=${TEST_WORKERS:-$(($(nproc) + 1))}
output=$PWD/tests/output
started=$SECONDS
summary=()
failed=0

# record NAME STATUS SECONDS DETAIL: one line of the final summary.
record() {
    local verdict=PASSED
    if [ "$2" -ne 0 ]; then
        verdict="FAILED (exit $2)"
        failed=1
    fi
    summary+=("$(printf '%-9s %-16s %5d s  %s' "$1" "$verdict" "$3" "$4")")
}

plain() { sed 's/\x1b\[[0-9;]*m//g'; }

# pytest_summary LOG: pytest's last line without its frame, e.g.
# "3 failed, 650 passed in 380.12s (0:06:20)".
pytest_summary() { tail -n 1 "$1" | plain | sed 's/^=* *//; s/ *=*$//'; }

# in_background NAME COMMAND...: COMMAND's output to tests/output/NAME.log,
# "status seconds" to tests/output/NAME.status when it ends.
in_background() {
    local name=$1
    shift
    rm -f "$output/$name.status"
    (
        stage_started=$SECONDS
        status=0
        "$@" > "$output/$name.log" 2>&1 < /dev/null || status=$?
        echo "$status $((SECONDS - stage_started))" > "$output/$name.status"
    ) &
}

# finished NAME: "status seconds" of a background stage (a lost one failed).
finished() {
    cat "$output/$1.status" 2>/dev/null || echo "1 0"
}

# show_finished NAME TITLE LINES: sets status and seconds of a background
# stage, and shows the last LINES of its log (60 when it failed).
show_finished() {
    read -r status seconds < <(finished "$1")
    echo "== $2"
    if [ "$status" -eq 0 ]; then
        tail -n "$3" "$output/$1.log"
    else
        tail -n 60 "$output/$1.log"
    fi
}

mkdir -p "$output"

echo "== setup"
stage_started=$SECONDS
status=0
./scripts/setup.sh || status=$?
record setup "$status" $((SECONDS - stage_started)) ""
if [ "$status" -ne 0 ]; then
    printf '   %s\n' "${summary[@]}"
    exit 1
fi

# ansible-lint's test runs beside pytest, not in it (see above).
lint_test=tests/integration/test_ecosystem_checks.py::test_ansible_lint_production_profile_passes_on_the_whole_collection

echo "== ansible-test sanity and ansible-lint in the background (logs: tests/output/sanity.log, lint.log)"
in_background sanity ./scripts/sanity.sh
in_background lint python -m pytest -q -p no:xdist -p no:cacheprovider "$lint_test"

echo "== pytest (unit + integration, $workers workers)"
stage_started=$SECONDS
status=0
# --maxschedchunk 1: each worker gets its next test when it is almost done,
# so the few tests of minutes (ordered first: tests/integration/conftest.py)
# go to different workers and the short ones fill in around them.
python -m pytest -q -n "$workers" --dist load --maxschedchunk 1 --durations=25 --deselect "$lint_test" "$@" 2>&1 \
    | tee "$output/pytest.log" || status=$?
record pytest "$status" $((SECONDS - stage_started)) \
    "$(pytest_summary "$output/pytest.log")"

wait

show_finished sanity "ansible-test sanity" 3
record sanity "$status" "$seconds" "log: tests/output/sanity.log"

show_finished lint "ansible-lint (its pytest test)" 1
record lint "$status" "$seconds" "$(pytest_summary "$output/lint.log")"

echo
echo "== make test: $((SECONDS - started)) s"
printf '   %s\n' "${summary[@]}"
if [ "$failed" -ne 0 ]; then
    echo "== FAILED"
    exit 1
fi
echo "== PASSED"
