"""``schemawright import SOURCE -o spec.yaml``: an existing database, SQL script or DBML file in, a task
input that designs back to the same schema out (plus, on request, the canonical model and proofs)."""

from __future__ import annotations

import json
import os
import tempfile
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.markup import escape
from rich.table import Table

from schemawright.cli_output import fail
from schemawright.cli_output import out as _out
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
) -> None:
    """Reverse-engineer an existing schema into a task input (every convention off, everything spelled out)."""
    from schemawright.importers import import_source
    from schemawright.importers.to_spec import to_task_input, to_yaml

    try:
        for path in filter(None, (output, model)):
            if path.exists() and not force:
                raise _UsageError(f"{path} exists; use --force to replace it")
        result = import_source(source, dsn=dsn, kind=str(dialect) if dialect else None)
        label = _label(source)
        dependencies = None
        if profile:
            if result.source_kind != "database":
                raise _UsageError("--profile reads the data: give a PostgreSQL URL as the source")
            from schemawright.importers.profile import mine_dependencies

            dependencies = mine_dependencies(source, result.schema)
        if output.suffix.lower() == ".json":
            spec, _ = to_task_input(result, Path(label).stem or "imported", dependencies)
            text = json.dumps(spec, indent=2, ensure_ascii=False) + "\n"
        else:
            text = to_yaml(result, label, dependencies=dependencies)
        checks = _checks(source, result, dsn) if check else None
        _write(output, text)
        if model is not None:
            from schemawright.model.serialize import schema_to_json

            _write(model, json.dumps(schema_to_json(result.schema), indent=2, ensure_ascii=False) + "\n")
    except SchemawrightError as exc:
        fail(exc)
    out = _out()
    _print_summary(result, label)
    for line in result.skipped_lines:
        out.print(line, markup=False, highlight=False, soft_wrap=True)
    if checks:
        for title, lines in checks:
            out.print(f"{title}: {len(lines)} difference(s)" if title.endswith("differences") else
                      f"{title}: {len(lines)}", highlight=False)
            for line in lines:
                out.print(f"  {line}", markup=False, highlight=False, soft_wrap=True)
    out.print(f"wrote {escape(str(output))}" + (f" and {escape(str(model))}" if model else ""))
    if checks and any(lines for title, lines in checks if title.endswith("differences")):
        raise typer.Exit(1)


class _UsageError(SchemawrightError):
    exit_code = 2


def _label(source: str) -> str:
    """The source as shown in the output: a URL without its password."""
    from schemawright.project.sources import is_dsn

    if not is_dsn(source):
        return source
    try:
        from psycopg.conninfo import conninfo_to_dict

        info = conninfo_to_dict(source)
        return f"database {info.get('dbname', '')} on {info.get('host', 'localhost')}"
    except Exception:  # an unparsable URL: say no more than that
        return "a PostgreSQL database"


def _checks(source: str, result, dsn: str | None) -> list[tuple[str, list[str]]]:
    from schemawright.importers.proof import check_against_catalog
    from schemawright.importers.roundtrip import build_design

    checks = []
    if result.source_kind == "postgresql":
        catalog = check_against_catalog(Path(source).read_text(encoding="utf-8-sig"), result, dsn)
        checks += [("statements PostgreSQL refused", catalog.load_errors),
                   ("script vs catalog differences", catalog.differences)]
    built = build_design(result, dsn, source)
    checks += [("design statements PostgreSQL refused", built.errors),
               ("import vs built design differences", built.differences)]
    return checks


def _write(path: Path, text: str) -> None:
    """Write all of ``text`` or nothing (a temporary file renamed into place)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _print_summary(result, label: str) -> None:
    s, out = result.schema, _out()
    out.print(f"imported {escape(label)} ({result.source_kind})", highlight=False, soft_wrap=True)
    table = Table(show_header=True)
    table.add_column("object")
    table.add_column("count", justify="right")
    counts = {"tables": len(s.tables), "columns": sum(len(t.columns) for t in s.tables),
              "foreign keys": sum(len(t.foreign_keys) for t in s.tables),
              "indexes": sum(len(t.indexes) for t in s.tables),
              "checks": sum(len(t.checks) for t in s.tables), "enums": len(s.enums), "views": len(s.views),
              "functions": len(s.functions), "triggers": sum(len(t.triggers) for t in s.tables),
              "skipped": sum(x.count for x in result.skipped)}
    for key, value in counts.items():
        table.add_row(key, str(value))
    out.print(table)


def register(app: typer.Typer) -> None:
    """Add ``import`` to the schemawright command."""
    app.command("import")(import_cmd)
