"""``schemawright lint-migrations``: lint migration SQL; print text, JSON or SARIF; exit 1 on findings."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated, Optional

import typer

from schemawright import api
from schemawright.cli.output import OutputFormat, fail, write_report
from schemawright.errors import SchemawrightError


class FailOn(StrEnum):
    WARNING = "warning"
    ERROR = "error"
    NEVER = "never"


def lint_migrations_cmd(
    paths: Annotated[list[Path], typer.Argument(help="Migration SQL files and/or folders of them (linted in order)")],
    fmt: Annotated[OutputFormat, typer.Option("--format", "-f", help="Report format")] = OutputFormat.TEXT,
    fail_on: Annotated[FailOn, typer.Option(help="Exit 1 when a finding is at least this severe")] = FailOn.ERROR,
    config: Annotated[Optional[Path], typer.Option(help="YAML: disable, severity, pg_version, "
                                                        "assume_in_transaction, per_file")] = None,
    pg_version: Annotated[Optional[int], typer.Option(help="Oldest PostgreSQL major version the migrations "
                                                           "run on (default 14)")] = None,
    assume_in_transaction: Annotated[Optional[bool], typer.Option(
        "--assume-in-transaction/--no-assume-in-transaction",
        help="The migration tool runs each file in a transaction")] = None,
    per_file: Annotated[Optional[bool], typer.Option(
        "--per-file/--whole-set", help="--per-file (default): judge each file against the schema before it (tables "
        "created by earlier files hold live data); --whole-set: the files are one migration onto an empty database")] = None,
    history: Annotated[bool, typer.Option(
        "--history/--no-history", help="A migration file given alone (V<n>__*.sql) is judged after the earlier "
        "versions of its folder (read, not reported on): what a pre-commit hook needs")] = True,
    output: Annotated[Optional[Path], typer.Option("-o", "--output", help="Write the report to this file")] = None,
) -> None:
    """Lint migrations for statements that lock or break a live database or its running clients."""
    try:
        result = api.lint_migrations(paths, config_file=config, pg_version=pg_version,
                                     assume_in_transaction=assume_in_transaction, per_file=per_file, history=history)
    except SchemawrightError as exc:
        fail(exc, "nothing was linted")
    report = api.lint_report(result, str(fmt))
    write_report(report, output)
    if api.lint_fails(result, str(fail_on)):
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Add ``schemawright lint-migrations`` to the main command."""
    app.command("lint-migrations")(lint_migrations_cmd)
