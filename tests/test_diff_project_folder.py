"""diff -o <project>/migrations keeps the project coherent: its model describes the newest migration."""

from __future__ import annotations

import json
from pathlib import Path

from schemawright.api import design_project
from schemawright.diff.migration import make_migration, write_migration
from schemawright.verify import verify_project

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "ecommerce.json"


def test_diff_into_a_project_updates_its_model_and_verifies(tmp_path, pg_dsn):
    project = tmp_path / "db"
    design_project(EXAMPLE, project)
    spec = json.loads(EXAMPLE.read_text())
    orders = next(e for e in spec["data_model"]["entities"] if e["name"] == "orders")
    orders["attributes"].append({"name": "discount", "type": "numeric(12,2)", "nullable": True})
    changed = tmp_path / "v2.json"
    changed.write_text(json.dumps(spec))

    forward, undo = write_migration(make_migration(str(project), str(changed), dsn=pg_dsn), project / "migrations")

    assert forward.name.startswith("V002__") and undo.name.startswith("U002__")
    model = (project / "models/physical/schema.json").read_text()
    assert '"discount"' in model and "discount" in (project / "models/physical/physical_model.sql").read_text()
    report = verify_project(project, dsn=pg_dsn)
    assert report.passed, [s.to_dict() for s in report.steps if not s.ok]


def test_not_null_column_without_default_on_a_populated_table_is_refused(tmp_path, scratch_dsn):
    import psycopg
    import pytest

    from schemawright.diff.planning import DestructiveChangeError

    with psycopg.connect(scratch_dsn, autocommit=True) as conn:
        conn.execute("CREATE TABLE items (id integer PRIMARY KEY, name text)")
        conn.execute("INSERT INTO items VALUES (1, 'a'), (2, 'b')")
    target = tmp_path / "target.sql"
    target.write_text("CREATE TABLE items (id integer PRIMARY KEY, name text, price numeric NOT NULL);")
    # issue 13: no longer refused: the existing rows get a placeholder (said in the file and on stderr),
    # the default is dropped right after, so the column ends as designed
    filled = make_migration(scratch_dsn, str(target), dsn=scratch_dsn)
    assert "ADD COLUMN price numeric NOT NULL DEFAULT 0;" in filled.forward_sql()
    assert "ALTER TABLE items ALTER COLUMN price DROP DEFAULT;" in filled.forward_sql()
    assert any("existing rows get items.price = 0, a placeholder" in w for w in filled.plan.warnings)
    target.write_text("CREATE TABLE owners (id integer PRIMARY KEY);\n"
                      "CREATE TABLE items (id integer PRIMARY KEY, name text, owner_id integer NOT NULL REFERENCES owners);")
    with pytest.raises(DestructiveChangeError, match=r"public.items has 2 rows.*owner_id is NOT NULL with no default"):
        make_migration(scratch_dsn, str(target), dsn=scratch_dsn)
    target.write_text("CREATE TABLE items (id integer PRIMARY KEY, name text, price numeric NOT NULL DEFAULT 0);")
    target.write_text("CREATE TABLE items (id integer PRIMARY KEY, name text, price numeric NOT NULL DEFAULT 0);")
    assert "ADD COLUMN price numeric NOT NULL DEFAULT 0" in make_migration(scratch_dsn, str(target),
                                                                          dsn=scratch_dsn).forward_sql()
