"""``import`` and ``lint`` list what the schema model does not hold (kind, name, why) as ``diff`` does: on
stderr and in ``--format json``, with exit 6 (status partial) unless ``--allow-unmodelled``."""

from __future__ import annotations

import json

import pytest
import typer
from typer.testing import CliRunner

from schemawright.cli.importer import register as register_import
from schemawright.cli.lint import register as register_lint

SCRIPT = """
CREATE TABLE t (id int PRIMARY KEY, v text);
CREATE TABLE t_log (id int, v text);
CREATE RULE t_log_insert AS ON INSERT TO t DO ALSO INSERT INTO t_log VALUES (NEW.id, NEW.v);
CREATE VIEW v AS SELECT id, v FROM t;
CREATE RULE v_insert AS ON INSERT TO v DO INSTEAD INSERT INTO t VALUES (NEW.id, NEW.v);
CREATE FUNCTION on_ddl() RETURNS event_trigger LANGUAGE plpgsql AS $$ BEGIN RAISE NOTICE 'ddl'; END $$;
CREATE EVENT TRIGGER t_ddl ON ddl_command_end EXECUTE FUNCTION on_ddl();
INSERT INTO t VALUES (1, 'a');
"""


@pytest.fixture
def app():
    app = typer.Typer()
    register_import(app)
    register_lint(app)
    return app


@pytest.fixture
def script(tmp_path):
    path = tmp_path / "rules.sql"
    path.write_text(SCRIPT)
    return path


def _kinds(entries) -> set[tuple[str, str]]:
    return {(e["kind"], e["name"].split(" (line")[0]) for e in entries}


def test_import_lists_the_rule_and_the_event_trigger(app, script, tmp_path):
    """The rule on a view and the event trigger are listed; the rule on a table is carried (entity rules)."""
    runner = CliRunner()
    result = runner.invoke(app, ["import", str(script), "-o", str(tmp_path / "spec.yaml")])
    assert result.exit_code == 6, result.output
    assert "NOT imported: 2 object(s) the schema model does not hold (kind, name, why):" in result.stderr
    assert "  rule v_insert on v (line 6): rules are not in the schema model (only rules on tables are)" \
        in result.stderr
    assert "  event trigger t_ddl (line 8): event triggers are not in the schema model" in result.stderr
    assert "t_log_insert" not in result.stderr and "t_log_insert" in (tmp_path / "spec.yaml").read_text()
    assert "INSERT" not in result.stderr  # rows are not objects the model lacks
    assert (tmp_path / "spec.yaml").is_file()  # written all the same: the exit says it is partial

    as_json = runner.invoke(app, ["import", str(script), "-o", str(tmp_path / "spec2.yaml"), "--format", "json",
                                  "--allow-unmodelled"])
    assert as_json.exit_code == 0, as_json.output
    data = json.loads(as_json.stdout)
    assert _kinds(data["unmodelled"]) == {("rule", "v_insert on v"), ("event trigger", "t_ddl")}
    assert all(e["why"] for e in data["unmodelled"]) and data["counts"]["tables"] == 2


def test_import_lists_what_the_task_input_cannot_carry(app, tmp_path):
    path = tmp_path / "two.sql"
    path.write_text("CREATE SCHEMA b; CREATE TABLE a_t (id int PRIMARY KEY); CREATE TABLE b.a_t (id int);")
    result = CliRunner().invoke(app, ["import", str(path), "-o", str(tmp_path / "s.yaml"), "--format", "json"])
    assert result.exit_code == 6, result.output
    (entry,) = json.loads(result.stdout)["unmodelled"]
    assert entry["name"] == "table b.a_t" and "same name" in entry["why"]


def test_lint_lists_the_rule_and_the_event_trigger(app, script, pg_dsn):
    """Lint reads the script's catalog (applied to a scratch database): the same list diff reports."""
    runner = CliRunner()
    result = runner.invoke(app, ["lint", str(script), "--dsn", pg_dsn, "--fail-on", "never"])
    assert result.exit_code == 6, result.output
    assert "NOT linted: 2 object(s) the schema model does not hold (kind, name, why):" in result.stderr
    assert "  rule v.v_insert: rules are not in the schema model [CREATE RULE v_insert AS ON INSERT TO " \
           "public.v DO" in result.stderr
    assert "t_log_insert" not in result.stderr  # a rule on a table is the model's (Table.rules)
    assert "  event trigger t_ddl: event triggers are not in the schema model" in result.stderr

    as_json = runner.invoke(app, ["lint", str(script), "--dsn", pg_dsn, "--fail-on", "never", "--format", "json",
                                  "--allow-unmodelled"])
    assert as_json.exit_code == 0, as_json.output
    data = json.loads(as_json.stdout)
    assert _kinds(data["unmodelled"]) == {("rule", "v.v_insert"), ("event trigger", "t_ddl")}


def test_lint_findings_exit_first(app, script, pg_dsn):
    """A finding at --fail-on exits 1 (the unmodelled objects are still listed)."""
    result = CliRunner().invoke(app, ["lint", str(script), "--dsn", pg_dsn, "--fail-on", "info"])
    assert result.exit_code == 1, result.output
    assert "NOT linted: 2 object(s)" in result.stderr
