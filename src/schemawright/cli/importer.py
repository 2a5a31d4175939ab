"""``schemawright import SOURCE -o spec.yaml``: an existing database, SQL script or DBML file in, a task
input that designs back to the same schema out (plus, on request, the canonical model and proofs)."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated, Optional

import typer

from schemawright import api
from schemawright.cli.output import error, escape, fail, report_unmodelled
from schemawright.cli.output import out as _out
from schemawright.errors import SchemawrightError


class SourceKind(StrEnum):
    POSTGRESQL = "postgresql"
    MYSQL = "mysql"
    SQLITE = "sqlite"
    DBML = "dbml"


def import_cmd(
    source: Annotated[str, typer.Argument(help="A PostgreSQL URL (read live), a .sql DDL script or a .dbml file")],
    output: Annotated[Path, typer.Option("-o", "--output", help="The task input to write (.yaml/.yml, or .json)")],
    dsn: Annotated[Optional[str], typer.Option(
        "--dsn", help="PostgreSQL server for --check (scratch databases); default: the embedded server")] = None,
    dialect: Annotated[Optional[SourceKind], typer.Option(
        "--dialect", help="The source's language; default: detected from its name and content")] = None,
    model: Annotated[Optional[Path], typer.Option(
        "--model", help="Also write the canonical model (schema JSON) here")] = None,
    check: Annotated[bool, typer.Option(
        "--check", help="Prove the import on PostgreSQL: the script loaded and read back (PostgreSQL scripts), "
        "and the task input designed, built and read back")] = False,
    profile: Annotated[bool, typer.Option(
        "--profile", help="Live databases: mine candidate functional dependencies from the data into "
        "functional_dependencies (the design then reports each table's normal form)")] = False,
    force: Annotated[bool, typer.Option("--force", help="Replace existing output files")] = False,
    allow_unmodelled: Annotated[bool, typer.Option(
        "--allow-unmodelled", help="Exit 0 even when the source holds objects the schema model does not (rules, "
        "event triggers, partitions...), which the task input leaves out (they are listed either way)")] = False,
    output_format: Annotated[str, typer.Option(
        "--format", help="text (a summary) or json (counts, files written, what was skipped, the unmodelled "
        "objects left out, the proofs' differences) on standard output")] = "text",
) -> None:
    """Reverse-engineer an existing schema into a task input (every convention off, everything spelled out)."""
    import json
    import sys

    from rich.table import Table

    if output_format not in ("text", "json"):
        error(f"--format: expected text or json, got {output_format}", 2)
    try:
        imported = api.import_to_file(source, output, dsn=dsn, kind=str(dialect) if dialect else None, model=model,
                                      check=check, force=force, profile=profile)
    except SchemawrightError as exc:
        fail(exc)
    if output_format == "json":
        sys.stdout.write(json.dumps({
            "source": imported.label, "kind": imported.result.source_kind, "written": [str(p) for p in imported.written],
            "counts": imported.counts, "skipped": imported.result.skipped_lines,
            "unmodelled": [u.to_dict() for u in imported.unmodelled],
            "checks": {title: lines for title, lines in imported.checks or []}}, indent=2, ensure_ascii=False) + "\n")
        _finish(imported, allow_unmodelled)
        return
    out = _out()
    out.print(f"imported {escape(imported.label)} ({imported.result.source_kind})", highlight=False, soft_wrap=True)
    table = Table(show_header=True)
    table.add_column("object")
    table.add_column("count", justify="right")
    for key, value in imported.counts.items():
        table.add_row(key, str(value))
    out.print(table)
    for line in imported.result.skipped_lines:
        out.print(line, markup=False, highlight=False, soft_wrap=True)
    for title, lines in imported.checks or []:
        out.print(f"{title}: {len(lines)} difference(s)" if title.endswith("differences") else
                  f"{title}: {len(lines)}", highlight=False)
        for line in lines:
            out.print(f"  {line}", markup=False, highlight=False, soft_wrap=True)
    out.print(f"wrote {escape(str(output))}" + (f" and {escape(str(model))}" if model else ""))
    _finish(imported, allow_unmodelled)


def _finish(imported, allow_unmodelled: bool) -> None:
    """Exit 1 when a proof found differences, else 6 when objects were left out (unless allowed)."""
    if imported.differences:
        report_unmodelled(imported.unmodelled, what="NOT imported", allow=True, consequence="")
        raise typer.Exit(1)
    report_unmodelled(imported.unmodelled, what="NOT imported", allow=allow_unmodelled,
                      consequence="the task input is incomplete; add these by hand")


def register(app: typer.Typer) -> None:
    """Add ``import`` to the schemawright command."""
    app.command("import")(import_cmd)
