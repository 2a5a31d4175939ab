"""Storage estimate per table and index from column types and row counts (seed 003's estimated_storage),
and the measured sizes to check it against after a synthetic load.

Heap: 8 kB pages with a 24-byte header; each row costs a 23-byte tuple header (+ null bitmap, padded
to 8), its aligned column widths and a 4-byte line pointer. B-tree: 8-byte index tuple header plus
the aligned key, a 4-byte line pointer, leaves filled to 90% (the default fillfactor), ~1% inner pages.
Text widths are typical lengths for the column's meaning (what ``schemawright seed`` generates).
"""

from __future__ import annotations

import math
import re

import psycopg

from schemawright.model.schema import Column, IndexMethod, Schema, Table
from schemawright.model.types import Kind

PAGE, PAGE_HEADER, LINE_POINTER = 8192, 24, 4
FIXED = {Kind.SMALLINT: (2, 2), Kind.INTEGER: (4, 4), Kind.BIGINT: (8, 8), Kind.REAL: (4, 4),
         Kind.DOUBLE: (8, 8), Kind.MONEY: (8, 8), Kind.BOOLEAN: (1, 1), Kind.UUID: (16, 1), Kind.DATE: (4, 4),
         Kind.TIME: (8, 8), Kind.TIMETZ: (12, 8), Kind.TIMESTAMP: (8, 8), Kind.TIMESTAMPTZ: (8, 8),
         Kind.INTERVAL: (16, 8), Kind.INET: (8, 1), Kind.CIDR: (8, 1), Kind.MACADDR: (6, 4), Kind.ENUM: (4, 4)}
TEXT_WIDTHS = [(r"email", 28), (r"hash|digest|password", 61), (r"description|body|content|bio|details", 110),
               (r"url|website|avatar|image", 35), (r"name|title|label|subject", 18), (r"phone", 16),
               (r"slug", 20), (r"country|currency|locale|code", 6), (r"address|street", 24), (r"status|role|tier", 8),
               (r"note|comment|message|reason", 40)]


def _align(n: int, a: int) -> int:
    return (n + a - 1) // a * a


def column_width(column: Column, null_share: float = 0.0) -> tuple[float, int]:
    """(average stored bytes, alignment) of one value."""
    t = column.type
    if t.array_dims:
        return 24.0, 4
    if t.kind in FIXED:
        width, align = FIXED[t.kind]
    elif t.kind == Kind.NUMERIC:
        digits = (t.precision or 12)
        width, align = 3 + 2 * math.ceil(min(digits, 12) / 4 / 2), 1
    elif t.kind in (Kind.JSON, Kind.JSONB):
        width, align = 24, 4
    else:
        typical = next((w for pat, w in TEXT_WIDTHS if re.search(pat, column.name)), 16)
        if t.length:
            typical = min(typical, t.length)
        width, align = typical + 1, 1  # a short varlena header
    return width * (1 - null_share), align


def row_bytes(table: Table) -> int:
    from schemawright.datagen.columns import null_fraction

    size = 0.0
    for c in table.columns:
        w, a = column_width(c, null_fraction(c) if c.nullable and c.default is None else 0.0)
        size = _align(int(size), a) + w
    header = 23 + (math.ceil(len(table.columns) / 8) if any(c.nullable for c in table.columns) else 0)
    return _align(_align(header, 8) + int(math.ceil(size)), 8)


def heap_bytes(table: Table, rows: int) -> int:
    per_page = max(1, (PAGE - PAGE_HEADER) // (row_bytes(table) + LINE_POINTER))
    pages = math.ceil(rows / per_page) if rows else 0
    return (pages + (4 if pages > 4 else 0)) * PAGE  # + free space map (3 pages) and visibility map


def btree_bytes(table: Table, columns: tuple[str, ...], rows: int) -> int:
    key = 0
    for name in columns:
        col = table.column(name)
        w, a = column_width(col) if col else (8, 8)
        key = _align(key, a) + int(w)
    entry = _align(8 + key, 8) + LINE_POINTER
    per_page = max(2, int((PAGE - PAGE_HEADER - 16) * 0.9) // entry)
    leaves = math.ceil(rows / per_page) if rows else 1
    return int((leaves * 1.01 + 1) * PAGE)


def table_estimate(table: Table, rows: int) -> dict:
    indexes = {}
    if table.primary_key:
        indexes[table.primary_key.name] = btree_bytes(table, table.primary_key.columns, rows)
    for u in table.uniques:
        indexes[u.name] = btree_bytes(table, u.columns, rows)
    for ix in table.indexes:
        factor = 1.0 if ix.method == IndexMethod.BTREE else 1.5  # GIN/GiST: rough
        indexes[ix.name] = int(btree_bytes(table, tuple(e.column or "" for e in ix.elements), rows) * factor)
    heap = heap_bytes(table, rows)
    return {"rows": rows, "heap_bytes": heap, "index_bytes": sum(indexes.values()),
            "total_bytes": heap + sum(indexes.values()), "indexes": indexes}


def storage_estimate(schema: Schema, rows: dict[str, int] | None = None) -> dict:
    """Estimated bytes per table (heap and indexes) for ``rows`` (default: estimated_rows)."""
    tables = {t.name: table_estimate(t, (rows or {}).get(t.name, t.estimated_rows or 0)) for t in schema.tables}
    total = sum(t["total_bytes"] for t in tables.values())
    return {"tables": tables, "total_bytes": total, "total": human(total),
            "index_overhead": round(sum(t["index_bytes"] for t in tables.values()) / total, 3) if total else 0}


def measured_storage(conn: psycopg.Connection, schema: Schema) -> dict:
    """pg_total_relation_size and friends per table (partitions included), after a load."""
    out = {}
    for t in schema.tables:
        row = conn.execute("SELECT coalesce(sum(pg_table_size(relid)), 0)::bigint, coalesce(sum(pg_indexes_size(relid)), 0)::bigint, "
                           "coalesce(sum(pg_total_relation_size(relid)), 0)::bigint FROM (SELECT %s::regclass AS relid "
                           "UNION SELECT relid FROM pg_partition_tree(%s::regclass)) AS r",
                           [f'"{t.schema}"."{t.name}"'] * 2).fetchone()
        out[t.name] = {"table_bytes": row[0], "index_bytes": row[1], "total_bytes": row[2]}
    return out


def compare(estimated: dict, measured: dict) -> list[dict]:
    """Estimated vs measured total bytes per table, with the relative error."""
    out = []
    for name, est in estimated["tables"].items():
        got = measured.get(name, {}).get("total_bytes")
        err = None if not got else round((est["total_bytes"] - got) / got, 3)
        out.append({"table": name, "rows": est["rows"], "estimated_bytes": est["total_bytes"], "measured_bytes": got,
                    "error": err})
    return out


def human(n: float) -> str:
    for unit in ("B", "kB", "MB", "GB", "TB"):
        if n < 1024 or unit == "TB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} TB"
