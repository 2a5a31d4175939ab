#!/usr/bin/env bash
# Install everything and run the test suite (real PostgreSQL: the embedded server, started by the tests).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/system-deps.sh
exec .venv/bin/python -m pytest "$@"
