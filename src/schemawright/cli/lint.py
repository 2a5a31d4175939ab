"""``schemawright lint``: lint a schema (live database, SQL, design folder or task input); text, JSON or SARIF."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated, Optional

import typer

from schemawright import api
from schemawright.cli.output import OutputFormat, fail, report_unmodelled, write_report
from schemawright.errors import SchemawrightError


class FailOn(StrEnum):
    INFO = "info"
    WARNING = "warning"
    ERROR = "error"
    NEVER = "never"


def lint_cmd(
    target: Annotated[str, typer.Argument(help="A PostgreSQL URL, a SQL file, a folder of SQL or migrations, a "
                                               "folder written by 'schemawright design', or a task input")],
    fmt: Annotated[OutputFormat, typer.Option("--format", "-f", help="Report format")] = OutputFormat.TEXT,
    config: Annotated[Optional[Path], typer.Option(help="YAML: disable, severity, naming, thresholds, "
                                                        "exposed_roles, schemas, ignore")] = None,
    fail_on: Annotated[FailOn, typer.Option(help="Exit 1 when a finding is at least this severe")] = FailOn.ERROR,
    dsn: Annotated[Optional[str], typer.Option(help="Server to apply SQL targets on (default: the embedded "
                                                    "PostgreSQL)")] = None,
    output: Annotated[Optional[Path], typer.Option("-o", "--output", help="Write the report to this file")] = None,
    allow_unmodelled: Annotated[bool, typer.Option(
        "--allow-unmodelled", help="Exit 0 even when the schema holds objects the schema model does not (rules, "
        "event triggers, partitions...), which no rule checked (they are listed either way)")] = False,
) -> None:
    """Lint a schema for naming, structure, type, index and security problems (and health, when live)."""
    try:
        result = api.lint_schema(target, dsn=dsn, config_file=config)
    except SchemawrightError as exc:
        fail(exc, "nothing was linted")
    report = api.lint_report(result, str(fmt))
    write_report(report, output)
    if result.skipped and fmt == OutputFormat.TEXT:
        typer.echo(f"note: {len(result.skipped)} rules need a database or its live statistics and were not run "
                   f"on this target: {', '.join(result.skipped)}", err=True)
    failed = api.lint_fails(result, str(fail_on))
    report_unmodelled(result.unmodelled, what="NOT linted", allow=allow_unmodelled or failed,
                      consequence="the lint is incomplete")
    if failed:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Add ``schemawright lint`` to the main command."""
    app.command("lint")(lint_cmd)
