"""``schemawright design SPEC -o DIR``: a task input in, the project folder out."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

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
) -> None:
    """Design a schema from a task input and write the database/ project folder."""
    from rich.table import Table

    try:
        result = api.design_project(spec, output, force=force, patterns=not no_patterns)
    except SchemawrightError as exc:
        fail(exc)
    table = Table(title=f"{escape(result.spec.project.name)}: designed", show_header=True)
    table.add_column("object")
    table.add_column("count", justify="right")
    for key in ("tables", "columns", "foreign_keys", "indexes", "checks", "inferences"):
        table.add_row(key.replace("_", " "), str(result.counts[key]))
    out().print(table)
    out().print(f"wrote {len(result.artifacts)} files to {escape(str(result.out_dir))}")
    for i in result.schema.inferences:
        if i.rule == "rule.not_understood":
            err().print(f"[yellow]warning:[/] business rule {escape(i.subject)} is NOT enforced: {escape(i.reason)}",
                        highlight=False, soft_wrap=True)
        elif i.rule == "requirement.not_understood":
            err().print(f"[yellow]warning:[/] requirement {escape(repr(i.subject))} was not understood (no domain "
                        f"pattern matched); nothing was modelled for it", highlight=False, soft_wrap=True)
        elif i.rule.startswith("pattern.") and i.decision.startswith("added "):
            err().print(f"requirement {escape(repr(i.subject))} -> pattern {escape(i.rule.removeprefix('pattern.'))}: "
                        f"{escape(i.decision)}", highlight=False, soft_wrap=True)
        elif i.rule.startswith("warning."):
            err().print(f"[yellow]warning:[/] {escape(i.subject)}: {escape(i.decision)}: {escape(i.reason)}",
                        highlight=False, soft_wrap=True)


def register(app: typer.Typer) -> None:
    """Add ``schemawright design`` to the main command."""
    app.command("design")(design_cmd)
