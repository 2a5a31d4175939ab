"""Hostile input is data, never SQL.

Names are validated (nothing but letters, digits and underscores can become an identifier) and
reserved words are quoted; descriptions, defaults and allowed values only reach SQL as escaped
literals, and come back byte-identical from a real PostgreSQL; CHECK expressions are parsed and
either refused or replaced by pglast's deparse of the checked tree. Bad input always ends in a clear
error, exit code 2, no traceback and no output folder.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pglast
import psycopg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pglast import ast
from pglast.keywords import RESERVED_KEYWORDS
from psycopg import sql
from typer.testing import CliRunner

from schemawright.api import design_project, design_schema
from schemawright.cli import app
from schemawright.design.context import table_name_for
from schemawright.dialects import get_dialect
from schemawright.errors import SpecError
from schemawright.model.names import (
    MAX_IDENTIFIER,
    is_valid_identifier,
    quote_ident,
    to_snake,
)
from schemawright.spec.expressions import (
    KNOWN_DEFAULT_FUNCTIONS,
    ExpressionError,
    parse_check,
)

HOSTILE_NAMES = {
    "statement injection": "users; DROP TABLE x; --",
    "double quote": 'a"b',
    "bobby tables": "Robert'); DROP TABLE students;--",
    "space": "first name",
    "unicode letters": "prénom",
    "cyrillic look-alike": "us\u0435rs",
    "zero-width space": "us\u200bers",
    "64 bytes": "a" * 64,
    "64 bytes of unicode": "é" * 32,
    "empty": "",
    "newline": "users\nDROP",
    "trailing newline": "users\n",
    "nul": "a\x00b",
    "backslash": "a\\b",
    "dollar quote": "a$$b",
    "comment": "a/*b*/",
    "leading digit": "1users",
    "leading underscore": "_users",
}


def _cli() -> list[str]:
    script = Path(sys.executable).with_name("schemawright")
    return [str(script)] if script.exists() else [sys.executable, "-m", "schemawright"]


@contextlib.contextmanager
def applied(dsn: str, ddl: str, *settings_sql: str):
    """A connection to ``dsn`` with the migration ``ddl`` applied (after ``settings_sql``); roles the
    migration created are dropped afterwards (roles are shared by the whole server)."""
    with psycopg.connect(dsn, autocommit=True) as conn:
        before = {r[0] for r in conn.execute("SELECT rolname FROM pg_roles")}
        try:
            for statement in settings_sql:
                conn.execute(statement)
            conn.execute(ddl)
            conn.execute("RESET ALL")
            conn.execute("RESET ROLE")
            yield conn
        finally:
            conn.rollback()
            conn.execute("RESET ROLE")
            for (role,) in conn.execute("SELECT rolname FROM pg_roles").fetchall():
                if role not in before:
                    conn.execute(sql.SQL("DROP OWNED BY {}").format(sql.Identifier(role)))
                    conn.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(role)))


def flat(text: str) -> str:
    """Whitespace removed: rich wraps long lines at the terminal width."""
    return "".join(text.split())


def spec_with_names(name: str) -> tuple[str, list[tuple[int, int, str]]]:
    """A JSON task input using ``name`` as an entity, an attribute and a relationship end, and the
    (line, column, path) where each must be reported."""
    h = json.dumps(name)
    entity_prefix = '      {"name": '
    attr_prefix = entity_prefix + h + ', "attributes": ["email", '
    rel_prefix = '    "relationships": [{"from": "orders", "to": '
    text = "\n".join([
        "{",
        '  "data_model": {',
        '    "entities": [',
        attr_prefix + h + "]},",
        '      {"name": "orders"}',
        "    ],",
        rel_prefix + h + "}]",
        "  }",
        "}",
    ])
    return text, [
        (4, len(entity_prefix) + 1, "data_model.entities[0].name"),
        (4, len(attr_prefix) + 1, "data_model.entities[0].attributes[1]"),
        (7, len(rel_prefix) + 1, "data_model.relationships[0].to"),
    ]


# --- names -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", HOSTILE_NAMES.values(), ids=HOSTILE_NAMES.keys())
def test_hostile_names_are_refused_with_their_location(tmp_path, name):
    text, expected = spec_with_names(name)
    path = tmp_path / "input.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SpecError) as info:
        design_schema(path)
    problems = info.value.problems
    assert [(p.line, p.column, p.path) for p in problems] == expected
    for p in problems:
        assert p.file == str(path)
        assert ("is not a valid name" in p.message or "cannot be empty" in p.message
                or "bytes long" in p.message), p.message


@pytest.mark.parametrize("name", HOSTILE_NAMES.values(), ids=HOSTILE_NAMES.keys())
def test_hostile_names_through_the_cli(tmp_path, name):
    text, expected = spec_with_names(name)
    path = tmp_path / "input.json"
    path.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["design", str(path), "-o", str(out)])
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    assert "3 problem(s) in the input; nothing was written" in result.output
    for line, column, field in expected:
        assert flat(f"{path}:{line}:{column}: {field}:") in flat(result.output)
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["input.json"]  # no staging folder left behind


def test_injection_names_through_the_real_console_script(tmp_path):
    """The installed ``schemawright`` command: exit code 2, located errors on stderr, no traceback,
    nothing on stdout, no output folder."""
    text, expected = spec_with_names("users; DROP TABLE x; --")
    path = tmp_path / "input.json"
    path.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    env = {**os.environ, "COLUMNS": "200"}
    env.pop("SCHEMAWRIGHT_DEBUG", None)
    proc = subprocess.run([*_cli(), "design", str(path), "-o", str(out)], capture_output=True, text=True, check=False,
                          timeout=120, cwd=tmp_path, env=env)
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout
    assert proc.stdout == ""
    for line, column, field in expected:
        assert flat(f"{path}:{line}:{column}: {field}: 'users; DROP TABLE x; --' is not a valid name") \
            in flat(proc.stderr)
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["input.json"]


def test_every_hostile_name_at_once_through_the_real_console_script(tmp_path):
    entities = [{"name": n} for n in HOSTILE_NAMES.values()] + [
        {"name": "orders", "attributes": list(HOSTILE_NAMES.values())}]
    path = tmp_path / "input.yaml"
    path.write_text(json.dumps({"data_model": {"entities": entities}}, indent=1), encoding="utf-8")
    proc = subprocess.run([*_cli(), "design", str(path), "-o", str(tmp_path / "out")], capture_output=True, check=False,
                          text=True, timeout=120, cwd=tmp_path)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    count = 2 * len(HOSTILE_NAMES)
    assert f"{count} problem(s) in the input; nothing was written" in proc.stderr
    assert not (tmp_path / "out").exists()


def test_spec_file_problems_exit_2_through_the_real_console_script(tmp_path):
    path = tmp_path / "input.json"
    path.write_text('{"data_model": {"entities": [{"name": "users"},]}}', encoding="utf-8")
    proc = subprocess.run([*_cli(), "design", str(path), "-o", str(tmp_path / "out")], capture_output=True, check=False,
                          text=True, timeout=120, cwd=tmp_path)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert flat(f"{path}:1:48: invalid JSON: Expecting value") in flat(proc.stderr)
    assert not (tmp_path / "out").exists()


RESERVED_SPEC = {
    "data_model": {
        "entities": [
            {"name": "accounts", "attributes": ["email"]},
            {"name": "purchases", "attributes": [
                "order", "user", "group",
                {"name": "select", "type": "boolean", "default": False},
                {"name": "table", "type": "integer", "check": '"table" >= 0'},
                {"name": "position", "type": "integer"},
            ]},
        ],
        "relationships": [{"from": "purchases", "to": "accounts", "foreign_key": "from", "required": False}],
        "indexes": [{"entity": "purchases", "columns": ["order", "group"], "where": '"select" IS NOT TRUE'}],
        "constraints": [{"entity": "purchases", "type": "unique", "columns": ["user", "order"]}],
    }
}


def test_reserved_words_are_quoted_said_so_and_apply_on_postgresql(tmp_path, scratch_dsn):
    path = tmp_path / "input.json"
    path.write_text(json.dumps(RESERVED_SPEC), encoding="utf-8")
    result = design_project(path, tmp_path / "out")
    ddl = (tmp_path / "out" / "migrations" / "V001__initial_schema.sql").read_text(encoding="utf-8")
    words = ["order", "user", "group", "select", "table", "position", "from"]
    create = next(s.stmt for s in pglast.parse_sql(ddl)
                  if isinstance(s.stmt, ast.CreateStmt) and s.stmt.relation.relname == "purchases")
    columns = {e.colname for e in create.tableElts if isinstance(e, ast.ColumnDef)}
    assert set(words) <= columns
    for word in words:
        assert f'"{word}"' in ddl
    inferred = {i.subject for i in result.schema.inferences if i.rule == "naming.reserved"}
    assert {f"purchases.{w}" for w in ("order", "user", "group", "select", "table", "position")} <= inferred
    reason = next(i.reason for i in result.schema.inferences if i.subject == "purchases.order"
                  and i.rule == "naming.reserved")
    assert "reserved word" in reason

    with applied(scratch_dsn, ddl) as conn:
        names = {r[0] for r in conn.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = 'purchases'")}
        assert set(words) <= names
        account = conn.execute("INSERT INTO accounts (email) VALUES ('a@example.com') RETURNING id").fetchone()[0]
        insert = sql.SQL("INSERT INTO purchases ({}) VALUES (%s, %s, %s, %s, %s) RETURNING {}").format(
            sql.SQL(", ").join(map(sql.Identifier, ["order", "user", "group", "table", "from"])),
            sql.Identifier("select"))
        assert conn.execute(insert, ["o", "u", "g", 1, account]).fetchone() == (False,)
        with pytest.raises(psycopg.errors.CheckViolation):
            conn.execute(insert, ["o2", "u2", "g", -1, account])
        defs = [r[0] for r in conn.execute(
            "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = 'purchases'::regclass")]
        assert any('"table" >= 0' in d for d in defs)


# --- descriptions, defaults and values ---------------------------------------------------------------

PAYLOADS = [
    "it's",
    "O'Reilly'); DROP TABLE users; --",
    "back\\slash",
    "ends with a backslash \\",
    "\\'; DROP TABLE purchases; --",
    "$$",
    "$function$ BEGIN DROP TABLE x; END $function$",
    "$$ LANGUAGE sql; DROP TABLE x; $$",
    "*/ DROP TABLE x; /*",
    "-- not a comment",
    "line 1\nline 2\r\nline 3\rline 4",
    "tab\tseparator\u2028paragraph\u2029",
    "ünïcødé ✓ 🎉 中文 עברית",
    "E'x' U&'\\0041' B'101'",
    "%s %(x)s {} {{}}",
    "\x1b[31mred\x1b[0m \x07",
    " leading and trailing spaces ",
    "';COMMIT;DROP DATABASE postgres;--",
]


def _payload_spec() -> dict:
    attributes = [{"name": f"c{i}", "type": "text", "description": p, "default": p} for i, p in enumerate(PAYLOADS)]
    attributes += [
        {"name": "kind", "type": "text", "values": ["a'b", "c\\d", "$$", "*/--"], "default": "c\\d"},
        {"name": "mood", "type": "enum", "values": ["it's", "back\\slash", "$$", "🎉"], "default": "back\\slash"},
        {"name": "doc", "type": "jsonb", "default": {"q": "it's \\ $$ */ --", "n": [1, "\u2028"]}},
        {"name": "note", "type": "varchar(80)", "default": "O'Reilly \\ $$"},
    ]
    return {
        "project": {"name": "hostile: it's $$ -- */ \\ ✓"},
        "data_model": {
            "entities": [{"name": "notes", "description": "\n".join(PAYLOADS), "attributes": attributes,
                          "audit_columns": False, "soft_delete": False}],
            "business_rules": [{"name": "kind_known", "entity": "notes", "check": "kind IS NOT NULL",
                                "description": PAYLOADS[1] + PAYLOADS[6]}],
            "indexes": [{"entity": "notes", "columns": ["kind"], "reason": PAYLOADS[4] + PAYLOADS[8]}],
        },
    }


@pytest.mark.parametrize("standard_conforming_strings", ["on", "off"])
def test_descriptions_defaults_and_values_round_trip_byte_identical(tmp_path, scratch_dsn,
                                                                   standard_conforming_strings):
    path = tmp_path / "input.json"
    path.write_text(json.dumps(_payload_spec()), encoding="utf-8")
    design_project(path, tmp_path / "out")
    ddl = (tmp_path / "out" / "migrations" / "V001__initial_schema.sql").read_text(encoding="utf-8")
    statements = pglast.parse_sql(ddl)
    assert not any(isinstance(s.stmt, (ast.DropStmt, ast.DropdbStmt, ast.TransactionStmt)) for s in statements)

    # With standard_conforming_strings off, a plain '...\' literal would end early: escaping must not
    # depend on the session.
    with applied(scratch_dsn, ddl, f"SET standard_conforming_strings = {standard_conforming_strings}",
                 "SET escape_string_warning = off") as conn:
        assert conn.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").fetchone() == (1,)
        assert conn.execute("SELECT obj_description('notes'::regclass, 'pg_class')").fetchone()[0] \
            == "\n".join(PAYLOADS)
        comments = dict(conn.execute(
            "SELECT a.attname, col_description(a.attrelid, a.attnum) FROM pg_attribute a "
            "WHERE a.attrelid = 'notes'::regclass AND a.attnum > 0"))
        for i, payload in enumerate(PAYLOADS):
            assert comments[f"c{i}"] == payload
        assert conn.execute("SELECT obj_description(oid, 'pg_constraint') FROM pg_constraint "
                            "WHERE conname = 'chk_notes_kind_known'").fetchone() == (PAYLOADS[1] + PAYLOADS[6],)
        assert conn.execute("SELECT obj_description('idx_notes_kind'::regclass, 'pg_class')").fetchone() \
            == (PAYLOADS[4] + PAYLOADS[8],)
        labels = [r[0] for r in conn.execute("SELECT enumlabel FROM pg_enum e JOIN pg_type t ON t.oid = e.enumtypid "
                                             "WHERE t.typname = 'notes_mood' ORDER BY e.enumsortorder")]
        assert labels == ["it's", "back\\slash", "$$", "🎉"]
        for value in ("a'b", "c\\d", "$$", "*/--"):
            conn.execute("INSERT INTO notes (kind) VALUES (%s)", [value])
        with pytest.raises(psycopg.errors.CheckViolation):
            conn.execute("INSERT INTO notes (kind) VALUES ('c\\\\d')")  # two backslashes: not allowed
        conn.execute("DELETE FROM notes")
        row = conn.execute("INSERT INTO notes DEFAULT VALUES RETURNING *").fetchone()
        names = [d.name for d in conn.execute("SELECT * FROM notes LIMIT 0").description]
        values = dict(zip(names, row))
        for i, payload in enumerate(PAYLOADS):
            assert values[f"c{i}"] == payload
        assert values["kind"] == "c\\d"
        assert values["mood"] == "back\\slash"
        assert values["doc"] == {"q": "it's \\ $$ */ --", "n": [1, "\u2028"]}
        assert values["note"] == "O'Reilly \\ $$"
        expr = conn.execute("SELECT pg_get_expr(d.adbin, d.adrelid) FROM pg_attrdef d JOIN pg_attribute a "
                            "ON a.attrelid = d.adrelid AND a.attnum = d.adnum "
                            "WHERE d.adrelid = 'notes'::regclass AND a.attname = 'c4'").fetchone()[0]
        assert conn.execute(f"SELECT {expr}").fetchone() == (PAYLOADS[4],)


def test_project_name_stays_in_its_header_comment(tmp_path):
    path = tmp_path / "input.json"
    path.write_text(json.dumps(_payload_spec()), encoding="utf-8")
    result = design_project(path, tmp_path / "out")
    name = "hostile: it's $$ -- */ \\ ✓"
    assert any(f"\n-- Project: {name}\n" in a.content for a in result.artifacts if a.path.endswith(".sql"))
    for artifact in result.artifacts:
        if artifact.path.endswith(".sql"):
            for line in artifact.content.splitlines():
                if "hostile: it" in line and "$$" in line:  # the project name is only ever in a -- comment
                    assert line.startswith("-- "), (artifact.path, line)


# --- CHECK expressions -------------------------------------------------------------------------------

REFUSED_CHECKS = {
    "close and inject": ("price > 0); DROP TABLE users; --", "';' ends a statement"),
    "second statement": ("price > 0; DROP TABLE users", "';' ends a statement"),
    "sleep in a sub-query": ("1=1 OR (SELECT pg_sleep(10)) IS NULL", "sub-queries are not allowed"),
    "sleep as a function": ("price > 0 OR pg_sleep(10) IS NULL", "function 'pg_sleep' is not allowed"),
    "comment then inject": ("price > 0 /* */ ); DROP TABLE users; /* */", "';' ends a statement"),
    "unbalanced parenthesis": ("price > 0) OR (true", "unbalanced parentheses"),
    "union": ("price > 0) UNION (SELECT 1", "unbalanced parentheses"),
    "other table": ("price > (SELECT max(price) FROM users)", "sub-queries are not allowed"),
    "qualified column": ("users.price > 0", "only this table's own columns"),
    "session value": ("price > 0 AND current_user = 'postgres'", "time-dependent values"),
    "file access": ("price > 0 AND length(pg_read_file('/etc/passwd')) > 0", "'pg_read_file' is not allowed"),
    "large object": ("lo_import('/etc/passwd') > 0", "'lo_import' is not allowed"),
    "regclass cast": ("price::regclass IS NOT NULL", "cast to an unsupported type"),
    "parameter": ("price > $1", "parameters ($1) are not allowed"),
    "schema-qualified function": ("public.abs(price) > 0", "'public.abs' is not allowed"),
    "schema-qualified operator": ("price OPERATOR(public.>) 0", "is not allowed"),
    "unterminated comment": ("price > 0 /*", "unterminated /* comment"),
    "unterminated string": ("price > 'a", "unterminated quoted string"),
    "not a condition": ("price * 2", "must be a condition"),
    "string or true": ("'x' OR true", "must be a condition"),
    "aggregate": ("count(*) > 0", "'count' is not allowed"),
    "window": ("abs(price) OVER () > 0", "aggregate, window"),
    "nul": ("price > 0\x00; DROP TABLE users", "NUL"),
    "empty": ("   ", "empty"),
    "huge": ("price > 0 AND " * 2000 + "true", "longer than"),
    "deep": ("NOT " * 2400 + "price > 0", "nested too deeply"),
}


@pytest.mark.parametrize("text,reason", REFUSED_CHECKS.values(), ids=REFUSED_CHECKS.keys())
def test_hostile_checks_are_refused(text, reason):
    with pytest.raises(ExpressionError) as info:
        parse_check(text, {"price", "name"})
    assert reason in str(info.value)


CANONICALIZED_CHECKS = {
    "block comment": ("price > 0 /* x */ OR true", "price > 0 OR TRUE"),
    "line comment hiding an injection": ("price > 0 -- ); DROP TABLE users; --", "price > 0"),
    "block comment hiding an injection": ("price > 0 /* ); DROP TABLE users; -- */", "price > 0"),
    "nested comments": ("price /* a /* b */ c */ > 0", "price > 0"),
    "dollar-quoted string": ("name <> $$'); DROP TABLE users; --$$", "name <> '''); DROP TABLE users; --'"),
    "escape string": ("name <> E'\\\\'", "name <> E'\\\\'"),
    "extra parentheses and spacing": ("((price)   >=\n\t0)", "price >= 0"),
}


@pytest.mark.parametrize("text,canonical", CANONICALIZED_CHECKS.values(), ids=CANONICALIZED_CHECKS.keys())
def test_harmless_checks_are_canonicalized(text, canonical):
    expression, used = parse_check(text, {"price", "name"})
    assert expression.sql == canonical
    assert used


def test_hostile_checks_in_a_task_input_are_located_errors(tmp_path):
    attributes = [{"name": "price", "type": "numeric(10,2)"}, {"name": "name", "type": "text"}]
    rules = [{"name": f"rule{i}", "entity": "products", "check": text}
             for i, (text, _) in enumerate(REFUSED_CHECKS.values()) if "\x00" not in text]
    path = tmp_path / "input.json"
    path.write_text(json.dumps({"data_model": {"entities": [{"name": "products", "attributes": attributes}],
                                               "business_rules": rules}}, indent=2), encoding="utf-8")
    with pytest.raises(SpecError) as info:
        design_schema(path)
    problems = info.value.problems
    assert [p.path for p in problems] == [f"data_model.business_rules[{i}].check" for i in range(len(rules))]
    lines = path.read_text(encoding="utf-8").splitlines()
    for p in problems:
        assert lines[p.line - 1][p.column - 1:].startswith('"'), p  # the column of the expression itself
        assert p.message.startswith("invalid check on products: ")
    result = CliRunner().invoke(app, ["design", str(path), "-o", str(tmp_path / "out")])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert not (tmp_path / "out").exists()


def test_canonicalized_check_is_the_only_expression_in_the_ddl(tmp_path, scratch_dsn):
    spec = {"data_model": {"entities": [{"name": "products", "attributes": [
        {"name": "price", "type": "numeric(10,2)", "check": "price > 0 /* ); DROP TABLE x; -- */ OR false"},
        {"name": "name", "type": "text", "check": "name <> '' -- ); DROP TABLE x; --"},
    ]}]}}
    path = tmp_path / "input.json"
    path.write_text(json.dumps(spec), encoding="utf-8")
    design_project(path, tmp_path / "out")
    ddl = (tmp_path / "out" / "migrations" / "V001__initial_schema.sql").read_text(encoding="utf-8")
    body = ddl.split("\n\n", 1)[1]  # after the header comment
    assert "DROP" not in body and "/*" not in body and "--" not in body
    assert "CHECK (price > 0 OR FALSE)" in body and "CHECK (name <> '')" in body
    with applied(scratch_dsn, ddl) as conn:
        defs = sorted(r[0] for r in conn.execute(
            "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE contype = 'c'"))
        assert any("price > (0)::numeric" in d and "OR false" in d for d in defs), defs
        assert any("name <> ''::text" in d for d in defs), defs


# --- property-based ----------------------------------------------------------------------------------

_NAMES = st.one_of(
    st.text(max_size=80),
    st.from_regex(r"[A-Za-z][A-Za-z0-9_]{0,70}", fullmatch=True),
    st.sampled_from(sorted(RESERVED_KEYWORDS)),
)
_SETTINGS = settings(max_examples=75, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# The parse tree node each kind of rendered statement must be (kinds not listed, such as roles and
# grants, are only counted).
STATEMENT_NODES = {
    "extension": ast.CreateExtensionStmt, "type": ast.CreateEnumStmt, "function": ast.CreateFunctionStmt,
    "table": ast.CreateStmt, "foreign_key": ast.AlterTableStmt, "index": ast.IndexStmt, "view": ast.ViewStmt,
    "trigger": ast.CreateTrigStmt, "comment": ast.CommentStmt,
}


def _design(spec: dict):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "input.json"
        path.write_text(json.dumps(spec), encoding="utf-8")
        return design_schema(path)[1]


def _parsed(schema) -> tuple[list, list]:
    statements = get_dialect("postgresql").create_statements(schema)
    parsed = pglast.parse_sql("\n\n".join(s.sql for s in statements))
    assert len(parsed) == len(statements)
    for statement, raw in zip(statements, parsed):
        assert isinstance(raw.stmt, STATEMENT_NODES.get(statement.kind, ast.Node)), statement.sql
    assert not any(isinstance(raw.stmt, (ast.DropStmt, ast.DropdbStmt, ast.TransactionStmt)) for raw in parsed)
    return statements, [raw.stmt for raw in parsed]


@_SETTINGS
@given(value=st.text())
def test_quote_literal_round_trips_any_text(value):
    from schemawright.model.names import quote_literal

    if "\x00" in value:
        with pytest.raises(ValueError):
            quote_literal(value)
        return
    literal = quote_literal(value)
    assert "\n" not in literal and "\r" not in literal  # line-ending conversions cannot touch the data
    (raw,) = pglast.parse_sql(f"SELECT {literal}")
    assert raw.stmt.targetList[0].val.val.sval == value


@_SETTINGS
@given(name=_NAMES)
def test_any_text_as_a_name_is_an_error_or_a_correctly_quoted_identifier(name):
    spec = {"data_model": {"entities": [{"name": "things", "attributes": [{"name": name, "type": "text"}]}]}}
    try:
        schema = _design(spec)
    except SpecError as exc:
        assert exc.problems and all(p.line and p.column for p in exc.problems)
        return
    column = to_snake(name)
    assert is_valid_identifier(column) and len(column.encode()) <= MAX_IDENTIFIER
    statements, nodes = _parsed(schema)
    create = next(n for n in nodes if isinstance(n, ast.CreateStmt) and n.relation.relname == "things")
    assert column in [e.colname for e in create.tableElts if isinstance(e, ast.ColumnDef)]
    table_sql = next(s.sql for s in statements if s.kind == "table" and s.name == "things")
    assert f"    {quote_ident(column)} " in table_sql
    if quote_ident(column) != column:
        assert quote_ident(column) == f'"{column}"'


@_SETTINGS
@given(name=st.one_of(st.text(max_size=80), st.from_regex(r"[A-Z][a-z]{0,8}(?:[A-Z][a-z0-9]{0,8}){0,3}",
                                                           fullmatch=True)))
def test_any_text_as_an_entity_name_is_an_error_or_a_valid_table(name):
    try:
        schema = _design({"data_model": {"entities": [{"name": name}]}})
    except SpecError as exc:
        assert exc.problems and all(p.line and p.column for p in exc.problems)
        return
    table = table_name_for(name)
    assert is_valid_identifier(table)
    _, nodes = _parsed(schema)
    assert table in [n.relation.relname for n in nodes if isinstance(n, ast.CreateStmt)]


@_SETTINGS
@given(description=st.text(), default=st.text(), comment=st.text(max_size=40))
def test_any_text_as_description_or_default_stays_one_literal(description, default, comment):
    spec = {"data_model": {"entities": [{
        "name": "notes", "description": description, "audit_columns": False, "soft_delete": False,
        "attributes": [{"name": "body", "type": "text", "description": comment, "default": default}],
    }]}}
    try:
        schema = _design(spec)
    except SpecError:
        assert ("\x00" in description + default + comment
                or default.strip().lower() in KNOWN_DEFAULT_FUNCTIONS)
        return
    statements, nodes = _parsed(schema)
    kinds = [s.kind for s in statements]
    assert kinds.count("table") == 1
    comments = {(tuple(getattr(part, "sval", None) for part in (n.object if isinstance(n.object, tuple)
                                                                else (n.object,))), n.comment)
                for s, n in zip(statements, nodes) if s.kind == "comment"}
    assert len(comments) == kinds.count("comment")
    if description:
        assert (("notes",), description) in comments
    if comment:
        assert (("notes", "body"), comment) in comments
    create = next(n for n in nodes if isinstance(n, ast.CreateStmt))
    body = next(e for e in create.tableElts if isinstance(e, ast.ColumnDef) and e.colname == "body")
    defaults = [c.raw_expr for c in body.constraints or () if c.contype.name == "CONSTR_DEFAULT"]
    assert len(defaults) == 1 and defaults[0].val.sval == default


def test_names_derived_from_long_entity_names_fit_postgresql(tmp_path):
    a, b = "x" * 58 + "_item", "y" * 62 + "z"
    spec = {"data_model": {"entities": [{"name": a, "attributes": ["tags", "images"]}, {"name": b}],
                           "relationships": [{"from": a, "to": b, "type": "many_to_many"},
                                             {"from": a, "to": b, "required": False}]}}
    path = tmp_path / "input.json"
    path.write_text(json.dumps(spec), encoding="utf-8")
    try:
        _, schema = design_schema(path)
    except SpecError:
        return  # refusing the names is fine too
    for table in schema.tables:
        assert len(table.name.encode()) <= MAX_IDENTIFIER, table.name
        for column in table.columns:
            assert len(column.name.encode()) <= MAX_IDENTIFIER, column.name


def test_project_name_with_rich_markup_is_printed_as_text(tmp_path):
    path = tmp_path / "input.json"
    path.write_text(json.dumps({"project": {"name": "[/]shop[bold"}, "data_model": {"entities": [{"name": "a"}]}}),
                    encoding="utf-8")
    result = CliRunner().invoke(app, ["design", str(path), "-o", str(tmp_path / "out")])
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.exit_code == 0
    assert "[/]shop[bold" in result.output


def test_default_outside_the_allowed_values_is_refused(tmp_path):
    path = tmp_path / "input.json"
    path.write_text(json.dumps({"data_model": {"entities": [{"name": "items", "attributes": [
        {"name": "mood", "type": "enum", "values": ["happy", "sad"], "default": "angry"},
        {"name": "kind", "type": "text", "values": ["a", "b"], "default": "c"},
    ]}]}}), encoding="utf-8")
    with pytest.raises(SpecError) as info:
        design_schema(path)
    assert [p.path for p in info.value.problems] == ["data_model.entities[0].attributes[0].default",
                                                     "data_model.entities[0].attributes[1].default"]


def test_bare_non_boolean_column_is_not_a_condition(tmp_path):
    path = tmp_path / "input.json"
    path.write_text(json.dumps({"data_model": {"entities": [{"name": "items", "attributes": [
        {"name": "price", "type": "integer", "check": "price"}]}]}}), encoding="utf-8")
    with pytest.raises(SpecError) as info:
        design_schema(path)
    assert "must be a condition" in info.value.problems[0].message


def test_attribute_check_may_name_a_later_attribute(tmp_path):
    path = tmp_path / "input.json"
    path.write_text(json.dumps({"data_model": {"entities": [{"name": "ranges", "attributes": [
        {"name": "low", "type": "integer", "check": "low <= high"}, {"name": "high", "type": "integer"}]}]}}),
        encoding="utf-8")
    _, schema = design_schema(path)
    assert any(c.expression.sql == "low <= high" for c in schema.table("ranges").checks)
