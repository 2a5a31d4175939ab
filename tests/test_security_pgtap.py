"""The generated pgTAP tests (tests/security_*.sql of a project) pass with pg_prove on a migrated
database, and fail when a promise is broken. Needs a server with pgTAP installable (Debian:
postgresql-15-pgtap) and pg_prove; skipped, saying which is missing, otherwise."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
from pathlib import Path

import psycopg
import pytest
import yaml
from psycopg.conninfo import conninfo_to_dict

from schemawright.api import design_project
from schemawright.db import scratch_database
from schemawright.verify.runner import apply_files, read_migrations
from schemawright.verify.security import scratch_roles

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


@pytest.fixture(scope="module")
def pgtap_dsn(pg15_dsn):
    if shutil.which("pg_prove") is None or shutil.which("psql") is None:
        pytest.skip("pg_prove/psql not installed (Debian: apt-get install postgresql-15-pgtap postgresql-client)")
    with psycopg.connect(pg15_dsn) as conn:
        if not conn.execute("SELECT count(*) FROM pg_available_extensions WHERE name = 'pgtap'").fetchone()[0]:
            pytest.skip(f"pgTAP is not installable on {pg15_dsn} (Debian: apt-get install postgresql-15-pgtap)")
    return pg15_dsn


def pg_prove(dsn: str, folder: Path) -> subprocess.CompletedProcess:
    """pg_prove takes the connection from libpq's environment variables (it does not accept a URL)."""
    params = conninfo_to_dict(dsn)
    env = dict(os.environ, PGHOST=params.get("host", ""), PGUSER=params.get("user", ""),
               PGPORT=str(params.get("port", "5432")))
    files = sorted(str(p) for p in (folder / "tests").glob("*.sql"))
    return subprocess.run(["pg_prove", "-d", params["dbname"], *files], env=env, capture_output=True, text=True,
                          timeout=300)


def project(tmp_path: Path, example: str):
    data = yaml.safe_load((EXAMPLES / example).read_text(encoding="utf-8"))
    data["project"]["name"] += "-" + secrets.token_hex(3)
    (tmp_path / "spec.json").write_text(json.dumps(data), encoding="utf-8")
    return design_project(tmp_path / "spec.json", tmp_path / "out")


@pytest.mark.parametrize("example", ["ecommerce.json", "saas_multitenant.yaml", "clinic_appointments.yaml"])
def test_generated_pgtap_tests_pass(example, tmp_path, pgtap_dsn):
    result = project(tmp_path, example)
    folder = tmp_path / "out"
    groups = {p.stem for p in (folder / "tests").glob("*.sql")}
    assert {"security_privileges", "security_personal_data"} <= groups
    forward, undo = read_migrations(folder)
    with scratch_roles(pgtap_dsn, result.schema), scratch_database(pgtap_dsn) as dsn, \
            psycopg.connect(dsn, autocommit=True) as conn:
        assert apply_files(conn, forward) == []
        run = pg_prove(dsn, folder)
        assert run.returncode == 0 and "All tests successful." in run.stdout, run.stdout + run.stderr
        assert apply_files(conn, undo) == []


def test_generated_pgtap_tests_catch_a_broken_promise(tmp_path, pgtap_dsn):
    result = project(tmp_path, "ecommerce.json")
    folder = tmp_path / "out"
    rw = result.schema.role("readwrite").name
    forward, undo = read_migrations(folder)
    with scratch_roles(pgtap_dsn, result.schema), scratch_database(pgtap_dsn) as dsn, \
            psycopg.connect(dsn, autocommit=True) as conn:
        assert apply_files(conn, forward) == []
        conn.execute(f'GRANT TRUNCATE ON orders TO "{rw}"; ALTER TABLE orders DISABLE ROW LEVEL SECURITY')
        run = pg_prove(dsn, folder)
        assert run.returncode != 0
        assert f"{rw}: TRUNCATE on orders denied" in run.stdout + run.stderr
        assert "orders: A cannot see B's row" in run.stdout + run.stderr
        assert apply_files(conn, undo) == []
