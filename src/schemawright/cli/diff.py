"""``schemawright diff FROM TO``: the migration from one schema to another."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from schemawright import api
from schemawright.cli.output import err as cli_err
from schemawright.cli.output import escape, fail, report_unmodelled
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
        "--flyway", help="Flyway-ready files: each step that cannot run in a transaction (CREATE INDEX "
        "CONCURRENTLY, ALTER TYPE ... ADD VALUE) in a versioned file of its own (V<n>_<k>__...) with Flyway's "
        "<file>.conf (executeInTransaction=false), the steps between them in transactional files "
        "(see docs/migrations.md)")] = False,
    cleanup: Annotated[Optional[Path], typer.Option(
        "--cleanup", help="A YAML/JSON file of data changes to run before the tightenings that rows would refuse: "
        "fill NULLs (not_null + fill), delete duplicates (unique + keep first|latest), delete or fix rows "
        "violating a CHECK (check + delete|set), map removed values (values + map); see docs/migrations.md")] = None,
    allow_unmodelled: Annotated[bool, typer.Option(
        "--allow-unmodelled", help="Exit 0 even when objects the schema model does not hold (sequences, domains, "
        "partitions...) differ and are left out of the migration (they are listed either way)")] = False,
    output_format: Annotated[str, typer.Option(
        "--format", help="text (the SQL, or the files written) or json (changes, steps, files and the "
        "unmodelled differences left out)")] = "text",
) -> None:
    """Diff two schemas into the next versioned migration and its undo."""
    import json

    err = cli_err()
    if output_format not in ("text", "json"):
        err.print(f"--format: expected text or json, got {escape(output_format)}")
        raise typer.Exit(2)
    written: list[str] = []
    try:
        migration = api.diff(source_from, source_to, dsn=dsn, allow_destructive=allow_destructive,
                             online=not offline, description=name, lock_timeout=lock_timeout,
                             statement_timeout=statement_timeout, cleanup=cleanup)
        if migration.changes and output is not None:
            written = [str(p) for p in api.write_migration(migration, output, flyway=flyway)]
    except SchemawrightError as exc:
        fail(exc)
    skipped = migration.skipped
    if output_format == "json":
        sys.stdout.write(json.dumps({
            "changes": len(migration.changes), "steps": len(migration.plan.forward), "written": written,
            "sql": migration.forward_sql() if migration.changes and output is None else None,
            "review": migration.plan.warnings + migration.notes if migration.changes else [],
            "unmodelled": [s.to_dict() for s in skipped]}, indent=2, ensure_ascii=False) + "\n")
    elif not migration.changes:
        err.print("no differences: nothing to migrate" if not skipped else
                  "no differences in what the schema model holds")
    else:
        for line in migration.plan.warnings + migration.notes:
            err.print(f"review: {escape(line)}")
        if output is None:
            sys.stdout.write(migration.forward_sql())
            err.print(f"{len(migration.changes)} change(s), {len(migration.plan.forward)} step(s)")
        else:
            err.print(f"{len(migration.changes)} change(s): wrote " + ", ".join(escape(w) for w in written))
    report_unmodelled(skipped, what="NOT migrated", allow=allow_unmodelled,
                      consequence="the migration is incomplete; do these by hand")


def register(app: typer.Typer) -> None:
    """Add ``schemawright diff`` to the main command."""
    app.command("diff")(diff_cmd)
