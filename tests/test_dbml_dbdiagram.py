"""The DBML model is what dbdiagram's own tools read (issue 13): pydbml parses it back, and dbml2sql (the
npm @dbml/cli, when installed) turns it into PostgreSQL DDL that PostgreSQL accepts."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import psycopg
import pytest
from pydbml import PyDBML

from schemawright.api import design_project
from schemawright.db import scratch_database

ROOT = Path(__file__).parents[1]
CASES = sorted((ROOT / "examples").glob("*.*")) + [ROOT / "tests" / "inputs" / n for n in (
    "tricky_types.yaml", "encrypted_notes.yaml", "hotel_booking.yaml")]
ENUMS = """project: {name: dbml enum}
data_model:
  entities:
    - name: tickets
      attributes:
        - {name: state, type: enum, values: [open, "in progress", closed]}
        - {name: price, type: "numeric(12,2)"}
        - {name: tags, type: "text[]"}
"""


def _dbml(spec: Path, out: Path) -> Path:
    design_project(spec, out)
    return out / "models" / "logical" / "logical_model.dbml"


@pytest.mark.parametrize("spec", CASES, ids=[p.stem for p in CASES])
def test_dbml_parses_back_and_dbml2sql_output_applies(spec, tmp_path, pg_dsn):
    dbml = _dbml(spec, tmp_path / "project")
    _check(dbml, pg_dsn)


def test_dbml_with_enums_and_arrays(tmp_path, pg_dsn):
    spec = tmp_path / "enums.yaml"
    spec.write_text(ENUMS)
    dbml = _dbml(spec, tmp_path / "project")
    text = dbml.read_text()
    assert "numeric(12,2)" in text and '"numeric(12, 2)"' not in text
    parsed = PyDBML(text)
    assert [e.name for e in parsed.enums] == ["tickets_state"]
    _check(dbml, pg_dsn)


def _check(dbml: Path, pg_dsn: str) -> None:
    parsed = PyDBML(dbml.read_text())
    assert parsed.tables
    tool = shutil.which("dbml2sql")
    if tool is None:
        pytest.skip("dbml2sql is not installed (npm i -g @dbml/cli): pydbml parsed it; the dbdiagram check did not run")
    run = subprocess.run([tool, str(dbml), "--postgres"], capture_output=True, text=True, timeout=120,
                         cwd=dbml.parent)  # it writes dbml-error.log into the working directory
    assert run.returncode == 0, run.stderr
    with scratch_database(pg_dsn, prefix="sw_dbml") as db, psycopg.connect(db, autocommit=True) as conn:
        conn.execute(run.stdout)  # the DDL dbdiagram's tool writes must be valid PostgreSQL
        tables = conn.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").fetchone()[0]
    assert tables == len(parsed.tables)
