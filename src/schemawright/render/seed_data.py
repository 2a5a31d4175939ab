"""scripts/dml/seed_data.sql: a few realistic rows per table for development, as INSERT statements.

The rows come from the same generator as ``schemawright seed`` (valid for every constraint), dated
over the 24 months before DEV_SEED_UNTIL so that the file is the same on every run. Every value is
an escaped literal (``quote_literal``); identifiers are quoted.
"""

from __future__ import annotations

import datetime as dt

from schemawright.datagen.plan import SeedError, build_plan
from schemawright.datagen.pools import copy_unescape
from schemawright.dialects.base import table_order
from schemawright.dialects.partitions import PARTITION_FUNCTION
from schemawright.model.names import quote_ident as q
from schemawright.model.names import quote_literal
from schemawright.render import Artifact, RenderContext, Renderer
from schemawright.escape import sql_comment
from schemawright.render.sql_files import header

PATH = "scripts/dml/seed_data.sql"
DEV_ROWS = 10
DEV_SEED = 42
DEV_SEED_UNTIL = dt.date(2025, 12, 31)


def _literal(value: str | None) -> str:
    return "NULL" if value is None else quote_literal(value)


def seed_sql(ctx: RenderContext, rows: int = DEV_ROWS) -> str:
    schema = ctx.schema
    counts = {t.name: min(t.estimated_rows if t.estimated_rows is not None else rows, rows) for t in schema.tables}
    plan = build_plan(schema, seed=DEV_SEED, until=DEV_SEED_UNTIL, rows=counts)
    _, deferred = table_order(schema)
    cleared = {c for t, fk in deferred for c in fk.columns if all(t.column(x).nullable for x in fk.columns)
               for c in [f"{t.name}.{c}"]}
    lines = [header(ctx, "Development seed data"),
             "-- A few rows per table that satisfy every constraint. Load after the migrations:",
             '--   psql "$DATABASE_URL" -v ON_ERROR_STOP=1 --single-transaction -f scripts/dml/seed_data.sql',
             "-- For realistic volumes use: schemawright seed <this folder> --scale 0.01", ""]
    ranged = {tp.name for tp in plan.tables if tp.table.partitioning and tp.table.partitioning.strategy == "range"}
    has_function = schema.function(PARTITION_FUNCTION) is not None
    if ranged and has_function:
        start, end = plan.window.start.date(), plan.window.end.date() + dt.timedelta(days=62)
        lines += [f"SELECT {q(PARTITION_FUNCTION)}({quote_literal(name)}::regclass, "
                  f"{quote_literal(start.isoformat())}::date, {quote_literal(end.isoformat())}::date);"
                  for name in sorted(ranged)] + [""]
    for tp in plan.tables:
        if not tp.rows:
            continue
        if tp.name in ranged and not has_function:
            lines.append(f"-- {sql_comment(tp.name)}: no rows (its partitions do not cover the seed's dates)\n")
            continue
        cols = tp.batch(0, tp.rows)
        names = tp.columns
        empty = {c for c in names if f"{tp.name}.{c}" in cleared}
        values = []
        for i in range(tp.rows):
            row = [None if c in empty else copy_unescape(cols[c][i]) for c in names]
            values.append("    (" + ", ".join(_literal(v) for v in row) + ")")
        target = q(tp.name) if tp.table.schema == "public" else f"{q(tp.table.schema)}.{q(tp.name)}"
        lines.append(f"INSERT INTO {target} ({', '.join(q(c) for c in names)}) VALUES\n" + ",\n".join(values) + ";\n")
    return "\n".join(lines)


class SeedData(Renderer):
    name = "seed_data"
    skip_reason = "development INSERTs use PostgreSQL literals; seed the target from the application"

    def render(self, ctx: RenderContext) -> list[Artifact]:
        try:
            text = seed_sql(ctx)
        except (SeedError, ValueError) as exc:
            text = header(ctx, "Development seed data") + f"\n-- No seed rows: {sql_comment(str(exc))}\n"
        return [Artifact(PATH, text, "seed", "Development seed data: a few valid rows per table (INSERT)")]
