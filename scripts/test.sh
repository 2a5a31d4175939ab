#!/usr/bin/env bash
# Install everything and run the test suite (real PostgreSQL: the embedded server, started by the tests).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/system-deps.sh
# Two workers (pytest-xdist, --dist loadgroup; tests/conftest.py keeps them apart: a server and a
# SCHEMAWRIGHT_HOME each, the shared PostgreSQL 15 service's tests on one of them). SCHEMAWRIGHT_TEST_WORKERS=0,
# or -n 0 among the arguments, runs the suite in one process; so does SCHEMAWRIGHT_TEST_DSN (one server of
# yours for every test: two workers would meet on its cluster-wide roles).
default_workers=2
if [[ -n "${SCHEMAWRIGHT_TEST_DSN:-}" ]]; then default_workers=0; fi
workers="${SCHEMAWRIGHT_TEST_WORKERS:-$default_workers}"
parallel=()
if [[ "$workers" != 0 && " $* " != *" -n"* && " $* " != *" --numprocesses"* ]]; then
  parallel=(-n "$workers" --dist loadgroup)
fi
exec .venv/bin/python -m pytest ${parallel[@]+"${parallel[@]}"} "$@"
