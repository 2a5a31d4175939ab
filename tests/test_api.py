"""api.py: every capability as one function with a typed result, usable without the CLI."""

from __future__ import annotations

import inspect
from pathlib import Path

from schemawright import api
from schemawright.diff.migration import Migration
from schemawright.importers.common import ImportResult
from schemawright.lint.migration import LintResult as MigrationLintResult
from schemawright.lint.schema import LintResult
from schemawright.model.schema import Schema

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
CAPABILITIES = ("design_schema", "design_project", "load_schema", "verify_project", "diff", "apply_migrations",
                "undo_migrations", "migration_status", "verify_migrations", "new_migration", "lint_schema",
                "lint_migrations", "import_source", "seed", "bench", "advise", "write_migration", "lint_report",
                "lint_fails", "import_to_file", "write_bench", "advise_workload", "db_start", "db_stop", "db_status",
                "db_url", "announce_with")


def test_every_capability_is_a_documented_function():
    for name in CAPABILITIES:
        fn = getattr(api, name)
        assert inspect.isfunction(fn) and fn.__module__ == "schemawright.api", name
        assert name in api.__doc__ or fn.__doc__, name


def test_load_design_lint_and_diff_through_the_api(tmp_path):
    spec = EXAMPLES / "blog_cms.json"
    schema = api.load_schema(str(spec))
    assert isinstance(schema, Schema) and schema.table("posts") is not None
    assert schema.facts.project.name == api.design_schema(spec)[1].facts.project.name

    result = api.design_project(spec, tmp_path / "out")
    assert (tmp_path / "out" / "models" / "physical" / "schema.json").is_file()
    assert api.load_schema(str(tmp_path / "out")).facts == result.schema.facts  # the facts travel in the JSON

    lint = api.lint_schema(str(spec))
    assert isinstance(lint, LintResult)

    migration = api.diff(str(spec), str(tmp_path / "out"))
    assert isinstance(migration, Migration) and migration.changes == []

    linted = api.lint_migrations([tmp_path / "out" / "migrations"])
    assert isinstance(linted, MigrationLintResult) and linted.files
    assert '"version": "2.1.0"' in api.lint_report(linted, "sarif")
    assert api.lint_fails(linted, "never") is False


def test_lint_migrations_options_override_the_config(tmp_path):
    """pg_version decides SW-rules that depend on the server version: 10 and 17 must lint differently."""
    sql = tmp_path / "V1__add.sql"
    sql.write_text("ALTER TABLE t ADD COLUMN c integer NOT NULL DEFAULT 0;\n", encoding="utf-8")
    old, new = (api.lint_migrations([sql], pg_version=v) for v in (10, 17))
    assert {f.rule for f in old.findings} != {f.rule for f in new.findings}
    assert api.lint_fails(old, "warning") or api.lint_fails(old, "error")


def test_import_to_file_refuses_to_replace_a_file(tmp_path):
    from schemawright.errors import UsageError

    target = tmp_path / "spec.yaml"
    target.write_text("keep me", encoding="utf-8")
    try:
        api.import_to_file(str(tmp_path / "none.sql"), target)
    except UsageError as exc:
        assert "--force" in str(exc) and exc.exit_code == 2
    else:
        raise AssertionError("an existing file was replaced")
    assert target.read_text(encoding="utf-8") == "keep me"


def test_import_through_the_api(tmp_path, pg_dsn):
    ddl = tmp_path / "shop.sql"
    ddl.write_text("CREATE TABLE items (id bigint PRIMARY KEY, name text NOT NULL);\n", encoding="utf-8")
    result = api.import_source(str(ddl), pg_dsn)
    assert isinstance(result, ImportResult)
    assert [c.name for c in result.schema.table("items").columns] == ["id", "name"]


def test_a_model_json_written_before_the_typed_facts_still_loads_them():
    """Folders designed before ``Schema.facts`` hold ``settings`` (the shape agent_output.json still shows)."""
    import dataclasses

    from schemawright.model.serialize import schema_from_json, schema_to_json
    from schemawright.render.agent_output import design_settings

    schema = api.design_schema(EXAMPLES / "saas_multitenant.yaml")[1]
    data = schema_to_json(schema)
    data["schema"].pop("facts")
    data["schema"]["settings"] = design_settings(schema.facts)
    loaded = schema_from_json(data).facts
    assert loaded.security is not None and loaded.security.rls == schema.facts.security.rls
    assert loaded.query_patterns == schema.facts.query_patterns
    # not in the old settings: the integration, the rule lists and counts (the tenancy rides along when present)
    assert dataclasses.replace(loaded, project=schema.facts.project, integration=schema.facts.integration,
                               application_rules=schema.facts.application_rules,
                               business_rules=schema.facts.business_rules, tenancy=schema.facts.tenancy) == schema.facts
