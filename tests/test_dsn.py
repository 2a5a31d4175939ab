"""Connection strings: one check refuses a DSN that leaves its host or database to libpq's defaults (every
command that takes --dsn, exit 2), commands say which server and database they use before changing
anything, and DATABASE_URL is the default database of the commands that work in one."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from typer.testing import CliRunner

from schemawright.api import design_project
from schemawright.db import scratch_database
from schemawright.db.dsn import DsnError, check_dsn, describe

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "ecommerce.json"


@pytest.fixture(autouse=True)
def no_libpq_environment(monkeypatch):
    for name in ("PGHOST", "PGHOSTADDR", "PGDATABASE", "PGPORT", "PGUSER", "PGSERVICE"):
        monkeypatch.delenv(name, raising=False)


@pytest.mark.parametrize(("dsn", "says"), [
    ("postgresql://", "names no host (libpq would pick its default socket directory"),
    ("postgresql://", "and no database (libpq would use one named after the user)"),
    ("postgres://db.example.com:5432", "names no database"),
    ("postgresql:///shop", "names no host"),
    ("postgresql://shop@?host=", "names no host"),
    ("dbname=shop", "names no host"),
    ("host=db.example.com", "names no database"),
    ("", "is empty"),
    ("   ", "is empty"),
    ("postgresq://db.example.com/shop", "a URL starts with postgresql:// or postgres://"),
    ("host=db dbname", 'missing "=" after "dbname"'),
])
def test_a_dsn_that_leaves_host_or_database_to_defaults_is_refused(dsn, says):
    with pytest.raises(DsnError) as refused:
        check_dsn(dsn, "--dsn")
    assert says in str(refused.value) and str(refused.value).startswith("--dsn ")
    assert refused.value.exit_code == 2


@pytest.mark.parametrize("dsn", [
    "postgresql://u:hunter2%zz@db.example.com/shop",  # invalid percent-encoding in the password
    "host=db.example.com password='hunter2 x' dbname",
])
def test_the_refusal_never_repeats_the_password(dsn):
    with pytest.raises(DsnError) as refused:
        check_dsn(dsn)
    assert "hunter2" not in str(refused.value)


@pytest.mark.parametrize(("dsn", "where"), [
    ("postgresql://app:secret@db.example.com:6432/shop", "database shop on db.example.com:6432 as app"),
    ("postgresql://postgres@/postgres?host=/var/run/postgresql", "database postgres on socket /var/run/postgresql, "
                                                                "port 5432 as postgres"),
    ("postgresql://%2Ftmp/shop", "database shop on socket /tmp, port 5432"),
    ("host=10.0.0.5 port=5433 dbname=shop", "database shop on 10.0.0.5:5433"),
    ("service=prod", "service prod"),
])
def test_complete_dsns_pass_and_are_described_without_the_password(dsn, where):
    check_dsn(dsn)
    assert describe(dsn) == where


def test_libpq_environment_variables_count(monkeypatch):
    monkeypatch.setenv("PGHOST", "/var/run/postgresql")
    monkeypatch.setenv("PGDATABASE", "shop")
    check_dsn("postgresql://")
    assert describe("postgresql://") == "database shop on socket /var/run/postgresql, port 5432"


@pytest.fixture(scope="module")
def cli():
    from schemawright.cli import app, register_all

    if not any(getattr(g, "name", None) == "migrate" for g in app.registered_groups):
        register_all()
    runner = CliRunner()
    return lambda *args: runner.invoke(app, [str(a) for a in args])


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    folder = tmp_path_factory.mktemp("dsn") / "db"
    design_project(EXAMPLE, folder)
    (folder.parent / "w.sql").write_text("SELECT 1;")
    (folder.parent / "a.sql").write_text("CREATE TABLE t (id int);")
    return folder


COMMANDS = [
    ["verify", "{p}"], ["seed", "{p}"], ["bench", "{p}"], ["advise", "--workload", "{d}/w.sql"],
    ["import", "{d}/a.sql", "-o", "{d}/out.yaml", "--check"], ["lint", "{d}/a.sql"], ["diff", "{d}/a.sql", "{d}/a.sql"],
    ["migrate", "up", "--dir", "{p}/migrations"], ["migrate", "down", "--dir", "{p}/migrations"],
    ["migrate", "status", "--dir", "{p}/migrations"], ["migrate", "verify", "--dir", "{p}/migrations"],
]


@pytest.mark.parametrize("command", COMMANDS, ids=[" ".join(c[:2]).replace(" {p}", "") for c in COMMANDS])
def test_every_command_that_takes_a_dsn_refuses_an_empty_one(cli, project, command):
    args = [a.format(p=project, d=project.parent) for a in command]
    result = cli(*args, "--dsn", "postgresql://")
    assert result.exit_code == 2, result.output
    assert "--dsn names no host" in result.output and "Traceback" not in result.output


def test_a_dsn_source_is_checked_too(cli, project):
    result = cli("diff", "postgresql://", f"{project.parent}/a.sql")
    assert result.exit_code == 2 and "names no host" in result.output


def _schemawright(*args: str, env: dict) -> subprocess.CompletedProcess:
    exe = shutil.which("schemawright", path=str(Path(sys.executable).parent)) or "schemawright"
    return subprocess.run([exe, *args], env=env, capture_output=True, text=True, timeout=300)


def test_database_url_is_the_default_database_and_the_command_says_which_it_changes(project, pg_dsn):
    with scratch_database(pg_dsn) as target:
        name = psycopg.conninfo.conninfo_to_dict(target)["dbname"]
        env = {**os.environ, "DATABASE_URL": target}
        done = _schemawright("migrate", "up", "--dir", str(project / "migrations"), env=env)
        assert done.returncode == 0, done.stderr
        port = psycopg.conninfo.conninfo_to_dict(target)["port"]
        first = done.stderr.strip().splitlines()[0]
        assert first == f"using database {name} on 127.0.0.1:{port} as postgres (from DATABASE_URL)"
        with psycopg.connect(target) as conn:
            assert conn.execute("SELECT count(*) FROM schemawright_history WHERE success").fetchone() == (1,)
        # --dsn wins over DATABASE_URL, and a DATABASE_URL that names no database is refused by name
        refused = _schemawright("migrate", "status", "--dir", str(project / "migrations"),
                                env={**os.environ, "DATABASE_URL": "postgresql://"})
        assert refused.returncode == 2 and "DATABASE_URL names no host" in refused.stderr
        status = _schemawright("migrate", "status", "--dir", str(project / "migrations"), "--dsn", target,
                               env={**os.environ, "DATABASE_URL": "postgresql://"})
        assert status.returncode == 0 and "(from --dsn)" in status.stderr


def test_an_imported_task_input_never_carries_the_password_of_its_dsn(pg_dsn):
    """`import DSN -o spec.yaml` names its source in the file's header: without the password."""
    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    from schemawright.api import import_source
    from schemawright.importers.to_spec import to_yaml

    with scratch_database(pg_dsn) as dsn:
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute("CREATE TABLE things (id bigint PRIMARY KEY, name text NOT NULL)")
        params = conninfo_to_dict(dsn)
        url = make_conninfo(**params, password="s3cr3t-pw")  # trust auth: the password is not checked
        text = to_yaml(import_source(url), url)
    assert "things" in text
    assert "s3cr3t-pw" not in text and "***" in text
