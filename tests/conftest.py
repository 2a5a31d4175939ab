"""Shared fixtures: a PostgreSQL server for the test session and scratch databases on it."""

from __future__ import annotations

import os
import shutil
import tempfile

import pytest

from schemawright.db import embedded, scratch_database


def pytest_addoption(parser):
    parser.addoption("--update-golden", action="store_true", default=False,
                     help="rewrite tests/golden/<example>/ from the current designer output instead of comparing")


@pytest.fixture(scope="session")
def pg_dsn():
    """$SCHEMAWRIGHT_TEST_DSN, else an embedded server in a per-run SCHEMAWRIGHT_HOME (stopped at the end)."""
    if dsn := os.environ.get("SCHEMAWRIGHT_TEST_DSN"):
        yield dsn
        return
    home = tempfile.mkdtemp(prefix="sw-test-", dir="/tmp")
    try:
        with pytest.MonkeyPatch.context() as mp:
            mp.setenv("SCHEMAWRIGHT_HOME", home)
            try:
                yield embedded.start()
            finally:
                mp.setenv("SCHEMAWRIGHT_HOME", home)  # in case a test left it pointing elsewhere
                embedded.stop()
    finally:
        shutil.rmtree(home, ignore_errors=True)


@pytest.fixture
def scratch_dsn(pg_dsn):
    """DSN of a fresh, empty database, dropped after the test."""
    with scratch_database(pg_dsn) as dsn:
        yield dsn
