"""``schemawright diff`` end to end, and the sources it reads (sources.load_schema)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from test_diff_roundtrip import restore_roles  # noqa: F401  (autouse: drops the roles a test created)
from typer.testing import CliRunner

from schemawright.api import design_project
from schemawright.db import connect
from schemawright.cli.diff import register
from schemawright.model.compare import differences
from schemawright.project.sources import SourceError, apply_sql, inspect_database, load_schema

EXAMPLE = Path(__file__).parents[1] / "examples" / "ecommerce.json"


@pytest.fixture
def run(pg_dsn):
    app = typer.Typer()
    register(app)
    app.command("noop")(lambda: None)  # a second command keeps 'diff' a subcommand
    runner = CliRunner()
    return lambda *args: runner.invoke(app, ["diff", *map(str, args), "--dsn", pg_dsn])


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_sql_files_to_stdout(run, tmp_path):
    a = _write(tmp_path / "a.sql", "CREATE TABLE t (id int PRIMARY KEY);")
    b = _write(tmp_path / "b.sql", "CREATE TABLE t (id int PRIMARY KEY, note text);\nCREATE INDEX t_note ON t (note);")
    result = run(a, b)
    assert result.exit_code == 0, result.output
    assert "ALTER TABLE t ADD COLUMN note text;" in result.stdout
    assert "-- no transaction\nCREATE INDEX CONCURRENTLY t_note ON t (note);" in result.stdout
    assert result.stdout.index("SET lock_timeout = '5s';") < result.stdout.index("ALTER TABLE")
    assert "2 change(s)" in result.stderr
    offline = run(a, b, "--offline", "--lock-timeout", "1s")
    assert "CONCURRENTLY" not in offline.stdout and "SET lock_timeout = '1s';" in offline.stdout
    same = run(a, a)
    assert same.exit_code == 0 and same.stdout == "" and "no differences" in same.stderr


def test_destructive_changes_are_refused_unless_allowed(run, tmp_path):
    a = _write(tmp_path / "a.sql", "CREATE TABLE t (id int, note text); CREATE TABLE logs (line text);")
    b = _write(tmp_path / "b.sql", "CREATE TABLE t (id int);")
    refused = run(a, b)
    assert refused.exit_code == 5 and refused.stdout == ""
    assert "drops table public.logs and all its rows" in refused.stderr
    assert "drops column public.t.note and its values" in refused.stderr
    allowed = run(a, b, "--allow-destructive")
    assert allowed.exit_code == 0 and "-- DATA LOSS: drops table public.logs" in allowed.stdout


def test_live_database_gives_row_counts(run, scratch_dsn, tmp_path):
    with connect(scratch_dsn, autocommit=True) as conn:
        apply_sql(conn, "CREATE TABLE t (id int, note text); INSERT INTO t SELECT g, 'x' FROM generate_series(1, 42) g;")
    b = _write(tmp_path / "b.sql", "CREATE TABLE t (id int);")
    refused = run(scratch_dsn, b)
    assert refused.exit_code == 5
    assert "drops column public.t.note and its values (42 rows)" in refused.stderr


def test_design_folder_to_next_migration_and_undo(run, tmp_path, scratch_dsn):
    """design -> project folder with V001; diff folder vs a changed input -o migrations -> V002/U002.
    V001+V002 give the changed design; U002 brings V001's schema back."""
    project = tmp_path / "project"
    design_project(EXAMPLE, project)
    changed = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    users = next(e for e in changed["data_model"]["entities"] if e["name"] == "users")
    users["attributes"].append({"name": "nickname", "type": "varchar(40)"})
    users["attributes"][users["attributes"].index("profile")] = {"name": "bio", "type": "jsonb",
                                                                 "renamed_from": "profile"}
    spec = _write(tmp_path / "changed.json", json.dumps(changed))
    migrations = project / "migrations"
    result = run(project, spec, "-o", migrations, "--name", "user profile")
    assert result.exit_code == 0, result.output
    forward, undo = migrations / "V002__user_profile.sql", migrations / "U002__user_profile.sql"
    assert forward.is_file() and undo.is_file()
    assert "RENAME COLUMN profile TO bio" in forward.read_text(encoding="utf-8")
    with connect(scratch_dsn, autocommit=True) as conn:
        apply_sql(conn, (migrations / "V001__initial_schema.sql").read_text(encoding="utf-8"))
        initial = inspect_database(conn)
        apply_sql(conn, forward.read_text(encoding="utf-8"))
        assert differences(load_schema(str(spec)), inspect_database(conn)) == []
        assert differences(load_schema(str(migrations), dsn=scratch_dsn), inspect_database(conn)) == []
        apply_sql(conn, undo.read_text(encoding="utf-8"))
        assert differences(initial, inspect_database(conn)) == []
    again = run(migrations, spec, "-o", migrations)  # nothing left to do: nothing written
    assert again.exit_code == 0 and "no differences" in again.stderr
    users["attributes"].append("website")
    third = run(migrations, _write(tmp_path / "third.json", json.dumps(changed)), "-o", migrations)
    assert third.exit_code == 0, third.output
    assert (migrations / "V003__alter_users.sql").is_file()  # a column and its check


def test_bad_sources_are_clear_errors(run, tmp_path):
    missing = run(tmp_path / "nope.sql", tmp_path / "nope.sql")
    assert missing.exit_code == 2 and "no such file or folder" in missing.stderr
    broken = _write(tmp_path / "broken.sql", "CREATE TABLE (;")
    result = run(broken, broken)
    assert result.exit_code == 2 and "cannot be parsed as SQL" in result.stderr
    failing = _write(tmp_path / "failing.sql", "CREATE TABLE t (id int REFERENCES nowhere);")
    result = run(failing, failing)
    assert result.exit_code == 3 and 'relation "nowhere" does not exist' in result.stderr
    assert "Traceback" not in result.output
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(SourceError, match="neither a folder written by 'schemawright design'"):
        load_schema(str(empty))
    with pytest.raises(SourceError, match="unknown kind of file"):
        load_schema(str(_write(tmp_path / "x.txt", "")))
