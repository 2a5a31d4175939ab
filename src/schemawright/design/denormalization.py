"""Denormalization suggestions from the declared read patterns, each with its write cost (seed 003: "consider
denormalization for read-heavy workloads"). A pattern that aggregates rows on every call is a candidate:

- grouped by a foreign key (``count(*) ... FROM reviews GROUP BY product_id``): a summary column on the parent
  (``products.reviews_count``), kept by a trigger on the child; the cost is one more row update of the parent
  per write to the child, under that row's lock (a popular parent serializes its children's writers);
- grouped by anything else, or over joins: a materialized view refreshed CONCURRENTLY on a schedule; reads
  are as stale as the refresh interval and each refresh reads the whole source table.

The designer suggests, it does not apply: a summary column or a stale view changes what the application
reads, and the input did not ask for it. Each suggestion is an inference (docs/inferences.md) naming the
pattern, the numbers it used and where they came from.
"""

from __future__ import annotations

from pglast import ast, parse_sql

from schemawright.pg_ast import walk

AGGREGATES = {"count", "sum", "avg", "min", "max", "array_agg", "string_agg", "bool_and", "bool_or"}


def _tables(stmt: ast.SelectStmt) -> list[str]:
    return [n.relname for n in walk(stmt.fromClause) if isinstance(n, ast.RangeVar)]


def _aggregates(stmt: ast.SelectStmt) -> list[str]:
    return sorted({n.funcname[-1].sval.lower() for n in walk(stmt.targetList)
                   if isinstance(n, ast.FuncCall) and n.funcname[-1].sval.lower() in AGGREGATES})


def _group_columns(stmt: ast.SelectStmt) -> list[str]:
    return [n.fields[-1].sval for n in walk(stmt.groupClause)
            if isinstance(n, ast.ColumnRef) and isinstance(n.fields[-1], ast.String)]


def _writes_per_second(ctx, table) -> tuple[float | None, str]:
    """The share of the declared write rate that falls on ``table`` (by its share of the estimated rows)."""
    perf = ctx.schema.facts.performance_targets
    total_writes = perf.write_operations_per_second if perf else None
    if not total_writes:
        return None, "no write rate declared (performance_requirements.write_operations_per_second)"
    rows = {t.name: t.estimated_rows or 0 for t in ctx.schema.tables}
    total = sum(rows.values())
    if not total or not rows.get(table.name):
        return None, "no row estimates to share the write rate between tables"
    share = rows[table.name] / total
    return total_writes * share, (f"{total_writes:,} writes/s declared x {share:.0%} ({table.name}'s share of "
                                  "the estimated rows)")


def apply(ctx) -> None:
    for qp in ctx.schema.facts.query_patterns:
        if not qp.sql:
            continue
        try:
            stmt = parse_sql(qp.sql)[0].stmt
        except Exception:  # noqa: BLE001 - a pattern the parser refuses is reported by bench, not here
            continue
        if not isinstance(stmt, ast.SelectStmt) or stmt.fromClause is None:
            continue
        aggregates = _aggregates(stmt)
        if not aggregates:
            continue
        names = _tables(stmt)
        tables = [t for t in (ctx.schema.table(n) for n in names) if t is not None]
        if not tables:
            continue
        often = f"run {qp.frequency:g} times per period declared" if qp.frequency else "frequency not declared"
        group = _group_columns(stmt)
        source = tables[0]
        fk = next((f for f in source.foreign_keys if len(tables) == 1 and list(f.columns) == group), None)
        if fk is not None:
            rate, basis = _writes_per_second(ctx, source)
            cost = (f"about {rate:,.1f} extra parent-row updates/s ({basis})" if rate is not None
                    else f"one extra parent-row update per write to {source.name} ({basis})")
            columns = ", ".join(f"{fk.ref_table}.{source.name}_{a}" for a in aggregates)
            ctx.infer("normalization.denormalization", qp.name,
                      f"suggested, not applied: summary column(s) {columns} kept by a trigger on {source.name}",
                      f"the pattern aggregates ({', '.join(aggregates)}) {source.name} per {fk.ref_table} on every "
                      f"call ({often}); a stored total turns it into a primary-key read. Write cost: {cost}, each "
                      f"under the {fk.ref_table} row's lock, so writers to one popular {fk.ref_table} row queue; "
                      "avg needs both a sum and a count column")
            continue
        rows = sum(t.estimated_rows or 0 for t in tables)
        read = f"reads about {rows:,} rows of {', '.join(t.name for t in tables)}" if rows else \
            f"reads all of {', '.join(t.name for t in tables)}"
        ctx.infer("normalization.denormalization", qp.name,
                  f"suggested, not applied: a materialized view of the aggregate ({', '.join(aggregates)}"
                  + (f" by {', '.join(group)}" if group else "") + ") with a unique index, refreshed CONCURRENTLY "
                  "on a schedule",
                  f"the pattern aggregates on every call ({often}); the view answers it from stored results. Write "
                  f"cost: none per write; each refresh {read} and readers see data as old as the refresh interval "
                  "(acceptable only for reports, not for balances a write depends on)")
