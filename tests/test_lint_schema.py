"""The schema lint end to end: targets, suppressions, config, the CLI, report formats and exit codes."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import typer
import yaml
from typer.testing import CliRunner

from schemawright.db import connect
from schemawright.errors import SpecError
from schemawright.findings import Severity
from schemawright.lint.engine import LintConfig
from schemawright.lint.schema import SCHEMA_RULES, lint_model, lint_schema, load_schema_config
from schemawright.cli.lint import register
from schemawright.model.schema import Column, Schema, Table
from schemawright.model.types import DataType, Kind
from schemawright.project.sources import apply_sql

ROOT = Path(__file__).parents[1]
BAD_SQL = """\
CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL,
                    created_at timestamp NOT NULL);
CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint REFERENCES users (id), total float8);
-- schemawright:ignore SW208 reason: documented in the wiki
CREATE TABLE notes (id bigint PRIMARY KEY, body text);
CREATE TABLE tags (id bigint PRIMARY KEY, label text);
COMMENT ON TABLE tags IS 'Free labels. schemawright:ignore SW206 SW209 tags are never updated';
COMMENT ON COLUMN users.created_at IS 'schemawright:ignore timestamp-without-time-zone legacy';
"""


def codes(findings, obj=None):
    return sorted({f.rule for f in findings if obj is None or f.location.object == obj})


@pytest.fixture
def bad_sql(tmp_path):
    path = tmp_path / "schema.sql"
    path.write_text(BAD_SQL, encoding="utf-8")
    return path


@pytest.fixture
def cli(pg_dsn):
    app = typer.Typer()
    register(app)
    app.command("noop")(lambda: None)  # a second command, so typer keeps the sub-command name
    runner = CliRunner()
    return lambda *args: runner.invoke(app, ["lint", *map(str, args), "--dsn", pg_dsn])


def test_sql_file_findings_point_at_the_defining_statement_and_column(bad_sql, pg_dsn):
    result = lint_schema(bad_sql, dsn=pg_dsn)
    by = {(f.rule, f.location.object): f for f in result.findings}
    fk = by[("SW401", "public.orders.orders_user_id_fkey")]
    assert fk.location.file == str(bad_sql) and fk.location.line == 3
    money = by[("SW303", "public.orders.total")]
    assert (money.location.line, money.location.column) == (3, 83)
    assert "numeric(12,2)" in money.fix and money.severity == Severity.ERROR
    assert result.live is False and set(result.skipped) == {r.code for r in SCHEMA_RULES if r.needs == "live"}


def test_comment_markers_and_sql_comments_suppress(bad_sql, pg_dsn):
    result = lint_schema(bad_sql, dsn=pg_dsn)
    assert "SW208" not in codes(result.findings, "public.notes")  # -- schemawright:ignore on the statement
    assert "SW206" in codes(result.findings, "public.notes")  # ... only the rule it names
    assert not {"SW206", "SW209"} & set(codes(result.findings, "public.tags"))  # COMMENT ON TABLE
    assert "SW301" not in codes(result.findings, "public.users.created_at")  # COMMENT ON COLUMN, by name
    assert result.suppressed == 4


def test_config_ignores_by_rule_and_object_glob_and_overrides_severity(bad_sql, tmp_path, pg_dsn):
    config = tmp_path / "lint.yaml"
    config.write_text(yaml.safe_dump({
        "disable": ["undocumented-columns"],
        "severity": {"SW303": "warning"},
        "ignore": [{"rule": "SW206", "objects": ["public.*"]}, {"objects": "public.orders.*"}],
    }), encoding="utf-8")
    result = lint_schema(bad_sql, dsn=pg_dsn, config=load_schema_config(config))
    assert "SW209" not in codes(result.findings) and "SW206" not in codes(result.findings)
    assert codes(result.findings, "public.orders.total") == []  # every rule, below public.orders
    assert "SW208" in codes(result.findings, "public.orders")  # the table itself is not below it


def test_config_errors_are_located_with_suggestions(tmp_path):
    config = tmp_path / "lint.yaml"
    config.write_text("naming:\n  tabels: plural\nthresholds:\n  max_indexes: -1\n"
                      "ignore:\n  - rule: SW999\n    objects: [x]\n  - rule: SW201\nexposed_roles: anon\n")
    with pytest.raises(SpecError) as err:
        load_schema_config(config)
    text = str(err.value)
    assert "naming.tabels" in text and "did you mean 'tables'" in text and ":2:" in text
    assert "thresholds.max_indexes" in text and "ignore[0].rule" in text and "unknown rule 'SW999'" in text
    assert "ignore[1]" in text and "missing objects" in text and "exposed_roles" in text


def test_naming_preset_postgres_accepts_generated_names(bad_sql, pg_dsn):
    default = lint_schema(bad_sql, dsn=pg_dsn)
    postgres = lint_schema(bad_sql, dsn=pg_dsn, config=LintConfig(options={"naming": {"preset": "postgres"}}))
    assert "SW107" in codes(default.findings) and "SW107" not in codes(postgres.findings)


def test_live_database_runs_activity_rules(scratch_dsn):
    with connect(scratch_dsn, autocommit=True) as conn:
        apply_sql(conn, "CREATE TABLE t (id bigint PRIMARY KEY, a int); CREATE INDEX idx_t_a ON t (a);")
    result = lint_schema(scratch_dsn)
    assert result.live and not result.skipped
    assert "SW702" in codes(result.findings, "public.t.idx_t_a")
    assert "password" not in result.target


def test_schemas_option_limits_the_lint(scratch_dsn):
    with connect(scratch_dsn, autocommit=True) as conn:
        apply_sql(conn, "CREATE SCHEMA app; CREATE TABLE app.things (a int); CREATE TABLE public.others (b int);")
    result = lint_schema(scratch_dsn, config=LintConfig(options={"schemas": ["app"]}))
    assert {f.location.object.split(".")[0] for f in result.findings} == {"app"}


def test_design_folder_and_task_input_are_linted_from_the_model(tmp_path):
    example = ROOT / "examples" / "ecommerce.json"
    from schemawright.api import design_project

    design_project(example, tmp_path / "out")
    folder = lint_schema(tmp_path / "out")
    spec = lint_schema(example)
    assert folder.skipped and spec.skipped  # catalog and live rules need a database
    assert not folder.fails(Severity.WARNING) and not spec.fails(Severity.WARNING)  # the designer's own output
    for finding in folder.findings:
        assert finding.location.file.endswith("physical_model.sql") and finding.location.line > 1
    for finding in spec.findings:
        assert finding.location.file == str(example)


def test_model_only_lint_uses_model_grants_and_flags():
    table = Table(name="Accounts", columns=[Column(name="id", type=DataType(Kind.INTEGER), nullable=False),
                                            Column(name="balance", type=DataType(Kind.MONEY))])
    result = lint_model(Schema(tables=[table]))
    assert {"SW101", "SW201", "SW302", "SW405"} <= set(codes(result.findings))
    assert all(f.location.file is None and f.location.object for f in result.findings)


def test_migrations_folder_is_applied_in_version_order(tmp_path, pg_dsn):
    folder = tmp_path / "migrations"
    folder.mkdir()
    (folder / "V2__orders.sql").write_text("CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint "
                                           "REFERENCES users (id));")
    (folder / "V1__users.sql").write_text("CREATE TABLE users (id bigint PRIMARY KEY);")
    (folder / "U2__orders.sql").write_text("DROP TABLE orders;")
    result = lint_schema(tmp_path, dsn=pg_dsn)
    fk = next(f for f in result.findings if f.rule == "SW401")
    assert fk.location.file.endswith("V2__orders.sql")


def test_bad_targets_are_clear_errors(tmp_path, cli):
    (tmp_path / "broken.sql").write_text("CREATE TABLE (;\n")
    out = cli(tmp_path / "broken.sql")
    assert out.exit_code == 2 and "broken.sql:1:" in out.output and "nothing was linted" in out.output
    out = cli(tmp_path / "missing.sql")
    assert out.exit_code == 2 and "no such file" in out.output
    (tmp_path / "fails.sql").write_text("CREATE TABLE t (a int REFERENCES nowhere (id));\n")
    out = cli(tmp_path / "fails.sql")
    assert out.exit_code == 3 and "nowhere" in out.output


def test_cli_exit_codes_follow_the_threshold(bad_sql, cli, tmp_path):
    assert cli(bad_sql).exit_code == 1  # SW303 is an error
    assert cli(bad_sql, "--fail-on", "never").exit_code == 0
    clean = tmp_path / "clean.sql"
    clean.write_text("CREATE TABLE widgets (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY);\n"
                     "COMMENT ON TABLE widgets IS 'Widgets';\n")
    assert cli(clean).exit_code == 0
    assert cli(clean, "--fail-on", "info").exit_code == 1  # SW206 missing-audit-columns is info


def test_cli_text_json_and_output_file(bad_sql, cli, tmp_path):
    text = cli(bad_sql, "--fail-on", "never")
    assert "error SW303 float-for-money" in text.output and "fix: ALTER TABLE" in text.output
    assert "rules need a database or its live statistics" in text.output
    data = json.loads(cli(bad_sql, "-f", "json", "--fail-on", "never").stdout)
    first = data["findings"][0]
    assert {"rule", "name", "severity", "message", "file", "line", "object", "fix"} <= set(first)
    out = tmp_path / "report.json"
    assert cli(bad_sql, "-f", "json", "-o", out, "--fail-on", "never").exit_code == 0
    assert json.loads(out.read_text())["summary"]["total"] == data["summary"]["total"]


def test_sarif_is_what_github_code_scanning_accepts(bad_sql, cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    shutil.copy(bad_sql, tmp_path / "db.sql")
    log = json.loads(cli("db.sql", "-f", "sarif", "--fail-on", "never").stdout)
    assert log["version"] == "2.1.0" and log["$schema"].endswith("sarif-2.1.0.json")
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert {r["id"] for r in rules} >= {"SW101", "SW401", "SW611"}
    assert all(r["help"]["markdown"] and r["shortDescription"]["text"] for r in rules)
    fingerprints = set()
    for result in run["results"]:
        [location] = result["locations"]
        physical = location["physicalLocation"]  # code scanning rejects the whole file without one
        assert physical["artifactLocation"]["uri"] == "db.sql" and physical["region"]["startLine"] >= 1
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        fingerprints.add((result["ruleId"], result["partialFingerprints"]["schemawrightObject/v1"]))
    assert len(fingerprints) == len(run["results"])  # objects sharing a line stay distinct alerts


def test_pre_commit_hooks_are_defined_for_both_linters():
    hooks = {h["id"]: h for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())}
    assert hooks["schemawright-lint"]["entry"] == "schemawright lint"
    assert hooks["schemawright-lint"]["pass_filenames"] is False
    assert hooks["schemawright-lint-migrations"]["entry"] == "schemawright lint-migrations"
    for hook in hooks.values():
        assert hook["language"] == "python" and hook["types"] == ["sql"] and hook["name"]


def test_roles_the_sql_creates_do_not_outlive_the_lint(tmp_path, pg_dsn):
    path = tmp_path / "roles.sql"
    path.write_text("CREATE ROLE sw_lint_test_api NOLOGIN;\nCREATE TABLE t (id bigint PRIMARY KEY);\n"
                    "GRANT SELECT ON t TO sw_lint_test_api;\n")
    for _ in range(2):  # the second run would fail with "role already exists"
        result = lint_schema(path, dsn=pg_dsn, config=LintConfig(options={"exposed_roles": ["sw_lint_test_api"]}))
        assert "SW601" in codes(result.findings, "public.t")
    with connect(pg_dsn) as conn:
        assert conn.execute("SELECT count(*) FROM pg_roles WHERE rolname = 'sw_lint_test_api'").fetchone()[0] == 0
