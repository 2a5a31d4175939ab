"""``schemawright docs`` for any source, the ER diagram images, the design documents, and the docs checked
against tbls' own output for its sample database (../shared/corpus/tbls-docs: tbls' schema.json lists every
table, column, index and relation it documents; each must be in ours)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml

from schemawright.api import design_project, design_schema, load_schema
from schemawright.render import render_docs
from schemawright.render.erd_image import DOMAIN_LIMIT, domains, qualified
from schemawright.render.writer import write_docs

ROOT = Path(__file__).resolve().parents[1]
TBLS = ROOT.parent / "shared" / "corpus" / "tbls-docs"
needs_dot = pytest.mark.skipif(shutil.which("dot") is None,
                               reason="Graphviz 'dot' is not installed (scripts/system-deps.sh installs it)")


def _rows(markdown: str, heading: str) -> list[list[str]]:
    """The rows of the first Markdown table after ``heading`` (cells stripped, escapes removed)."""
    start = markdown.index(heading)
    rows = []
    for line in markdown[start:].splitlines()[1:]:
        if line.startswith("#") and rows:
            break
        if line.startswith("|") and not line.startswith("|---"):
            rows.append([c.strip().replace("\\", "") for c in line.strip("|").split(" | ")])
    return rows[1:]


@needs_dot
def test_docs_of_a_task_input_has_images_and_design_documents(tmp_path):
    result = write_docs(str(ROOT / "tests/inputs/library.yaml"), tmp_path)
    docs = tmp_path / "docs"
    for name in ("data_dictionary.md", "erd.md", "erd.dot", "erd.svg", "erd.png", "PRD.md", "schema_overview.md",
                 "index_strategy.md", "capacity_planning.md", "report.html"):
        assert (docs / name).is_file(), name
    assert (tmp_path / "models/conceptual/domain_model.md").is_file()
    assert (docs / "erd.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    svg = ET.parse(docs / "erd.svg").getroot()  # well-formed XML
    text = " ".join(t.text or "" for t in svg.iter() if t.tag.endswith("text"))
    for table in result.schema.tables:  # every table and column is drawn
        assert table.name in text
        for column in table.columns:
            assert column.name in text, (table.name, column.name)
    prd = (docs / "PRD.md").read_text()
    assert "How each is met".lower() in prd.lower() and "RPO" in prd


def test_dictionary_never_passes_a_humanized_name_off_as_a_description(tmp_path):
    source = ROOT / "examples/blog_cms.json"
    write_docs(str(source), tmp_path)
    text = (tmp_path / "docs/data_dictionary.md").read_text()
    spec = json.loads(source.read_text())
    described = {(e["name"], a["name"]): a["description"] for e in spec["data_model"]["entities"]
                 for a in e.get("attributes", []) if isinstance(a, dict) and a.get("description")}
    assert len(described) >= 4
    rows = {}
    for section in text.split("## Table: ")[1:]:
        table = section.splitlines()[0]
        for name, _type, _null, _default, description in _rows(section, "### Columns"):
            rows[(table, name)] = description
            assert description.lower() != name.replace("_", " ").lower(), (table, name, description)
    assert len(rows) > 30
    for (table, name), description in described.items():  # the input's words are kept
        assert rows[(table, name)].startswith(description[:10]), (table, name, rows[(table, name)])
    plain = [(t, a) for e in spec["data_model"]["entities"] for t in [e["name"]]
             for a in e.get("attributes", []) if isinstance(a, str) and not a.endswith("_id")]
    kept = [key for key in plain if key in rows]  # some become lookup tables or references (own comments)
    assert len(kept) >= 5
    for key in kept:  # attributes without a description say so
        assert rows[key].startswith("Not described in the input"), (key, rows[key])


@needs_dot
def test_a_100_table_schema_gets_one_readable_diagram_per_domain(tmp_path):
    entities, relationships = [], []
    for d in range(5):  # five domains of 20 tables, each a chain of references, plus a shared users table
        for i in range(20):
            entities.append({"name": f"d{d}_t{i}", "attributes": [{"name": "title"}, {"name": "amount"}]})
            if i:
                relationships.append({"from": f"d{d}_t{i}", "to": f"d{d}_t{i // 2}", "type": "many_to_one"})
    spec = {"project": {"name": "big", "type": "web_app"}, "data_model": {"entities": entities, "relationships": relationships}}
    path = tmp_path / "big.json"
    path.write_text(json.dumps(spec))
    out = tmp_path / "out"
    result = write_docs(str(path), out)
    tables = {qualified(t.schema, t.name) for t in result.schema.tables}
    assert len(tables) >= 100
    groups = domains(result.schema)
    seen = [k for _, keys in groups for k in keys]
    assert sorted(seen) == sorted(tables)  # every table in exactly one domain
    assert all(len(keys) <= DOMAIN_LIMIT for _, keys in groups)
    overview = (out / "docs/erd.svg").read_text()
    assert "varchar" not in overview  # the overview shows table names only
    for name, keys in groups:
        svg = out / "docs/erd" / f"{name}.svg"
        assert svg.is_file(), name
        text = " ".join(t.text or "" for t in ET.parse(svg).getroot().iter() if t.tag.endswith("text"))
        for k in keys:
            assert k in text
        width = float(ET.parse(svg).getroot().get("width").removesuffix("pt"))
        assert width < 4000, (name, width)  # a domain stays screen-sized, not a 100-table poster
    assert (out / "docs/erd/" / f"{groups[0][0]}.png").read_bytes()[:4] == b"\x89PNG"


def test_docs_without_graphviz_say_how_to_get_it(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # no dot on PATH
    result = write_docs(str(ROOT / "tests/inputs/library.yaml"), tmp_path / "out")
    assert not (tmp_path / "out/docs/erd.png").exists()
    assert (tmp_path / "out/docs/erd.dot").is_file()
    assert any("apt-get install graphviz" in w for w in result.warnings)
    assert "apt-get install graphviz" in (tmp_path / "out/docs/erd.md").read_text()


def test_docs_command_on_a_design_folder_and_a_migrations_folder(tmp_path, pg_dsn):
    project = tmp_path / "lib"
    design_project(ROOT / "tests/inputs/library.yaml", project)
    for source in (project, project / "migrations"):
        out = tmp_path / f"docs-{source.name}"
        done = subprocess.run([str(ROOT / ".venv/bin/schemawright"), "docs", str(source), "-o", str(out),
                               "--dsn", pg_dsn], capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        text = (out / "docs/data_dictionary.md").read_text()
        for table in ("books", "copies", "loans", "members"):
            assert f"## Table: {table}" in text


def test_docs_command_refuses_a_missing_source_clearly(tmp_path):
    done = subprocess.run([str(ROOT / ".venv/bin/schemawright"), "docs", str(tmp_path / "nope.sql"), "-o",
                           str(tmp_path / "out")], capture_output=True, text=True, timeout=120)
    assert done.returncode != 0
    assert "no such file" in done.stderr and "Traceback" not in done.stderr


# --- tbls' own sample as the oracle ----------------------------------------------------------------------

@pytest.fixture(scope="module")
def tbls_docs(tmp_path_factory, pg15_dsn):
    ddl = TBLS / "testdata/ddl/postgres.sql"
    if not ddl.is_file():
        pytest.skip(f"corpus file {ddl} is absent (the corpus is expected at <repo>/../shared/corpus)")
    folder = tmp_path_factory.mktemp("tbls")
    # the one statement that names tbls' own test database (ALTER ROLE ... IN DATABASE testdb) is left out;
    # everything else is tbls' DDL as is
    sql = "\n".join(line for line in ddl.read_text().splitlines() if "in database testdb" not in line.lower())
    (folder / "tbls.sql").write_text(sql)
    result = write_docs(str(folder / "tbls.sql"), folder / "out", dsn=pg15_dsn)
    expected = json.loads((TBLS / "sample/postgres/schema.json").read_text())
    return result, (folder / "out/docs/data_dictionary.md").read_text(), expected


def _words(text: str | None) -> str:
    return " ".join((text or "").split())


def _sections(dictionary: str) -> dict[str, str]:
    parts = re.split(r"^## Table: ", dictionary, flags=re.M)[1:]
    return {p.splitlines()[0].replace("\\", ""): p for p in parts}


@pytest.mark.corpus
def test_every_table_column_index_and_relation_tbls_lists_is_in_ours(tbls_docs):
    _, dictionary, expected = tbls_docs
    sections = _sections(dictionary)
    # tbls' sample also shows comments from its own config file (.tbls.yml), which are not in the database;
    # the comments its DDL sets (COMMENT ON ... IS '...') must be in ours
    ddl = (TBLS / "testdata/ddl/postgres.sql").read_text()
    in_ddl = {_words(m.replace("\\n", " ").replace("\\r", " ")) for m in re.findall(r"COMMENT ON \w+ .*? IS E?'(.*)';", ddl)}
    assert len(in_ddl) >= 6
    views = dictionary[dictionary.index("## Views"):] if "## Views" in dictionary else ""
    missing = []
    for t in expected["tables"]:
        name = t["name"].removeprefix("public.")
        if t["type"] in ("VIEW", "MATERIALIZED VIEW"):
            block = views[views.find(f"### View: {name}"):]
            if f"### View: {name}" not in views:
                missing.append(("view", name))
                continue
            for c in t["columns"]:  # a view's columns are in its definition
                if c["name"] not in block.split("```")[1]:
                    missing.append(("view column", name, c["name"]))
            continue
        if name not in sections:
            missing.append(("table", name))
            continue
        cols = {r[0].replace("\\", ""): r for r in _rows(sections[name], "### Columns")}
        for c in t["columns"]:
            if c["name"] not in cols:
                missing.append(("column", name, c["name"]))
            elif (cols[c["name"]][2] == "YES") != c["nullable"]:
                missing.append(("nullability", name, c["name"]))
            elif _words(c.get("comment")) in in_ddl and _words(c["comment"]) not in _words(cols[c["name"]][4].replace("<br>", " ")):
                missing.append(("column comment", name, c["name"]))
        if _words(t.get("comment")) in in_ddl and _words(t["comment"]) not in _words(sections[name]):
            missing.append(("table comment", name))
        index_rows = _rows(sections[name], "### Indexes")
        index_names = {r[0] for r in index_rows}
        for ix in t.get("indexes", []):
            if ix["name"] not in index_names:
                missing.append(("index", name, ix["name"]))
    assert not missing, missing


@pytest.mark.corpus
def test_every_relation_tbls_lists_is_a_foreign_key_in_ours(tbls_docs):
    _, dictionary, expected = tbls_docs
    sections = _sections(dictionary)
    ours = set()
    for name, section in sections.items():
        for fk_name, columns, references, _on_delete in _rows(section, "### Foreign Keys"):
            if fk_name != "-":
                parent = references.split("(")[0]
                ours.add((name, tuple(c.strip() for c in columns.split(",")), parent))
    missing = []
    for rel in expected["relations"]:
        if rel.get("virtual"):
            continue
        key = (rel["table"].removeprefix("public."), tuple(rel["columns"]), rel["parent_table"].removeprefix("public."))
        if key not in ours:
            missing.append(key)
    assert not missing and len(expected["relations"]) >= 10, missing


@pytest.mark.corpus
@needs_dot
def test_tbls_sample_diagram_draws_every_table_and_relation(tbls_docs, tmp_path):
    result, _, expected = tbls_docs
    dot = (Path(result.out_dir) / "docs/erd.dot").read_text()
    for t in expected["tables"]:
        if t["type"] == "BASE TABLE":
            assert f'"{t["name"].removeprefix("public.")}"' in dot, t["name"]
    edges = dot.count(" -> ")
    assert edges >= len([r for r in expected["relations"] if not r.get("virtual")])


@needs_dot
def test_hostile_names_are_drawn_as_text(tmp_path):
    """Names with markup, quotes, backslashes, control characters and line breaks reach the SVG as text."""
    from schemawright.model.schema import Column, ForeignKey, Schema, Table
    from schemawright.model.types import DataType, Kind
    from schemawright.render.erd_image import PROBLEMS, erd_artifacts

    hostile = 'we\x01ird <b>&amp;</b> "q" \\ $x\nline'
    parent = Table(name=hostile, columns=[Column(name="id", type=DataType(Kind.INTEGER), nullable=False)])
    child = Table(name="child", columns=[Column(name='p"id</TD>', type=DataType(Kind.INTEGER))],
                  foreign_keys=[ForeignKey(name="fk", columns=('p"id</TD>',), ref_table=hostile, ref_columns=("id",))])
    artifacts = {a.path: a.content for a in erd_artifacts(Schema(tables=[parent, child]))}
    assert PROBLEMS not in artifacts and "docs/erd.svg" in artifacts
    svg = ET.fromstring(artifacts["docs/erd.svg"])
    texts = [t.text or "" for t in svg.iter() if t.tag.endswith("text")]
    assert any('"q"' in t and "<b>&amp;</b>" in t for t in texts)  # shown literally, not as markup
    assert 'p"id</TD>' in texts
    assert sum(1 for e in svg.iter() if e.get("class") == "edge") == 1


def test_docs_of_a_live_database_use_its_comments_and_state_what_is_missing(tmp_path, scratch_dsn):
    import psycopg

    with psycopg.connect(scratch_dsn, autocommit=True) as conn:
        conn.execute("CREATE TABLE shelf (id int PRIMARY KEY, label text NOT NULL); "
                     "CREATE TABLE item (id int PRIMARY KEY, shelf_id int REFERENCES shelf (id), sku text); "
                     "CREATE INDEX item_shelf ON item (shelf_id); "
                     "COMMENT ON TABLE shelf IS 'A shelf in the store room'; "
                     "COMMENT ON COLUMN item.sku IS 'Stock keeping unit, printed on the label'")
    result = write_docs(scratch_dsn, tmp_path)
    text = (tmp_path / "docs/data_dictionary.md").read_text()
    assert "A shelf in the store room" in text and "Stock keeping unit, printed on the label" in text
    item = _sections(text)["item"]
    assert "item_shelf" in item and "shelf(id)" in item.replace(" ", "")
    label = next(r for r in _rows(_sections(text)["shelf"], "### Columns") if r[0] == "label")
    assert label[4].startswith("(not described") and label[4].lower() != "label"
    assert "not designed from a task input" in (tmp_path / "docs/PRD.md").read_text()
    assert "no row estimates" in (tmp_path / "docs/capacity_planning.md").read_text()
    assert {t.name for t in result.schema.tables} == {"shelf", "item"}


# --- tbls' MySQL and SQLite samples: the DDL read by our importers, documented, compared with tbls' listing ---

TBLS_FOREIGN = {"mysql": "testdata/ddl/mysql/mysql.sql", "sqlite": "testdata/ddl/sqlite.sql"}


@pytest.mark.corpus
@pytest.mark.parametrize("kind", sorted(TBLS_FOREIGN))
def test_tbls_mysql_and_sqlite_samples_are_documented_in_full(kind, tmp_path):
    """Every table, column, view, index and relation tbls lists for its MySQL/SQLite sample is in our docs of
    the same DDL; what our import cannot hold (SQLite's virtual full-text tables) is named in the warnings.
    SQLite's implicit ``sqlite_autoindex_*`` indexes are its UNIQUE constraints: the constraint must be there."""
    ddl = TBLS / TBLS_FOREIGN[kind]
    if not ddl.is_file():
        pytest.skip(f"corpus file {ddl} is absent (the corpus is expected at <repo>/../shared/corpus)")
    expected = json.loads((TBLS / f"sample/{kind}/schema.json").read_text())
    from schemawright import api

    result = api.write_docs(str(ddl), tmp_path / "out")
    dictionary = (tmp_path / "out/docs/data_dictionary.md").read_text()
    sections = _sections(dictionary)
    missing, virtual = [], []
    for t in expected["tables"]:
        name = t["name"]
        if t["type"] == "virtual table":
            virtual.append(name)
            continue
        if t["type"] in ("VIEW", "view"):
            if f"### View: {name}" not in dictionary:
                missing.append(("view", name))
            continue
        if name not in sections:
            missing.append(("table", name))
            continue
        cols = {r[0]: r for r in _rows(sections[name], "### Columns")}
        # SQLite's PRAGMA reports an INTEGER PRIMARY KEY as nullable (it is the rowid: NULL becomes a new id)
        pk = {col for k in t.get("indexes", []) + t.get("constraints", []) if "PRIMARY KEY" in k.get("def", "")
              for col in k["columns"]}
        for c in t["columns"]:
            if c["name"] not in cols:
                missing.append(("column", name, c["name"]))
            elif (cols[c["name"]][2] == "YES") != c["nullable"] and not (kind == "sqlite" and c["name"] in pk):
                missing.append(("nullability", name, c["name"]))
        indexes = _rows(sections[name], "### Indexes")
        listed = {r[0] for r in indexes} | {r[0] for r in _rows(sections[name], "### Constraints")}
        by_columns = {tuple(x.strip() for x in r[1].split(",")) for r in indexes}
        for ix in t.get("indexes", []):
            # names the server made up (PRIMARY, sqlite_autoindex_*, MySQL's unnamed UNIQUE named after its first
            # column, InnoDB's index named after the foreign key it serves: ours is renamed, since an index may not
            # share a constraint's name here) are found by their columns; every other index by its name
            fk_names = {c["name"] for c in t.get("constraints", []) if c.get("type") == "FOREIGN KEY"}
            made_up = (ix["name"] == "PRIMARY" or ix["name"].startswith("sqlite_autoindex_") or ix["name"] in fk_names
                       or (kind == "mysql" and ix["name"] == ix["columns"][0] and "UNIQUE" in ix.get("def", "")))
            if made_up and tuple(ix["columns"]) not in by_columns:
                missing.append(("index", name, ix["name"], ix["columns"]))
            elif not made_up and ix["name"] not in listed:
                missing.append(("index", name, ix["name"]))
    ours = set()
    for name, section in sections.items():
        for fk_name, columns, references, _on_delete in _rows(section, "### Foreign Keys"):
            if fk_name != "-":
                ours.add((name, tuple(c.strip() for c in columns.split(",")), references.split("(")[0]))
    for rel in expected.get("relations", []):
        if not rel.get("virtual") and (rel["table"], tuple(rel["columns"]), rel["parent_table"]) not in ours:
            missing.append(("relation", rel["table"], rel["columns"], rel["parent_table"]))
    assert not missing, missing
    if virtual:  # not modelled: reported, with how many
        reported = [w for w in result.warnings if "virtual tables" in w]
        assert reported and f"{len(virtual)} statements" in reported[0], result.warnings
