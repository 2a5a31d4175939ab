"""MySQL and SQLite DDL -> the canonical model (for PostgreSQL), parsed by sqlglot.

Types are mapped to their PostgreSQL counterparts (``int(11)`` -> integer, ``tinyint(1)`` -> boolean,
``datetime`` -> timestamp, ``longtext`` -> text, ``blob`` -> bytea, ``json`` -> json, unsigned types
to the next wider type), ``AUTO_INCREMENT``/``AUTOINCREMENT`` becomes an identity column, ``ENUM(...)``
a text column with a CHECK of the values, expressions are translated to PostgreSQL by sqlglot and
validated by PostgreSQL's parser. Index and constraint names, which MySQL scopes per table, are made
unique per schema as PostgreSQL needs; unnamed ones get PostgreSQL's default names.
"""

from __future__ import annotations

import logging
import re
from contextlib import contextmanager

import pglast
import sqlglot
from sqlglot import exp

from schemawright.importers.common import ImportResult, Skipped, choose_name, imported, name_addition
from schemawright.importers.script import DATA_KINDS, Statement, merge_repeated, statement_kind
from schemawright.model import names
from schemawright.model.schema import (
    CheckConstraint, Column, Expression, FkAction, ForeignKey, Index, IndexElement, PrimaryKey, Schema, Table,
    UniqueConstraint, View,
)
from schemawright.model.types import DataType, Kind
from schemawright.spec.expressions import SafeLiteralStream

T = exp.DataType.Type
_TYPES: dict[T, DataType] = {
    T.TINYINT: DataType(Kind.SMALLINT), T.UTINYINT: DataType(Kind.SMALLINT), T.SMALLINT: DataType(Kind.SMALLINT),
    T.USMALLINT: DataType(Kind.INTEGER), T.MEDIUMINT: DataType(Kind.INTEGER), T.UMEDIUMINT: DataType(Kind.INTEGER),
    T.INT: DataType(Kind.INTEGER), T.UINT: DataType(Kind.BIGINT), T.BIGINT: DataType(Kind.BIGINT),
    T.UBIGINT: DataType(Kind.BIGINT), T.FLOAT: DataType(Kind.REAL),
    T.DOUBLE: DataType(Kind.DOUBLE), T.BOOLEAN: DataType(Kind.BOOLEAN), T.TEXT: DataType(Kind.TEXT),
    T.TINYTEXT: DataType(Kind.TEXT), T.MEDIUMTEXT: DataType(Kind.TEXT), T.LONGTEXT: DataType(Kind.TEXT),
    T.BLOB: DataType(Kind.BYTEA), T.TINYBLOB: DataType(Kind.BYTEA), T.MEDIUMBLOB: DataType(Kind.BYTEA),
    T.LONGBLOB: DataType(Kind.BYTEA), T.BINARY: DataType(Kind.BYTEA), T.VARBINARY: DataType(Kind.BYTEA),
    T.DATE: DataType(Kind.DATE), T.JSON: DataType(Kind.JSON), T.UUID: DataType(Kind.UUID),
    T.YEAR: DataType(Kind.SMALLINT), T.ENUM: DataType(Kind.TEXT), T.SET: DataType(Kind.TEXT),
}
_SIZED = {T.VARCHAR: Kind.VARCHAR, T.NVARCHAR: Kind.VARCHAR, T.CHAR: Kind.CHAR, T.NCHAR: Kind.CHAR}
_TIMED = {T.DATETIME: Kind.TIMESTAMP, T.TIMESTAMP: Kind.TIMESTAMP, T.TIMESTAMPTZ: Kind.TIMESTAMPTZ,
          T.TIMESTAMPLTZ: Kind.TIMESTAMPTZ, T.TIME: Kind.TIME}
_ACTIONS = {"CASCADE": FkAction.CASCADE, "RESTRICT": FkAction.RESTRICT, "SET NULL": FkAction.SET_NULL,
            "SET DEFAULT": FkAction.SET_DEFAULT, "NO ACTION": FkAction.NO_ACTION}
_NOISE = re.compile(r"^\s*(SET|USE|PRAGMA|BEGIN|COMMIT|START|LOCK|UNLOCK|END)\b", re.I)
# Spellings sqlglot does not read, rewritten first: (pattern, replacement, dialect)
_REWRITES = [
    (re.compile(r"\bDEFINER\s*=\s*(?:`[^`]*`|'[^']*'|\S+?)(?:@(?:`[^`]*`|'[^']*'|\S+))?(?=\s)", re.I), "", "mysql"),
    (re.compile(r"\bSQL\s+SECURITY\s+(?:DEFINER|INVOKER)\b|\bALGORITHM\s*=\s*\w+", re.I), "", "mysql"),
    (re.compile(r"\)\s*USING\s+(?:BTREE|HASH)\s*$", re.I), ")", "mysql"),
    (re.compile(r"\b_(?:utf8mb4|utf8mb3|utf8|latin1|binary|ascii)\s*(?=')", re.I), "", "mysql"),  # charset introducers
    (re.compile(r"\bMATCH\s+(?:NONE|SIMPLE|FULL|PARTIAL)\b", re.I), "", "sqlite"),
    (re.compile(r"\bSUB_TYPE\s+\w+", re.I), "", "sqlite"),
]
_DELIMITER = re.compile(r"DELIMITER[ \t]+(\S+)[^\n]*", re.I)
_WORD = re.compile(r"\w+")
_TRIGGER_START = re.compile(r"^\s*CREATE\s+(?:\w+\s+)*?(TRIGGER|PROCEDURE|FUNCTION|EVENT)\b", re.I)


def import_foreign_sql(text: str, dialect: str, name: str = "<sql>") -> ImportResult:
    """Interpret a MySQL or SQLite DDL script (see the module doc)."""
    reader = _Reader(dialect)
    for statement in split_statements(text, dialect):
        reader.run(statement)
    return reader.finish()


def split_statements(text: str, dialect: str) -> list[Statement]:
    """Statements with their line numbers: quotes and comments respected, ``DELIMITER`` honoured (MySQL),
    a trigger's ``BEGIN ... END`` kept whole (SQLite), comments (MySQL ``/*! ... */`` included) dropped."""
    out: list[Statement] = []
    buf: list[str] = []
    delimiter, i, n, line, start_line, depth = ";", 0, len(text), 1, 1, 0

    def flush() -> None:
        nonlocal depth
        body = "".join(buf).strip()
        if body:
            out.append(Statement(start_line, body))
        buf.clear()
        depth = 0

    while i < n:
        ch = text[i]
        if not buf:  # between statements: whitespace, comments, DELIMITER
            if ch.isspace():
                line += ch == "\n"
                i += 1
                continue
            start_line = line
            m = _DELIMITER.match(text, i) if dialect == "mysql" else None
            if m:
                delimiter = m.group(1)
                i = m.end()
                continue
        if text.startswith("--", i) or (ch == "#" and dialect == "mysql"):
            j = text.find("\n", i)
            i = n if j < 0 else j
            continue
        if text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            line += text.count("\n", i, j)
            i = j
            continue
        if ch in "'\"`" or (ch == "[" and dialect == "sqlite"):
            j = _quote_end(text, i, dialect)
            buf.append(text[i:j])
            line += text.count("\n", i, j)
            i = j
            continue
        if dialect == "sqlite" and ch.isalpha() and (i == 0 or not (text[i - 1].isalnum() or text[i - 1] == "_")):
            word = _WORD.match(text, i).group(0).upper()
            if word == "BEGIN" and _TRIGGER_START.match("".join(buf)):
                depth += 1
            elif word == "END" and depth:
                depth -= 1
            buf.append(text[i:i + len(word)])
            i += len(word)
            continue
        if text.startswith(delimiter, i) and not depth:
            i += len(delimiter)
            flush()
            continue
        line += ch == "\n"
        buf.append(ch)
        i += 1
    flush()
    return out


def _quote_end(text: str, i: int, dialect: str) -> int:
    """The index just past the quoted name or string that starts at ``i``."""
    close = "]" if text[i] == "[" else text[i]
    j, n = i + 1, len(text)
    while j < n:
        if text[j] == "\\" and dialect == "mysql" and close != "`":
            j += 2
        elif text[j] == close:
            if close != "]" and text.startswith(close * 2, j):
                j += 2
            else:
                return j + 1
        else:
            j += 1
    return n


@contextmanager
def _quiet_sqlglot():
    """sqlglot logs a warning for every statement it cannot fully parse; the importer lists those itself."""
    logger = logging.getLogger("sqlglot")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


def _pg(node: exp.Expression | None) -> str | None:
    """An expression in PostgreSQL's dialect, or None when PostgreSQL's parser cannot read the result."""
    if node is None:
        return None
    text = node.sql(dialect="postgres", identify=True)
    try:
        return SafeLiteralStream()(pglast.parse_sql(f"SELECT {text}")[0].stmt.targetList[0].val)
    except Exception:  # sqlglot produced something PostgreSQL does not accept
        return None


def _ident(node) -> str:
    return node.name if isinstance(node, (exp.Identifier, exp.Column, exp.Table)) else str(node.this)


class _Reader:
    def __init__(self, dialect: str) -> None:
        self.dialect = dialect
        self.schema = Schema()
        self.skipped: list[Skipped] = []
        self.line = 0
        self.relations: set[str] = set()  # names of tables and indexes (one namespace in PostgreSQL)
        self.known_columns: set[str] = set()  # of the table being read

    def skip(self, kind: str, reason: str) -> None:
        self.skipped.append(Skipped(kind, self.line, reason))

    def pg(self, node: exp.Expression | None) -> str | None:
        """``_pg``, after SQLite's rule that a double-quoted name matching no column is a string."""
        if node is not None and self.dialect == "sqlite":
            node = node.transform(lambda n: exp.Literal.string(n.name) if isinstance(n, exp.Column) and not n.table
                                  and n.this.args.get("quoted") and n.name not in self.known_columns else n)
        return _pg(node)

    def origin(self):
        return imported(self.dialect)

    def run(self, statement: Statement) -> None:
        self.line = statement.line
        kind = statement_kind(statement.text)
        if kind in DATA_KINDS or kind == "REPLACE":
            self.skip(kind, "data, not schema")
            return
        if _NOISE.match(statement.text):
            return
        if _TRIGGER_START.match(statement.text):
            self.skip(kind, "procedural code is not interpreted")
            return
        if kind == "CREATE VIRTUAL":
            self.skip(kind, "virtual tables (full-text search modules) are not part of the model")
            return
        text = statement.text
        for pattern, replacement, dialect in _REWRITES:
            if dialect == self.dialect:
                text = pattern.sub(replacement, text)
        try:
            with _quiet_sqlglot():
                node = sqlglot.parse_one(text, read=self.dialect)
        except Exception as exc:  # sqlglot's ParseError / TokenError
            self.skip(kind, f"cannot be parsed: {str(exc).splitlines()[0][:160]}")
            return
        if isinstance(node, exp.Create) and node.kind == "TABLE" and isinstance(node.this, exp.Schema):
            self.create_table(node)
        elif isinstance(node, exp.Create) and node.kind == "INDEX":
            self.create_index(node)
        elif isinstance(node, exp.Create) and node.kind == "VIEW":
            self.create_view(node)
        elif isinstance(node, exp.Alter) and node.kind == "TABLE":
            self.alter_table(node)
        elif isinstance(node, exp.Drop) and node.kind in ("TABLE", "VIEW"):
            self.drop(node)
        else:
            self.skip(kind, "not part of the schema model")

    def finish(self) -> ImportResult:
        if self.dialect == "mysql":
            self.implicit_foreign_key_indexes()
        return ImportResult(self.schema, merge_repeated(self.skipped), self.dialect)

    def implicit_foreign_key_indexes(self) -> None:
        """InnoDB gives a foreign key an index of its own, named after the constraint, when no index (key,
        unique or plain) starts with its columns: the database has it, so the model does too."""
        for table in self.schema.tables:
            leading = [tuple(table.primary_key.columns)] if table.primary_key else []
            leading += [tuple(u.columns) for u in table.uniques]
            leading += [tuple(e.column for e in ix.elements) for ix in table.indexes]
            for fk in table.foreign_keys:
                if any(key[:len(fk.columns)] == tuple(fk.columns) for key in leading):
                    continue
                name = self.unique_name(table, fk.name, list(fk.columns), "idx")
                origin = self.origin()
                origin.reason = f"MySQL (InnoDB) creates this index for the foreign key {fk.name}"
                table.indexes.append(Index(name=name, elements=tuple(IndexElement(column=c) for c in fk.columns),
                                           origin=origin))
                leading.append(tuple(fk.columns))

    # --- tables ---------------------------------------------------------------------------------
    def create_table(self, node: exp.Create) -> None:
        name = node.this.this.name
        if self.schema.table(name) is not None:
            if not node.args.get("exists"):
                self.skip("CREATE TABLE", f"table {name} is defined twice (the first definition is kept)")
            return
        table = Table(name=name, origin=self.origin())
        self.schema.tables.append(table)
        self.relations.add(name)
        later: list[exp.Expression] = []
        self.known_columns = {e.this.name for e in node.this.expressions if isinstance(e, exp.ColumnDef)}
        for element in node.this.expressions:
            if isinstance(element, exp.ColumnDef):
                self.column(table, element, later)
            else:
                later.append(element)
        for element in later:
            self.table_constraint(table, element)
        for prop in (node.args.get("properties") or exp.Properties()).expressions:
            if isinstance(prop, exp.SchemaCommentProperty):
                table.comment = prop.this.name

    def data_type(self, table: Table, column: str, kind: exp.DataType) -> DataType:
        params = [int(p.this.this) for p in kind.expressions if isinstance(p, exp.DataTypeParam)
                  and isinstance(p.this, exp.Literal) and not p.this.is_string]
        t = kind.this
        if t in (T.TINYINT, T.BIT) and params == [1]:
            return DataType(Kind.BOOLEAN)
        if t in _SIZED:
            return DataType(_SIZED[t], length=params[0] if params else (None if _SIZED[t] == Kind.VARCHAR else 1))
        if t in _TIMED:
            return DataType(_TIMED[t], precision=params[0] if params and params[0] < 7 else None)
        if t == T.DECIMAL:
            return DataType(Kind.NUMERIC, precision=params[0] if params else None,
                            scale=params[1] if len(params) > 1 else (0 if params else None))
        if t in _TYPES:
            return _TYPES[t]
        self.skip("type", f"{table.name}.{column}: {kind.sql(dialect=self.dialect)} has no PostgreSQL counterpart "
                  "here; kept as text")
        return DataType(Kind.TEXT)

    def column(self, table: Table, node: exp.ColumnDef, later: list) -> None:
        name = node.this.name
        kind = node.args.get("kind")
        column = Column(name=name, type=self.data_type(table, name, kind) if kind is not None else DataType(Kind.TEXT),
                        origin=self.origin())
        table.columns.append(column)
        if kind is not None and kind.this in (T.ENUM, T.SET):
            values = [v.name for v in kind.expressions if isinstance(v, exp.Literal)]
            if kind.this == T.ENUM:
                literals = ", ".join(names.quote_literal(v) for v in values)
                self.add_check(table, f"{names.quote_ident(name)} IN ({literals})", None)
            else:
                self.skip("SET type", f"{table.name}.{name}: a comma-separated text of {', '.join(values)} (unchecked)")
        for con in node.constraints:
            c = con.kind
            if isinstance(c, exp.NotNullColumnConstraint):
                column.nullable = bool(c.args.get("allow_null"))
            elif isinstance(c, exp.GeneratedAsIdentityColumnConstraint) and c.args.get("expression") is not None:
                self.generated(table, column, c.args["expression"])
            elif isinstance(c, (exp.AutoIncrementColumnConstraint, exp.GeneratedAsIdentityColumnConstraint)):
                column.identity, column.nullable = "by default", False
            elif isinstance(c, exp.PrimaryKeyColumnConstraint):
                later.append(exp.PrimaryKey(expressions=[exp.to_identifier(name)]))
            elif isinstance(c, exp.UniqueColumnConstraint):
                later.append(exp.UniqueColumnConstraint(this=exp.Schema(expressions=[exp.to_identifier(name)])))
            elif isinstance(c, exp.DefaultColumnConstraint):
                self.default(table, column, c.this)
            elif isinstance(c, exp.CheckColumnConstraint):
                later.append(c)
            elif isinstance(c, exp.CommentColumnConstraint):
                column.comment = c.this.name
            elif isinstance(c, exp.Reference):
                later.append(exp.ForeignKey(expressions=[exp.to_identifier(name)], reference=c))
            elif isinstance(c, exp.ComputedColumnConstraint):
                self.generated(table, column, c.this)
            elif isinstance(c, exp.OnUpdateColumnConstraint):
                self.skip("ON UPDATE", f"{table.name}.{name}: ON UPDATE {c.this.sql()} needs a trigger in PostgreSQL")
            elif not isinstance(c, (exp.CollateColumnConstraint, exp.CharacterSetColumnConstraint)):
                self.skip("column option", f"{table.name}.{name}: {con.sql(dialect=self.dialect)} is not kept")

    def generated(self, table: Table, column: Column, expression: exp.Expression) -> None:
        if (text := self.pg(expression)) is None:
            self.skip("generated column", f"{table.name}.{column.name}: {expression.sql()} has no PostgreSQL "
                      "translation")
        else:
            column.generated = Expression(text)

    def default(self, table: Table, column: Column, value: exp.Expression) -> None:
        if isinstance(value, exp.Null):
            return
        if column.type.kind == Kind.BOOLEAN and isinstance(value, exp.Literal) and value.name in ("0", "1"):
            column.default = Expression("true" if value.name == "1" else "false")
            return
        if isinstance(value, exp.Literal) and value.is_string and value.name.startswith("0000-00-00"):
            self.skip("DEFAULT", f"{table.name}.{column.name}: the zero date {value.name!r} is not a PostgreSQL date")
            return
        text = self.pg(value.this if isinstance(value, exp.Paren) else value)
        if text is None:
            self.skip("DEFAULT", f"{table.name}.{column.name}: {value.sql()} has no PostgreSQL translation")
        else:
            column.default = Expression(text)

    def add_check(self, table: Table, sql: str | None, name: str | None, source: str = "") -> None:
        if sql is None:
            self.skip("CHECK", f"{table.name}: {source} has no PostgreSQL translation")
            return
        try:
            node = pglast.parse_sql(f"SELECT {sql}")[0].stmt.targetList[0].val
        except Exception:  # not PostgreSQL: listed
            self.skip("CHECK", f"{table.name}: {sql} is not a PostgreSQL expression")
            return
        from schemawright.importers.postgres_objects import column_refs

        columns = column_refs(node)
        taken = {c.name for c in table.checks}
        name = name or choose_name(table.name, columns[0] if len(columns) == 1 else None, "check", taken)
        table.checks.append(CheckConstraint(name=name, expression=Expression(sql), columns=tuple(columns),
                                            origin=self.origin()))

    def unique_name(self, table: Table, name: str | None, columns, label: str) -> str:
        """A relation name free in the schema (and among the table's constraints): the given one, else
        ``<table>_<name>``, else PostgreSQL's default name."""
        taken = self.relations | {c.name for c in [*table.foreign_keys, *table.checks]}
        if name and name not in taken:
            chosen = name
        elif name:
            chosen = choose_name(table.name, name, "", taken).rstrip("_")
            self.skip("name", f"{table.name}: {name} is renamed {chosen} (PostgreSQL index names are unique per "
                      "schema, constraint names per table)")
        else:
            chosen = choose_name(table.name, name_addition(columns), label, taken)
        self.relations.add(chosen)
        return chosen

    def table_constraint(self, table: Table, node: exp.Expression) -> None:
        name = None
        if isinstance(node, exp.Constraint):
            name = node.this.name
            node = node.expressions[0] if node.expressions else node
        if isinstance(node, exp.PrimaryKey):
            columns = tuple(_ident(c.this if isinstance(c, exp.Ordered) else c) for c in node.expressions)
            table.primary_key = PrimaryKey(name=self.unique_name(table, name, (), "pkey"), columns=columns,
                                           origin=self.origin())
            for col in columns:
                if (c := table.column(col)) is not None:
                    c.nullable = False
        elif isinstance(node, exp.UniqueColumnConstraint):
            schema = node.this
            name = name or (schema.this.name if isinstance(schema, exp.Schema) and schema.this else None)
            columns = tuple(_ident(c) for c in (schema.expressions if isinstance(schema, exp.Schema) else []))
            if table.primary_key and table.primary_key.columns == columns or any(u.columns == columns
                                                                                 for u in table.uniques):
                return  # PostgreSQL makes one index of keys over the same columns
            table.uniques.append(UniqueConstraint(name=self.unique_name(table, name, columns, "key"),
                                                  columns=columns, origin=self.origin()))
        elif isinstance(node, exp.ForeignKey):
            self.foreign_key(table, node, name)
        elif isinstance(node, exp.CheckColumnConstraint):
            self.add_check(table, self.pg(node.this), name, node.this.sql(dialect=self.dialect))
        elif isinstance(node, exp.IndexColumnConstraint):
            kind = (node.args.get("kind") or "").upper()
            if kind in ("FULLTEXT", "SPATIAL"):
                self.skip(f"{kind} index", f"{node.this.name if node.this else ''} on {table.name}: no PostgreSQL "
                          "counterpart here (a GIN/GiST index over an expression would be)")
                return
            self.add_index(table, node.this.name if node.this else None, node.expressions, unique=kind == "UNIQUE")
        else:
            self.skip("constraint", f"{table.name}: {node.sql(dialect=self.dialect)[:80]} is not part of the model")

    def foreign_key(self, table: Table, node: exp.ForeignKey, name: str | None) -> None:
        ref = node.args["reference"]
        target = ref.this.this.name if isinstance(ref.this, exp.Schema) else ref.this.name
        ref_columns = tuple(_ident(c) for c in ref.this.expressions) if isinstance(ref.this, exp.Schema) else ()
        columns = tuple(_ident(c) for c in node.expressions)
        options = " ".join(str(o) for o in ref.args.get("options") or ()).upper()
        actions = {}
        for event in ("DELETE", "UPDATE"):
            m = re.search(rf"ON {event} (CASCADE|RESTRICT|SET NULL|SET DEFAULT|NO ACTION)", options)
            actions[event] = _ACTIONS[m.group(1)] if m else FkAction.NO_ACTION
        if not ref_columns:
            parent = self.schema.table(target)
            ref_columns = parent.primary_key.columns if parent and parent.primary_key else ()
        if not ref_columns:
            self.skip("FOREIGN KEY", f"{table.name}: the columns {target} references are not known")
            return
        fk_name = name or choose_name(table.name, name_addition(columns), "fkey", {f.name for f in table.foreign_keys})
        table.foreign_keys.append(ForeignKey(name=fk_name, columns=columns, ref_table=target, ref_columns=ref_columns,
                                             on_delete=actions["DELETE"], on_update=actions["UPDATE"],
                                             origin=self.origin()))

    def add_index(self, table: Table, name: str | None, keys, unique: bool = False, where=None) -> None:
        elements = []
        for key in keys:
            ordered = key if isinstance(key, exp.Ordered) else None
            inner = key.this if ordered is not None else key
            if isinstance(inner, exp.Anonymous) and inner.expressions:  # col(10): a MySQL prefix length
                self.skip("index prefix", f"{name or 'index'} on {table.name}: the prefix length of {inner.name} "
                          "is dropped (the whole value is indexed)")
                inner = exp.column(inner.name)
            if isinstance(inner, exp.Column):
                element = IndexElement(column=inner.name)
            else:
                text = self.pg(inner)
                if text is None:
                    self.skip("index", f"{name or 'index'} on {table.name}: {inner.sql()} has no PostgreSQL "
                              "translation")
                    return
                element = IndexElement(expression=Expression(text))
            element.descending = bool(ordered is not None and ordered.args.get("desc"))
            elements.append(element)
        index_name = self.unique_name(table, name, [e.column or "expr" for e in elements], "idx")
        table.indexes.append(Index(name=index_name, elements=tuple(elements), unique=unique, origin=self.origin(),
                                   where=Expression(self.pg(where)) if where is not None and self.pg(where) else None))

    def create_index(self, node: exp.Create) -> None:
        index = node.this
        table = self.schema.table(index.args["table"].name)
        if table is None:
            self.skip("CREATE INDEX", f"{index.args['table'].name} is not a table defined earlier")
            return
        params = index.args.get("params")
        where = params.args.get("where") if params else None
        self.add_index(table, index.name or None, params.args.get("columns") or [] if params else [],
                       unique=bool(node.args.get("unique")), where=where.this if where is not None else None)

    def create_view(self, node: exp.Create) -> None:
        query = node.expression
        for table in query.find_all(exp.Table) if query is not None else ():
            table.set("db", None)  # a MySQL database name is not a PostgreSQL schema
        try:
            text = SafeLiteralStream()(pglast.parse_sql(query.sql(dialect="postgres", identify=True))[0].stmt)
        except Exception:  # no query, or a translation PostgreSQL does not read
            text = None
        if not text:
            self.skip("CREATE VIEW", f"{node.this.name}: the query has no PostgreSQL translation")
            return
        depends = sorted({t.name for t in query.find_all(exp.Table)})
        self.schema.views.append(View(name=node.this.name, query=text, depends_on=tuple(depends),
                                      origin=self.origin()))

    def alter_table(self, node: exp.Alter) -> None:
        table = self.schema.table(node.this.name)
        if table is None:
            self.skip("ALTER TABLE", f"{node.this.name} is not a table defined earlier")
            return
        for action in node.args.get("actions") or ():
            if isinstance(action, exp.AddConstraint):
                for con in action.expressions:
                    self.table_constraint(table, con)
            elif isinstance(action, exp.ColumnDef):
                later: list = []
                self.column(table, action, later)
                for element in later:
                    self.table_constraint(table, element)
            else:
                self.skip("ALTER TABLE", f"{table.name}: {action.sql(dialect=self.dialect)[:80]} is not applied")

    def drop(self, node: exp.Drop) -> None:
        dropped = {t.name for t in ([node.this] if node.this is not None else node.expressions)}
        if node.kind == "TABLE":
            self.schema.tables = [t for t in self.schema.tables if t.name not in dropped]
        else:
            self.schema.views = [v for v in self.schema.views if v.name not in dropped]
