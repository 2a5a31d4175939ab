"""A retention period without a word of removal is a minimum ("Dose administrations are kept for 25 years":
GCP, 21 CFR Part 11, tax law): no job deletes the rows, and deleting one younger than the period is refused by
the database (docs/fresh-inputs-2026-12.md finding 20). "... kept for 2 years then deleted" still gets the
deleting job. Real PostgreSQL."""

from __future__ import annotations

import textwrap
from pathlib import Path

import psycopg
import pytest

from schemawright.api import apply_migrations, design_project
from schemawright.db import scratch_database

SPEC = """\
project: {name: keep-min, type: api, database_type: postgresql, scale: small, environment: development}
task: {type: schema_design, priority: low, description: records kept for a minimum, requirements: [],
       acceptance_criteria: []}
data_model:
  entities:
    - name: doses
      attributes: [{name: administered_at, type: timestamptz, nullable: false}, {name: dose_mg, type: integer}]
    - name: clicks
      attributes: [{name: clicked_at, type: timestamptz, nullable: false}, {name: label, type: text}]
  business_rules:
    - {name: doses_kept, entity: doses, description: Dose administrations are kept for 25 years}
    - {name: clicks_kept, entity: clicks, description: Clicks are kept for 2 years then deleted}
"""


def test_kept_for_is_a_minimum_and_deleted_after_is_a_job(tmp_path: Path, pg_dsn: str):
    spec = tmp_path / "spec.yaml"
    spec.write_text(textwrap.dedent(SPEC))
    result = design_project(spec, tmp_path / "out")
    functions = {f.name for f in result.schema.functions}
    assert "fn_doses_retention" not in functions and "fn_clicks_retention" in functions
    with scratch_database(pg_dsn) as dsn:
        apply_migrations(tmp_path / "out" / "migrations", dsn)
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute("INSERT INTO doses (administered_at, dose_mg) VALUES (now() - interval '3 years', 10), "
                         "(now() - interval '26 years', 20)")
            with pytest.raises(psycopg.errors.CheckViolation, match="kept for at least 25 years"):
                conn.execute("DELETE FROM doses WHERE dose_mg = 10")
            conn.execute("DELETE FROM doses WHERE dose_mg = 20")  # older than the period: may go
            assert conn.execute("SELECT count(*) FROM doses").fetchone()[0] == 1
            conn.execute("INSERT INTO clicks (clicked_at, label) VALUES (now() - interval '3 years', 'a'), "
                         "(now(), 'b')")
            owner = conn.execute("SELECT tableowner FROM pg_tables WHERE tablename = 'clicks'").fetchone()[0]
            conn.execute(f'SET ROLE "{owner}"')
            assert conn.execute("SELECT fn_clicks_retention()").fetchone()[0] == 1
