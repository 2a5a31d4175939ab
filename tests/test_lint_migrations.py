"""The migration lint end to end: files and sets, locations, suppressions, config, CLI and report formats."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from pglast import ast
from typer.testing import CliRunner

from schemawright.errors import SpecError
from schemawright.findings import Severity
from schemawright.cli.lint_migrations import register
from schemawright.lint.engine import LintConfig, Rule, RuleSet, UnknownRule
from schemawright.lint.migration import MIGRATION_RULES, lint_migrations, lint_sql, load_migration_config


def rules_of(findings):
    return [f.rule for f in findings]


@pytest.fixture
def cli():
    app = typer.Typer()
    register(app)
    app.command("noop")(lambda: None)  # a second command, so typer keeps the sub-command name
    runner = CliRunner()
    return lambda *args: runner.invoke(app, ["lint-migrations", *map(str, args)])


def test_locations_are_one_based_character_positions_of_the_statement_or_node():
    sql = "-- héllo wörld\n/* x */ CREATE INDEX i ON t (a);\nALTER TABLE t\n  ADD COLUMN é int NOT NULL;\n"
    found = {f.rule: f.location for f in lint_sql(sql)}
    assert (found["SW504"].line, found["SW504"].column) == (2, 9)
    assert (found["SW504"].end_line, found["SW504"].end_column) == (2, 32)
    assert (found["SW501"].line, found["SW501"].column) == (4, 14)  # the column definition


def test_each_file_is_judged_against_the_schema_before_it_unless_whole_set(tmp_path):
    (tmp_path / "V1__create.sql").write_text("CREATE TABLE t (a int);\n")
    (tmp_path / "V2__index.sql").write_text("SET lock_timeout = '1s';\nCREATE INDEX t_a ON t (a);\n")
    (tmp_path / "U2__index.sql").write_text("DROP TABLE t;\n")  # undo files are skipped
    (tmp_path / "V10__later.sql").write_text("SET lock_timeout = '1s';\nALTER TABLE t RENAME COLUMN a TO b;\n")
    whole_set = lint_migrations([tmp_path], config=LintConfig(options={"per_file": False}))
    assert [p.rsplit("/", 1)[1] for p in whole_set.files] == ["V1__create.sql", "V2__index.sql", "V10__later.sql"]
    assert whole_set.findings == []
    # the default (issue 13): the table V1 created holds live data when V2 and V10 run
    per_file = lint_migrations([tmp_path])
    assert rules_of(per_file.findings) == ["SW517", "SW504"]  # sorted by file name, V10 before V2


@pytest.mark.parametrize("sql", [
    "-- schemawright:ignore SW504\nCREATE INDEX i ON t (a);",
    "CREATE INDEX i ON t (a); -- schemawright:ignore create-index-without-concurrently, SW523",
    "/* schemawright:ignore */ CREATE INDEX i\n  ON t (a);",
    "CREATE INDEX i\n  ON t (a) -- schemawright:ignore SW504 SW523 built at night\n;",
    "-- schemawright:ignore-file SW504, SW523\nSELECT 1;\nCREATE INDEX i ON t (a);",
])
def test_inline_suppression(sql):
    assert [r for r in rules_of(lint_sql(sql)) if r in ("SW504", "SW523")] in ([], ["SW523"])
    assert "SW504" not in rules_of(lint_sql(sql))


def test_suppression_applies_to_its_statement_only():
    sql = "CREATE INDEX i ON t (a); -- schemawright:ignore SW504\nCREATE INDEX j ON t (b);\n"
    assert [f.location.line for f in lint_sql(sql) if f.rule == "SW504"] == [2]


def test_config_disables_rules_and_overrides_severities(tmp_path):
    config = tmp_path / "lint.yaml"
    config.write_text("disable: [SW523, json-column]\nseverity: {create-index-without-concurrently: warning}\n"
                      "pg_version: 10\n")
    loaded = load_migration_config(config)
    findings = lint_sql("CREATE INDEX i ON t (a);\nALTER TABLE t ADD COLUMN j json DEFAULT '{}';", config=loaded)
    assert [(f.rule, f.severity) for f in findings] == [("SW504", Severity.WARNING), ("SW502", Severity.WARNING)]


def test_config_errors_are_located_with_suggestions(tmp_path):
    config = tmp_path / "lint.yaml"
    config.write_text("disable: [SW999, drop-colum]\nseverity: {SW501: fatal}\npg_versoin: 12\n")
    with pytest.raises(SpecError) as err:
        load_migration_config(config)
    text = str(err.value)
    assert "lint.yaml:1:11: disable[0]: unknown rule 'SW999'" in text
    assert "did you mean SW519 (drop-column)?" in text
    assert "lint.yaml:2:19: severity.SW501: not a severity (expected info, warning or error" in text
    assert "lint.yaml:3:1: pg_versoin: unknown key" in text and "did you mean 'pg_version'?" in text


def test_unparseable_sql_is_a_located_error(tmp_path):
    (tmp_path / "bad.sql").write_text("SELECT 1;\nALTER TABLEX foo;\n")
    with pytest.raises(SpecError) as err:
        lint_migrations([tmp_path / "bad.sql"])
    assert "bad.sql:2:7: PostgreSQL cannot parse this" in str(err.value)


def test_missing_paths_and_empty_folders_are_errors(tmp_path):
    with pytest.raises(SpecError, match="no such file or folder"):
        lint_migrations([tmp_path / "nope"])
    with pytest.raises(SpecError, match="no .sql files found"):
        lint_migrations([tmp_path])


def test_ruleset_resolves_codes_and_names_and_suggests():
    assert MIGRATION_RULES.resolve("sw501").code == "SW501"
    assert MIGRATION_RULES.resolve("drop-table").code == "SW520"
    with pytest.raises(UnknownRule, match="did you mean SW520"):
        MIGRATION_RULES.resolve("drop-tabel")


def test_rule_metadata_is_validated_at_class_creation():
    with pytest.raises(TypeError, match="not kebab-case.*fix is empty.*docstring"):
        class Broken(Rule):
            code = "SW999"
            name = "Not_Kebab"
            severity = Severity.INFO
            fix = ""
            targets = (ast.Node,)
    with pytest.raises(TypeError, match="duplicate"):
        RuleSet([MIGRATION_RULES.resolve("SW501"), MIGRATION_RULES.resolve("SW501")])


def test_cli_text_output_and_exit_codes(tmp_path, cli):
    migration = tmp_path / "V1.sql"
    migration.write_text("SET lock_timeout = '1s';\nALTER TABLE t ADD COLUMN j json;\n")
    result = cli(migration)
    assert result.exit_code == 0, result.output
    assert f"{migration}:2:26: warning SW535 json-column:" in result.output
    assert "1 finding (1 warning) in 1 file" in result.output
    assert cli(migration, "--fail-on", "warning").exit_code == 1
    migration.write_text("DROP TABLE t;\n")
    assert cli(migration).exit_code == 1
    assert cli(migration, "--fail-on", "never").exit_code == 0
    assert cli(tmp_path / "missing.sql").exit_code == 2


def test_cli_options_config_and_output_file(tmp_path, cli):
    migration = tmp_path / "V1.sql"
    migration.write_text("BEGIN;\nALTER TYPE mood ADD VALUE 'meh';\nCOMMIT;\n")
    assert cli(migration, "--format", "json").exit_code == 0
    assert cli(migration, "--pg-version", "11").exit_code == 1
    config = tmp_path / "c.yaml"
    config.write_text("pg_version: 11\ndisable: [SW525]\n")
    out = tmp_path / "report.json"
    result = cli(migration, "--config", config, "--format", "json", "-o", out)
    assert result.exit_code == 0
    data = json.loads(out.read_text())
    assert data["summary"] == {"total": 0, "by_severity": {"info": 0, "warning": 0, "error": 0}, "files": 1}


def test_json_report(tmp_path, cli):
    (tmp_path / "V1.sql").write_text("CREATE TABLE t (id serial PRIMARY KEY);\n")
    data = json.loads(cli(tmp_path, "-f", "json").output)
    assert {f["rule"] for f in data["findings"]} == {"SW532", "SW536"}
    first = data["findings"][0]
    assert set(first) >= {"rule", "name", "severity", "message", "file", "line", "column", "fix"}


def test_sarif_report_has_rules_with_help_and_located_results(tmp_path, cli, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "db").mkdir()
    (tmp_path / "db" / "V1 new.sql").write_text("SET lock_timeout = '1s';\nCREATE INDEX i ON t (a);\n")
    log = json.loads(cli("db", "--format", "sarif").output)
    assert log["version"] == "2.1.0" and log["$schema"].endswith("sarif-2.1.0.json")
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert len(rules) == len(MIGRATION_RULES)
    assert all(r["help"]["text"] and r["shortDescription"]["text"] and r["defaultConfiguration"]["level"]
               for r in rules)
    [result] = run["results"]
    assert result["ruleId"] == "SW504" and rules[result["ruleIndex"]]["id"] == "SW504"
    assert result["level"] == "error" and "Fix:" in result["message"]["text"]
    physical = result["locations"][0]["physicalLocation"]
    assert physical["artifactLocation"]["uri"] == "db/V1%20new.sql"
    assert physical["region"] == {"startLine": 2, "startColumn": 1, "endLine": 2, "endColumn": 24}


def test_a_changed_migration_is_judged_after_its_folders_history(tmp_path):
    """What the pre-commit hook passes: only the changed file. The earlier versions tell what exists (a
    varchar(255) column, a table with rows), but are not reported on themselves."""
    import re as _re

    import yaml

    folder = tmp_path / "db" / "migrations"
    folder.mkdir(parents=True)
    (folder / "V001__create.sql").write_text("CREATE TABLE users (id bigint PRIMARY KEY, name varchar(255));\n"
                                             "CREATE INDEX users_name ON users (name);\n")
    (folder / "V002__tighten.sql").write_text("SET lock_timeout = '1s';\n"
                                              "ALTER TABLE users ALTER COLUMN name TYPE varchar(50);\n"
                                              "ALTER TABLE users ADD COLUMN tier text NOT NULL;\n")
    (folder / "U002__tighten.sql").write_text("ALTER TABLE users DROP COLUMN tier;\n")
    changed = lint_migrations([folder / "V002__tighten.sql"])
    assert [p.rsplit("/", 1)[1] for p in changed.files] == ["V002__tighten.sql"]
    assert set(rules_of(changed.findings)) >= {"SW514", "SW501"}  # SW514 needs V001's varchar(255)
    assert all(f.location.file.endswith("V002__tighten.sql") for f in changed.findings)
    assert "SW514" not in rules_of(lint_migrations([folder / "V002__tighten.sql"], history=False).findings)
    # both files in one run (the hook after a first commit): V002 is still judged against V001's tables
    both = lint_migrations([folder / "V001__create.sql", folder / "V002__tighten.sql"])
    assert {"SW514", "SW501"} <= set(rules_of(f for f in both.findings if f.location.file.endswith("V002__tighten.sql")))

    hook = yaml.safe_load((Path(__file__).parents[1] / ".pre-commit-hooks.yaml").read_text())[0]
    files = _re.compile(hook["files"])
    assert files.search("db/migrations/V002__tighten.sql") and files.search("V1.2__x.sql")
    for other in ("db/migrations/U002__tighten.sql", "tests/pgtap/001_schema.sql", "scripts/backup.sql",
                  "project/scripts/dml/seed_data.sql", "models/physical/physical_model.sql"):
        assert not files.search(other), other
