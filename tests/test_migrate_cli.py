"""`schemawright migrate ...` through typer's CliRunner."""

from __future__ import annotations

import json

import pytest
import typer
from typer.testing import CliRunner

from schemawright.cli.migrate import register


@pytest.fixture(scope="module")
def app() -> typer.Typer:
    app = typer.Typer()
    register(app)
    return app


def _run(app, *args: str):
    return CliRunner().invoke(app, ["migrate", *args], env={"COLUMNS": "200"})


def test_new_up_status_down_verify(app, tmp_path, scratch_dsn):
    folder = str(tmp_path / "migrations")
    result = _run(app, "new", "create users", "--dir", folder)
    assert result.exit_code == 0, result.output
    assert "V001__create_users.sql" in result.output and "U001__create_users.sql" in result.output
    (tmp_path / "migrations" / "V001__create_users.sql").write_text("CREATE TABLE users (id int);")
    (tmp_path / "migrations" / "U001__create_users.sql").write_text("DROP TABLE users;")
    assert _run(app, "new", "add email", "--dir", folder).exit_code == 0
    (tmp_path / "migrations" / "V002__add_email.sql").write_text("ALTER TABLE users ADD COLUMN email text;")
    (tmp_path / "migrations" / "U002__add_email.sql").write_text("ALTER TABLE users DROP COLUMN email;")

    result = _run(app, "up", "--dir", folder, "--dsn", scratch_dsn, "--to", "1")
    assert result.exit_code == 0, result.output
    assert "applied 1 migration(s); the database is at version 1, 1 pending" in result.output

    result = _run(app, "status", "--dir", folder, "--dsn", scratch_dsn)
    assert result.exit_code == 0 and "current version: 1; 1 pending" in result.output
    status = json.loads(_run(app, "status", "--dir", folder, "--dsn", scratch_dsn, "--json").output)
    assert [(v["version"], v["state"]) for v in status["versions"]] == [("1", "applied"), ("2", "pending")]

    assert _run(app, "up", "--dir", folder, "--dsn", scratch_dsn).exit_code == 0
    result = _run(app, "down", "--dir", folder, "--dsn", scratch_dsn, "--to", "0")
    assert result.exit_code == 0 and "undid 2 migration(s); the database is at no version, 2 pending" in result.output

    result = _run(app, "verify", "--dir", folder, "--dsn", scratch_dsn)
    assert result.exit_code == 0 and "catalogs equal" in result.output


def test_failures_exit_5_with_the_location(app, tmp_path, scratch_dsn):
    (tmp_path / "V1__bad.sql").write_text("CREATE TABLE a (id int);\nSELECT 1/0;")
    (tmp_path / "U1__bad.sql").write_text("DROP TABLE a;")
    result = _run(app, "up", "--dir", str(tmp_path), "--dsn", scratch_dsn)
    assert result.exit_code == 5
    assert "V1__bad.sql: statement 2 (line 2) failed: 22012 division by zero" in result.output
    result = _run(app, "verify", "--dir", str(tmp_path), "--dsn", scratch_dsn)
    assert result.exit_code == 5 and "up failed: V1__bad.sql: statement 2" in result.output
    result = _run(app, "up", "--dir", str(tmp_path / "nowhere"), "--dsn", scratch_dsn)
    assert result.exit_code == 5 and "is not a folder of migrations" in result.output


def test_an_unreachable_server_exits_3(app, tmp_path):
    (tmp_path / "V1__a.sql").write_text("SELECT 1;")
    result = _run(app, "status", "--dir", str(tmp_path), "--dsn", "postgresql://x@127.0.0.1:1/none?connect_timeout=2")
    assert result.exit_code == 3 and "could not connect" in result.output
