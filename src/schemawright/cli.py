"""The ``schemawright`` command: parse arguments, call the API, print results. No logic here."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer
from typer.core import TyperCommand, TyperGroup

from schemawright.cli_output import INTERRUPTED, error, fail, internal_error
from schemawright.cli_output import err as _err
from schemawright.cli_output import out as _out
from schemawright.errors import SchemawrightError


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import PackageNotFoundError, version

        try:
            typer.echo(f"schemawright {version('schemawright')}")
        except PackageNotFoundError:
            typer.echo("schemawright (version unknown: not installed)")
        raise typer.Exit(0)


# Commands defined in other modules: name -> (module with ``register(app)``, the help's first paragraph).
# A module is imported only when its command runs (``--help`` lists them from here), so that help and
# every command load only what they need. Adding a command is one module plus one line here;
# tests/test_cli.py checks that each line matches the command its module registers.
COMMANDS = {
    "db": ("schemawright.db.cli", "Manage the embedded PostgreSQL (start, stop, status, url)."),
    "migrate": ("schemawright.migrate.cli", "Versioned migrations: new, up, down, status, verify."),
    "lint-migrations": ("schemawright.lint.cli", "Lint migrations for statements that lock or break a live "
                                                 "database or its running clients."),
    "diff": ("schemawright.diff.cli", "Diff two schemas into the next versioned migration and its undo."),
    "lint": ("schemawright.lint.schema_cli", "Lint a schema for naming, structure, type, index and security "
                                             "problems (and health, when live)."),
    "seed": ("schemawright.seed.cli", "Create the design's tables if absent, then load synthetic rows with COPY."),
    "bench": ("schemawright.bench.cli", "Seed a scratch database, run the workload, report latency/throughput "
                                        "against the targets."),
    "advise": ("schemawright.advise.cli", "Suggest indexes that measurably help a workload; list redundant and "
                                          "unused ones."),
    "import": ("schemawright.importers.cli", "Reverse-engineer an existing schema into a task input (every "
                                             "convention off, everything spelled out)."),
}


def load_command(name: str):
    """The click command ``name`` registers (its module imported now)."""
    import importlib

    from typer.main import get_group

    module, _ = COMMANDS[name]
    holder = typer.Typer()
    importlib.import_module(module).register(holder)
    return get_group(holder).commands[name]


class _LazyGroup(TyperGroup):
    """The root command: the commands of ``COMMANDS`` are loaded when they run; help lists them by name."""

    _listing = False

    def list_commands(self, ctx) -> list[str]:
        return [*super().list_commands(ctx), *(n for n in COMMANDS if n not in self.commands)]

    def get_command(self, ctx, cmd_name: str):
        if self.commands.get(cmd_name) is not None or cmd_name not in COMMANDS:
            return super().get_command(ctx, cmd_name)
        if self._listing:  # help only needs the name and the first paragraph
            return TyperCommand(cmd_name, help=COMMANDS[cmd_name][1], callback=None)
        self.commands[cmd_name] = load_command(cmd_name)
        return self.commands[cmd_name]

    def resolve_command(self, ctx, args):
        # "Did you mean" is drawn from the loaded commands only: offer the lazy ones too.
        lazy = {n: None for n in COMMANDS if n not in self.commands}
        self.commands.update(lazy)
        try:
            return super().resolve_command(ctx, args)
        finally:
            for name in lazy:
                if self.commands.get(name) is None:
                    del self.commands[name]

    def format_help(self, ctx, formatter) -> None:
        self._listing = True
        try:
            super().format_help(ctx, formatter)
        finally:
            self._listing = False


app = typer.Typer(cls=_LazyGroup, add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="Design, generate and verify database schemas against a real PostgreSQL.")


@app.callback()
def _root(version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                                help="Print the version and exit")] = False) -> None:
    pass


DsnOption = Annotated[Optional[str], typer.Option("--dsn", help="PostgreSQL URL; default: the embedded server")]


def _fail(exc: SchemawrightError) -> None:
    fail(exc)


@app.command("design")
def design_cmd(
    spec: Annotated[Path, typer.Argument(help="Task input (JSON or YAML)")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Folder to write the project into")],
    force: Annotated[bool, typer.Option(help="Replace a non-empty folder not written by schemawright")] = False,
    dialect: Annotated[Optional[str], typer.Option(
        "--dialect", help="Target database: postgresql, mysql (MySQL 8 / MariaDB 10.11+) or sqlite; "
                          "default: the input's project.database_type")] = None,
    orm: Annotated[Optional[list[str]], typer.Option(
        "--orm", help="ORM output to write (repeatable): sqlalchemy, alembic, django; default: the input's "
                      "integration.orm_framework (SQLAlchemy models are always written)")] = None,
) -> None:
    """Design a schema from a task input and write the database/ project folder."""
    from rich.markup import escape
    from rich.table import Table

    from schemawright import api

    try:
        result = api.design_project(spec, output, force=force, dialect=dialect, orms=orm)
    except SchemawrightError as exc:
        _fail(exc)
    table = Table(title=f"{escape(result.spec.project.name)}: designed", show_header=True)
    table.add_column("object")
    table.add_column("count", justify="right")
    for key in ("tables", "columns", "foreign_keys", "indexes", "checks", "inferences"):
        table.add_row(key.replace("_", " "), str(result.counts[key]))
    _out().print(table)
    _out().print(f"wrote {len(result.artifacts)} files to {escape(str(result.out_dir))}")
    err = _err()
    if result.dialect != "postgresql":
        err.print(f"[yellow]target {result.dialect}:[/] {len(result.degradations)} construct(s) degraded, "
                  f"{len(result.skipped)} output(s) not written (docs/dialect.md)", highlight=False, soft_wrap=True)
        for d in result.degradations:
            err.print(f"[yellow]degraded:[/] {escape(d.kind)} {escape(d.name)}: {escape(d.why)}"
                      + (f" -> {escape(d.replacement)}" if d.replacement else " -> left to the application"),
                      highlight=False, soft_wrap=True)
        for name, why in result.skipped:
            err.print(f"[yellow]not written:[/] {escape(name)}: {escape(why)}", highlight=False, soft_wrap=True)
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
    dsn: Annotated[Optional[str], typer.Option("--dsn", help="PostgreSQL URL (default: a private cluster), or "
                                               "mysql://... for a MySQL design (default: the local server)")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON")] = False,
    verbose: Annotated[bool, typer.Option("-v", "--verbose", help="List every check, not only failures")] = False,
) -> None:
    """Prove a design on its database (PostgreSQL; MySQL/MariaDB or SQLite for --dialect designs):
    migrations forward/back/forward, catalog, constraints."""
    from schemawright.verify import verify_project

    try:
        report = verify_project(folder, dsn=dsn, progress=None if as_json else _err())
    except SchemawrightError as exc:
        _fail(exc)
    if as_json:
        print(json.dumps(report.to_dict(), indent=2))
    else:
        _print_report(report, verbose)
    raise typer.Exit(0 if report.passed else 1)


def _print_report(report, verbose: bool) -> None:
    from rich.markup import escape
    from rich.table import Table

    out = _out()
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
            table.add_row(escape(step.name), "[green]pass[/]" if step.ok else "[red]FAIL[/]", escape(step.detail))
        out.print(table)
    passed = sum(1 for s in report.steps if s.ok)
    colour = "green" if report.passed else "red"
    out.print(f"[{colour}]{passed}/{len(report.steps)} checks passed[/]; report: {escape(str(report.path))}")


def register_all() -> typer.Typer:
    """``app`` (kept for callers that registered every command module up front; loading is lazy now)."""
    return app


def main() -> None:
    if len(sys.argv) > 1 and not {"--help", "-h", "--version"} & set(sys.argv[1:]):
        from schemawright.db.dsn import set_announcer

        # before a command changes anything, it says on stderr which server and database it uses
        set_announcer(lambda line: _err().print(line, markup=False, highlight=False, soft_wrap=True))
    try:
        app()
    except SchemawrightError as exc:  # raised outside a command body (e.g. db commands)
        error(str(exc))
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        _err().print("interrupted")
        sys.exit(INTERRUPTED)
    except Exception as exc:  # a bug in schemawright, not in the input
        if os.environ.get("SCHEMAWRIGHT_DEBUG"):
            raise
        internal_error(exc)
