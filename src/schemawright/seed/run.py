"""``schemawright seed``: design (or read) a schema, create it if needed, and load synthetic rows."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console

from schemawright.datagen.plan import SeedPlan, build_plan
from schemawright.db import connect, resolve_dsn
from schemawright.errors import DatabaseError
from schemawright.seed.load import LoadReport, load_plan
from schemawright.seed.source import Source, ensure_schema, load_source, row_counts


# Per table, unless asked for more: an estimate of billions of rows stays loadable, and the default scale of
# every example loads in under a minute on 2 cores (1M rows is where indexes matter to every pattern).
MAX_ROWS = 1_000_000


@dataclass
class SeedResult:
    source: Source
    plan: SeedPlan
    load: LoadReport
    created_schema: bool


def seed_source(source: Source, dsn: str, *, scale: float = 0.01, seed: int = 42, until: dt.date | None = None,
                replace: bool = False, workers: int | None = None, console: Console | None = None,
                rows: dict[str, int] | None = None, max_rows: int | None = MAX_ROWS) -> SeedResult:
    """Create the design on ``dsn`` if absent, check its tables are empty, and load synthetic rows."""
    with connect(dsn, autocommit=True) as conn:
        created = ensure_schema(conn, source)
        if not created:
            filled = {t: n for t, n in row_counts(conn, source.schema).items() if n}
            if filled and not replace:
                raise DatabaseError(f"tables already hold rows ({', '.join(sorted(filled))}): seed an empty "
                                    "database, or pass --replace to empty them first")
            if filled:
                names = ", ".join(f'"{t.schema}"."{t.name}"' for t in source.schema.tables)
                conn.execute(f"TRUNCATE {names} CASCADE")
        plan = build_plan(source.schema, scale=scale, seed=seed, until=until, rows=rows, max_rows=max_rows)
        report = load_plan(conn, plan, workers=workers, console=console)
    return SeedResult(source, plan, report, created)


def seed(path: str | Path, dsn: str | None = None, **kw) -> SeedResult:
    """Seed the design in ``path`` (folder or task input) into ``dsn`` (default: the embedded server; one
    with the extensions the design needs, such as pgcrypto)."""
    source = load_source(path)
    return seed_source(source, resolve_dsn(dsn, source.schema.extensions, database=True), **kw)
