"""``schemawright docs TARGET -o DIR``: the documentation of any schema source."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer
from schemawright import api
from schemawright.cli.output import err as cli_err
from schemawright.cli.output import escape, fail
from schemawright.errors import SchemawrightError

SOURCE_HELP = ("a task input (.json/.yaml), a .sql file, a migrations folder, a folder written by "
               "'schemawright design', or a PostgreSQL URL")


def docs_cmd(
    target: Annotated[str, typer.Argument(metavar="TARGET", help=f"The schema to document: {SOURCE_HELP}")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Folder to write docs/ and models/ into")],
    dsn: Annotated[Optional[str], typer.Option(
        "--dsn", help="PostgreSQL server for applying SQL sources; default: the embedded server")] = None,
) -> None:
    """Document any schema: data dictionary, ER diagrams (Mermaid, SVG, PNG), PRD, overview, HTML report."""
    err = cli_err()
    try:
        result = api.write_docs(target, output, dsn=dsn)
    except SchemawrightError as exc:
        fail(exc)
    for warning in result.warnings:
        err.print(f"[yellow]warning:[/] {escape(warning)}", highlight=False, soft_wrap=True)
    err.print(f"{len(result.schema.tables)} tables documented: wrote {len(result.artifacts)} files to "
              f"{escape(str(result.out_dir))}", highlight=False, soft_wrap=True)
    for a in result.artifacts:
        err.print(f"  {escape(a.path)}", highlight=False, soft_wrap=True)


def register(app: typer.Typer) -> None:
    """Add ``schemawright docs`` to the main command."""
    app.command("docs")(docs_cmd)
