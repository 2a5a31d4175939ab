"""Real runner processes: two at once (the advisory lock) and runners killed with SIGKILL mid-migration."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest

from schemawright.migrate import apply_migrations

# The migrate commands on their own typer app, as `schemawright migrate ...` runs them.
CLI = "import sys, typer; from schemawright.cli.migrate import register; app = typer.Typer(); register(app); app(sys.argv[1:])"


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-c", CLI, "migrate", *args]


def _start(folder: Path, dsn: str, *args: str) -> subprocess.Popen:
    return subprocess.Popen(_cli("up", "--dir", str(folder), "--dsn", dsn, *args), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def _query(dsn: str, sql: str, *params):
    with psycopg.connect(dsn, autocommit=True) as conn:
        cur = conn.execute(sql, params)
        return cur.fetchall() if cur.description else None


def _wait_for(condition, what: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.05)


def _runner_query(dsn: str, like: str) -> list[tuple]:
    """(pid, wait_event_type) of runner backends whose current statement matches ``like``."""
    return _query(dsn, "SELECT pid, wait_event_type FROM pg_stat_activity WHERE datname = current_database() "
                       "AND application_name = 'schemawright migrate' AND query LIKE %s", like)


def _history(dsn: str) -> list[tuple]:
    return _query(dsn, "SELECT version, success, statements_done FROM schemawright_history ORDER BY version")


def test_two_runners_cannot_both_apply(tmp_path, scratch_dsn):
    _query(scratch_dsn, "CREATE TABLE gate (open boolean)")
    (tmp_path / "V1__slow.sql").write_text("CREATE TABLE t (id int);\nSELECT * FROM gate;\nINSERT INTO t VALUES (1);")
    (tmp_path / "V2__more.sql").write_text("INSERT INTO t VALUES (2);")
    with psycopg.connect(scratch_dsn) as gate:  # holds the first runner inside V1 until the test lets it go
        gate.execute("LOCK TABLE gate IN ACCESS EXCLUSIVE MODE")
        first = _start(tmp_path, scratch_dsn)
        _wait_for(lambda: _runner_query(scratch_dsn, "SELECT * FROM gate"), "the first runner to be inside V1", 60)
        impatient = subprocess.run(_cli("up", "--dir", str(tmp_path), "--dsn", scratch_dsn, "--lock-timeout", "0.2"),
                                   capture_output=True, text=True, timeout=60, check=False)
        assert impatient.returncode == 5, impatient.stderr
        assert "another migration runner holds the lock on public.schemawright_history" in impatient.stderr
        assert "application 'schemawright migrate'" in impatient.stderr
        second = _start(tmp_path, scratch_dsn)
        _wait_for(lambda: _runner_query(scratch_dsn, "SELECT pg_try_advisory_lock%"), "the second runner to wait", 60)
        gate.rollback()
        first_out, first_err = first.communicate(timeout=60)
        second_out, second_err = second.communicate(timeout=60)
    assert first.returncode == 0, first_err
    assert second.returncode == 0, second_err
    assert "waiting for the migration lock" in second_err
    assert "applied 2 migration(s)" in first_out and "applied 0 migration(s)" in second_out
    assert _query(scratch_dsn, "SELECT id FROM t ORDER BY id") == [(1,), (2,)]
    assert _history(scratch_dsn) == [("1", True, 3), ("2", True, 1)]


def test_a_runner_killed_in_a_transaction_leaves_nothing_half_done(tmp_path, scratch_dsn):
    _query(scratch_dsn, "CREATE TABLE control (slow boolean)")
    _query(scratch_dsn, "INSERT INTO control VALUES (true)")
    (tmp_path / "V1__a.sql").write_text("CREATE TABLE a (id int);")
    (tmp_path / "V2__b.sql").write_text("CREATE TABLE b (id int);\nINSERT INTO b VALUES (1);\n"
                                        "SELECT pg_sleep(CASE WHEN (SELECT slow FROM control) THEN 60 ELSE 0 END);\n"
                                        "INSERT INTO b VALUES (2);")
    (tmp_path / "V3__c.sql").write_text("CREATE TABLE c (id int);")
    runner = _start(tmp_path, scratch_dsn)
    _wait_for(lambda: _runner_query(scratch_dsn, "SELECT pg_sleep%"), "the runner to sleep inside V2")
    runner.send_signal(signal.SIGKILL)
    runner.wait(timeout=10)
    assert _history(scratch_dsn) == [("1", True, 1)]  # V2 is not recorded: its transaction never committed
    _query(scratch_dsn, "UPDATE control SET slow = false")
    started = time.monotonic()
    assert [r.version for r in apply_migrations(tmp_path, scratch_dsn, lock_timeout=30)] == ["2", "3"]
    assert time.monotonic() - started < 40  # well under the 60 s sleep: the server abandoned the dead runner
    assert _history(scratch_dsn) == [("1", True, 1), ("2", True, 4), ("3", True, 1)]
    assert _query(scratch_dsn, "SELECT id FROM b ORDER BY id") == [(1,), (2,)]


def test_a_runner_killed_during_create_index_concurrently_is_resumed(tmp_path, scratch_dsn):
    (tmp_path / "V1__items.sql").write_text("CREATE TABLE items (id int, code text);")
    (tmp_path / "V2__index.sql").write_text("INSERT INTO items VALUES (1, 'a');\n"
                                            "CREATE INDEX CONCURRENTLY items_code_idx ON items (code);\n"
                                            "CREATE TABLE after_index (id int);")
    apply_migrations(tmp_path, scratch_dsn, to="1")
    with psycopg.connect(scratch_dsn) as blocker:  # an open writer: the index build waits for it
        blocker.execute("INSERT INTO items VALUES (0, 'z')")
        runner = _start(tmp_path, scratch_dsn)
        _wait_for(lambda: [w for _, w in _runner_query(scratch_dsn, "CREATE INDEX CONCURRENTLY%") if w == "Lock"],
                  "the index build to wait for the open writer")
        assert _history(scratch_dsn) == [("1", True, 1), ("2", False, 1)]  # statement 1 committed, 2 under way
        runner.send_signal(signal.SIGKILL)
        runner.wait(timeout=10)
        _wait_for(lambda: not _runner_query(scratch_dsn, "CREATE INDEX CONCURRENTLY%"), "the server to stop the build")
        assert _query(scratch_dsn, "SELECT indisvalid FROM pg_index WHERE indexrelid = 'items_code_idx'::regclass") \
            == [(False,)]  # what an interrupted build leaves
        blocker.rollback()
    [result] = apply_migrations(tmp_path, scratch_dsn, lock_timeout=30)
    assert result.resumed_at == 2
    assert _history(scratch_dsn) == [("1", True, 1), ("2", True, 3)]
    assert _query(scratch_dsn, "SELECT id, code FROM items") == [(1, "a")]  # statement 1 did not run twice
    assert _query(scratch_dsn, "SELECT indisvalid FROM pg_index WHERE indexrelid = 'items_code_idx'::regclass") \
        == [(True,)]
    assert _query(scratch_dsn, "SELECT to_regclass('after_index') IS NOT NULL") == [(True,)]
