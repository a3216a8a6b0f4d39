#!/usr/bin/env bash
# The one-command demo: set up, then the whole landing zone against a local
# moto server (started and stopped by scripts/demo.py), run twice.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
exec .venv/bin/python scripts/demo.py "$@"
