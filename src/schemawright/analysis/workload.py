"""The read query shapes a design implies: one list, used by ``bench`` (which binds and runs them) and by
the designer (which indexes them, ``design/pattern_indexes.apply_generated``), so the schema schemawright
designs is indexed for the workload schemawright measures it with.

Per table: a primary-key lookup; a lookup per unique key (not uuid); per foreign key (not the audit
user columns, not a self-reference) its rows by parent, and the parent joined with them; for a table of
at least ``min_rows`` rows (not a lookup or reference table), the newest rows and a 30-day report.

No shape invents an access path the design has no reason for: rows by parent are sorted newest first
only by a time column an index already places after the foreign key (an index a query pattern, an
acceptance criterion or the input asked for); the newest rows need a btree index leading with a time
column. The 30-day report reads the time column an index leads with (btree or BRIN), else
``created_at``; it is a report (a target in seconds) that a scan serves, so the designer does not index
for it. A bare ``created_at`` index is not a reason: an application that never asks for it would pay its
write cost for nothing.
SQL uses ``%s`` placeholders; ``sample`` names the table columns whose sampled values bind them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from schemawright.model.names import quote_ident as q
from schemawright.model.schema import IndexMethod, Schema, Table
from schemawright.model.types import Kind

AUDIT_USER_COLUMNS = ("created_by", "updated_by")
NEWEST_MIN_ROWS = 1000  # below this a table is read whole faster than through an index
REFERENCE_KINDS = ("lookup", "reference")  # read through their keys: no newest list, no report
TIME_KINDS = (Kind.TIMESTAMPTZ, Kind.TIMESTAMP, Kind.DATE)


@dataclass(frozen=True)
class Shape:
    name: str
    category: str  # pk | simple | complex | report
    sql: str  # %s placeholders
    table: str
    frequency: float
    sample: tuple[str, ...] = ()  # columns of ``table`` whose sampled values bind the placeholders, in order
    sample_where: str = ""  # a filter on the sampled rows
    since_days: int | None = None  # the one parameter is a timestamp this many days before the data's end
    single_table: bool = True  # reads one table (a join's index needs are its single-table shape's)


def _pk(table: Table) -> tuple[str, ...]:
    return table.primary_key.columns if table.primary_key else ()


def _where(columns) -> str:
    return " AND ".join(f"{q(c)} = %s" for c in columns)


def child_links(schema: Schema, table: Table):
    """The foreign keys along which a table's rows are listed by parent."""
    return [fk for fk in table.foreign_keys if fk.columns[0] not in AUDIT_USER_COLUMNS and fk.ref_table != table.name]


def _time_after(table: Table, lead: tuple[str, ...], methods=(IndexMethod.BTREE,)) -> str | None:
    """The time column an index (no predicate) places right after ``lead`` (leading, for ``()``)."""
    n = len(lead)
    for ix in table.indexes:
        if ix.method not in methods or ix.where is not None or len(ix.elements) <= n or ix.columns[:n] != lead:
            continue
        element = ix.elements[n]
        column = table.column(element.column) if element.column is not None else None
        if column is not None and column.type.kind in TIME_KINDS and not column.type.array_dims:
            return column.name
    return None


def report_columns(table: Table) -> tuple[str | None, str | None]:
    """(the measure, the status) a table's 30-day report sums and groups by."""
    numeric = next((c.name for c in table.columns if c.type.is_numeric and c.name not in _pk(table)
                    and not c.name.endswith("_id")), None)
    status = next((c.name for c in table.columns if c.name == "status" or c.name.endswith("_status")), None)
    return numeric, status


def read_shapes(schema: Schema, rows: Callable[[Table], int], min_rows: int = NEWEST_MIN_ROWS) -> list[Shape]:
    """The generated read shapes of ``schema``; ``rows(table)`` is the row count a table holds (0: left out)."""
    out: list[Shape] = []
    by_name: dict[str, Table] = {}
    for t in schema.tables:
        by_name.setdefault(t.name, t)
    for t in schema.tables:
        count = rows(t)
        if not count:
            continue
        name, pk = q(t.name), _pk(t)
        if pk:
            out.append(Shape(f"{t.name}: by primary key", "pk", f"SELECT * FROM {name} WHERE {_where(pk)}",
                             t.name, 4.0, pk))
        for u in t.uniques:
            if all(t.column(c).type.kind not in (Kind.UUID,) for c in u.columns):
                out.append(Shape(f"{t.name}: by {', '.join(u.columns)}", "simple",
                                 f"SELECT * FROM {name} WHERE {_where(u.columns)}", t.name, 1.0, u.columns))
        for fk in child_links(schema, t):
            where = f"WHERE {q(fk.columns[0])} IS NOT NULL"
            time = _time_after(t, fk.columns)
            order = f" ORDER BY {q(time)} DESC" if time else ""
            out.append(Shape(f"{t.name}: by {', '.join(fk.columns)}", "simple",
                             f"SELECT * FROM {name} WHERE {_where(fk.columns)}{order} LIMIT 50", t.name, 2.0,
                             fk.columns, where))
            parent = by_name.get(fk.ref_table)
            if parent and rows(parent) and _pk(parent) == fk.ref_columns:
                join = " AND ".join(f"c.{q(a)} = p.{q(b)}" for a, b in zip(fk.columns, fk.ref_columns))
                filt = " AND ".join(f"p.{q(b)} = %s" for b in fk.ref_columns)
                out.append(Shape(f"{parent.name} with its {t.name}", "complex",
                                 f"SELECT p.*, c.* FROM {q(parent.name)} p JOIN {name} c ON {join} "
                                 f"WHERE {filt}{order.replace(' BY ', ' BY c.')} LIMIT 100",
                                 t.name, 1.0, fk.columns, where, single_table=False))
        if count < min_rows or t.kind in REFERENCE_KINDS:
            continue
        newest = _time_after(t, ())
        if newest:
            out.append(Shape(f"{t.name}: newest", "simple", f"SELECT * FROM {name} ORDER BY {q(newest)} DESC LIMIT 20",
                             t.name, 1.0))
        ranged = newest or _time_after(t, (), (IndexMethod.BTREE, IndexMethod.BRIN)) or (
            "created_at" if t.has_column("created_at") else None)
        if ranged:
            numeric, status = report_columns(t)
            measures = "count(*)" + (f", sum({q(numeric)}), avg({q(numeric)})" if numeric else "")
            group = q(status) if status else f"date_trunc('day', {q(ranged)})"
            out.append(Shape(f"{t.name}: 30-day report", "report",
                             f"SELECT {group} AS bucket, {measures} FROM {name} WHERE {q(ranged)} >= %s::timestamptz "
                             f"GROUP BY 1 ORDER BY 1", t.name, 0.2, since_days=30))
    return out


def numbered(sql_text: str) -> str:
    """``%s`` placeholders as ``$1``, ``$2``... (for PostgreSQL's parser)."""
    parts = sql_text.split("%s")
    return "".join(p + (f"${i + 1}" if i < len(parts) - 1 else "") for i, p in enumerate(parts))
