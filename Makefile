# The two commands a newcomer needs: `make demo` and `make test`.
.PHONY: setup demo test unit integration molecule sanity test-awx-workflow clean

setup:
	./scripts/setup.sh

demo:
	./scripts/demo.sh

test:
	./scripts/test.sh

unit: setup
	.venv/bin/python -m pytest tests/unit -q

integration: setup
	.venv/bin/python -m pytest tests/integration -q -n 2

test-awx-workflow: setup
	.venv/bin/python -m pytest -q -m awx_workflow tests/integration/test_awx.py

molecule: setup
	./scripts/molecule.sh

sanity:
	./scripts/sanity.sh

clean:
	rm -rf .venv .collections tests/output .demo
