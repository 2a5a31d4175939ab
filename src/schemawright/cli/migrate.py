"""``schemawright migrate new|up|down|status|verify``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Self

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

from schemawright import api
from schemawright.cli.output import err as _err
from schemawright.cli.output import error, escape, fail
from schemawright.cli.output import out as _out
from schemawright.errors import SchemawrightError

DEFAULT_TABLE = api.HISTORY_TABLE

migrate_app = typer.Typer(help="Apply, undo, check and verify versioned migrations (Flyway file names).",
                          no_args_is_help=True)

DirOption = Annotated[Path, typer.Option("--dir", help="Folder of V<n>__<desc>.sql / U<n>__<desc>.sql files")]
DsnOption = Annotated[str | None, typer.Option("--dsn", help="PostgreSQL URL; default: the embedded server")]
TableOption = Annotated[str, typer.Option("--table", help="History table, name or schema.name")]
LockOption = Annotated[float, typer.Option("--lock-timeout", help="Seconds to wait for another runner")]
ToOption = Annotated[str | None, typer.Option("--to", help="Target version (inclusive for up; down: 0 = all)")]


class _Bar:
    """A progress bar over the statements of each migration, and a line per finished migration (the
    runner's ``Reporter``, migrate/runner.py)."""

    def __init__(self, console: Console):
        self.console = console
        self.progress = Progress(TextColumn("{task.description:<40}"), BarColumn(), MofNCompleteColumn(),
                                 console=console, transient=True)
        self.task = None

    def __enter__(self) -> Self:
        self.progress.start()
        return self

    def __exit__(self, *exc) -> None:
        self.progress.stop()

    def waiting_for_lock(self, holder: str) -> None:
        self.console.print(f"waiting for the migration lock ({escape(holder)})")

    def started(self, label: str, statements: int) -> None:
        if self.task is not None:
            self.progress.remove_task(self.task)
        self.task = self.progress.add_task(label, total=statements)

    def advanced(self) -> None:
        self.progress.advance(self.task)

    def finished(self, result) -> None:
        verb = "applied" if result.direction == "up" else "undid"
        resumed = f", resumed at statement {result.resumed_at}" if result.resumed_at > 1 else ""
        self.console.print(f"{verb} V{escape(str(result.version))} {escape(result.description)} "
                           f"({result.statements} statements, {result.milliseconds} ms{resumed})")


def _fail(exc: SchemawrightError) -> None:
    fail(exc)


@migrate_app.command("new")
def new_cmd(description: Annotated[str, typer.Argument(help="What the migration does, e.g. 'add orders index'")],
            directory: DirOption) -> None:
    """Create the next V<n>__<description>.sql and its U<n> undo file (empty templates)."""
    try:
        forward, undo = api.new_migration(directory, description)
    except SchemawrightError as exc:
        _fail(exc)
    _out().print(f"created {escape(str(forward))}\ncreated {escape(str(undo))}")


def _run(fn, directory: Path, dsn, to, table, lock_timeout, verb: str) -> None:
    try:
        with _Bar(_err()) as bar:
            results = fn(directory, dsn, to=to, table=table, lock_timeout=lock_timeout, reporter=bar)
        report = api.migration_status(directory, dsn, table=table)
    except SchemawrightError as exc:
        _fail(exc)
    version = f"version {report.current}" if report.current else "no version"
    _out().print(f"{verb} {len(results)} migration(s); the database is at {escape(version)}, {report.pending} pending")


@migrate_app.command("up")
def up_cmd(directory: DirOption, dsn: DsnOption = None, to: ToOption = None, table: TableOption = DEFAULT_TABLE,
           lock_timeout: LockOption = 60.0) -> None:
    """Apply the pending migrations in order, each in its own transaction."""
    _run(api.apply_migrations, directory, dsn, to, table, lock_timeout, "applied")


@migrate_app.command("down")
def down_cmd(directory: DirOption, dsn: DsnOption = None, to: ToOption = None, table: TableOption = DEFAULT_TABLE,
             lock_timeout: LockOption = 60.0) -> None:
    """Undo the newest applied migration, or all above --to N, with their U files (newest first)."""
    _run(api.undo_migrations, directory, dsn, to, table, lock_timeout, "undid")


@migrate_app.command("status")
def status_cmd(directory: DirOption, dsn: DsnOption = None, table: TableOption = DEFAULT_TABLE,
               as_json: Annotated[bool, typer.Option("--json", help="Print the status as JSON")] = False) -> None:
    """List every version: applied, pending, failed, undo-incomplete, checksum-mismatch or missing."""
    try:
        report = api.migration_status(directory, dsn, table=table)
    except SchemawrightError as exc:
        _fail(exc)
    if as_json:
        print(json.dumps(report.to_dict(), indent=2))
        return
    table_out = Table(title=f"migrations ({report.table})")
    colours = {"applied": "green", "pending": "yellow"}
    for col in ("version", "description", "state", "applied at", "ms", "detail"):
        table_out.add_column(col, justify="right" if col in ("version", "ms") else "left")
    for v in report.versions:
        colour = colours.get(v.state, "red")
        table_out.add_row(escape(v.version), escape(v.description), f"[{colour}]{v.state}[/]",
                          escape(str(v.applied_at or "")),
                          "" if v.execution_ms is None else str(v.execution_ms), escape(v.detail or ""))
    _out().print(table_out)
    _out().print(f"current version: {escape(str(report.current or 'none'))}; {report.pending} pending")


@migrate_app.command("verify")
def verify_cmd(directory: DirOption, dsn: DsnOption = None, table: TableOption = DEFAULT_TABLE) -> None:
    """Up, down to zero, up again in a scratch database; the catalogs must match. Your database is untouched."""
    try:
        with _Bar(_err()) as bar:
            result = api.verify_migrations(directory, dsn, table=table, reporter=bar)
    except SchemawrightError as exc:
        _fail(exc)
    if result.ok:
        _out().print(f"[green]ok[/]: {result.migrations} migration(s) went up, down to zero and up again; "
                  f"catalogs equal ({result.seconds:.2f} s)")
        return
    error(f"{len(result.problems)} problem(s):")
    for problem in result.problems:
        _err().print(f"  {problem}", markup=False)
    raise typer.Exit(5)


def register(app: typer.Typer) -> None:
    """Add ``schemawright migrate ...`` to the main command."""
    app.add_typer(migrate_app, name="migrate", help="Versioned migrations: new, up, down, status, verify.")
