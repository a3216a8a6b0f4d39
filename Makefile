# The two commands a newcomer needs: `make demo` and `make test`.
.PHONY: setup demo demo-stop test unit integration molecule sanity test-awx-workflow test-long test-full-demo clean

setup:
	./scripts/setup.sh

# make demo KEEP=1 leaves moto and the strict proxy running, and prints how to
# preview a change against them; make demo-stop stops them.
demo:
	./scripts/demo.sh $(if $(filter-out 0 no false,$(KEEP)),--keep)

demo-stop:
	.venv/bin/python scripts/demo.py --stop

test:
	./scripts/test.sh

unit: setup
	.venv/bin/python -m pytest tests/unit -q

integration: setup
	.venv/bin/python -m pytest tests/integration -q -n 2

# The scenarios of tens of seconds each (pytest marker "long": several
# converges, previews and re-runs of one area that shorter tests in make test
# also cover); CI runs them after make test.
test-long: setup
	.venv/bin/python -m pytest -q -n 3 --dist load --maxschedchunk 1 -m long tests/integration

# The tests that take the whole demo landing zone through pytest, and the
# long multi-run scenarios (preview, drift report): minutes each; CI runs
# them after make test.
test-full-demo: setup
	.venv/bin/python -m pytest -q -n 2 -m full_demo tests/integration

test-awx-workflow: setup
	.venv/bin/python -m pytest -q -m awx_workflow tests/integration/test_awx.py

molecule: setup
	./scripts/molecule.sh

sanity:
	./scripts/sanity.sh

clean:
	rm -rf .venv .collections tests/output .demo
