"""Hostile names and text through every generated format (escape.py).

One task input carries a corpus of hostile text as the project name, entity and attribute names
(with ``conventions.naming`` off, so names are kept as written), descriptions and defaults. The
generated folder is then attacked format by format: shell scripts parse (``bash -n``) and a backup
and restore on a real server never fire the canary; the .env file sources without executing; the
SQL applies with names byte-identical in the catalog; Markdown tables keep their column count and no
raw HTML survives; Mermaid and DBML parse back to the same names; the Python models compile. Text
the loader cannot accept (NUL, line breaks, bidi overrides and quotes in names) is a clear exit 2.
"""

from __future__ import annotations

import ast as pyast
import html
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from markdown_it import MarkdownIt
from pydbml import PyDBML

from schemawright.api import design_project
from schemawright.db import scratch_database
from schemawright.db.embedded import bin_dir
from schemawright.model.names import dollar_quote, slug
from schemawright import escape
from schemawright.verify.runner import apply_files, load_model, read_migrations
from schemawright.verify.security import scratch_roles

LONG = "n" * 63  # PostgreSQL's limit exactly
MULTIBYTE = "prénom ü 東京"


def _payloads(canary: Path) -> list[str]:
    return [
        "it's \"quoted\"", f"$(touch {canary})", f"`touch {canary}`", "a|b|c", "line1\r\nline2\rline3\nline4",
        "\u202eevil\u202c", "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "$function$ $fixture$ $$",
        "back\\slash \\| pipe", "```\n# heading\n~~~", "[x](javascript:alert(1))", "日本語 ✓ 🎉", "%% #quot; {}",
    ]


def _spec(canary: Path) -> dict:
    text = " ".join(_payloads(canary))
    return {
        "project": {"name": f"evil $(touch {canary}) `touch {canary}` it's \"x\"\"\" <script>alert(1)</script> 東京"},
        "task": {"description": text},
        "conventions": {"naming": False},
        "security_requirements": {"data_classification": "restricted", "compliance_standards": ["GDPR", "<b>x</b>|y"],
                                  "audit_requirements": True, "access_control": "role_based"},
        "data_model": {
            "entities": [
                {"name": "tenant $function$", "description": text,
                 "attributes": [{"name": "email $fixture$", "type": "text", "pii": True, "description": text}]},
                {"name": "my $function$ table", "tenant_column": "org $function$", "description": text,
                 "attributes": [{"name": "org $function$", "references": "tenant $function$.id"},
                                {"name": "first name", "type": "text", "pii": True, "description": text,
                                 "default": text},
                                {"name": "select", "type": "text", "default": "`"},
                                {"name": "end", "type": "integer"},
                                {"name": "pk", "type": "text"},
                                {"name": LONG, "type": "text"},
                                {"name": MULTIBYTE, "type": "text", "description": text},
                                {"name": "$$", "type": "text"},
                                {"name": "a-b c", "type": "text"}]},
                {"name": LONG, "attributes": [{"name": "my ref", "references": "my $function$ table.id"}]},
            ],
            "business_rules": [{"name": "rule $function$", "description": text}],
        },
    }


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    """The designed folder, its design result and the canary file that must never appear."""
    root = tmp_path_factory.mktemp("hostile")
    canary = root / "canary"
    path = root / "input.json"
    path.write_text(json.dumps(_spec(canary), ensure_ascii=False), encoding="utf-8")
    result = design_project(path, root / "out")
    assert not canary.exists()
    return root / "out", result, canary


def _files(out: Path, *suffixes: str) -> list[Path]:
    return sorted(p for p in out.rglob("*") if p.is_file() and p.name.endswith(suffixes))


# --- the loader: what cannot be a name or a project name is a located exit 2 ---------------------------

def _cli() -> list[str]:
    script = Path(sys.executable).with_name("schemawright")
    return [str(script)] if script.exists() else [sys.executable, "-m", "schemawright"]


REFUSED = {
    "project: NUL": ("project", "a\x00b", "single line"),
    "project: line feed": ("project", "shop\nrm -rf /", "single line"),
    "project: carriage return": ("project", "shop\r", "single line"),
    "project: RTL override": ("project", "shop \u202eevil", "single line"),
    "project: only multibyte": ("project", "データベース", "no ASCII letter or digit"),
    "project: only punctuation": ("project", "$()`'\"", "no ASCII letter or digit"),
    "entity: double quote": ("entity", 'a"b', "is not allowed"),
    "entity: single quote": ("entity", "a'b", "is not allowed"),
    "entity: backtick": ("entity", "a`b", "is not allowed"),
    "entity: command substitution": ("entity", "a$(id)", "is not allowed"),
    "entity: line feed": ("entity", "a\nb", "is not allowed"),
    "entity: carriage return": ("entity", "a\rb", "is not allowed"),
    "entity: NUL": ("entity", "a\x00b", "is not allowed"),
    "entity: RTL override": ("entity", "a\u202eb", "is not allowed"),
    "entity: script tag": ("entity", "<script>", "is not allowed"),
    "entity: 64 bytes": ("entity", "é" * 32, "bytes long"),
    "attribute: pipe": ("attribute", "a|b", "is not allowed"),
    "attribute: carriage return": ("attribute", "a\rb", "is not allowed"),
    "attribute: function quote in a backtick": ("attribute", "`$function$`", "is not allowed"),
    "description: NUL": ("description", "a\x00b", "NUL"),
}


@pytest.mark.parametrize("where,text,message", REFUSED.values(), ids=REFUSED.keys())
def test_unacceptable_text_is_a_located_exit_2(tmp_path, where, text, message):
    spec = {"project": {"name": text if where == "project" else "shop"}, "conventions": {"naming": False},
            "data_model": {"entities": [{"name": text if where == "entity" else "items",
                                         "description": text if where == "description" else "Items",
                                         "attributes": [text if where == "attribute" else "title"]}]}}
    path = tmp_path / "input.json"
    path.write_text(json.dumps(spec), encoding="utf-8")
    done = subprocess.run([*_cli(), "design", str(path), "-o", str(tmp_path / "out")], capture_output=True,
                          text=True, env={**os.environ, "COLUMNS": "200"})
    assert done.returncode == 2, done.stdout + done.stderr
    field = {"project": "project.name", "entity": "data_model.entities[0].name",
             "attribute": "data_model.entities[0].attributes[0]",
             "description": "data_model.entities[0].description"}[where]
    assert re.search(r":\d+:\d+: " + re.escape(field), done.stderr) and message in done.stderr, done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    assert not (tmp_path / "out").exists()


# --- shell and .env ------------------------------------------------------------------------------------

def test_every_shell_script_parses_and_names_are_never_code(hostile):
    out, _, canary = hostile
    scripts = _files(out, ".sh")
    assert scripts
    for script in scripts:
        done = subprocess.run(["bash", "-n", str(script)], capture_output=True, text=True)
        assert done.returncode == 0, (script, done.stderr)
        for line in script.read_text(encoding="utf-8").splitlines():
            if "$(touch" in line or "`touch" in line:  # the project name: only ever inside a comment
                assert line.startswith("# Project: "), (script.name, line)
    assert not canary.exists()


def test_env_file_sources_without_executing(hostile):
    out, _, canary = hostile
    env_file = out / ".env.example"
    for reader in (". {f}", "set -a; . {f}; set +a"):
        done = subprocess.run(["bash", "-c", reader.format(f=f"'{env_file}'") + '; printf %s "$DATABASE_URL"'],
                              capture_output=True, text=True, env={"PATH": os.environ["PATH"]})
        assert done.returncode == 0, done.stderr
        database = slug(_spec(canary)["project"]["name"])
        assert re.fullmatch(rf"postgresql://{database}_app:@localhost:5432/{database}", done.stdout), done.stdout
    assert not canary.exists()


def test_backup_and_restore_run_without_firing_the_canary(hostile, pg_dsn, tmp_path):
    out, _, canary = hostile
    forward, _ = read_migrations(out)
    backups = tmp_path / "backups"
    env = {**os.environ, "PATH": f"{bin_dir()}:{os.environ['PATH']}", "BACKUP_DIR": str(backups)}
    env.pop("BACKUP_PASSPHRASE", None)
    with scratch_roles(pg_dsn, load_model(out)), scratch_database(pg_dsn) as source, \
            scratch_database(pg_dsn) as target:
        with psycopg.connect(source, autocommit=True) as conn:
            assert apply_files(conn, forward) == []
        done = subprocess.run(["bash", str(out / "scripts/maintenance/backup.sh")],
                              env={**env, "DATABASE_URL": source}, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        backup = Path(done.stdout.strip())
        assert backup.parent == backups and re.fullmatch(r"[a-z0-9_]+_\d{8}T\d{6}Z\.dump", backup.name)
        done = subprocess.run(["bash", str(out / "scripts/maintenance/restore.sh"), str(backup)],
                              env={**env, "DATABASE_URL": target}, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        with psycopg.connect(target) as conn:
            tables = {r[0] for r in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")}
    assert {"tenant $function$", "my $function$ table", LONG} <= tables
    assert not canary.exists()


# --- SQL -----------------------------------------------------------------------------------------------

def test_sql_applies_with_names_and_text_byte_identical(hostile, pg_dsn):
    out, result, canary = hostile
    forward, _ = read_migrations(out)
    text = " ".join(_payloads(canary))
    with scratch_roles(pg_dsn, load_model(out)), scratch_database(pg_dsn) as dsn:
        with psycopg.connect(dsn, autocommit=True) as conn:
            assert apply_files(conn, forward) == []
            catalog = {(r[0], r[1]) for r in conn.execute(
                "SELECT c.relname, a.attname FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid "
                "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind = 'r' "
                "AND a.attnum > 0 AND NOT a.attisdropped")}
            designed = {(t.name, c.name) for t in result.schema.tables for c in t.columns}
            assert designed <= catalog
            assert {("my $function$ table", n) for n in ("select", "end", "pk", LONG, MULTIBYTE, "$$", "a-b c")} \
                <= catalog
            assert conn.execute("SELECT obj_description('\"my $function$ table\"'::regclass, 'pg_class')"
                                ).fetchone() == (text,)
            functions = {r[0] for r in conn.execute(
                "SELECT p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
                "WHERE n.nspname = 'public'")}
            assert {f.name for f in result.schema.functions} <= functions
            # fn_audit_row's body names "my $function$ table": its quote tag had to be another one.
            assert re.search(r"^AS \$function_[0-9a-f]{8}\$$", "".join(p.read_text(encoding="utf-8")
                                                                         for p in forward), re.M)
            # The audit trigger (its body names "my $function$ table") runs, and the default is the payload.
            tenant = conn.execute("INSERT INTO \"tenant $function$\" (\"email $fixture$\") VALUES ('a@b.c') "
                                  "RETURNING id").fetchone()[0]
            conn.execute("SELECT set_config('app.current_tenant_id', %s, false)", [str(tenant)])
            row = conn.execute("INSERT INTO \"my $function$ table\" (\"org $function$\") VALUES (%s) "
                               "RETURNING \"first name\", \"select\"", [tenant]).fetchone()
            assert row == (text, "`")
    assert not canary.exists()


def test_dollar_quote_tag_is_never_in_the_body():
    for body in ("x", "$function$", "a $function$ b $function_", "ends with $function", "$$ $q_1$"):
        quoted = dollar_quote(body)
        tag = quoted[:quoted.index("$", 1) + 1]
        assert quoted == f"{tag}{body}{tag}" and tag not in body and not body.endswith(tag[:-1])
    assert dollar_quote("plain") == "$function$plain$function$"  # unchanged output for ordinary bodies
    assert dollar_quote("x $$ y", "").startswith("$q_")


def test_sql_comments_hold_the_project_name_on_one_line(hostile):
    out, result, _ = hostile
    for path in _files(out, ".sql"):
        for line in path.read_text(encoding="utf-8").splitlines():
            if 'it\'s "x"""' in line:  # the project name
                assert line.startswith("-- "), (path, line)


# --- Markdown and HTML ---------------------------------------------------------------------------------

def _tables(tokens) -> list[list[list[str]]]:
    """Each table of a markdown-it token stream as rows of cell texts (inline content)."""
    tables, rows, row = [], None, None
    for tok in tokens:
        if tok.type == "table_open":
            rows = []
        elif tok.type == "tr_open":
            row = []
        elif tok.type == "inline" and row is not None:
            row.append(tok.content)
        elif tok.type == "tr_close":
            rows.append(row)
            row = None
        elif tok.type == "table_close":
            tables.append(rows)
    return tables


def test_markdown_tables_keep_their_columns_and_no_raw_html(hostile):
    out, result, canary = hostile
    md = MarkdownIt("commonmark").enable("table")
    documents = _files(out, ".md")
    assert len(documents) >= 5
    cells_seen = []
    for path in documents:
        source = path.read_text(encoding="utf-8")
        tokens = md.parse(source)
        for table in _tables(tokens):
            width = len(table[0])
            assert all(len(r) == width for r in table), (path.name, table)
            cells_seen += [c for r in table for c in r]
        # No HTML block or inline HTML except the <br> line breaks escape.md_cell writes.
        for tok in tokens:
            assert tok.type != "html_block", (path.name, tok.content)
            for child in tok.children or []:
                assert child.type != "html_inline" or child.content == "<br>", (path.name, child.content)
        rendered = md.render(source)
        assert "<script" not in rendered and "<img" not in rendered and 'href="javascript' not in rendered
        assert "<script" not in source and "<img" not in source
    # A column's description with every payload is one cell of the data dictionary, shown as written.
    text = " ".join(_payloads(canary))
    dictionary = md.render((out / "docs/data_dictionary.md").read_text(encoding="utf-8"))
    assert html.escape("<script>alert(1)</script>", quote=False) in dictionary
    assert any("first name" in c for c in cells_seen)
    assert text  # the payload reached the docs through md_cell
    assert "&lt;script&gt;" in (out / "README.md").read_text(encoding="utf-8")


def test_markdown_escapes_round_trip_as_text():
    md = MarkdownIt("commonmark").enable("table")
    for text in ("a|b", "back\\slash \\| x", "`code` ``x``", "<b>x</b> & y", "[x](javascript:alert(1))",
                 "# not a heading", "- not a list", "~~~", "*star* _under_", "$function$"):
        row = f"| h |\n|---|\n| {escape.md_cell(text)} |\n"
        tables = _tables(md.parse(row))
        assert len(tables) == 1 and len(tables[0][1]) == 1, text
        plain = md.render(f"x {escape.md_text(text)}")
        assert "<a " not in plain and "<b>" not in plain and "<h1>" not in plain and "<code>" not in plain
        assert html.unescape(re.sub(r"<[^>]+>", "", plain)).strip() == f"x {text}", text
    assert escape.html_text('<a href="x">') == "&lt;a href=&quot;x&quot;&gt;"


# --- Mermaid -------------------------------------------------------------------------------------------

# What mermaid's erDiagram grammar accepts (erDiagram.jison): a quoted entity name has no
# '"', '%', '\\', CR, LF, VT or backspace; attribute types and names are plain words (not PK/FK/UK);
# comments and labels are double-quoted without '"'.
ENTITY = r'"(?P<{}>[^"%\\\r\n\v\b]+)"'
ENTITY_OPEN = re.compile(r"    " + ENTITY.format("name") + r" \{\Z")
ATTRIBUTE = re.compile(r"        (?P<type>[A-Za-z][A-Za-z0-9_]*) (?P<word>[A-Za-z][A-Za-z0-9_]*)"
                       r"(?: (?P<keys>PK|FK|PK,FK))?(?: \"(?P<comment>[^\"]*)\")?\Z")
RELATION = re.compile(r"    " + ENTITY.format("parent") + r" (?:\|o|\|\|)--(?:o\||o\{) " + ENTITY.format("child")
                      + r" : \"(?P<label>[^\"]*)\"\Z")


def _mermaid_text(coded: str) -> str:
    return re.sub(r"#(\d+);", lambda m: chr(int(m.group(1))), coded)


def test_mermaid_parses_back_to_the_same_names(hostile):
    out, result, _ = hostile
    source = (out / "docs/erd.md").read_text(encoding="utf-8")
    diagram = source.split("```mermaid\n", 1)[1].split("```", 1)[0].splitlines()
    assert diagram[0] == "erDiagram"
    entities: dict[str, list[str]] = {}
    relations = []
    current = None
    for line in diagram[1:]:
        if m := ENTITY_OPEN.match(line):
            current = _mermaid_text(m["name"])
            entities[current] = []
        elif m := ATTRIBUTE.match(line):
            assert m["word"].lower() not in ("pk", "fk", "uk") and m["type"].lower() not in ("pk", "fk", "uk")
            entities[current].append(_mermaid_text(m["comment"]) if m["comment"] is not None else m["word"])
        elif line == "    }":
            current = None
        else:
            m = RELATION.match(line)
            assert m, f"not erDiagram syntax: {line!r}"
            relations.append((_mermaid_text(m["parent"]), _mermaid_text(m["child"]), _mermaid_text(m["label"])))
    assert entities == {t.name: [c.name for c in t.columns] for t in result.schema.tables}
    assert sorted(relations) == sorted((fk.ref_table, t.name, ", ".join(fk.columns))
                                       for t in result.schema.tables for fk in t.foreign_keys)


def test_mermaid_escapes_any_text():
    for text in ('a"b', "50% off", "a\\b", "line\nbreak", "#35; code", "<b>"):
        label = escape.mermaid_label(text)
        assert re.fullmatch(r'"[^"%\\\r\n\v\b<>]+"', label), label
        assert _mermaid_text(label[1:-1]) == text
    assert escape.mermaid_word("PK") == ("c_PK", '"PK"')


# --- DBML ----------------------------------------------------------------------------------------------

def test_dbml_parses_back_to_the_same_names_notes_and_defaults(hostile):
    out, result, canary = hostile
    parsed = PyDBML((out / "models/logical/logical_model.dbml").read_text(encoding="utf-8"))
    assert [t.name for t in parsed.tables] == [t.name for t in result.schema.tables]
    for designed, table in zip(result.schema.tables, parsed.tables):
        assert [c.name for c in table.columns] == [c.name for c in designed.columns]
        for dc, pc in zip(designed.columns, table.columns):
            note = pc.note.text if pc.note else ""
            assert note.startswith(dc.comment or ""), (dc.name, note)
    text = " ".join(_payloads(canary))
    hostile_table = next(t for t in parsed.tables if t.name == "my $function$ table")
    columns = {c.name: c for c in hostile_table.columns}
    assert columns["first name"].default == text  # a string default holding a backtick, exact
    assert columns["select"].default == "`"
    assert columns["first name"].note.text == text
    refs = {(r.table1.name, tuple(c.name for c in r.col1), r.table2.name) for r in parsed.refs}
    assert ("my $function$ table", ("org $function$",), "tenant $function$") in refs
    # both tables are tenant-scoped: the key carries the tenant (design/tenancy.py), hostile names and all
    assert (LONG, ("org $function$", "my ref"), "my $function$ table") in refs


def test_dbml_default_that_cannot_be_spelled_goes_to_the_note():
    assert escape.dbml_default("now()") == "default: `now()`"
    assert escape.dbml_default("'a`b'::text") == "default: 'a`b'"
    assert escape.dbml_default("concat('`', 'x')") is None
    assert PyDBML(f"Table t {{\n  c text [note: {escape.dbml_string(chr(10).join(['a', 'b']))}]\n}}\n"
                  ).tables[0].columns[0].note.text == "a\nb"


# --- Python, YAML, JSON --------------------------------------------------------------------------------

def test_python_models_compile_and_keep_names_as_data(hostile):
    out, result, canary = hostile
    source = (out / "models/orm/sqlalchemy_models.py").read_text(encoding="utf-8")
    tree = pyast.parse(source)  # a name or the project name breaking out of a string would fail or add code
    doc = pyast.get_docstring(tree)
    assert doc.startswith(f"SQLAlchemy 2.0 models for {_spec(canary)['project']['name']}.")
    tablenames = [node.value.value for node in pyast.walk(tree) if isinstance(node, pyast.Assign)
                  and any(isinstance(t, pyast.Name) and t.id == "__tablename__" for t in node.targets)]
    assert tablenames == [t.name for t in result.schema.tables]
    assert not [n for n in pyast.walk(tree) if isinstance(n, (pyast.Import, pyast.ImportFrom))
                and any(a.name in ("os", "subprocess") for a in n.names)]


def test_yaml_and_python_escapes_round_trip():
    import yaml

    data = {"name": "a: b\n- c # d", "list": ["'", '"', "\u202e", "`x`"]}
    assert yaml.safe_load(escape.yaml_document(data)) == data
    assert escape.yaml_comment("a\nb: c") == "a b: c"
    for text in ('x"""; import os', "a\\", "\u2028"):
        assert pyast.literal_eval(escape.python_str(text)) == text
        assert pyast.literal_eval('"""' + escape.python_docstring(text) + '"""') == text.replace("\u2028", " ")
    assert [escape.python_identifier(n) for n in ("class", "first name", "1x", "$$")] == \
        ["class_", "first_name", "c_1x", "__"]


def test_pgtap_fixture_quote_tag_is_not_in_its_body(hostile):
    out, _, _ = hostile
    fixture = (out / "tests/support/security_fixture.sql").read_text(encoding="utf-8")
    tag = re.search(r"^DO (\$fixture_[0-9a-f]{8}\$)$", fixture, re.M)[1]  # "$fixture$" is in the values
    assert fixture.count(tag) == 2


def test_agent_output_is_json_with_the_exact_text(hostile):
    out, _, canary = hostile
    report = json.loads((out / "agent_output.json").read_text(encoding="utf-8"))
    assert report["design"]["inferences"]
    assert not canary.exists()


def test_shell_and_env_escapes():
    assert subprocess.run(["bash", "-c", f"printf %s {escape.shell_quote('$(id) `id` it' + chr(39) + 's')}"],
                          capture_output=True, text=True).stdout == "$(id) `id` it's"
    assert escape.env_value("shop_db") == "shop_db"
    assert escape.env_value("a b $x") == "'a b $x'"
    with pytest.raises(ValueError):
        escape.env_value("it's")
    with pytest.raises(ValueError):
        escape.safe_name("東京")
    assert escape.safe_name("Café Shop-2") == "cafe_shop_2"
