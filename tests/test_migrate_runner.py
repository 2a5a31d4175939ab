"""The migration runner on a real PostgreSQL: up/down/status, failures, checksums, non-transactional
statements and resuming, verify, and the folders `schemawright design` writes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import psycopg
import pytest

from schemawright.migrate import MigrationError, apply_migrations, migration_status, undo_migrations, verify_migrations

EXAMPLES = Path(__file__).parents[1] / "examples"


def _write(folder: Path, **files: str) -> Path:
    for name, text in files.items():
        (folder / name).write_text(text)
    return folder


def _query(dsn: str, sql: str, *params):
    with psycopg.connect(dsn, autocommit=True) as conn:
        cur = conn.execute(sql, params)
        return cur.fetchall() if cur.description else None


def _history(dsn: str) -> list[tuple]:
    return _query(dsn, "SELECT version, success, direction, statements_done FROM schemawright_history "
                       "ORDER BY version::numeric")


def _states(folder: Path, dsn: str) -> dict[str, str]:
    return {v.version: v.state for v in migration_status(folder, dsn).versions}


@pytest.fixture
def three(tmp_path) -> Path:
    return _write(tmp_path, **{
                      "V001__users.sql": "CREATE TABLE users (id int PRIMARY KEY, email text NOT NULL);",
                      "U001__users.sql": "DROP TABLE users;",
                      "V002__orders.sql": "CREATE TABLE orders (id int PRIMARY KEY, user_id int REFERENCES users);\n"
                                          "CREATE FUNCTION n() RETURNS int LANGUAGE sql AS $$ SELECT 1; $$;",
                      "U002__orders.sql": "DROP FUNCTION n();\nDROP TABLE orders;",
                      "V003__email_index.sql": "CREATE UNIQUE INDEX users_email_key ON users (email);",
                      "U003__email_index.sql": "DROP INDEX users_email_key;"})


def test_up_status_down(three, scratch_dsn):
    assert set(_states(three, scratch_dsn).values()) == {"pending"}
    results = apply_migrations(three, scratch_dsn, to="2")
    assert [(r.version, r.statements) for r in results] == [("1", 1), ("2", 2)]
    assert _states(three, scratch_dsn) == {"1": "applied", "2": "applied", "3": "pending"}
    assert [r.version for r in apply_migrations(three, scratch_dsn)] == ["3"]
    assert apply_migrations(three, scratch_dsn) == []
    row = _query(scratch_dsn, "SELECT description, script, length(checksum), applied_by, execution_ms >= 0 "
                              "FROM schemawright_history WHERE version = '2'")[0]
    assert row == ("orders", "V002__orders.sql", 64, "postgres", True)
    assert [r.version for r in undo_migrations(three, scratch_dsn)] == ["3"]  # the newest only
    assert [r.version for r in undo_migrations(three, scratch_dsn, to="0")] == ["2", "1"]
    assert _history(scratch_dsn) == []
    assert _query(scratch_dsn, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'") == [(1,)]  # history


def test_a_failure_rolls_back_and_says_where_and_why(three, scratch_dsn):
    apply_migrations(three, scratch_dsn, to="2")
    _query(scratch_dsn, "INSERT INTO users VALUES (1, 'a@x'), (2, 'a@x')")
    _write(three, **{"V003__email_index.sql": "CREATE TABLE audit (id int);\n\nCREATE UNIQUE INDEX users_email_key\n"
                                              "    ON users (email);"})
    with pytest.raises(MigrationError) as info:
        apply_migrations(three, scratch_dsn)
    message = str(info.value)
    assert "V003__email_index.sql: statement 2 (line 3) failed: 23505 could not create unique index" in message
    assert "DETAIL: Key (email)=(a@x) is duplicated." in message
    assert "rolled back: the database stays at version 2" in message
    assert _history(scratch_dsn) == [("1", True, "up", 1), ("2", True, "up", 2)]
    assert _query(scratch_dsn, "SELECT to_regclass('audit')") == [(None,)]


def test_syntax_errors_point_at_the_line(three, scratch_dsn):
    _write(three, **{"V001__users.sql": "CREATE TABLE users (id int);\nCREATE TABLE x (\n  a int,\n  b nope\n);"})
    with pytest.raises(MigrationError, match=r"statement 2 \(line 4\) failed: 42704 type \"nope\" does not exist"):
        apply_migrations(three, scratch_dsn)
    _write(three, **{"V001__users.sql": "CREATE TABLE users (id int);\nCREATE TABEL x (a int);"})
    with pytest.raises(MigrationError, match=r"statement 2 \(line 2\) failed: 42601 syntax error at or near \"TABEL\""):
        apply_migrations(three, scratch_dsn)
    assert _history(scratch_dsn) == []


def test_a_lost_connection_is_reported_and_leaves_nothing_half_done(tmp_path, scratch_dsn):
    _write(tmp_path, **{"V1__t.sql": "CREATE TABLE t (a int);\nSELECT pg_terminate_backend(pg_backend_pid());"})
    with pytest.raises(MigrationError, match=r"(?s)V1__t.sql: statement 2 \(line 2\) failed: .*The connection failed"):
        apply_migrations(tmp_path, scratch_dsn)
    assert _states(tmp_path, scratch_dsn) == {"1": "pending"}
    assert _query(scratch_dsn, "SELECT to_regclass('t')") == [(None,)]


def test_an_edited_applied_migration_is_refused(three, scratch_dsn):
    apply_migrations(three, scratch_dsn, to="2")
    _write(three, **{"V001__users.sql": "CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL);"})
    with pytest.raises(MigrationError, match=r"V001__users.sql was edited after it was applied \(checksum mismatch"):
        apply_migrations(three, scratch_dsn)
    assert _states(three, scratch_dsn) == {"1": "checksum-mismatch", "2": "applied", "3": "pending"}
    with pytest.raises(MigrationError, match="nothing was undone"):
        undo_migrations(three, scratch_dsn, to="0")
    (three / "V001__users.sql").write_bytes(b"\xef\xbb\xbfCREATE TABLE users (id int PRIMARY KEY, email text NOT NULL);")
    assert _states(three, scratch_dsn)["1"] == "applied"  # a BOM is no edit


def test_missing_and_out_of_order_files_are_refused(three, scratch_dsn):
    apply_migrations(three, scratch_dsn, to="1")
    _write(three, **{"V003__email_index.sql": "SELECT 1;"})
    apply_migrations(three, scratch_dsn, to="1")
    (three / "V002__orders.sql").rename(three / "V004__orders.sql")
    (three / "U002__orders.sql").rename(three / "U004__orders.sql")
    apply_migrations(three, scratch_dsn, to="3")
    (three / "V002__late.sql").write_text("SELECT 1;")
    with pytest.raises(MigrationError, match="V002__late.sql is pending but V3 is already applied: out-of-order"):
        apply_migrations(three, scratch_dsn)
    (three / "V002__late.sql").unlink()
    (three / "V001__users.sql").unlink()
    (three / "U001__users.sql").unlink()
    with pytest.raises(MigrationError, match=r"V1 \(V001__users.sql\) is in public.schemawright_history but not"):
        apply_migrations(three, scratch_dsn)
    assert _states(three, scratch_dsn)["1"] == "missing"


MIXED = """CREATE TABLE items (id int PRIMARY KEY, code text);
INSERT INTO items VALUES (1, 'a'), (2, 'a');
CREATE UNIQUE INDEX CONCURRENTLY items_code_key ON items (code);
CREATE TABLE after_index (id int);
"""


def test_non_transactional_statements_run_alone_and_a_failure_resumes(tmp_path, scratch_dsn):
    _write(tmp_path, **{"V1__mixed.sql": MIXED, "U1__mixed.sql": "DROP INDEX CONCURRENTLY items_code_key;\n"
                                                                 "DROP TABLE after_index, items;"})
    with pytest.raises(MigrationError) as info:
        apply_migrations(tmp_path, scratch_dsn)
    message = str(info.value)
    assert "V1__mixed.sql: statement 3 (line 3) failed: 23505" in message
    assert "Statements 1-2 of V1__mixed.sql stay committed" in message and "resumes at statement 3" in message
    assert _history(scratch_dsn) == [("1", False, "up", 2)]
    assert _query(scratch_dsn, "SELECT count(*) FROM items") == [(2,)]
    assert _query(scratch_dsn, "SELECT to_regclass('items_code_key')") == [(None,)]  # the invalid index is gone
    status = migration_status(tmp_path, scratch_dsn).versions[0]
    assert status.state == "failed" and "stopped after statement 2: V1__mixed.sql: statement 3" in status.detail

    _write(tmp_path, **{"V1__mixed.sql": MIXED.replace("(2, 'a')", "(2, 'b')")})  # editing a done statement
    with pytest.raises(MigrationError, match="its first 2 statements changed since"):
        apply_migrations(tmp_path, scratch_dsn)

    _write(tmp_path, **{"V1__mixed.sql": MIXED.replace("UNIQUE INDEX", "INDEX")})  # fix the failing one
    [result] = apply_migrations(tmp_path, scratch_dsn)
    assert result.resumed_at == 3
    assert _history(scratch_dsn) == [("1", True, "up", 4)]
    assert _query(scratch_dsn, "SELECT count(*) FROM items") == [(2,)]  # the INSERT did not run twice
    assert _query(scratch_dsn, "SELECT indisvalid FROM pg_index WHERE indexrelid = 'items_code_key'::regclass") == [(True,)]
    undo_migrations(tmp_path, scratch_dsn)
    assert _history(scratch_dsn) == [] and _query(scratch_dsn, "SELECT to_regclass('items')") == [(None,)]


def test_a_failed_undo_is_rolled_back_and_stays_applied(three, scratch_dsn):
    apply_migrations(three, scratch_dsn)
    _write(three, **{"U003__email_index.sql": "DROP INDEX users_email_key;\nDROP TABLE nope;"})
    with pytest.raises(MigrationError, match=r"(?s)U003__email_index.sql: statement 2 \(line 2\) failed: 42P01.*V3 stays applied"):
        undo_migrations(three, scratch_dsn)
    assert _states(three, scratch_dsn)["3"] == "applied"
    assert _query(scratch_dsn, "SELECT to_regclass('users_email_key') IS NOT NULL") == [(True,)]


def test_an_undo_that_stops_part_way_is_recorded_and_resumed(tmp_path, scratch_dsn):
    _write(tmp_path, **{"V1__t.sql": "CREATE TABLE t (a int);\nCREATE INDEX t_a_idx ON t (a);",
                        "U1__t.sql": "DROP INDEX CONCURRENTLY t_a_idx;\nDROP TABLE nope;"})
    apply_migrations(tmp_path, scratch_dsn)
    with pytest.raises(MigrationError, match=r"(?s)U1__t.sql: statement 2 \(line 2\) failed: 42P01.*resumes at statement 2"):
        undo_migrations(tmp_path, scratch_dsn)
    assert _history(scratch_dsn) == [("1", False, "down", 1)]
    assert _states(tmp_path, scratch_dsn) == {"1": "undo-incomplete"}
    with pytest.raises(MigrationError, match="the undo of V1 stopped after statement 1 of U1__t.sql: run 'migrate down'"):
        apply_migrations(tmp_path, scratch_dsn)
    _write(tmp_path, **{"U1__t.sql": "DROP INDEX CONCURRENTLY t_a_idx;\nDROP TABLE t;"})
    [result] = undo_migrations(tmp_path, scratch_dsn)
    assert result.resumed_at == 2 and _history(scratch_dsn) == []
    assert _query(scratch_dsn, "SELECT to_regclass('t')") == [(None,)]

    apply_migrations(tmp_path, scratch_dsn)  # an undo failing at its first statement changes nothing
    applied_at = _query(scratch_dsn, "SELECT applied_at FROM schemawright_history")
    _write(tmp_path, **{"U1__t.sql": "DROP INDEX CONCURRENTLY nope_idx;\nDROP TABLE t;"})
    with pytest.raises(MigrationError, match="V1 stays applied"):
        undo_migrations(tmp_path, scratch_dsn)
    assert _history(scratch_dsn) == [("1", True, "up", 2)]
    assert _query(scratch_dsn, "SELECT applied_at FROM schemawright_history") == applied_at


def test_a_history_table_elsewhere(three, scratch_dsn):
    _query(scratch_dsn, "CREATE SCHEMA ops")
    apply_migrations(three, scratch_dsn, table="ops.migrations")
    assert _query(scratch_dsn, "SELECT count(*) FROM ops.migrations") == [(3,)]
    assert migration_status(three, scratch_dsn, table="ops.migrations").current == "3"
    assert migration_status(three, scratch_dsn).current is None  # the default table does not exist
    with pytest.raises(MigrationError, match="is not a table name"):
        apply_migrations(three, scratch_dsn, table="ops.")


def test_verify_goes_up_down_and_up_in_a_scratch_database(three, pg_dsn, scratch_dsn):
    result = verify_migrations(three, scratch_dsn)
    assert result.ok, result.problems
    assert _query(scratch_dsn, "SELECT to_regclass('schemawright_history')") == [(None,)]  # untouched
    _write(three, **{"U002__orders.sql": "DROP TABLE orders;"})  # forgets the function
    problems = verify_migrations(three, scratch_dsn).problems
    assert problems[0] == "after down to zero: public: unexpected function n()"
    assert problems[1].startswith('up again failed: V002__orders.sql: statement 2 (line 2) failed: 42723')


def test_design_output_applies_and_verifies(tmp_path, scratch_dsn):
    out = tmp_path / "project"
    subprocess.run([sys.executable, "-m", "schemawright", "design", str(EXAMPLES / "ecommerce.json"), "-o", str(out)],
                   check=True, capture_output=True)
    migrations = out / "migrations"
    [result] = apply_migrations(migrations, scratch_dsn)
    assert result.version == "1" and result.statements > 20
    assert _query(scratch_dsn, "SELECT to_regclass('users') IS NOT NULL") == [(True,)]
    assert verify_migrations(migrations, scratch_dsn).ok
    undo_migrations(migrations, scratch_dsn)
    assert _query(scratch_dsn, "SELECT to_regclass('users')") == [(None,)]


def test_an_unreachable_server_is_a_clear_error(three):
    with pytest.raises(Exception, match="could not connect") as info:
        apply_migrations(three, "postgresql://nobody@127.0.0.1:1/none?connect_timeout=2")
    assert getattr(info.value, "exit_code", None) == 3


def test_a_label_added_to_an_enum_can_be_used_later_in_the_same_migration(tmp_path, scratch_dsn):
    from schemawright.migrate import apply_migrations

    (tmp_path / "V1__mood.sql").write_text("CREATE TYPE mood AS ENUM ('sad');\nCREATE TABLE t (m mood);\n")
    (tmp_path / "V2__meh.sql").write_text("ALTER TYPE mood ADD VALUE 'meh';\n"
                                          "ALTER TABLE t ALTER COLUMN m SET DEFAULT 'meh';\n")
    apply_migrations(tmp_path, scratch_dsn)
    import psycopg
    with psycopg.connect(scratch_dsn) as conn:
        conn.execute("INSERT INTO t DEFAULT VALUES")
        assert conn.execute("SELECT m::text FROM t").fetchone()[0] == "meh"
