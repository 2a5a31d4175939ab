"""ORM outputs chosen by integration.orm_framework / design --orm, each proven by its own tool (issue 15).

- Django: ``manage.py check``, ``makemigrations --check`` (the models and the migration's state agree),
  ``manage.py migrate`` on a fresh database whose catalog must equal the design (read back by the catalog
  reader, compared with the model), then ``migrate <app> zero`` leaving none of the design's tables.
- Alembic: ``alembic upgrade head`` on a fresh database (catalog == design), ``downgrade base`` (nothing
  left), ``upgrade head`` again.
- agent_output.json lists exactly what was written, and says so for a framework it does not write.

Each runs on a private PostgreSQL cluster (the design creates cluster-wide roles), like verify.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from schemawright import api
from schemawright.db import connect, scratch_database
from schemawright.db.embedded import private_server
from schemawright.inspect import inspect_schema
from schemawright.model.compare import differences
from schemawright.project.layout import load_model

pytest.importorskip("django")
pytest.importorskip("alembic")

ROOT = Path(__file__).resolve().parents[1]
CASES = [ROOT / "examples" / "blog_cms.json", ROOT / "examples" / "saas_multitenant.yaml"]


def _run(args: list[str], cwd: Path, dsn: str) -> str:
    result = subprocess.run(args, cwd=cwd, env=dict(os.environ, DATABASE_URL=dsn), capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, f"{' '.join(args)} failed:\n{result.stdout[-2000:]}\n{result.stderr[-3000:]}"
    return result.stdout + result.stderr


def _design_tables(dsn: str, prefix: str) -> list[str]:
    with connect(dsn) as conn:
        schema = inspect_schema(conn)
    # the partitions a designed PARTITION BY makes (month by month, by a function) are not tables of the model
    return [t.name for t in schema.tables if not t.name.startswith(prefix) and t.partition_of is None]


def _catalog_problems(dsn: str, model, foreign_table: str, owner: str | None) -> list[str]:
    """The catalog against the design, without the tool's own bookkeeping table (made by the connecting
    superuser, so the schema-wide owner is checked per design table instead)."""
    with connect(dsn, autocommit=True) as conn:
        schema = inspect_schema(conn)
        owners = dict(conn.execute("SELECT tablename, tableowner FROM pg_tables WHERE schemaname = 'public'").fetchall())
    schema.tables = [t for t in schema.tables if t.name != foreign_table]
    problems = [p for p in differences(model, schema) if not p.startswith("schema: owner")]
    if owner:
        problems += [f"{t.name} is owned by {owners.get(t.name)}" for t in model.tables
                     if t.schema == "public" and not t.partitioning and owners.get(t.name) != owner]
    return problems


@pytest.mark.parametrize("spec", CASES, ids=lambda p: p.stem)
def test_django_app_checks_and_migrates(spec, tmp_path):
    out = tmp_path / "out"
    api.design_project(spec, out, orms=["django"])
    model = load_model(out)
    app_dir = out / "models/orm/django"
    assert (app_dir / "manage.py").is_file()
    with private_server(model.extensions) as server, scratch_database(server, prefix="sw_django") as dsn:
        assert "no issues" in _run([sys.executable, "manage.py", "check"], app_dir, dsn)
        assert "No changes detected" in _run([sys.executable, "manage.py", "makemigrations", "--check",
                                              "--dry-run"], app_dir, dsn)
        _run([sys.executable, "manage.py", "migrate"], app_dir, dsn)
        assert _catalog_problems(dsn, model, "django_migrations", model.owner) == []
        app = next(p.name for p in app_dir.iterdir() if (p / "models.py").is_file())
        _run([sys.executable, "manage.py", "migrate", app, "zero"], app_dir, dsn)
        assert _design_tables(dsn, "django_") == []
    report = json.loads((out / "agent_output.json").read_text())
    frameworks = [c["framework"] for c in report["integration_support"]["orm_configurations"]]
    assert frameworks == ["sqlalchemy", "django"]
    django = report["integration_support"]["orm_configurations"][1]
    assert all((out / f).is_file() for f in django["files"])


@pytest.mark.parametrize("spec", CASES, ids=lambda p: p.stem)
def test_alembic_upgrade_and_downgrade(spec, tmp_path):
    out = tmp_path / "out"
    api.design_project(spec, out, orms=["alembic"])
    model = load_model(out)
    env_dir = out / "models/orm/alembic"
    alembic = [sys.executable, "-m", "alembic", "-c", str(env_dir / "alembic.ini")]
    with private_server(model.extensions) as server, scratch_database(server, prefix="sw_alembic") as dsn:
        _run(alembic + ["upgrade", "head"], env_dir, dsn)
        assert _catalog_problems(dsn, model, "alembic_version", model.owner) == []
        _run(alembic + ["downgrade", "base"], env_dir, dsn)
        assert _design_tables(dsn, "alembic_") == []
        _run(alembic + ["upgrade", "head"], env_dir, dsn)
        assert len(_design_tables(dsn, "alembic_")) == len(model.tables)
    report = json.loads((out / "agent_output.json").read_text())
    assert [c["framework"] for c in report["integration_support"]["orm_configurations"]] == ["sqlalchemy", "alembic"]


def test_requested_but_not_written_is_said(tmp_path):
    """insurance_claims asks for Hibernate: nothing is written for it, and agent_output says so."""
    result = api.design_project(ROOT / "tests" / "inputs" / "insurance_claims.yaml")
    report = json.loads(next(a.content for a in result.artifacts if a.path == "agent_output.json"))
    configs = report["integration_support"]["orm_configurations"]
    assert configs[0]["framework"] == "sqlalchemy"
    hibernate = next(c for c in configs if c["framework"] == "hibernate")
    assert hibernate["generated"] is False and "does not write hibernate" in hibernate["notes"][0]
    assert not any(a.path.startswith("models/orm/") and a.path != "models/orm/sqlalchemy_models.py"
                   for a in result.artifacts)
