"""verify: partitioned tables prune -- a query on one month (or one tenant) reads one partition."""

from __future__ import annotations

import json

import psycopg
from psycopg import sql

from schemawright.dialects.partitions import PARTITION_FUNCTION
from schemawright.model.schema import Schema, Table


def _scanned(plan: dict) -> set[str]:
    found = set()
    if "Relation Name" in plan:
        found.add(plan["Relation Name"])
    for child in plan.get("Plans", []):
        found |= _scanned(child)
    return found


def prune_problems(conn: psycopg.Connection, table: Table) -> list[str]:
    """Problems if a query restricted to one partition's range reads more than that partition."""
    p = table.partitioning
    ident = sql.Identifier(table.schema, table.name)
    col = sql.Identifier(p.columns[0])
    with conn.transaction(force_rollback=True):
        if p.strategy == "range":
            conn.execute(sql.SQL("SELECT {}(%s::regclass, date '2024-01-01', date '2024-04-01')").format(
                sql.Identifier(PARTITION_FUNCTION)), [f'"{table.schema}"."{table.name}"'])
            query = sql.SQL("EXPLAIN (FORMAT JSON) SELECT * FROM {} WHERE {} >= '2024-02-01' AND {} < '2024-03-01'"
                            ).format(ident, col, col)
        elif p.strategy == "hash":
            column = table.column(p.columns[0])
            from schemawright.dialects import type_sql

            query = sql.SQL("EXPLAIN (FORMAT JSON) SELECT * FROM {} WHERE {} = %s::{}").format(
                ident, col, sql.SQL(type_sql(column.type)))
            sample = {"uuid": "00000000-0000-4000-8000-000000000001"}.get(type_sql(column.type), "1")
            row = conn.execute(query, [sample]).fetchone()
            return _judge(table, row)
        else:
            return []
        row = conn.execute(query).fetchone()
    return _judge(table, row)


def _judge(table: Table, row) -> list[str]:
    doc = row[0] if not isinstance(row[0], str) else json.loads(row[0])
    scanned = _scanned(doc[0]["Plan"]) - {table.name}
    if len(scanned) != 1:
        return [f"{table.name}: a query on one partition's key range reads {len(scanned)} partitions "
                f"({', '.join(sorted(scanned)) or 'none'})"]
    return []


def run_partition_checks(conn: psycopg.Connection, model: Schema, timed) -> None:
    """One verify step per partitioned table (``timed(name, group, fn)`` records it)."""
    for table in model.tables:
        if table.partitioning is not None:
            timed(f"partition pruning: {table.name}", "partitions", lambda t=table: prune_problems(conn, t))
