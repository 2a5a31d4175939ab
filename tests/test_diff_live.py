"""diff against live, populated databases, applied with the migration runner (issue 13): owners that
differ, steps that must work on tables with rows, tightenings checked against the data. Real PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path

import psycopg
import pytest
from test_diff_roundtrip import restore_roles  # noqa: F401  (autouse: drops the roles a test created)

from schemawright.api import design_project
from schemawright.db import connect, scratch_database
from schemawright.diff.migration import make_migration, write_migration
from schemawright.migrate import apply_migrations, verify_migrations
from schemawright.project.sources import load_schema

EXAMPLES = Path(__file__).parents[1] / "examples"
INPUTS = Path(__file__).parent / "inputs"


def _query(dsn: str, sql: str, *params):
    with psycopg.connect(dsn, autocommit=True) as conn:
        cur = conn.execute(sql, params)
        return cur.fetchall() if cur.description else None


def test_diff_between_databases_whose_owners_differ(tmp_path, pg_dsn):
    """A V001-migrated database (objects owned by <project>_owner, the history table by the runner) against
    the same schema owned by the connecting user: no crash, the owner change is planned both ways and
    applies with the runner."""
    project = tmp_path / "project"
    design_project(INPUTS / "library.yaml", project)
    migrations = project / "migrations"
    v001 = (migrations / "V001__initial_schema.sql").read_text()
    with scratch_database(pg_dsn, prefix="sw_owner_a") as a, scratch_database(pg_dsn, prefix="sw_owner_b") as b:
        apply_migrations(migrations, a)
        plain = tmp_path / "plain"
        plain.mkdir()
        # the same objects, created by the connecting user (no SET ROLE): another owner
        (plain / "V001__plain.sql").write_text("\n".join(
            line for line in v001.splitlines() if line.strip() not in ("SET ROLE library_owner;", "RESET ROLE;")))
        apply_migrations(plain, b)
        assert load_schema(a).owner == "library_owner" and load_schema(b).owner == "postgres"
        there = make_migration(a, b)
        assert "ALTER TABLE books OWNER TO postgres;" in there.forward_sql()
        back = make_migration(b, a)
        assert "ALTER TABLE books OWNER TO library_owner;" in back.forward_sql()
        out = tmp_path / "b_migrations"
        out.mkdir()
        (out / "V001__plain.sql").write_text((plain / "V001__plain.sql").read_text())
        write_migration(back, out)
        [result] = apply_migrations(out, b)
        assert result.version == "2"
        assert _query(b, "SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = 'public' "
                         "AND tablename <> 'schemawright_history'") == [("library_owner",)]
        assert not make_migration(b, a).changes
