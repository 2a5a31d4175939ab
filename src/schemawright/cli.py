"""The ``schemawright`` command: parse arguments, call the API, print results. No logic here."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from schemawright.errors import SchemawrightError, SpecError

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="Design, generate and verify database schemas against a real PostgreSQL.")
out = Console()
err = Console(stderr=True)

DsnOption = Annotated[Optional[str], typer.Option("--dsn", help="PostgreSQL URL; default: the embedded server")]


def _fail(exc: SchemawrightError) -> None:
    if isinstance(exc, SpecError):
        err.print(f"[bold red]error:[/] {len(exc.problems)} problem(s) in the input; nothing was written")
        for p in exc.problems:
            err.print(f"  {p}", markup=False, highlight=False, soft_wrap=True)
    else:
        err.print(f"[bold red]error:[/] {escape(str(exc))}", highlight=False, soft_wrap=True)
    raise typer.Exit(exc.exit_code)


@app.command("design")
def design_cmd(
    spec: Annotated[Path, typer.Argument(help="Task input (JSON or YAML)")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Folder to write the project into")],
    force: Annotated[bool, typer.Option(help="Replace a non-empty folder not written by schemawright")] = False,
) -> None:
    """Design a schema from a task input and write the database/ project folder."""
    from schemawright import api

    try:
        result = api.design_project(spec, output, force=force)
    except SchemawrightError as exc:
        _fail(exc)
    table = Table(title=f"{escape(result.spec.project.name)}: designed", show_header=True)
    table.add_column("object")
    table.add_column("count", justify="right")
    for key in ("tables", "columns", "foreign_keys", "indexes", "checks", "inferences"):
        table.add_row(key.replace("_", " "), str(result.counts[key]))
    out.print(table)
    out.print(f"wrote {len(result.artifacts)} files to {escape(str(result.out_dir))}")
    for i in result.schema.inferences:
        if i.rule == "rule.not_understood":
            err.print(f"[yellow]warning:[/] business rule {escape(i.subject)} is NOT enforced: {escape(i.reason)}",
                      highlight=False, soft_wrap=True)
        elif i.rule.startswith("warning."):
            err.print(f"[yellow]warning:[/] {escape(i.subject)}: {escape(i.decision)}: {escape(i.reason)}",
                      highlight=False, soft_wrap=True)


@app.command("verify")
def verify_cmd(
    folder: Annotated[Path, typer.Argument(help="A folder written by 'schemawright design'")],
    dsn: DsnOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON")] = False,
    verbose: Annotated[bool, typer.Option("-v", "--verbose", help="List every check, not only failures")] = False,
) -> None:
    """Prove a design on a real PostgreSQL: migrations forward/back/forward, catalog, constraints."""
    from schemawright.verify import verify_project

    try:
        report = verify_project(folder, dsn=dsn, progress=None if as_json else err)
    except SchemawrightError as exc:
        _fail(exc)
    if as_json:
        print(json.dumps(report.to_dict(), indent=2))
    else:
        _print_report(report, verbose)
    raise typer.Exit(0 if report.passed else 1)


def _print_report(report, verbose: bool) -> None:
    summary = Table(title="verification", show_header=True)
    for col in ("group", "passed", "failed"):
        summary.add_column(col, justify="left" if col == "group" else "right")
    for group, counts in report.to_dict()["summary"]["by_group"].items():
        failed = counts["failed"]
        summary.add_row(group, str(counts["passed"]), f"[red]{failed}[/]" if failed else "0")
    out.print(summary)
    shown = [s for s in report.steps if verbose or not s.ok]
    if shown:
        table = Table(show_header=True, title=None if verbose else "failed checks")
        for col in ("check", "result", "detail"):
            table.add_column(col)
        for step in shown:
            table.add_row(step.name, "[green]pass[/]" if step.ok else "[red]FAIL[/]", step.detail)
        out.print(table)
    passed = sum(1 for s in report.steps if s.ok)
    colour = "green" if report.passed else "red"
    out.print(f"[{colour}]{passed}/{len(report.steps)} checks passed[/]; report: {report.path}")


# Modules that add their commands to ``app``: each defines ``register(app: typer.Typer) -> None``.
# Adding a command group is one module plus one line here.
COMMAND_MODULES = ("schemawright.db.cli", "schemawright.migrate.cli", "schemawright.lint.cli", "schemawright.diff.cli",
                   "schemawright.lint.schema_cli", "schemawright.seed.cli", "schemawright.bench.cli",
                   "schemawright.advise.cli", "schemawright.importers.cli")


def register_all() -> typer.Typer:
    import importlib

    for name in COMMAND_MODULES:
        importlib.import_module(name).register(app)
    return app


def main() -> None:
    from schemawright.db.dsn import set_announcer

    register_all()
    # before a command changes anything, it says on stderr which server and database it uses
    set_announcer(lambda line: err.print(line, markup=False, highlight=False, soft_wrap=True))
    try:
        app()
    except SchemawrightError as exc:  # raised outside a command body (e.g. db commands)
        err.print(f"[bold red]error:[/] {escape(str(exc))}", highlight=False, soft_wrap=True)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        err.print("interrupted")
        sys.exit(130)
    except Exception as exc:  # a bug in schemawright, not in the input
        if os.environ.get("SCHEMAWRIGHT_DEBUG"):
            raise
        err.print(f"[bold red]internal error:[/] {type(exc).__name__}: {escape(str(exc))}\n"
                  "This is a bug in schemawright; rerun with SCHEMAWRIGHT_DEBUG=1 for the traceback.",
                  highlight=False)
        sys.exit(70)
