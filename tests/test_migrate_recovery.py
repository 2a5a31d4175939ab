"""Kill-safety: what the next run does with a non-transactional statement that was interrupted."""

from __future__ import annotations

import threading
import time

import psycopg
import pytest

from schemawright.migrate import apply_migrations
from schemawright.migrate.history import History, progress_checksum
from schemawright.migrate.recovery import still_to_run
from schemawright.project.statements import split_statements


@pytest.fixture
def conn(scratch_dsn):
    with psycopg.connect(scratch_dsn, autocommit=True) as conn:
        yield conn


def _stmt(conn, sql: str):
    return split_statements(sql, "f.sql")[0]


def test_create_index_concurrently(conn):
    conn.execute("CREATE SCHEMA s")
    conn.execute("CREATE TABLE s.t (a int)")
    stmt = _stmt(conn, "CREATE INDEX CONCURRENTLY t_a_idx ON s.t (a)")
    assert still_to_run(conn, stmt)  # never started
    conn.execute("CREATE INDEX t_a_idx ON s.t (a)")
    assert not still_to_run(conn, stmt)  # finished before the kill
    conn.execute("UPDATE pg_index SET indisvalid = false WHERE indexrelid = 's.t_a_idx'::regclass")
    assert still_to_run(conn, stmt)  # interrupted: the invalid index is dropped to build it again
    assert conn.execute("SELECT to_regclass('s.t_a_idx')").fetchone() == (None,)


def test_drop_index_and_objects_that_exist_or_not(conn):
    conn.execute("CREATE TABLE t (a int)")
    conn.execute("CREATE INDEX t_a_idx ON t (a)")
    drop = _stmt(conn, "DROP INDEX CONCURRENTLY t_a_idx")
    assert still_to_run(conn, drop)
    conn.execute("DROP INDEX t_a_idx")
    assert not still_to_run(conn, drop)
    conn.execute("CREATE TYPE mood AS ENUM ('ok')")
    assert still_to_run(conn, _stmt(conn, "ALTER TYPE mood ADD VALUE 'meh'"))
    assert not still_to_run(conn, _stmt(conn, "ALTER TYPE mood ADD VALUE 'ok'"))
    database = conn.execute("SELECT current_database()").fetchone()[0]
    assert not still_to_run(conn, _stmt(conn, f'CREATE DATABASE "{database}"'))
    assert not still_to_run(conn, _stmt(conn, "DROP DATABASE sw_surely_absent"))
    assert still_to_run(conn, _stmt(conn, "VACUUM t"))  # harmless to run again


def test_detach_partition_concurrently_left_pending_is_finalized(conn, scratch_dsn):
    conn.execute("CREATE TABLE p (k int) PARTITION BY RANGE (k)")
    conn.execute("CREATE TABLE p1 PARTITION OF p FOR VALUES FROM (0) TO (10)")
    stmt = _stmt(conn, "ALTER TABLE p DETACH PARTITION p1 CONCURRENTLY")
    assert still_to_run(conn, stmt)
    with psycopg.connect(scratch_dsn) as reader, psycopg.connect(scratch_dsn, autocommit=True) as detacher:
        reader.execute("SELECT * FROM p")  # an open reader: the detach waits for it after its first step
        pid = detacher.info.backend_pid
        errors = []
        thread = threading.Thread(target=lambda: _catch(errors, detacher.execute, stmt.text))
        thread.start()
        deadline = time.monotonic() + 20
        while conn.execute("SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", (pid,)).fetchone() != ("Lock",):
            assert time.monotonic() < deadline, "the detach never waited"
            time.sleep(0.05)
        conn.execute("SELECT pg_cancel_backend(%s)", (pid,))  # as a killed runner's backend would stop
        thread.join(10)
        reader.rollback()
    assert errors and isinstance(errors[0], psycopg.errors.QueryCanceled)
    assert conn.execute("SELECT inhdetachpending FROM pg_inherits WHERE inhrelid = 'p1'::regclass").fetchone() == (True,)
    assert not still_to_run(conn, stmt)  # finalized instead
    assert conn.execute("SELECT count(*) FROM pg_inherits WHERE inhrelid = 'p1'::regclass").fetchone() == (0,)
    assert not still_to_run(conn, stmt)  # already detached


def _catch(errors: list, fn, *args) -> None:
    try:
        fn(*args)
    except psycopg.Error as exc:
        errors.append(exc)


def test_killed_after_the_statement_but_before_the_history_moved_on(tmp_path, conn, scratch_dsn):
    """The worst moment: the index was built, the runner died before recording it."""
    v2 = "INSERT INTO items VALUES (1);\nCREATE INDEX CONCURRENTLY items_id_idx ON items (id);\nCREATE TABLE done (x int);"
    (tmp_path / "V1__items.sql").write_text("CREATE TABLE items (id int);")
    (tmp_path / "V2__index.sql").write_text(v2)
    apply_migrations(tmp_path, scratch_dsn, to="1")
    conn.execute("INSERT INTO items VALUES (1)")
    conn.execute("CREATE INDEX items_id_idx ON items (id)")
    history = History(conn)
    history.save(history.rows()[(1,)].but(version="2", description="index", script="V2__index.sql",
                                          success=False, statements_done=1,
                                          progress_checksum=progress_checksum(["INSERT INTO items VALUES (1)"])))
    [result] = apply_migrations(tmp_path, scratch_dsn)
    assert result.resumed_at == 2
    assert conn.execute("SELECT count(*) FROM items").fetchone() == (1,)
    assert conn.execute("SELECT success, statements_done FROM schemawright_history WHERE version = '2'").fetchone() \
        == (True, 3)
