"""Build rows that satisfy a table's constraints, on a live database.

Values start from a per-type candidate list enriched with the literals that the table's CHECK
expressions mention; whether a candidate satisfies a check is asked of PostgreSQL itself
(``SELECT <check> FROM (SELECT <values>) AS t``), so any expression the designer accepted can be
satisfied, or violated, without re-implementing SQL semantics here. Parent rows needed by foreign
keys are inserted first. All values travel as parameters; identifiers are quoted by psycopg.
"""

from __future__ import annotations

import itertools
import json
import uuid

import pglast
import psycopg
from pglast import ast
from pglast.visitors import Visitor
from psycopg import sql

from schemawright.dialects.postgres import type_sql
from schemawright.model.schema import CheckConstraint, Column, Schema, Table
from schemawright.model.types import Kind

Row = dict[str, str | None]


def _literals(check: CheckConstraint) -> list[str]:
    """String forms of the constants in a check, and their neighbours for numbers."""
    found: list[str] = []

    class Collect(Visitor):
        def visit_A_Const(self, ancestors, node):  # noqa: N802 - pglast visitor naming
            val = node.val
            if isinstance(val, ast.String):
                found.append(val.sval)
            elif isinstance(val, (ast.Integer, ast.Float)):
                number = float(val.ival if isinstance(val, ast.Integer) else val.fval)
                for n in (number - 1, number, number + 1):
                    found.append(str(int(n)) if n == int(n) else str(n))

    Collect()(pglast.parse_sql(f"SELECT {check.expression}"))
    return found


def base_candidates(column: Column, serial: int) -> list[str]:
    """Plausible values for a column, most plausible first; ``serial`` makes them distinct."""
    t, name = column.type, column.name
    if t.array_dims:
        return ["{}"]
    k = t.kind
    if k in (Kind.SMALLINT, Kind.INTEGER, Kind.BIGINT):
        return [str(serial % 30000 + 1), "1", "0", "5", "3"]
    if k in (Kind.NUMERIC, Kind.REAL, Kind.DOUBLE, Kind.MONEY):
        return [f"{serial % 900 + 10}.5", "1", "0", "4.5", "50"]
    if k == Kind.BOOLEAN:
        return ["true", "false"]
    if k == Kind.UUID:
        return [str(uuid.uuid5(uuid.NAMESPACE_OID, f"{name}:{serial}"))]
    if k in (Kind.TIMESTAMPTZ, Kind.TIMESTAMP):
        return [f"2024-01-{serial % 28 + 1:02d} 12:00:00+00"]
    if k == Kind.DATE:
        return [f"2024-02-{serial % 28 + 1:02d}"]
    if k in (Kind.TIME, Kind.TIMETZ):
        return ["12:00:00"]
    if k == Kind.INTERVAL:
        return ["1 hour"]
    if k in (Kind.JSON, Kind.JSONB):
        return ["{}", "[]"]
    if k == Kind.BYTEA:
        return [f"\\x{serial:04x}"]
    if k in (Kind.INET, Kind.CIDR):
        return [f"10.{serial // 65536 % 256}.{serial // 256 % 256}.{serial % 256}"]
    if k == Kind.MACADDR:
        return [f"08:00:2b:01:{serial // 256 % 256:02x}:{serial % 256:02x}"]
    if k == Kind.TSVECTOR:
        return ["sample"]
    if k == Kind.XML:
        return ["<a/>"]
    if k == Kind.ENUM:
        return []  # filled from the enum's labels by the factory
    # text-like: shapes that satisfy the usual format checks, made distinct by the serial
    width = t.length or 200
    shapes = [f"user{serial}@example.com", f"https://example.com/{serial}", f"+1 555 {serial % 10000:04d}",
              f"item-{serial}", f"sample {serial}", f"CODE{serial}", "US", "USD", "x", "", " "]
    return [s[:width] for s in shapes]


class RowFactory:
    """Makes valid rows for the tables of ``schema`` on ``conn`` (inside the caller's transaction)."""

    def __init__(self, conn: psycopg.Connection, schema: Schema):
        self.conn = conn
        self.schema = schema
        self.serial = itertools.count(1)
        self._literals = {(t.name, c.name): _literals(c) for t in schema.tables for c in t.checks}

    # --- expressions evaluated by the server ----------------------------------------------------
    def evaluate(self, table: Table, expression: str, row: Row) -> bool | None:
        """Value of ``expression`` for ``row`` (True/False/None), computed by PostgreSQL."""
        cols = [c for c in table.columns if c.name in row]
        # Columns the row leaves out take their default (trusted SQL from the model), else NULL.
        absent = [c for c in table.columns if c.name not in row]
        select = sql.SQL(", ").join(
            [sql.SQL("{}::{} AS {}").format(sql.Placeholder(), sql.SQL(type_sql(c.type)), sql.Identifier(c.name))
             for c in cols]
            + [sql.SQL("({})::{} AS {}").format(sql.SQL(str(c.default) if c.default else "NULL"),
                                                 sql.SQL(type_sql(c.type)), sql.Identifier(c.name))
               for c in absent if c.generated is None and not c.identity])
        query = sql.SQL("SELECT ({}) FROM (SELECT {}) AS t").format(sql.SQL(expression), select)
        try:
            with self.conn.transaction():
                return self.conn.execute(query, [row[c.name] for c in cols]).fetchone()[0]
        except psycopg.errors.DataError:
            return None

    def candidates(self, table: Table, column: Column) -> list[str]:
        if column.type.kind == Kind.ENUM:
            enum = self.schema.enum(column.type.name)
            return list(enum.values) if enum else []
        values = base_candidates(column, next(self.serial))
        for check in table.checks:
            if column.name in check.columns:
                values += [v for v in self._literals[(table.name, check.name)] if v not in values]
        return values

    def satisfying(self, table: Table, check: CheckConstraint, row: Row, want: bool) -> Row | None:
        """A copy of ``row`` with the check's columns changed so the check is ``want`` (None: no luck)."""
        columns = [table.column(c) for c in check.columns]
        options = [self.candidates(table, c) for c in columns]
        for combo in itertools.islice(itertools.product(*options), 400):
            trial = dict(row)
            trial.update({c.name: v for c, v in zip(columns, combo)})
            if self.evaluate(table, str(check.expression), trial) is want:
                if want or self._other_checks_hold(table, check, trial):
                    return trial
        return None

    def _other_checks_hold(self, table: Table, skip: CheckConstraint, row: Row) -> bool:
        return all(self.evaluate(table, str(c.expression), row) is not False for c in table.checks if c is not skip)

    # --- rows ----------------------------------------------------------------------------------------
    def valid_row(self, table: Table) -> Row:
        """A row for ``table`` that satisfies its checks; parents for its foreign keys are inserted."""
        row: Row = {}
        fk_columns = {c for fk in table.foreign_keys for c in fk.columns}
        for column in table.columns:
            if column.identity or column.generated is not None or column.name in fk_columns:
                continue
            if column.default is not None:
                continue  # the default must satisfy the constraints by itself
            options = self.candidates(table, column)
            row[column.name] = options[0] if options else None
        for fk in table.foreign_keys:
            if fk.ref_table == table.name and all(table.column(c).nullable for c in fk.columns):
                continue  # an optional self-reference stays empty
            parent = self.schema.table(fk.ref_table)
            parent_row = self.insert(parent, self.valid_row(parent))
            for col, ref in zip(fk.columns, fk.ref_columns):
                row[col] = parent_row[ref]
        for check in table.checks:
            if self.evaluate(table, str(check.expression), row) is False:
                fixed = self.satisfying(table, check, row, want=True)
                if fixed is None:
                    raise RuntimeError(f"cannot build a row of {table.name} satisfying {check.name}")
                row = fixed
        return row

    def insert(self, table: Table, row: Row) -> dict:
        """Insert ``row`` and return the stored row (with defaults and generated keys)."""
        cols = [table.column(c) for c in row]
        query = sql.SQL("INSERT INTO {} ({}) VALUES ({}) RETURNING *").format(
            sql.Identifier(table.schema, table.name),
            sql.SQL(", ").join(sql.Identifier(c.name) for c in cols),
            sql.SQL(", ").join(sql.SQL("{}::{}").format(sql.Placeholder(), sql.SQL(type_sql(c.type))) for c in cols))
        with self.conn.cursor(row_factory=psycopg.rows.dict_row) as cur:
            cur.execute(query, [row[c.name] for c in cols])
            return {k: (None if v is None else _as_text(v)) for k, v in cur.fetchone().items()}


def _as_text(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value)
    if isinstance(value, bytes):
        return "\\x" + value.hex()
    return str(value)
