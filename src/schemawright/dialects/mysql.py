"""MySQL 8 / MariaDB 10.11+ DDL, from the same canonical model (adapted by ``ForeignDialect.adapt``).

Closest equivalents: uuid -> char(36) with ``DEFAULT (uuid())``; timestamptz -> datetime(6) in UTC;
jsonb -> json; the updated_at trigger -> ``ON UPDATE CURRENT_TIMESTAMP(6)``; ``~``/``~*`` -> ``REGEXP``
with ``(?-i)``/``(?i)`` (PCRE in MariaDB, ICU in MySQL); partial indexes -> full indexes (a partial UNIQUE
becomes a non-unique index and is reported); text in a key -> varchar(255). Tables are InnoDB, utf8mb4 with
a binary collation (comparisons case-sensitive as in PostgreSQL); citext columns get a case-insensitive
collation. Everything else that does not carry over is a reported ``Degradation``.
"""

from __future__ import annotations

from schemawright.dialects.base import Degradation, Statement, checks_in_order, table_order
from schemawright.dialects.foreign import UPDATED_AT_FUNCTION, ForeignDialect
from schemawright.model.schema import Column, FkAction, Index, Schema, Table, View
from schemawright.model.types import DataType, Kind

TYPE_NAMES = {
    Kind.SMALLINT: "smallint", Kind.INTEGER: "int", Kind.BIGINT: "bigint", Kind.NUMERIC: "decimal",
    Kind.REAL: "float", Kind.DOUBLE: "double", Kind.MONEY: "decimal(19,2)", Kind.BOOLEAN: "tinyint(1)",
    Kind.TEXT: "text", Kind.VARCHAR: "varchar", Kind.CHAR: "char", Kind.CITEXT: "text", Kind.UUID: "char(36)",
    Kind.DATE: "date", Kind.TIME: "time(6)", Kind.TIMETZ: "time(6)", Kind.TIMESTAMP: "datetime(6)",
    Kind.TIMESTAMPTZ: "datetime(6)", Kind.INTERVAL: "varchar(64)", Kind.JSON: "json", Kind.JSONB: "json",
    Kind.BYTEA: "longblob", Kind.INET: "varchar(45)", Kind.CIDR: "varchar(49)", Kind.MACADDR: "varchar(17)",
    Kind.TSVECTOR: "longtext", Kind.XML: "longtext",
}
LOSSES = {
    Kind.TIMESTAMPTZ: "no time-zone-aware timestamp: datetime(6) holding UTC, the application converts",
    Kind.TIMETZ: "no time with time zone: time(6)",
    Kind.JSONB: "no binary JSON: json (MariaDB: longtext with a JSON_VALID check), no GIN indexing",
    Kind.UUID: "no uuid type in MySQL: char(36) text",
    Kind.INTERVAL: "no interval type: ISO 8601 duration text",
    Kind.INET: "no network address types: text without validation", Kind.CIDR: "no network address types",
    Kind.MACADDR: "no network address types", Kind.TSVECTOR: "no text-search vector: use a FULLTEXT index",
    Kind.XML: "no xml type: longtext", Kind.MONEY: "no money type: decimal(19,2)",
}
FUNCTIONS = frozenset({
    "LENGTH", "CHAR_LENGTH", "TRIM", "LOWER", "UPPER", "COALESCE", "ABS", "CURRENT_TIMESTAMP", "CURRENT_DATE",
    "CONCAT", "ROUND", "GREATEST", "LEAST", "SUBSTRING", "LEFT", "RIGHT", "IF", "NULLIF", "IFNULL", "MOD",
    "FLOOR", "CEIL", "DATE", "YEAR", "MONTH", "DAY", "COUNT", "SUM", "AVG", "MIN", "MAX", "LTRIM", "RTRIM",
    "REPLACE", "JSON_VALID", "UUID",
})
COMMENT_MAX = {"column": 1024, "table": 2048}


def q(name: str) -> str:
    return "`" + name.replace("`", "``") + "`"


class MySQL(ForeignDialect):
    name = "mysql"
    sqlglot_name = "mysql"
    quote = staticmethod(q)
    type_names = TYPE_NAMES
    functions = FUNCTIONS
    regex = True
    key_text_type = DataType(Kind.VARCHAR, length=255)
    comments_kept = True
    fk_actions = frozenset({FkAction.NO_ACTION, FkAction.RESTRICT, FkAction.CASCADE, FkAction.SET_NULL})

    # --- expressions ------------------------------------------------------------------------------------
    def literal(self, text: str) -> str:  # backslashes are escapes in MySQL string literals
        return "'" + text.replace("\\", "\\\\").replace("'", "''") + "'"

    def now_sql(self, c: Column) -> str:
        if c.type.kind in (Kind.TIMESTAMP, Kind.TIMESTAMPTZ):
            return "CURRENT_TIMESTAMP(6)"
        return "(CURRENT_DATE)" if c.type.kind == Kind.DATE else "(CURRENT_TIMESTAMP)"

    def uuid_default(self) -> str:
        return "(uuid())"

    def regex_sql(self, subject: str, pattern: str, case_insensitive: bool) -> str:
        return f"{subject} REGEXP {self.literal(('(?i)' if case_insensitive else '(?-i)') + pattern)}"

    def string_default(self, c: Column, literal: str) -> str:
        text = self.literal(literal[1:-1].replace("''", "'"))
        # MySQL 8 accepts defaults on text/json/blob columns only as expressions
        return f"({text})" if c.type.kind in (Kind.TEXT, Kind.CITEXT, Kind.JSON, Kind.JSONB, Kind.BYTEA,
                                              Kind.TSVECTOR, Kind.XML) or c.type.array_dims else text

    def type_loss(self, t: DataType) -> str | None:
        if t.kind == Kind.NUMERIC and t.precision is None:
            return "unbounded numeric: decimal(38,10)"
        return LOSSES.get(t.kind)

    def array_type(self) -> str:
        return "json"

    def type_sql(self, t: DataType) -> str:
        if t.array_dims:
            return "json"
        if t.kind == Kind.NUMERIC:
            if t.precision is None:
                return "decimal(38,10)"
            return f"decimal({t.precision},{t.scale or 0})"
        if t.kind in (Kind.VARCHAR, Kind.CHAR):
            return f"{TYPE_NAMES[t.kind]}({t.length})" if t.length else ("text" if t.kind == Kind.VARCHAR else "char(1)")
        if t.kind not in TYPE_NAMES:
            raise self.unsupported(f"the type {t}")
        return TYPE_NAMES[t.kind]

    def adapt(self, schema: Schema):
        s, out = super().adapt(schema)
        for t in s.tables:
            # InnoDB refuses a CHECK on a column a foreign key action writes (SET NULL / CASCADE updates), and
            # on an AUTO_INCREMENT column (errors 1901 / 3823)
            written = {c for fk in t.foreign_keys for c in fk.columns
                       if fk.on_delete in (FkAction.SET_NULL, FkAction.SET_DEFAULT)
                       or fk.on_update in (FkAction.CASCADE, FkAction.SET_NULL, FkAction.SET_DEFAULT)}
            written |= {c.name for c in t.columns if c.identity}
            kept = []
            for ck in t.checks:
                hit = sorted(written & set(ck.columns))
                if hit:
                    out.append(Degradation("check", f"{t.name}.{ck.name}", f"CHECK ({ck.expression}): MySQL/MariaDB "
                                           f"refuse a CHECK on {', '.join(hit)}, which a foreign key action or "
                                           "AUTO_INCREMENT writes", "validate it in the application"))
                else:
                    kept.append(ck)
            t.checks = kept
            for c in t.columns:
                if c.comment and len(c.comment) > COMMENT_MAX["column"]:
                    out.append(Degradation("comment", f"{t.name}.{c.name}", "longer than MySQL's 1024 characters",
                                           "cut at 1024 characters"))
                    c.comment = c.comment[:COMMENT_MAX["column"]]
            if t.comment and len(t.comment) > COMMENT_MAX["table"]:
                out.append(Degradation("comment", t.name, "longer than MySQL's 2048 characters",
                                       "cut at 2048 characters"))
                t.comment = t.comment[:COMMENT_MAX["table"]]
        return s, out

    def updated_at_replacement(self) -> str:
        return "updated_at ... ON UPDATE CURRENT_TIMESTAMP(6)"

    def roles_replacement(self) -> str | None:
        return ("CREATE USER / GRANT by the DBA, after the privilege matrix of the PostgreSQL design "
                "(docs/security.md of a --dialect postgresql design)")

    # --- objects ---------------------------------------------------------------------------------------
    def column_sql(self, t: Table, c: Column) -> str:
        parts = [q(c.name), self.type_sql(c.type)]
        if c.type.kind == Kind.CITEXT:
            parts.append("COLLATE utf8mb4_unicode_ci")
        if c.generated is not None:
            parts.append(f"AS ({c.generated}) STORED")
        if not c.nullable:
            parts.append("NOT NULL")
        if c.default is not None and c.generated is None and not c.identity:
            parts.append(f"DEFAULT {c.default}")
        if c.identity:
            parts.append("AUTO_INCREMENT")
        if c.name == "updated_at" and any(tr.function == UPDATED_AT_FUNCTION for tr in t.triggers):
            parts.append("ON UPDATE " + ("CURRENT_TIMESTAMP(6)" if c.type.kind in (Kind.TIMESTAMP, Kind.TIMESTAMPTZ)
                                         else "CURRENT_TIMESTAMP"))
        if c.comment:
            parts.append(f"COMMENT {self.literal(c.comment)}")
        return " ".join(parts)

    def table_sql(self, t: Table, deferred: set[str]) -> str:
        lines = [self.column_sql(t, c) for c in t.columns]
        if t.primary_key:
            lines.append(f"PRIMARY KEY ({_cols(t.primary_key.columns)})")
        lines += [f"CONSTRAINT {q(u.name)} UNIQUE ({_cols(u.columns)})" for u in t.uniques]
        lines += [f"CONSTRAINT {q(c.name)} CHECK ({c.expression})" for c in checks_in_order(t)]
        lines += [self.foreign_key_sql(fk) for fk in t.foreign_keys if fk.name not in deferred]
        body = ",\n".join("    " + line for line in lines)
        comment = f" COMMENT={self.literal(t.comment)}" if t.comment else ""
        return (f"CREATE TABLE {q(t.name)} (\n{body}\n) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 "
                f"COLLATE=utf8mb4_bin{comment};")

    def index_sql(self, t: Table, ix: Index) -> str:
        keys = [(q(e.column) if e.column is not None else f"({e.expression})") + (" DESC" if e.descending else "")
                for e in ix.elements]
        return f"CREATE {'UNIQUE ' if ix.unique else ''}INDEX {q(ix.name)} ON {q(t.name)} ({', '.join(keys)});"

    def view_sql(self, v: View) -> str:
        return f"CREATE VIEW {q(v.name)} AS\n{v.query};"

    def create_statements(self, schema: Schema) -> list[Statement]:
        tables, deferred = table_order(schema)
        names = {fk.name for _, fk in deferred}
        out = [Statement("table", t.name, self.table_sql(t, names), t.name) for t in tables]
        out += [Statement("foreign_key", fk.name, f"ALTER TABLE {q(t.name)} ADD {self.foreign_key_sql(fk)};", t.name)
                for t, fk in deferred]
        out += [Statement("index", ix.name, self.index_sql(t, ix), t.name) for t in tables for ix in t.indexes]
        out += [Statement("view", v.name, self.view_sql(v)) for v in schema.views]
        return out

    def drop_statements(self, schema: Schema) -> list[str]:
        tables, deferred = table_order(schema)
        out = [f"DROP VIEW IF EXISTS {q(v.name)};" for v in reversed(schema.views)]
        out += [f"ALTER TABLE {q(t.name)} DROP FOREIGN KEY {q(fk.name)};" for t, fk in deferred]
        return out + [f"DROP TABLE IF EXISTS {q(t.name)};" for t in reversed(tables)]


def _cols(cols) -> str:
    return ", ".join(q(c) for c in cols)
