"""``schemawright verify DIR``: prove a project folder on PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Optional

import typer

from schemawright import api
from schemawright.cli.output import err, escape, fail, out
from schemawright.errors import SchemawrightError

DsnOption = Annotated[Optional[str], typer.Option("--dsn", help="PostgreSQL URL; default: the embedded server")]


def verify_cmd(
    folder: Annotated[Path, typer.Argument(help="A folder written by 'schemawright design'")],
    dsn: DsnOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON")] = False,
    verbose: Annotated[bool, typer.Option("-v", "--verbose", help="List every check, not only failures")] = False,
) -> None:
    """Prove a design on a real PostgreSQL: migrations forward/back/forward, catalog, constraints."""
    try:
        report = api.verify_project(folder, dsn=dsn, progress=None if as_json else err())
    except SchemawrightError as exc:
        fail(exc)
    if as_json:
        print(json.dumps(report.to_dict(), indent=2))
    else:
        _print_report(report, verbose)
    raise typer.Exit(0 if report.passed else 1)


def _print_report(report, verbose: bool) -> None:
    from rich.table import Table

    summary = Table(title="verification", show_header=True)
    for col in ("group", "passed", "failed"):
        summary.add_column(col, justify="left" if col == "group" else "right")
    for group, counts in report.to_dict()["summary"]["by_group"].items():
        failed = counts["failed"]
        summary.add_row(group, str(counts["passed"]), f"[red]{failed}[/]" if failed else "0")
    out().print(summary)
    shown = [s for s in report.steps if verbose or not s.ok]
    if shown:
        table = Table(show_header=True, title=None if verbose else "failed checks")
        for col in ("check", "result", "detail"):
            table.add_column(col)
        for step in shown:
            table.add_row(escape(step.name), "[green]pass[/]" if step.ok else "[red]FAIL[/]", escape(step.detail))
        out().print(table)
    passed = sum(1 for s in report.steps if s.ok)
    colour = "green" if report.passed else "red"
    out().print(f"[{colour}]{passed}/{len(report.steps)} checks passed[/]; report: {escape(str(report.path))}")


def register(app: typer.Typer) -> None:
    """Add ``schemawright verify`` to the main command."""
    app.command("verify")(verify_cmd)
