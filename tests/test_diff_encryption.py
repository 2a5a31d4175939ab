"""Turning ``encrypt`` on or off between two inputs is a data migration with the session's key, never a
type cast: applied on a PostgreSQL with pgcrypto, the values are encrypted (and decrypt back) or decrypted
(the plaintext comes back); without the key the migration stops before changing anything."""

from __future__ import annotations

import datetime
import secrets

import psycopg
import pytest
from psycopg import sql

from schemawright.api import design_project
from schemawright.db import scratch_database
from schemawright.diff.migration import make_migration, write_migration
from schemawright.diff.planning import DestructiveChangeError
from schemawright.project.errors import MigrationError
from schemawright.migrate.runner import apply_migrations, undo_migrations

KEY = "k3y-for-the-tests"
INPUT = """project:
  name: {name}
  type: healthcare
  database_type: postgresql
task:
  type: schema_design
  description: Patients with private notes.
  requirements: [Patients with notes]
data_model:
  entities:
    - name: patients
      attributes:
        - name: full_name
          nullable: false
        - name: notes
          type: text
          encrypt: {encrypt}
        - name: birth_day
          type: date
          encrypt: {encrypt}
"""


@pytest.fixture
def inputs(tmp_path, pg15_dsn):
    """(encrypted input, plain input) of one project with a name of its own (roles are cluster-wide on
    the shared server); its roles are dropped afterwards."""
    name = f"encdiff {secrets.token_hex(4)}"
    on, off = tmp_path / "on.yaml", tmp_path / "off.yaml"
    on.write_text(INPUT.format(name=name, encrypt="true"))
    off.write_text(INPUT.format(name=name, encrypt="false"))
    yield on, off
    prefix = name.replace(" ", "_")
    with psycopg.connect(pg15_dsn, autocommit=True) as conn:
        for (role,) in conn.execute("SELECT rolname FROM pg_roles WHERE rolname LIKE %s", (prefix + "\\_%",)):
            conn.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(role)))


def _with_key(monkeypatch, key: str | None) -> None:
    if key is None:
        monkeypatch.delenv("PGOPTIONS", raising=False)
    else:
        monkeypatch.setenv("PGOPTIONS", f"-c app.encryption_key={key}")


def test_turning_encryption_off_decrypts_the_values(tmp_path, inputs, pg15_dsn, monkeypatch):
    on, off = inputs
    project = tmp_path / "db"
    design_project(on, project)
    _with_key(monkeypatch, None)
    with scratch_database(pg15_dsn) as db:
        apply_migrations(project / "migrations", db)
        with psycopg.connect(db, autocommit=True) as conn:
            conn.execute("SELECT set_config('app.encryption_key', %s, false)", (KEY,))
            conn.execute("INSERT INTO patients (full_name, notes, birth_day) VALUES "
                         "('Ann', fn_encrypt('it''s private \\ ünïcode'), fn_encrypt('1980-02-03')), "
                         "('Bob', NULL, NULL)")
        # from the live database: the catalog knows the column is encrypted from its comment
        with pytest.raises(DestructiveChangeError) as refused:
            make_migration(db, str(off))
        assert "decrypts column public.patients.notes" in str(refused.value)
        assert "app.encryption_key" in str(refused.value)
        migration = make_migration(db, str(off), allow_destructive=True)
        text = migration.forward_sql()
        assert "pgp_sym_decrypt(notes, current_setting('app.encryption_key'))" in text
        assert "USING notes::text" not in text
        write_migration(migration, project / "migrations")

        with pytest.raises(MigrationError, match="app.encryption_key is not set"):
            apply_migrations(project / "migrations", db)
        with psycopg.connect(db) as conn:  # nothing changed
            assert conn.execute("SELECT atttypid::regtype::text FROM pg_attribute WHERE attrelid = 'patients'::regclass "
                                "AND attname = 'notes'").fetchone() == ("bytea",)

        _with_key(monkeypatch, KEY)
        assert [r.version for r in apply_migrations(project / "migrations", db)] == ["2"]
        with psycopg.connect(db) as conn:
            rows = conn.execute("SELECT full_name, notes, birth_day FROM patients ORDER BY full_name").fetchall()
        assert rows == [("Ann", "it's private \\ ünïcode", datetime.date(1980, 2, 3)), ("Bob", None, None)]

        undo_migrations(project / "migrations", db)  # the undo encrypts again, with the same key
        with psycopg.connect(db) as conn:
            row = conn.execute("SELECT pgp_sym_decrypt(notes, %s), pgp_sym_decrypt(birth_day, %s), notes::text "
                               "FROM patients WHERE full_name = 'Ann'", (KEY, KEY)).fetchone()
        assert row[:2] == ("it's private \\ ünïcode", "1980-02-03") and "private" not in row[2]


def test_turning_encryption_on_encrypts_the_values(tmp_path, inputs, pg15_dsn, monkeypatch):
    on, off = inputs
    project = tmp_path / "db"
    design_project(off, project)
    _with_key(monkeypatch, None)
    with scratch_database(pg15_dsn) as db:
        apply_migrations(project / "migrations", db)
        with psycopg.connect(db, autocommit=True) as conn:
            conn.execute("INSERT INTO patients (full_name, notes, birth_day) VALUES ('Ann', 'secret', '1980-02-03')")
        with pytest.raises(DestructiveChangeError, match="encrypts column public.patients.birth_day"):
            make_migration(str(project), str(on))
        migration = make_migration(str(project), str(on), allow_destructive=True)  # from the design folder
        assert "pgp_sym_encrypt(notes::text, current_setting('app.encryption_key'), 'cipher-algo=aes256')" \
            in migration.forward_sql()
        write_migration(migration, project / "migrations")
        with pytest.raises(MigrationError, match="app.encryption_key is not set"):
            apply_migrations(project / "migrations", db)

        _with_key(monkeypatch, KEY)
        apply_migrations(project / "migrations", db)
        with psycopg.connect(db) as conn:
            stored = conn.execute("SELECT notes, birth_day FROM patients").fetchone()
            assert all(isinstance(v, bytes) and b"secret" not in v for v in stored)
            # readable with the design's own functions and the key, as the application reads it
            conn.execute("SELECT set_config('app.encryption_key', %s, false)", (KEY,))
            assert conn.execute("SELECT fn_decrypt(notes), fn_decrypt(birth_day)::date FROM patients").fetchone() \
                == ("secret", datetime.date(1980, 2, 3))
            assert conn.execute("SELECT notes, birth_day FROM vw_decrypted_patients").fetchone() == \
                ("secret", "1980-02-03")
            with pytest.raises(psycopg.errors.ExternalRoutineInvocationException, match="Wrong key"):  # the wrong key reads nothing
                conn.execute("SELECT pgp_sym_decrypt(notes, 'wrong') FROM patients")


def test_bytea_to_text_is_not_a_silent_cast(tmp_path, pg_dsn):
    """A bytea column not known to be encrypted (a plain SQL source) turned into text keeps its hex form:
    that is refused without --allow-destructive, with the reason."""
    a, b = tmp_path / "a.sql", tmp_path / "b.sql"
    a.write_text("CREATE TABLE t (id int PRIMARY KEY, payload bytea);")
    b.write_text("CREATE TABLE t (id int PRIMARY KEY, payload text);")
    with pytest.raises(DestructiveChangeError, match="each value becomes its hex text"):
        make_migration(str(a), str(b), dsn=pg_dsn)
    assert "pgp_sym" not in make_migration(str(a), str(b), dsn=pg_dsn, allow_destructive=True).forward_sql()


def test_verify_and_migrate_verify_run_an_encryption_migration_with_a_throwaway_key(tmp_path, inputs, pg15_dsn,
                                                                                      monkeypatch):
    """They work on empty scratch databases, so a key of their own is enough (and none is asked of the user)."""
    from schemawright.migrate.verify import verify_migrations
    from schemawright.verify import verify_project

    on, off = inputs
    project = tmp_path / "db"
    design_project(on, project)
    write_migration(make_migration(str(project), str(off), allow_destructive=True), project / "migrations")
    _with_key(monkeypatch, None)
    result = verify_migrations(project / "migrations", pg15_dsn)
    assert result.problems == []
    report = verify_project(project, dsn=pg15_dsn)
    assert [s.name for s in report.steps if not s.ok] == []
