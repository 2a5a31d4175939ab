"""diff --cleanup (issue 13): with a live source a tightening the rows would refuse is planned with the cleanup
the user asked for (fill NULLs, delete duplicates keeping the first or latest, fix or delete the rows violating
a CHECK, map removed values), placed before it in the same transaction. Proven on the local PostgreSQL 15: a
populated database, the migration applied with the runner, the rows cleaned as asked and the constraints in
the catalog, validated."""

from __future__ import annotations

import psycopg
import pytest

from schemawright.db import scratch_database
from schemawright.diff.migration import make_migration, write_migration
from schemawright.diff.planning import DestructiveChangeError
from schemawright.errors import SpecError
from schemawright.migrate import apply_migrations

LIVE = """CREATE TABLE users (id int PRIMARY KEY, email text, created_at timestamptz NOT NULL DEFAULT now(),
                    note text, age int, state text CONSTRAINT chk_users_state CHECK (state IN ('new', 'pending', 'done')));
INSERT INTO users VALUES (1, 'a@x', now() - interval '2 days', NULL, 5, 'new'),
                         (2, 'a@x', now() - interval '1 day', 'n', -3, 'pending'),
                         (3, 'b@x', now(), NULL, 7, 'done'),
                         (4, 'c@x', now() - interval '3 days', 'm', -1, 'new'),
                         (5, 'c@x', now() - interval '4 days', 'k', 2, 'pending');
"""
TARGET = """CREATE TABLE users (id int PRIMARY KEY, email text CONSTRAINT users_email_key UNIQUE,
                    created_at timestamptz NOT NULL DEFAULT now(), note text NOT NULL,
                    age int CONSTRAINT chk_users_age CHECK (age >= 0),
                    state text CONSTRAINT chk_users_state CHECK (state IN ('new', 'done')));
"""
CLEANUP = """cleanup:
  - not_null: users.note
    fill: "'(none) ' || id"
  - unique: users(email)
    keep: latest
    order_by: created_at
  - check: users.chk_users_age
    set: {age: "abs(age)"}
  - values: users.state
    map: {pending: done}
"""


def _rows(dsn: str, sql: str, *params):
    with psycopg.connect(dsn, autocommit=True) as conn:
        return conn.execute(sql, params).fetchall()


def _run(dsn: str, sql: str) -> None:
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(sql)


@pytest.mark.parametrize("flyway", [False, True])
def test_each_tightening_applies_after_the_cleanup_the_user_asked_for(tmp_path, pg15_dsn, flyway):
    (tmp_path / "target.sql").write_text(TARGET)
    (tmp_path / "cleanup.yaml").write_text(CLEANUP)
    with scratch_database(pg15_dsn, prefix="i13mig_cleanup") as db:
        _run(db, LIVE)
        with pytest.raises(DestructiveChangeError, match=r"(?s)NOT NULL on users\.note: 2 row\(s\).*UNIQUE "
                                                         r"users_email_key.*2 row\(s\).*diff --cleanup FILE"):
            make_migration(db, str(tmp_path / "target.sql"), dsn=pg15_dsn)
        migration = make_migration(db, str(tmp_path / "target.sql"), dsn=pg15_dsn, cleanup=tmp_path / "cleanup.yaml")
        assert any("cleaned first: delete the duplicates of users (email)" in n for n in migration.notes)
        folder = tmp_path / "migrations"
        written = write_migration(migration, folder, flyway=flyway)
        if flyway:  # the DELETE commits in the transactional file just before the CONCURRENTLY one
            names = [p.name for p in written if p.name.startswith("V")]
            delete_file = next(p for p in written if "DELETE FROM users" in p.read_text())
            index_file = next(p for p in written if "CREATE UNIQUE INDEX CONCURRENTLY" in p.read_text())
            assert names.index(index_file.name) == names.index(delete_file.name) + 1
            assert not delete_file.with_name(delete_file.name + ".conf").exists()
        apply_migrations(folder, db)
        # the rows: NULLs filled from the row, the latest of each email kept, ages fixed, 'pending' mapped
        assert _rows(db, "SELECT id, email, note, age, state FROM users ORDER BY id") == [
            (2, "a@x", "n", 3, "done"), (3, "b@x", "(none) 3", 7, "done"), (4, "c@x", "m", 1, "new")]
        # the constraints: in the catalog, validated, and enforcing
        assert _rows(db, "SELECT conname, contype, convalidated FROM pg_constraint WHERE conrelid = 'users'::regclass "
                         "AND contype IN ('c', 'u') ORDER BY conname") == [
            ("chk_users_age", "c", True), ("chk_users_state", "c", True), ("users_email_key", "u", True)]
        assert _rows(db, "SELECT attnotnull FROM pg_attribute WHERE attrelid = 'users'::regclass "
                         "AND attname = 'note'") == [(True,)]
        with pytest.raises(psycopg.errors.UniqueViolation):
            _run(db, "INSERT INTO users (id, email, note, age, state) VALUES (9, 'a@x', 'x', 1, 'new')")
        with pytest.raises(psycopg.errors.CheckViolation):
            _run(db, "INSERT INTO users (id, email, note, age, state) VALUES (9, 'z@x', 'x', 1, 'pending')")
        # nothing left between the database and the target
        assert not make_migration(db, str(tmp_path / "target.sql"), dsn=pg15_dsn).changes


def test_removed_enum_labels_are_mapped_before_the_type_is_rebuilt(tmp_path, pg15_dsn):
    (tmp_path / "target.sql").write_text("CREATE TYPE ticket_state AS ENUM ('open', 'closed');\n"
                                         "CREATE TABLE tickets (id int PRIMARY KEY, state ticket_state NOT NULL);\n")
    (tmp_path / "cleanup.yaml").write_text("- values: tickets.state\n  map: {pending: closed, stale: closed}\n")
    with scratch_database(pg15_dsn, prefix="i13mig_cleanup_enum") as db:
        _run(db, "CREATE TYPE ticket_state AS ENUM ('open', 'pending', 'stale', 'closed');"
                 "CREATE TABLE tickets (id int PRIMARY KEY, state ticket_state NOT NULL);"
                 "INSERT INTO tickets VALUES (1, 'open'), (2, 'pending'), (3, 'stale'), (4, 'closed');")
        with pytest.raises(DestructiveChangeError, match=r"removing 'pending', 'stale' from ticket_state.*2 row"):
            make_migration(db, str(tmp_path / "target.sql"), dsn=pg15_dsn, allow_destructive=True)
        migration = make_migration(db, str(tmp_path / "target.sql"), dsn=pg15_dsn, allow_destructive=True,
                                   cleanup=tmp_path / "cleanup.yaml")
        sql = migration.forward_sql()
        assert sql.index("UPDATE tickets SET state = 'closed' WHERE state = 'pending';") < sql.index(
            "ALTER TYPE ticket_state RENAME TO")
        write_migration(migration, tmp_path / "m")
        apply_migrations(tmp_path / "m", db)
        assert _rows(db, "SELECT id, state::text FROM tickets ORDER BY id") == [
            (1, "open"), (2, "closed"), (3, "closed"), (4, "closed")]
        assert _rows(db, "SELECT enum_range(NULL::ticket_state)::text") == [("{open,closed}",)]


def test_unique_keep_first_defaults_to_the_primary_key_and_check_delete(tmp_path, pg15_dsn):
    (tmp_path / "target.sql").write_text("CREATE TABLE t (id int PRIMARY KEY, k text, n int CONSTRAINT chk_t_n "
                                         "CHECK (n < 10), CONSTRAINT t_k_key UNIQUE (k));\n")
    (tmp_path / "cleanup.json").write_text('{"cleanup": [{"unique": "t.t_k_key"}, '
                                           '{"check": "public.t.chk_t_n", "delete": true}]}')
    with scratch_database(pg15_dsn, prefix="i13mig_cleanup_first") as db:
        _run(db, "CREATE TABLE t (id int PRIMARY KEY, k text, n int);"
                 "INSERT INTO t VALUES (3, 'a', 1), (1, 'a', 2), (2, NULL, 3), (4, NULL, 4), (5, 'b', 50);")
        migration = make_migration(db, str(tmp_path / "target.sql"), dsn=pg15_dsn, cleanup=tmp_path / "cleanup.json")
        write_migration(migration, tmp_path / "m")
        apply_migrations(tmp_path / "m", db)
        # keep first by id: 1 of the two 'a'; NULLs are distinct, both kept; n = 50 violates the CHECK: deleted
        assert _rows(db, "SELECT id, k, n FROM t ORDER BY id") == [(1, "a", 2), (2, None, 3), (4, None, 4)]


@pytest.mark.parametrize("text, message", [
    ("- not_null: users.nope\n  fill: \"'x'\"\n", r"entry 1 \(not_null: users\.nope\) matches no tightening .*"
                                                  r"not_null: public\.users\.note"),
    ("- not_null: users.note\n  fill: \"'x'); DROP TABLE users; --\"\n", r"cleanup\[0\]: fill: "),
    ("- unique: users(email)\n  keep: middle\n", r"keep: expected first or latest"),
    ("- check: users.chk_users_age\n", r"either 'delete: true' or 'set"),
    ("- frobnicate: users\n", r"expected exactly one of not_null, unique, check, values"),
    ("cleanup: [\n", r"not valid YAML/JSON"),
])
def test_a_bad_cleanup_file_is_a_located_error(tmp_path, pg15_dsn, text, message):
    (tmp_path / "target.sql").write_text(TARGET)
    (tmp_path / "cleanup.yaml").write_text(text)
    with scratch_database(pg15_dsn, prefix="i13mig_cleanup_bad") as db:
        _run(db, LIVE)
        with pytest.raises(SpecError, match=message) as info:
            make_migration(db, str(tmp_path / "target.sql"), dsn=pg15_dsn, cleanup=tmp_path / "cleanup.yaml")
        assert info.value.exit_code == 2
        assert _rows(db, "SELECT count(*) FROM users") == [(5,)]


def test_cli_diff_cleanup_writes_the_migration_and_a_bad_file_exits_2(tmp_path, pg15_dsn):
    import typer
    from typer.testing import CliRunner

    from schemawright.cli.diff import register

    app = typer.Typer()
    register(app)
    app.command("noop", hidden=True)(lambda: None)  # keep ``diff`` a subcommand
    (tmp_path / "target.sql").write_text(TARGET)
    (tmp_path / "cleanup.yaml").write_text(CLEANUP)
    (tmp_path / "bad.yaml").write_text("- not_null: users.note\n")
    with scratch_database(pg15_dsn, prefix="i13mig_cleanup_cli") as db:
        _run(db, LIVE)
        refused = CliRunner().invoke(app, ["diff", db, str(tmp_path / "target.sql"), "--dsn", pg15_dsn])
        assert refused.exit_code == 5 and "--cleanup FILE" in " ".join(refused.output.split())
        bad = CliRunner().invoke(app, ["diff", db, str(tmp_path / "target.sql"), "--dsn", pg15_dsn,
                                       "--cleanup", str(tmp_path / "bad.yaml")])
        assert bad.exit_code == 2, bad.output
        assert "bad.yaml: cleanup[0]: not_null: 'fill'" in " ".join(bad.output.split())
        ok = CliRunner().invoke(app, ["diff", db, str(tmp_path / "target.sql"), "--dsn", pg15_dsn,
                                      "--cleanup", str(tmp_path / "cleanup.yaml"), "-o", str(tmp_path / "m"),
                                      "--flyway"])
        assert ok.exit_code == 0, ok.output
        assert "cleaned first" in ok.output and "V001_1__" in ok.output
        apply_migrations(tmp_path / "m", db)
        assert _rows(db, "SELECT count(*) FROM users") == [(3,)]


def test_a_new_not_null_column_is_filled_with_the_users_expression(tmp_path, pg15_dsn):
    """A new NOT NULL foreign key has no placeholder and is refused on a populated table; with a fill it is
    added nullable, filled from the expression (here a subquery) and made NOT NULL; a new NOT NULL text column
    gets the user's value instead of the placeholder ''."""
    old = ("CREATE TABLE authors (id int PRIMARY KEY, name text);\n"
           "CREATE TABLE posts (id int PRIMARY KEY, title text);\n")
    (tmp_path / "target.sql").write_text(
        "CREATE TABLE authors (id int PRIMARY KEY, name text);\n"
        "CREATE TABLE posts (id int PRIMARY KEY, title text, slug text NOT NULL,\n"
        "                    author_id int NOT NULL CONSTRAINT fk_posts_author REFERENCES authors (id));\n")
    (tmp_path / "cleanup.yaml").write_text("- not_null: posts.author_id\n  fill: (SELECT min(id) FROM authors)\n"
                                           "- not_null: posts.slug\n  fill: \"lower(replace(title, ' ', '-'))\"\n")
    with scratch_database(pg15_dsn, prefix="i13mig_cleanup_new") as db:
        _run(db, old + "INSERT INTO authors VALUES (7, 'Ann'), (9, 'Bo');"
                       "INSERT INTO posts VALUES (1, 'Hello World'), (2, 'Second Post');")
        with pytest.raises(DestructiveChangeError, match=r"posts has 2 rows: .*author_id is NOT NULL .*diff --cleanup"):
            make_migration(db, str(tmp_path / "target.sql"), dsn=pg15_dsn)
        migration = make_migration(db, str(tmp_path / "target.sql"), dsn=pg15_dsn, cleanup=tmp_path / "cleanup.yaml")
        assert "''" not in migration.forward_sql().split("SET check_function_bodies = off;")[1]
        write_migration(migration, tmp_path / "m")
        apply_migrations(tmp_path / "m", db)
        assert _rows(db, "SELECT id, slug, author_id FROM posts ORDER BY id") == [
            (1, "hello-world", 7), (2, "second-post", 7)]
        assert _rows(db, "SELECT attname, attnotnull FROM pg_attribute WHERE attrelid = 'posts'::regclass "
                         "AND attname IN ('slug', 'author_id') ORDER BY attname") == [("author_id", True), ("slug", True)]
        assert not make_migration(db, str(tmp_path / "target.sql"), dsn=pg15_dsn).changes


def test_narrower_types_count_the_values_that_do_not_fit_and_clean_them(tmp_path, pg15_dsn):
    """A narrower type (shorter text, smaller integer, fewer numeric digits) is counted against the live rows
    with a predicate that cannot fail (an overflowing cast made the count itself fail) and refused with the
    counts; a 'type' cleanup makes the values fit (or deletes their rows) before the ALTER ... TYPE."""
    (tmp_path / "target.sql").write_text(
        "CREATE TABLE items (id int PRIMARY KEY, code varchar(4), qty smallint, price numeric(5, 1));\n")
    (tmp_path / "cleanup.yaml").write_text("- type: items.code\n  fit: left(code, 4)\n"
                                           "- type: items.qty\n  delete: true\n"
                                           "- type: items.price\n  fit: least(round(price, 1), 9999.9)\n")
    with scratch_database(pg15_dsn, prefix="i13mig_cleanup_type") as db:
        _run(db, "CREATE TABLE items (id int PRIMARY KEY, code text, qty int, price numeric(10, 2));"
                 "INSERT INTO items VALUES (1, 'AB', 5, 1.5), (2, 'ABCDEFG', 7, 12345.67), (3, NULL, 70000, 2.25),"
                 " (4, 'XYZW', -40000, NULL);")
        with pytest.raises(DestructiveChangeError) as refused:
            make_migration(db, str(tmp_path / "target.sql"), dsn=pg15_dsn)
        text = " ".join(str(refused.value).split())
        assert "items.code text -> varchar(4): 1 row(s)" in text and "items.qty integer -> smallint: 2 row(s)" in text
        assert "items.price numeric(10, 2) -> numeric(5, 1): 2 row(s)" in text and "diff --cleanup" in text
        migration = make_migration(db, str(tmp_path / "target.sql"), dsn=pg15_dsn, cleanup=tmp_path / "cleanup.yaml")
        write_migration(migration, tmp_path / "m")
        apply_migrations(tmp_path / "m", db)
        assert _rows(db, "SELECT id, code, qty, price::text FROM items ORDER BY id") == [
            (1, "AB", 5, "1.5"), (2, "ABCD", 7, "9999.9")]
        assert _rows(db, "SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'items'::regclass "
                         "AND attnum > 0 ORDER BY attnum") == [("integer",), ("character varying(4)",), ("smallint",),
                                                              ("numeric(5,1)",)]
