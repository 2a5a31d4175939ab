"""SQLite 3.35+ DDL, from the same canonical model (adapted by ``ForeignDialect.adapt``).

Closest equivalents: every type by its affinity (INTEGER, REAL, NUMERIC, TEXT, BLOB; dates and times as
ISO 8601 text); uuid defaults as a random version-4 UUID expression; the updated_at trigger as an
``AFTER UPDATE`` trigger; partial and expression indexes are kept (SQLite has both). Foreign keys are
enforced only on connections that run ``PRAGMA foreign_keys = ON`` (the migration starts with it, the
application must set it on every connection). Regular-expression CHECKs (SQLite has no REGEXP function
unless the application registers one), roles, grants, row-level security and PL/pgSQL triggers are
reported ``Degradation``s.
"""

from __future__ import annotations

from schemawright.dialects.base import Statement, checks_in_order, table_order
from schemawright.dialects.foreign import UPDATED_AT_FUNCTION, ForeignDialect
from schemawright.model.schema import Column, Index, Schema, Table, View
from schemawright.model.types import DataType, Kind

TYPE_NAMES = {
    Kind.SMALLINT: "INTEGER", Kind.INTEGER: "INTEGER", Kind.BIGINT: "INTEGER", Kind.NUMERIC: "NUMERIC",
    Kind.REAL: "REAL", Kind.DOUBLE: "REAL", Kind.MONEY: "NUMERIC", Kind.BOOLEAN: "BOOLEAN", Kind.TEXT: "TEXT",
    Kind.VARCHAR: "TEXT", Kind.CHAR: "TEXT", Kind.CITEXT: "TEXT", Kind.UUID: "TEXT", Kind.DATE: "DATE",
    Kind.TIME: "TEXT", Kind.TIMETZ: "TEXT", Kind.TIMESTAMP: "TIMESTAMP", Kind.TIMESTAMPTZ: "TIMESTAMP",
    Kind.INTERVAL: "TEXT", Kind.JSON: "TEXT", Kind.JSONB: "TEXT", Kind.BYTEA: "BLOB", Kind.INET: "TEXT",
    Kind.CIDR: "TEXT", Kind.MACADDR: "TEXT", Kind.TSVECTOR: "TEXT", Kind.XML: "TEXT",
}
LOSSES = {
    Kind.NUMERIC: "no exact decimal: NUMERIC affinity may store a REAL", Kind.MONEY: "no exact decimal",
    Kind.VARCHAR: "lengths are not enforced (TEXT affinity)", Kind.CHAR: "lengths are not enforced",
    Kind.TIMESTAMPTZ: "no timestamp type: ISO 8601 text in UTC", Kind.TIMESTAMP: "no timestamp type: ISO 8601 text",
    Kind.DATE: "no date type: ISO 8601 text", Kind.UUID: "no uuid type: text",
    Kind.JSONB: "no JSON type: text read by the JSON functions", Kind.JSON: "no JSON type: text",
    Kind.BOOLEAN: "no boolean type: 0/1", Kind.CITEXT: "no case-insensitive text type: TEXT COLLATE NOCASE",
    Kind.INTERVAL: "no interval type: text", Kind.INET: "no network address types: text",
    Kind.TSVECTOR: "no text-search vector: use an FTS5 table", Kind.TIMETZ: "no time type: text",
    Kind.TIME: "no time type: text",
}
FUNCTIONS = frozenset({
    "LENGTH", "TRIM", "LOWER", "UPPER", "COALESCE", "ABS", "CURRENT_TIMESTAMP", "CURRENT_DATE", "ROUND",
    "SUBSTRING", "SUBSTR", "NULLIF", "IFNULL", "MAX", "MIN", "COUNT", "SUM", "AVG", "LTRIM", "RTRIM", "REPLACE",
    "DATE", "DATETIME", "JULIANDAY", "INSTR", "HEX", "RANDOMBLOB", "RANDOM",
})
UUID_V4 = ("(lower(hex(randomblob(4))) || '-' || lower(hex(randomblob(2))) || '-4' || "
           "substr(lower(hex(randomblob(2))), 2) || '-' || substr('89ab', 1 + (abs(random()) % 4), 1) || "
           "substr(lower(hex(randomblob(2))), 2) || '-' || lower(hex(randomblob(6))))")


def q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _line(text: str) -> str:
    return " ".join(text.split())


class SQLite(ForeignDialect):
    name = "sqlite"
    sqlglot_name = "sqlite"
    quote = staticmethod(q)
    type_names = TYPE_NAMES
    functions = FUNCTIONS
    partial_indexes = True
    expression_indexes = True
    deferrable_fks = True

    def now_sql(self, c: Column) -> str:
        return "CURRENT_DATE" if c.type.kind == Kind.DATE else "CURRENT_TIMESTAMP"

    def uuid_default(self) -> str:
        return UUID_V4

    def updated_at_replacement(self) -> str:
        return "an AFTER UPDATE trigger setting updated_at = CURRENT_TIMESTAMP"

    def type_loss(self, t: DataType) -> str | None:
        return LOSSES.get(t.kind)

    def type_sql(self, t: DataType) -> str:
        if t.array_dims:
            return "TEXT"
        if t.kind not in TYPE_NAMES:
            raise self.unsupported(f"the type {t}")
        return TYPE_NAMES[t.kind]

    def identity_ok(self, t: Table, c: Column) -> bool:
        return super().identity_ok(t, c) and c.type.kind in (Kind.SMALLINT, Kind.INTEGER, Kind.BIGINT)

    # --- objects ---------------------------------------------------------------------------------------
    def column_sql(self, c: Column) -> str:
        parts = [q(c.name), self.type_sql(c.type)]
        if c.identity:
            parts.append("PRIMARY KEY AUTOINCREMENT")
        if c.type.kind == Kind.CITEXT:
            parts.append("COLLATE NOCASE")
        if c.generated is not None:
            parts.append(f"GENERATED ALWAYS AS ({c.generated}) STORED")
        if not c.nullable:
            parts.append("NOT NULL")
        if c.default is not None and c.generated is None:
            parts.append(f"DEFAULT {c.default}")
        return " ".join(parts)

    def table_sql(self, t: Table) -> str:
        lines = []
        for c in t.columns:
            line = self.column_sql(c)
            lines.append((line, f"  -- {_line(c.comment)}" if c.comment else ""))
        identity = any(c.identity for c in t.columns)
        if t.primary_key and not identity:
            lines.append((f"CONSTRAINT {q(t.primary_key.name)} PRIMARY KEY ({_cols(t.primary_key.columns)})", ""))
        lines += [(f"CONSTRAINT {q(u.name)} UNIQUE ({_cols(u.columns)})", "") for u in t.uniques]
        lines += [(f"CONSTRAINT {q(c.name)} CHECK ({c.expression})", "") for c in checks_in_order(t)]
        lines += [(self.foreign_key_sql(fk), "") for fk in t.foreign_keys]
        body = "\n".join(f"    {sql}{',' if i < len(lines) - 1 else ''}{note}" for i, (sql, note) in enumerate(lines))
        head = f"-- {_line(t.comment)}\n" if t.comment else ""
        return f"{head}CREATE TABLE {q(t.name)} (\n{body}\n);"

    def index_sql(self, t: Table, ix: Index) -> str:
        keys = [(q(e.column) if e.column is not None else f"({e.expression})") + (" DESC" if e.descending else "")
                for e in ix.elements]
        where = f" WHERE {ix.where}" if ix.where is not None else ""
        return f"CREATE {'UNIQUE ' if ix.unique else ''}INDEX {q(ix.name)} ON {q(t.name)} ({', '.join(keys)}){where};"

    def trigger_sql(self, t: Table, name: str) -> str:
        return (f"CREATE TRIGGER {q(name)} AFTER UPDATE ON {q(t.name)} FOR EACH ROW\n"
                f"    WHEN NEW.\"updated_at\" IS OLD.\"updated_at\"\nBEGIN\n"
                f"    UPDATE {q(t.name)} SET \"updated_at\" = CURRENT_TIMESTAMP WHERE rowid = NEW.rowid;\nEND;")

    def view_sql(self, v: View) -> str:
        return f"CREATE VIEW {q(v.name)} AS\n{v.query};"

    def create_statements(self, schema: Schema) -> list[Statement]:
        tables, _ = table_order(schema)  # SQLite accepts references to tables created later: no deferral
        out = [Statement("session", "foreign_keys", "PRAGMA foreign_keys = ON;")]
        out += [Statement("table", t.name, self.table_sql(t), t.name) for t in tables]
        out += [Statement("index", ix.name, self.index_sql(t, ix), t.name) for t in tables for ix in t.indexes]
        out += [Statement("view", v.name, self.view_sql(v)) for v in schema.views]
        out += [Statement("trigger", tr.name, self.trigger_sql(t, tr.name), t.name) for t in tables
                for tr in t.triggers if tr.function == UPDATED_AT_FUNCTION]
        return out

    def drop_statements(self, schema: Schema) -> list[str]:
        tables, _ = table_order(schema)
        out = [f"DROP VIEW IF EXISTS {q(v.name)};" for v in reversed(schema.views)]
        return out + [f"DROP TABLE IF EXISTS {q(t.name)};" for t in reversed(tables)]


def _cols(cols) -> str:
    return ", ".join(q(c) for c in cols)
