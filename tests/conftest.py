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


PG15_DSN = "postgresql://postgres@/postgres?host=/var/run/postgresql"


@pytest.fixture(scope="session")
def pg15_dsn():
    """A server with the contrib extensions (pgcrypto): $SCHEMAWRIGHT_PG15_DSN, else the local Debian
    PostgreSQL 15 service; tests that need it are skipped, with the reason, when it is unreachable."""
    import psycopg

    dsn = os.environ.get("SCHEMAWRIGHT_PG15_DSN", PG15_DSN)
    try:
        with psycopg.connect(dsn, connect_timeout=3) as conn:
            has_pgcrypto = conn.execute(
                "SELECT count(*) FROM pg_available_extensions WHERE name = 'pgcrypto'").fetchone()[0]
    except psycopg.Error as exc:
        pytest.skip(f"no PostgreSQL with pgcrypto reachable at {dsn} (set SCHEMAWRIGHT_PG15_DSN): {exc}".strip())
    if not has_pgcrypto:
        pytest.skip(f"the server at {dsn} has no pgcrypto (install the PostgreSQL contrib package)")
    return dsn
