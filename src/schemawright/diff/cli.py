"""``schemawright diff FROM TO``: the migration from one schema to another."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.markup import escape

from schemawright.cli_output import err as cli_err
from schemawright.cli_output import fail
from schemawright.errors import SchemawrightError

SOURCE_HELP = ("a task input (.json/.yaml), a .sql file, a migrations folder, a folder written by "
               "'schemawright design', or a PostgreSQL URL")


def diff_cmd(
    source_from: Annotated[str, typer.Argument(metavar="FROM", help=f"The current schema: {SOURCE_HELP}")],
    source_to: Annotated[str, typer.Argument(metavar="TO", help="The wanted schema (same kinds as FROM)")],
    output: Annotated[Optional[Path], typer.Option(
        "-o", "--output", help="Migrations folder: write V<n+1>__<desc>.sql and its undo U<n+1>__<desc>.sql there "
        "(default: print the forward SQL)")] = None,
    dsn: Annotated[Optional[str], typer.Option(
        "--dsn", help="PostgreSQL server for applying SQL sources; default: the embedded server")] = None,
    allow_destructive: Annotated[bool, typer.Option(
        "--allow-destructive", help="Accept changes that destroy data (drop table/column, narrowing types)")] = False,
    name: Annotated[Optional[str], typer.Option("--name", help="Description used in the file names")] = None,
    offline: Annotated[bool, typer.Option(
        "--offline", help="Plain DDL (no CONCURRENTLY / NOT VALID): for a database nobody is using")] = False,
    lock_timeout: Annotated[str, typer.Option(help="SET lock_timeout at the top of the migration")] = "5s",
    statement_timeout: Annotated[str, typer.Option(help="SET statement_timeout at the top")] = "30min",
    flyway: Annotated[bool, typer.Option(
        "--flyway", help="Also write Flyway's <file>.conf (executeInTransaction=false) beside a file with "
        "steps that cannot run in a transaction (see docs/migrations.md)")] = False,
) -> None:
    """Diff two schemas into the next versioned migration and its undo."""
    from schemawright.diff.migration import make_migration, write_migration

    err = cli_err()
    try:
        migration = make_migration(source_from, source_to, dsn=dsn, allow_destructive=allow_destructive,
                                   online=not offline, description=name, lock_timeout=lock_timeout,
                                   statement_timeout=statement_timeout)
        if not migration.changes:
            err.print("no differences: nothing to migrate")
            return
        for line in migration.plan.warnings + migration.notes:
            err.print(f"review: {escape(line)}")
        if output is None:
            sys.stdout.write(migration.forward_sql())
            err.print(f"{len(migration.changes)} change(s), {len(migration.plan.forward)} step(s)")
            return
        forward, undo = write_migration(migration, output, flyway=flyway)
    except SchemawrightError as exc:
        fail(exc)
    err.print(f"{len(migration.changes)} change(s): wrote {escape(str(forward))} and {escape(str(undo))}")


def register(app: typer.Typer) -> None:
    """Add ``schemawright diff`` to the main command."""
    app.command("diff")(diff_cmd)
