"""Migration files, versions, `migrate new`, statement splitting and non-transactional detection (no database)."""

from __future__ import annotations

import pytest

from schemawright.migrate import MigrationError, load_migrations, new_migration
from schemawright.migrate.files import checksum, parse_version, read_sql
from schemawright.project.statements import split_statements


def _write(folder, **files):
    for name, text in files.items():
        (folder / name).write_text(text)


def test_versions_descriptions_and_undo_pairs(tmp_path):
    _write(tmp_path, **{"V001__initial_schema.sql": "SELECT 1;", "U001__initial_schema.sql": "SELECT 1;",
                        "V1.2__add_index.sql": "SELECT 2;", "V10__later.sql": "", "V2__two.sql": "",
                        "README.md": "not a migration"})
    migrations = load_migrations(tmp_path)
    assert [m.version for m in migrations] == [(1,), (1, 2), (2,), (10,)]
    assert migrations[0].description == "initial schema"
    assert migrations[0].undo_path.name == "U001__initial_schema.sql"
    assert migrations[1].undo_path is None and migrations[1].label == "V1.2"


@pytest.mark.parametrize("files, message", [
    ({"V1__a.sql": "", "V001__b.sql": ""}, "version 1 has several files"),
    ({"V1__a.sql": "", "U2__b.sql": ""}, "undo file without a forward migration V2"),
    ({"V1_a.sql": ""}, "not a migration name"),
    ({"R__views.sql": ""}, "repeatable migrations"),
])
def test_bad_folders_are_refused(tmp_path, files, message):
    _write(tmp_path, **files)
    with pytest.raises(MigrationError, match=message):
        load_migrations(tmp_path)


def test_parse_version():
    assert parse_version("003") == (3,) and parse_version("V1_2") == (1, 2) and parse_version("0") == (0,)
    with pytest.raises(MigrationError, match="not a migration version"):
        parse_version("latest")


def test_checksum_ignores_bom_and_crlf(tmp_path):
    (tmp_path / "a.sql").write_bytes(b"\xef\xbb\xbfSELECT 1;\r\nSELECT 2;\r\n")
    (tmp_path / "b.sql").write_bytes(b"SELECT 1;\nSELECT 2;\n")
    assert checksum(read_sql(tmp_path / "a.sql")) == checksum(read_sql(tmp_path / "b.sql"))
    (tmp_path / "c.sql").write_bytes(b"\xff\xfe")
    with pytest.raises(MigrationError, match="not UTF-8"):
        read_sql(tmp_path / "c.sql")


@pytest.mark.parametrize("existing, expected", [
    ([], "V001__add_orders_index.sql"),
    (["V001__initial.sql", "V002__more.sql"], "V003__add_orders_index.sql"),
    (["V1__initial.sql", "V9__more.sql"], "V10__add_orders_index.sql"),
    (["V0001__initial.sql", "V1.5__patch.sql"], "V0002__add_orders_index.sql"),
])
def test_new_numbers_like_the_folder(tmp_path, existing, expected):
    _write(tmp_path, **{name: "" for name in existing})
    forward, undo = new_migration(tmp_path, "Add orders index!")
    assert forward.name == expected and undo.name == "U" + expected[1:]
    assert forward.read_text().startswith(f"-- V{expected[1:].split('__')[0].lstrip('0')}: Add orders index!")
    assert split_statements(forward.read_text(), forward.name) == []


def test_new_refuses_an_empty_description_and_existing_files(tmp_path):
    with pytest.raises(MigrationError, match="at least one letter"):
        new_migration(tmp_path, " -- ")
    (tmp_path / "U001__x.sql").write_text("")
    with pytest.raises(MigrationError, match="undo file without"):
        new_migration(tmp_path, "x")


SQL = """-- header; with a semicolon
CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $body$
BEGIN
    RETURN NEW; -- not the end
END;
$body$;
/* a; comment */ CREATE TABLE t (a int, note text DEFAULT 'x;y');

CREATE FUNCTION g() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; SELECT 2; END;
CREATE INDEX CONCURRENTLY t_a_idx ON t (a);
VACUUM t; ANALYZE t;
"""


def test_split_keeps_dollar_quotes_comments_and_atomic_bodies():
    stmts = split_statements(SQL, "V1__x.sql")
    assert [(s.number, s.line) for s in stmts] == [(1, 2), (2, 7), (3, 9), (4, 10), (5, 11), (6, 11)]
    assert stmts[0].text.endswith("$body$") and "RETURN NEW; -- not the end" in stmts[0].text
    assert stmts[2].text.endswith("END")
    assert [s.non_transactional for s in stmts] == [None, None, None, "CREATE INDEX CONCURRENTLY", "VACUUM", None]


@pytest.mark.parametrize("sql, reason", [
    ("DROP INDEX CONCURRENTLY IF EXISTS s.i", "DROP INDEX CONCURRENTLY"),
    ("REINDEX INDEX CONCURRENTLY i", "REINDEX CONCURRENTLY"),
    ("REINDEX (VERBOSE, CONCURRENTLY) TABLE t", "REINDEX CONCURRENTLY"),
    ("REINDEX TABLE t", None),
    ("CREATE DATABASE d", "CREATE DATABASE"),
    ("ALTER TABLE p DETACH PARTITION c CONCURRENTLY", "DETACH PARTITION CONCURRENTLY"),
    ("ALTER TABLE p DETACH PARTITION c", None),
    ("CLUSTER", "CLUSTER without a table"),
    ("ALTER SYSTEM SET work_mem = '8MB'", "ALTER SYSTEM"),
    ("CREATE INDEX i ON t (a)", None),
])
def test_non_transactional_statements_are_found_in_the_parse_tree(sql, reason):
    assert split_statements(sql, "f.sql")[0].non_transactional == reason


def test_add_value_runs_alone_so_later_statements_can_use_the_label():
    sql = "ALTER TYPE mood ADD VALUE 'meh'"
    assert split_statements(sql, "f.sql")[0].non_transactional == "ALTER TYPE ... ADD VALUE"


def test_transaction_control_is_refused_with_its_location():
    with pytest.raises(MigrationError, match=r"V2__x.sql: statement 2 \(line 3\) is transaction control \(COMMIT\)"):
        split_statements("SELECT 1;\n\nCOMMIT;\n", "V2__x.sql")


def test_a_file_the_parser_rejects_is_still_split_for_the_server():
    stmts = split_statements("SELECT 1;\nCREATE TABEL t (a int);\nCREATE INDEX CONCURRENTLY i ON t (a);",
                             "f.sql")
    assert [s.text for s in stmts] == ["SELECT 1", "CREATE TABEL t (a int)", "CREATE INDEX CONCURRENTLY i ON t (a)"]
    assert stmts[1].kind is None and stmts[2].non_transactional == "CREATE INDEX CONCURRENTLY"
    with pytest.raises(MigrationError, match="line 2: cannot split"):
        split_statements("SELECT 1;\nSELECT $$oops;", "f.sql")
