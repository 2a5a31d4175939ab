"""Issue 13, "done when": a team evolves a live, populated database with diff and the runner.

For each input: design, ``migrate up`` V001 into a database of a private server, seed it, change the input
(tests/evolve.py: a NOT NULL column without a default, a new entity, a column renamed with ``renamed_from``,
a widened type), ``diff`` from the live database to the changed input into the migrations folder, ``migrate
up``, ``migrate verify`` and ``verify`` of the project folder: all pass, the rows are kept (every table's count, the renamed column's values), and
our own lint finds no error in the folder (each file judged against the schema before it).

A representative subset runs by default (about 20 s each); ``SCHEMAWRIGHT_EVOLVE_ALL=1`` runs every example
and tests/inputs file.
"""

from __future__ import annotations

import os
from pathlib import Path

import psycopg
import pytest
from evolve import evolve, write
from psycopg import sql

from schemawright.api import design_project, seed, verify_project
from schemawright.db.embedded import private_server
from schemawright.diff.migration import make_migration, write_migration
from schemawright.findings import Severity
from schemawright.lint.migration import lint_migrations
from schemawright.migrate import apply_migrations, verify_migrations
from schemawright.project.sources import load_schema

ROOT = Path(__file__).parents[1]
ALL = sorted((ROOT / "examples").glob("*.*")) + sorted((ROOT / "tests" / "inputs").glob("*.*"))
SUBSET = {"ecommerce.json", "saas_multitenant.yaml", "library.yaml", "blood_bank.yaml", "hotel_booking.yaml"}
CASES = ALL if os.environ.get("SCHEMAWRIGHT_EVOLVE_ALL") else [p for p in ALL if p.name in SUBSET]


def _counts(dsn: str, tables) -> dict[str, int]:
    with psycopg.connect(dsn, autocommit=True) as conn:
        return {f"{t.schema}.{t.name}": conn.execute(sql.SQL("SELECT count(*) FROM {}").format(
            sql.Identifier(t.schema, t.name))).fetchone()[0] for t in tables}


def _values(dsn: str, schema: str, table: str, column: str) -> list:
    with psycopg.connect(dsn, autocommit=True) as conn:
        return [r[0] for r in conn.execute(sql.SQL("SELECT {c}::text FROM {t} ORDER BY 1").format(
            c=sql.Identifier(column), t=sql.Identifier(schema, table))).fetchall()]


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_a_populated_database_evolves_with_diff_and_the_runner(path, tmp_path):
    project = tmp_path / "project"
    design_project(path, project)
    migrations = project / "migrations"
    old = load_schema(str(project))
    changed, what = evolve(path)
    target = write(changed, tmp_path / f"changed{path.suffix if path.suffix == '.json' else '.json'}")
    with private_server(old.extensions) as server:
        db = server.rsplit("/", 1)[0] + "/evolve" + ("?" + server.split("?", 1)[1] if "?" in server else "")
        with psycopg.connect(server, autocommit=True) as conn:
            conn.execute("CREATE DATABASE evolve")
        apply_migrations(migrations, db)
        seed(str(project), db, scale=0.001, max_rows=300, workers=1)
        before = _counts(db, old.tables)
        assert sum(before.values()) > 0
        renamed = next((w for w in what if " renamed to " in w), None)
        kept_values = None
        if renamed:
            entity_col, new_name = renamed.split(" renamed to ")
            new_table = load_schema(str(target))
            col_old = entity_col.split(".", 1)[1]
            table = next(t for t in new_table.tables if any(c.renamed_from == col_old and c.name == new_name
                                                            for c in t.columns))
            kept_values = (table.schema, table.name, col_old, new_name, _values(db, table.schema, table.name, col_old))

        migration = make_migration(db, str(target))  # from the live, populated database
        write_migration(migration, migrations)
        results = apply_migrations(migrations, db)
        assert [r.version for r in results] == ["2"], what

        after = _counts(db, old.tables)
        assert after == before, what
        if kept_values:
            schema, table, _, new_name, values = kept_values
            assert _values(db, schema, table, new_name) == values
        with psycopg.connect(db, autocommit=True) as conn:
            holes = conn.execute(sql.SQL("SELECT count(*) FROM {} WHERE h13_note IS NULL").format(
                sql.Identifier(*next((t.schema, t.name) for t in load_schema(str(target)).tables
                                     if t.has_column("h13_note"))))).fetchone()[0]
        assert holes == 0
        assert not make_migration(db, str(target)).changes  # the database is now what the input says

        result = verify_migrations(migrations, server)
        assert result.ok, result.problems

    # the project folder (V001 + the diff's V002, the model diff rewrote) verifies like a designed one
    report = verify_project(project)
    assert report.passed, [st.to_dict() for st in report.steps if not st.ok]

    errors = [f for f in lint_migrations([migrations]).findings if f.severity.at_least(Severity.ERROR)]
    assert errors == [], [f"{f.rule} {f.location}: {f.message}" for f in errors]
