"""``schemawright seed``: fill a design's tables with realistic, constraint-satisfying rows."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Annotated, Optional

import typer

from schemawright import api
from schemawright.cli.output import err as cli_err
from schemawright.cli.output import error, escape, fail
from schemawright.cli.output import out as cli_out
from schemawright.errors import SchemawrightError


def seed_cmd(
    source: Annotated[Path, typer.Argument(help="A folder written by 'schemawright design', or a task input")],
    scale: Annotated[float, typer.Option(help="Rows = estimated_rows x scale")] = 0.01,
    dsn: Annotated[Optional[str], typer.Option("--dsn", help="PostgreSQL URL; default: the embedded server")] = None,
    seed: Annotated[int, typer.Option(help="Random seed: the same seed gives the same rows")] = 42,
    until: Annotated[Optional[str], typer.Option(help="Last day of the generated time span (YYYY-MM-DD); "
                                                 "default: today")] = None,
    replace: Annotated[bool, typer.Option(help="Empty the tables first if they hold rows")] = False,
    workers: Annotated[Optional[int], typer.Option(help="Generator processes (default: one per CPU)")] = None,
    max_rows: Annotated[int, typer.Option(help="At most this many rows in any table")] = 1_000_000,
    as_json: Annotated[bool, typer.Option("--json", help="Print the load report as JSON")] = False,
) -> None:
    """Create the design's tables if absent, then load synthetic rows with COPY."""
    from rich.table import Table

    err, out = cli_err(), cli_out()
    try:
        day = dt.date.fromisoformat(until) if until else None
    except ValueError:
        error(f"--until {until!r} is not a date (YYYY-MM-DD)", 2)
    if scale <= 0:
        error("--scale must be positive", 2)
    try:
        result = api.seed(source, dsn, scale=scale, seed=seed, until=day, replace=replace, workers=workers,
                          console=None if as_json else err, max_rows=max_rows)
    except SchemawrightError as exc:  # SeedError (cannot make valid rows): exit 4
        fail(exc)
    report = result.load
    if as_json:
        print(json.dumps(report.to_dict(), indent=2))
        return
    table = Table(title=f"{escape(result.source.name)}: seeded (scale {scale}, seed {seed})")
    for col, justify in (("table", "left"), ("rows", "right"), ("seconds", "right"), ("notes", "left")):
        table.add_column(col, justify=justify)
    for t in report.tables:
        table.add_row(escape(t.table), f"{t.rows:,}", f"{t.seconds:.2f}", escape("; ".join(t.notes)))
    out.print(table)
    if result.created_schema:
        out.print("created the design's tables first")
    for r in report.repairs:
        out.print(f"repaired: {escape(str(r))}")
    out.print(f"{report.rows:,} rows: COPY {report.copy_seconds:.2f} s ({report.copy_rows_per_second:,.0f} rows/s), "
              f"keys/indexes/FKs rebuilt and checked {report.constraint_seconds:.2f} s, "
              f"VACUUM ANALYZE {report.vacuum_seconds:.2f} s")


def register(app: typer.Typer) -> None:
    """Add ``schemawright seed`` to the main command."""
    app.command("seed")(seed_cmd)
