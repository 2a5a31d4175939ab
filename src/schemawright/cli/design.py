"""``schemawright design SPEC -o DIR``: a task input in, the project folder out."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Optional

import typer

from schemawright import api
from schemawright.cli.output import err, escape, fail, out
from schemawright.errors import SchemawrightError


def design_cmd(
    spec: Annotated[Path, typer.Argument(help="Task input (JSON or YAML)")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Folder to write the project into")],
    force: Annotated[bool, typer.Option(help="Replace a non-empty folder not written by schemawright")] = False,
    no_patterns: Annotated[bool, typer.Option("--no-patterns", help="Do not match task.requirements to the domain "
                                              "patterns (same as conventions.patterns: false)")] = False,
    dialect: Annotated[Optional[str], typer.Option(
        "--dialect", help="Target database: postgresql, mysql (MySQL 8 / MariaDB 10.11+), sqlite, citus (PostgreSQL "
                          "distributed: citus/distribute.sql, docs/sharding.md) or mongodb; "
                          "default: the input's project.database_type")] = None,
    orm: Annotated[Optional[list[str]], typer.Option(
        "--orm", help="ORM output to write (repeatable): sqlalchemy, alembic, django, typeorm, sequelize, prisma; "
                      "default: the input's integration.orm_framework (SQLAlchemy models are always written; "
                      "Mongoose schemas for mongodb)")] = None,
    cache: Annotated[Optional[str], typer.Option(
        "--cache", help="Caching layer to generate: redis (cache/ and docs/caching.md); default: the input's "
                        "integration.caching_layer")] = None,
) -> None:
    """Design a schema from a task input and write the database/ project folder."""
    from rich.table import Table

    try:
        result = api.design_project(spec, output, force=force, patterns=not no_patterns, dialect=dialect, orms=orm, cache=cache)
    except SchemawrightError as exc:
        fail(exc)
    table = Table(title=f"{escape(result.spec.project.name)}: designed", show_header=True)
    table.add_column("object")
    table.add_column("count", justify="right")
    for key in ("tables", "columns", "foreign_keys", "indexes", "checks", "inferences"):
        table.add_row(key.replace("_", " "), str(result.counts[key]))
    out().print(table)
    out().print(f"wrote {len(result.artifacts)} files to {escape(str(result.out_dir))}")
    if missing := api.graphviz_missing():
        err().print(f"[yellow]warning:[/] {escape(missing)}", highlight=False, soft_wrap=True)
    if result.dialect == "citus":
        err().print(f"[yellow]target citus:[/] {len(result.degradations)} key change(s) or restriction(s) reported "
                    "(docs/sharding.md)", highlight=False, soft_wrap=True)
    elif result.dialect != "postgresql":
        err().print(f"[yellow]target {result.dialect}:[/] {len(result.degradations)} construct(s) degraded, "
                    f"{len(result.skipped)} output(s) not written (docs/dialect.md)", highlight=False, soft_wrap=True)
        for d in result.degradations:
            err().print(f"[yellow]degraded:[/] {escape(d.kind)} {escape(d.name)}: {escape(d.why)}"
                        + (f" -> {escape(d.replacement)}" if d.replacement else " -> left to the application"),
                        highlight=False, soft_wrap=True)
        for name, why in result.skipped:
            err().print(f"[yellow]not written:[/] {escape(name)}: {escape(why)}", highlight=False, soft_wrap=True)
    for i in result.schema.inferences:
        if i.rule == "rule.not_understood":
            err().print(f"[yellow]warning:[/] business rule {escape(i.subject)} is NOT enforced: {escape(i.reason)}",
                        highlight=False, soft_wrap=True)
        elif i.rule == "requirement.not_understood":
            err().print(f"[yellow]warning:[/] requirement {escape(repr(i.subject))} was not understood (no domain "
                        f"pattern matched); nothing was modelled for it", highlight=False, soft_wrap=True)
        elif i.rule.startswith("pattern.") and i.decision.startswith("added "):
            # a table the input does not declare is a warning: the user should see what was invented
            invented = "[yellow]warning:[/] " if re.search(r"(?:^added |; )table ", i.decision) else ""
            err().print(f"{invented}requirement {escape(repr(i.subject))} -> pattern "
                        f"{escape(i.rule.removeprefix('pattern.'))}: {escape(i.decision)}", highlight=False,
                        soft_wrap=True)
        elif i.rule == "entity.missing_parent":
            err().print(f"[yellow]warning:[/] table {escape(i.subject)} was invented ({escape(i.decision)}): "
                        f"{escape(i.reason)}", highlight=False, soft_wrap=True)
        elif i.rule.startswith("warning."):
            err().print(f"[yellow]warning:[/] {escape(i.subject)}: {escape(i.decision)}: {escape(i.reason)}",
                        highlight=False, soft_wrap=True)


def register(app: typer.Typer) -> None:
    """Add ``schemawright design`` to the main command."""
    app.command("design")(design_cmd)
