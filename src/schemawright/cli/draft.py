"""``schemawright draft "free text" -o spec.yaml``: a task input proposed by an OpenAI-compatible endpoint."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from schemawright import api
from schemawright.cli.output import fail, out
from schemawright.errors import SchemawrightError


def draft_cmd(
    description: Annotated[str, typer.Argument(help="What the data is about, in free text (or @file to read it)")],
    output: Annotated[Path, typer.Option("-o", "--output", help="The task input to write (.yaml)")],
    force: Annotated[bool, typer.Option("--force", help="Replace an existing output file")] = False,
) -> None:
    """Propose a task input from free text through an OpenAI-compatible endpoint (SCHEMAWRIGHT_LLM_*)."""
    try:
        if output.exists() and not force:
            raise SchemawrightError(f"{output} exists; use --force to replace it")
        if description.startswith("@"):
            description = Path(description[1:]).read_text(encoding="utf-8")
        result = api.draft(description)
        output.write_text(result.text, encoding="utf-8")
    except SchemawrightError as exc:
        fail(exc)
    except OSError as exc:
        fail(SchemawrightError(f"{exc.filename}: {exc.strerror}"))
    out().print(f"wrote {output} ({len(result.tables)} tables, accepted at attempt {result.attempts}); "
                f"review it, then: schemawright design {output} -o DIR", highlight=False, markup=False)


def register(app: typer.Typer) -> None:
    app.command("draft")(draft_cmd)
