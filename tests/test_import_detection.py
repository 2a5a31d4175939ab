"""import reads the dialect from the statements, never from a character inside a literal or a comment, and
never reports success for a script whose tables it could not read (issue 13)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from schemawright.importers import import_source
from schemawright.importers.common import ImportSourceError
from schemawright.importers.script import code_only, split_script
from schemawright.importers.sources import detect_kind

PG_WITH_BACKTICKS = """-- a comment with a `backtick`
/* and a block `comment` */
CREATE TABLE notes (
    id bigint PRIMARY KEY,
    tags text[] NOT NULL DEFAULT '{}',
    body text DEFAULT 'use `code` here
\\! rm -rf /
still the literal',
    raw text DEFAULT E'it\\'s `quoted`'
);
COMMENT ON TABLE notes IS 'Notes with `markdown`';
COMMENT ON COLUMN notes.tags IS 'the `tags`';
CREATE FUNCTION f() RETURNS text LANGUAGE sql AS $fn$ SELECT '`x`' $fn$;
"""


def test_backticks_inside_literals_and_comments_do_not_make_it_mysql(tmp_path):
    path = tmp_path / "notes.sql"
    path.write_text(PG_WITH_BACKTICKS)
    assert detect_kind(str(path), PG_WITH_BACKTICKS) == "postgresql"
    result = import_source(str(path))
    assert result.source_kind == "postgresql"
    [table] = result.schema.tables
    tags = table.column("tags")
    assert tags.type.array_dims == 1  # text[] kept (read as MySQL it became text)
    assert table.comment == "Notes with `markdown`" and tags.comment == "the `tags`"
    assert "rm -rf /" in table.column("body").default.sql and "still the literal" in table.column("body").default.sql


def test_a_meta_command_looking_line_inside_a_literal_is_sql():
    statements, skipped = split_script(PG_WITH_BACKTICKS)
    assert skipped == []  # the "\\!" line is inside the string literal
    assert [s.kind for s in statements] == ["CREATE TABLE", "COMMENT ON TABLE", "COMMENT ON COLUMN", "CREATE FUNCTION"]
    real, skipped = split_script("CREATE TABLE a (x int);\n\\! echo hi\n\\connect other\nCREATE TABLE b (y int);\n")
    assert [s.kind for s in real] == ["CREATE TABLE", "CREATE TABLE"] and [s.kind for s in skipped] == [
        "psql \\!", "psql \\connect"]


def test_code_only_blanks_literals_and_comments_but_keeps_mysql_version_comments():
    text = "SELECT 'a`b', $$c`d$$, \"e`f\" -- g`h\n/*! ENGINE=InnoDB */ /* x` */ `real`;\n"
    code = code_only(text)
    assert len(code) == len(text) and code.count("`") == 2 and "ENGINE=InnoDB" in code
    assert detect_kind("x.sql", "CREATE TABLE `t` (`id` int) ENGINE=InnoDB;") == "mysql"
    assert detect_kind("x.sql", "CREATE TABLE t (id integer PRIMARY KEY AUTOINCREMENT);") == "sqlite"


def test_a_script_with_tables_that_gives_none_is_refused(tmp_path):
    path = tmp_path / "broken.sql"
    path.write_text("CREATE TABLE t (id int,, x int);\nCREATE TABLE u (id int PRIMARY KEY PRIMARY);\n")
    with pytest.raises(ImportSourceError, match=r"its 2 CREATE TABLE statement\(s\) gave no table; nothing was imported"):
        import_source(str(path))
    out = tmp_path / "spec.yaml"
    run = subprocess.run([sys.executable, "-m", "schemawright", "import", str(path), "-o", str(out)],
                         capture_output=True, text=True)
    assert run.returncode == 2, run.stderr
    assert "gave no table" in run.stderr and not out.exists()
    empty = tmp_path / "functions.sql"  # no table to begin with: not refused
    empty.write_text("CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$;\n")
    assert import_source(str(empty)).schema.tables == []
