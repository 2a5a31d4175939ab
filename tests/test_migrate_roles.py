"""Role changes inside a migration never reach the runner's bookkeeping (issue 13).

A migration that says ``SET ROLE <project>_owner`` (as every file `design` and `diff` write does) runs
its statements as that role, but the history table belongs to the user who connected: the runner
writes it as that user, also around statements that run outside a transaction and when recording a
failure; and the next migration starts as the connecting user again. Real PostgreSQL, a role of our own.
"""

from __future__ import annotations

import secrets
from pathlib import Path

import psycopg
import pytest

from schemawright.migrate import MigrationError, apply_migrations, migration_status, undo_migrations, verify_migrations


def _query(dsn: str, sql: str, *params):
    with psycopg.connect(dsn, autocommit=True) as conn:
        cur = conn.execute(sql, params)
        return cur.fetchall() if cur.description else None


@pytest.fixture
def owner(scratch_dsn):
    """A NOLOGIN role owning the scratch database's public schema objects it creates (unique name: roles are
    cluster-wide), dropped afterwards."""
    role = f"sw_test_owner_{secrets.token_hex(4)}"
    _query(scratch_dsn, f"CREATE ROLE {role} NOLOGIN")
    yield role
    _query(scratch_dsn, f"DROP OWNED BY {role} CASCADE")
    _query(scratch_dsn, f"DROP ROLE {role}")


def _write(folder: Path, **files: str) -> Path:
    for name, text in files.items():
        (folder / name).write_text(text)
    return folder


def test_set_role_with_a_concurrent_index_applies_and_records_history(tmp_path, scratch_dsn, owner):
    _write(tmp_path, **{
        "V001__owned.sql": f"GRANT CREATE, USAGE ON SCHEMA public TO {owner};\nSET ROLE {owner};\nCREATE TABLE owned (id int, code text);\n"
                           "CREATE INDEX CONCURRENTLY owned_code_idx ON owned (code);\n"
                           "CREATE TABLE owned_more (id int);\nRESET ROLE;\n",
        "U001__owned.sql": f"SET ROLE {owner};\nDROP TABLE owned_more;\nDROP INDEX CONCURRENTLY owned_code_idx;\n"
                           "DROP TABLE owned;\nRESET ROLE;\n"
                           f"REVOKE CREATE, USAGE ON SCHEMA public FROM {owner};\n",
        # a file that switches role and never switches back: the next file must not run as that role
        "V002__left_as_owner.sql": f"SET ROLE {owner};\nCREATE TABLE by_owner AS SELECT current_user::text AS u;\n",
        "U002__left_as_owner.sql": f"SET ROLE {owner};\nDROP TABLE by_owner;\n",
        "V003__as_runner.sql": "CREATE TABLE by_runner AS SELECT current_user::text AS u;\n",
        "U003__as_runner.sql": "DROP TABLE by_runner;\n"})
    results = apply_migrations(tmp_path, scratch_dsn)
    assert [r.version for r in results] == ["1", "2", "3"]
    assert _query(scratch_dsn, "SELECT version, success, applied_by FROM schemawright_history ORDER BY version") == [
        ("1", True, "postgres"), ("2", True, "postgres"), ("3", True, "postgres")]
    assert _query(scratch_dsn, "SELECT tableowner FROM pg_tables WHERE tablename IN ('owned', 'owned_more') "
                               "GROUP BY 1") == [(owner,)]
    assert _query(scratch_dsn, "SELECT u FROM by_owner") == [(owner,)]
    assert _query(scratch_dsn, "SELECT u FROM by_runner") == [("postgres",)]
    assert _query(scratch_dsn, "SELECT tableowner FROM pg_tables WHERE tablename = 'schemawright_history'") == [
        ("postgres",)]
    assert len(undo_migrations(tmp_path, scratch_dsn, to="0")) == 3
    assert _query(scratch_dsn, "SELECT count(*) FROM schemawright_history") == [(0,)]
    assert verify_migrations(tmp_path, scratch_dsn).ok


def test_a_failure_after_set_role_is_recorded_with_the_resume_point(tmp_path, scratch_dsn, owner):
    _query(scratch_dsn, f"GRANT CREATE, USAGE ON SCHEMA public TO {owner}")
    text = (f"SET ROLE {owner};\nCREATE TABLE items (id int, code text);\nINSERT INTO items VALUES (1, 'a');\n"
            "CREATE INDEX CONCURRENTLY items_code_idx ON items (code);\n"
            "CREATE TABLE later (id int);\nSELECT 1 / 0;\n")
    _write(tmp_path, **{"V1__items.sql": text, "U1__items.sql": "DROP TABLE later;\nDROP TABLE items;\n"})
    with pytest.raises(MigrationError) as info:
        apply_migrations(tmp_path, scratch_dsn)
    message = str(info.value)
    assert "statement 6 (line 6) failed: 22012" in message
    assert "Statements 1-4 of V1__items.sql stay committed" in message and "resumes at statement 5" in message
    assert "permission denied" not in message
    # the group after the concurrent index was rolled back; the history says exactly where it stopped
    assert _query(scratch_dsn, "SELECT to_regclass('later')") == [(None,)]
    assert _query(scratch_dsn, "SELECT version, success, statements_done FROM schemawright_history") == [("1", False, 4)]
    status = migration_status(tmp_path, scratch_dsn).versions[0]
    assert status.state == "failed"
    _write(tmp_path, **{"V1__items.sql": text.replace("SELECT 1 / 0;", "SELECT 1;")})
    [result] = apply_migrations(tmp_path, scratch_dsn)
    assert result.resumed_at == 5
    assert _query(scratch_dsn, "SELECT count(*) FROM items") == [(1,)]
    assert _query(scratch_dsn, "SELECT tableowner FROM pg_tables WHERE tablename = 'later'") == [(owner,)]


def test_a_failure_in_the_first_group_after_set_role_rolls_back_the_whole_migration(tmp_path, scratch_dsn, owner):
    _query(scratch_dsn, f"GRANT CREATE, USAGE ON SCHEMA public TO {owner}")
    _write(tmp_path, **{"V1__a.sql": "CREATE TABLE a (id int);\n", "U1__a.sql": "DROP TABLE a;\n",
                        "V2__b.sql": f"SET ROLE {owner};\nCREATE TABLE b (id int);\nCREATE TABLE a (id int);\n",
                        "U2__b.sql": "DROP TABLE b;\n"})
    with pytest.raises(MigrationError, match=r"(?s)42P07.*V2__b.sql was rolled back: the database stays at version 1"):
        apply_migrations(tmp_path, scratch_dsn)
    assert _query(scratch_dsn, "SELECT version, success FROM schemawright_history") == [("1", True)]
    assert _query(scratch_dsn, "SELECT to_regclass('b')") == [(None,)]
