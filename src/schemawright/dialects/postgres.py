"""PostgreSQL 15+ DDL."""

from __future__ import annotations

import re
from dataclasses import replace

from schemawright.dialects.base import Dialect, Statement, table_order
from schemawright.dialects.partitions import partition_statements
from schemawright.model.keys import trigger_function
from schemawright.model.names import quote_ident as q
from schemawright.model.names import dollar_quote, make_object_name, quote_literal, uq_name
from schemawright.model.schema import (
    CheckConstraint, Column, CompositeType, DefaultPrivilege, EnumType, ExclusionConstraint, FkAction, ForeignKey, Function,
    Grant, Index, IndexMethod, DomainType, Sequence,
    Policy, Role, Schema, Table, Trigger, UniqueConstraint, View,
)
from schemawright.model.types import DataType, Kind

TYPE_NAMES = {
    Kind.SMALLINT: "smallint", Kind.INTEGER: "integer", Kind.BIGINT: "bigint", Kind.NUMERIC: "numeric",
    Kind.REAL: "real", Kind.DOUBLE: "double precision", Kind.MONEY: "money", Kind.BOOLEAN: "boolean",
    Kind.TEXT: "text", Kind.VARCHAR: "varchar", Kind.CHAR: "char", Kind.CITEXT: "citext", Kind.UUID: "uuid",
    Kind.DATE: "date", Kind.TIME: "time", Kind.TIMETZ: "timetz", Kind.TIMESTAMP: "timestamp",
    Kind.TIMESTAMPTZ: "timestamptz", Kind.INTERVAL: "interval", Kind.JSON: "json", Kind.JSONB: "jsonb",
    Kind.BYTEA: "bytea", Kind.INET: "inet", Kind.CIDR: "cidr", Kind.MACADDR: "macaddr",
    Kind.TSVECTOR: "tsvector", Kind.XML: "xml",
}


def type_sql(t: DataType) -> str:
    if t.kind == Kind.ENUM:
        base = q(t.name)
    elif t.kind == Kind.OTHER:
        base = t.name  # carried through verbatim from a catalog we read
    else:
        base = TYPE_NAMES[t.kind]
        if t.length is not None:
            base += f"({t.length})"
        elif t.precision is not None:
            base += f"({t.precision}" + (f", {t.scale})" if t.scale is not None else ")")
    return base + "[]" * t.array_dims


def qualified(schema: str, name: str) -> str:
    return q(name) if schema == "public" else f"{q(schema)}.{q(name)}"


def composite_type_sql(t: CompositeType) -> str:
    attributes = ",\n".join(f"    {q(name)} {type_text}" for name, type_text in t.attributes)
    return f"CREATE TYPE {qualified(t.schema, t.name)} AS (\n{attributes}\n);"


def partition_not_null(parent: str | None, column: Column) -> str | None:
    """The name PostgreSQL 18 gives a partition's NOT NULL constraint when PARTITION OF creates it: the parent's
    (``parent_column_not_null``); CREATE TABLE + ATTACH would keep the partition's own. Older servers ignore it."""
    return make_object_name(parent, column.name, "not_null") if parent and not column.nullable else None


def typed_column(schema: str, column: Column) -> Column:
    """The column of a table in ``schema`` with its enum named with that schema (the model names an enum of
    the table's own schema bare; only public is on every search_path)."""
    t = column.type
    if t.kind == Kind.ENUM and schema != "public":
        return replace(column, type=DataType(Kind.OTHER, name=qualified(schema, t.name), array_dims=t.array_dims))
    return column


def sequence_options(s) -> str:
    return (f"AS {s.data_type} INCREMENT BY {s.increment} MINVALUE {s.min_value} MAXVALUE {s.max_value} "
            f"START WITH {s.start} CACHE {s.cache} {'CYCLE' if s.cycle else 'NO CYCLE'}")


def owned_by_sql(s) -> str:
    if not s.owned_by:
        return f"ALTER SEQUENCE {qualified(s.schema, s.name)} OWNED BY NONE;"
    table, _, column = s.owned_by.rpartition(".")
    return f"ALTER SEQUENCE {qualified(s.schema, s.name)} OWNED BY {qualified(s.schema, table)}.{q(column)};"


def _options_sql(options: tuple[str, ...]) -> str:
    """`` OPTIONS (name 'value', ...)`` from "name=value" entries (values are literals), or nothing."""
    if not options:
        return ""
    return " OPTIONS (" + ", ".join(f"{q(o.partition('=')[0])} {quote_literal(o.partition('=')[2])}"
                                    for o in options) + ")"


def _inherited(schema: Schema, t: Table) -> tuple[set[str], set[str]]:
    """The column and (inheritable) check names ``t`` gets from the tables it INHERITS."""
    columns: set[str] = set()
    checks: set[str] = set()
    for name in t.inherits:
        parent = next((p for p in schema.tables if p.name == name and p.schema == t.schema), None)
        if parent is not None:
            columns |= {c.name for c in parent.columns}
            checks |= {c.name for c in parent.checks if not c.no_inherit}
    return columns, checks


def domain_check_sql(c) -> str:
    return f"CONSTRAINT {q(c.name)} CHECK ({c.expression.sql.strip()})"


def storage_sql(parameters) -> str:
    """``fillfactor = '70', deduplicate_items = 'on'`` from ``name=value`` entries (pg_class.reloptions)."""
    out = []
    for p in parameters:
        name, _, value = p.partition("=")
        out.append(f"{q(name)} = {quote_literal(value)}")
    return ", ".join(out)


def trigger_events(tr) -> str:
    """``INSERT OR UPDATE OF a, b``: the events, UPDATE with its columns."""
    cols = f" OF {', '.join(q(c) for c in tr.columns)}" if tr.columns else ""
    return " OR ".join(e + cols if e.upper() == "UPDATE" else e for e in tr.events)


def trigger_when(tr) -> str:
    return f"\n    WHEN ({tr.when})" if tr.when is not None else ""


def trigger_arguments(tr) -> str:
    return ", ".join(quote_literal(a) for a in tr.arguments)


def deferral(key) -> str:
    """`` DEFERRABLE [INITIALLY DEFERRED]`` for a deferrable key, else nothing."""
    if not getattr(key, "deferrable", False):
        return ""
    return " DEFERRABLE INITIALLY DEFERRED" if key.initially_deferred else " DEFERRABLE"


# Settings whose value is a list of names, kept as written (pg_dump does the same); others are quoted.
_LIST_SETTINGS = frozenset({"search_path", "temp_tablespaces", "session_preload_libraries",
                            "local_preload_libraries", "shared_preload_libraries"})


def setting_sql(setting: str) -> str:
    """A function's ``SET`` clause from a ``pg_proc.proconfig`` entry (``name=value``)."""
    name, _, value = setting.partition("=")
    if name.lower() in _LIST_SETTINGS:
        return f"SET {q(name)} = {value}"
    return f"SET {q(name)} = {quote_literal(value)}"


class Postgres(Dialect):
    name = "postgresql"
    type_names = TYPE_NAMES

    def type_sql(self, t: DataType) -> str:
        return type_sql(t)  # enums quoted, catalog types verbatim, arrays

    # --- changes (diff) --------------------------------------------------------------------------------
    def change_steps(self, changes, *, online: bool, renames_first: bool, row_counts) -> list:
        from schemawright.dialects.postgres_changes import change_steps

        return change_steps(changes, online=online, renames_first=renames_first, row_counts=row_counts)

    def is_role_switch(self, step) -> bool:
        from schemawright.dialects.postgres_changes import is_role_switch

        return is_role_switch(step)

    def under_roles(self, steps: list, chosen) -> list:
        from schemawright.dialects.postgres_changes import under_roles

        return under_roles(steps, chosen)

    def cleanup_steps(self, rule, tightens: tuple) -> list:
        from schemawright.dialects.postgres_cleanup import cleanup_steps

        return cleanup_steps(rule, tightens)

    def session_settings(self, lock_timeout: str, statement_timeout: str) -> list[str]:
        from schemawright.dialects.postgres_changes import session_settings

        return session_settings(lock_timeout, statement_timeout)

    def migration_script(self, steps: list, settings: list[str], title: str) -> str:
        from schemawright.dialects.postgres_changes import script

        return script(steps, settings, title)

    def placeholder_check_query(self, schema: str, table: str, expression: str, fills: dict[str, str]) -> str:
        from schemawright.dialects.postgres_changes import placeholder_check_query

        return placeholder_check_query(schema, table, expression, fills)

    # --- objects -------------------------------------------------------------------------------------
    def column_sql(self, c: Column, not_null_name: str | None = None) -> str:
        """A column's definition; ``not_null_name``: its NOT NULL constraint's name (PostgreSQL 18 keeps it)."""
        parts = [q(c.name), type_sql(c.type)]
        if c.collation:
            parts.append(f"COLLATE {q(c.collation)}")
        if c.identity:
            parts.append(f"GENERATED {c.identity.upper()} AS IDENTITY")
            options = []
            if c.identity_sequence:
                schema, _, name = c.identity_sequence.rpartition(".")
                options.append(f"SEQUENCE NAME {qualified(schema or 'public', name)}")
            if c.identity_options:
                options.append(c.identity_options)
            if options:
                parts.append(f"({' '.join(options)})")
        if c.generated is not None:
            parts.append(f"GENERATED ALWAYS AS ({c.generated}) {'VIRTUAL' if c.virtual else 'STORED'}")
        if not c.nullable:
            parts.append(f"CONSTRAINT {q(not_null_name)} NOT NULL" if not_null_name else "NOT NULL")
        if c.default is not None and not c.identity:
            parts.append(f"DEFAULT {c.default}")
        return " ".join(parts)

    def foreign_key_sql(self, fk: ForeignKey) -> str:
        ref = qualified(fk.ref_schema or "public", fk.ref_table)
        sql = (f"CONSTRAINT {q(fk.name)} FOREIGN KEY ({self._cols(fk.columns)}) REFERENCES {ref} "
               f"({self._cols(fk.ref_columns)})" + (" MATCH FULL" if fk.match_full else ""))
        if fk.on_delete != FkAction.NO_ACTION:
            sql += f" ON DELETE {fk.on_delete}"
        if fk.on_update != FkAction.NO_ACTION:
            sql += f" ON UPDATE {fk.on_update}"
        if fk.deferrable:
            sql += " DEFERRABLE" + (" INITIALLY DEFERRED" if fk.initially_deferred else "")
        return sql

    def unique_sql(self, u: UniqueConstraint) -> str:
        nnd = " NULLS NOT DISTINCT" if u.nulls_not_distinct else ""
        return f"CONSTRAINT {q(u.name)} UNIQUE{nnd} ({self._cols(u.columns)}){deferral(u)}"

    def check_sql(self, c: CheckConstraint) -> str:
        return f"CONSTRAINT {q(c.name)} CHECK ({c.expression})" + (" NO INHERIT" if c.no_inherit else "")

    def exclusion_sql(self, x: ExclusionConstraint) -> str:
        elements = ", ".join((q(e.column) if e.column is not None else f"({e.expression})") + f" WITH {e.operator}"
                             for e in x.elements)
        sql = f"CONSTRAINT {q(x.name)} EXCLUDE USING {x.method} ({elements})"
        if x.where is not None:
            sql += f" WHERE ({x.where})"
        if x.deferrable:
            sql += " DEFERRABLE" + (" INITIALLY DEFERRED" if x.initially_deferred else "")
        return sql

    def table_sql(self, t: Table, deferred: set[str] = frozenset(),
                  inherited: tuple[set[str], set[str]] = (set(), set()), not_null_of: str | None = None) -> str:
        """CREATE TABLE; ``inherited``: the column and check names an INHERITS child gets from its parents;
        ``not_null_of``: the partitioned table it becomes a partition of (its NOT NULL constraints named so)."""
        if t.partition_of is not None:
            return self.partition_sql(t, deferred)
        if t.foreign_server is not None:
            columns = ",\n".join("    " + self.column_sql(typed_column(t.schema, c)) for c in t.columns)
            return (f"CREATE FOREIGN TABLE {qualified(t.schema, t.name)} (\n{columns}\n) SERVER {q(t.foreign_server)}"
                    f"{_options_sql(t.foreign_options)};")
        lines = [self.column_sql(typed_column(t.schema, c), partition_not_null(not_null_of, c))
                 for c in t.columns if c.name not in inherited[0]]
        if t.primary_key:
            lines.append(f"CONSTRAINT {q(t.primary_key.name)} PRIMARY KEY ({self._cols(t.primary_key.columns)})"
                         + deferral(t.primary_key))
        lines += [self.unique_sql(u) for u in t.uniques]
        lines += [self.check_sql(c) for c in t.checks if c.name not in inherited[1]]
        lines += [self.exclusion_sql(x) for x in t.exclusions]
        lines += [self.foreign_key_sql(fk) for fk in t.foreign_keys if fk.name not in deferred]
        body = ",\n".join("    " + line for line in lines)
        partition = ""
        if t.inherits:
            partition += f" INHERITS ({', '.join(qualified(t.schema, p) for p in t.inherits)})"
        if t.partitioning:
            partition += f" PARTITION BY {t.partitioning.strategy.upper()} ({self._cols(t.partitioning.columns)})"
        return f"CREATE {'UNLOGGED ' * t.unlogged}TABLE {qualified(t.schema, t.name)} (\n{body}\n){partition};"

    def partition_sql(self, t: Table, deferred: set[str] = frozenset()) -> str:
        """A partition as pg_dump writes one: the table with its columns and own constraints, then ATTACH PARTITION
        (PostgreSQL then gives it the parent's key and indexes; its NOT NULL constraints keep its own names)."""
        # no identity of its own: the parent's applies to rows inserted through it, and ATTACH gives the partition
        # what PARTITION OF would (nothing before PostgreSQL 17, the parent's identity since)
        # its NOT NULL constraints keep its own names, as pg_dump's CREATE TABLE + ATTACH gives them (pagila); a
        # partition the source made by PARTITION OF has the parent's on PostgreSQL 18: not modelled yet
        lines = [self.column_sql(typed_column(t.schema, replace(c, identity=None))) for c in t.columns]
        if t.primary_key:
            lines.append(f"CONSTRAINT {q(t.primary_key.name)} PRIMARY KEY ({self._cols(t.primary_key.columns)})")
        lines += [self.unique_sql(u) for u in t.uniques]
        lines += [self.check_sql(c) for c in t.checks]
        lines += [self.foreign_key_sql(fk) for fk in t.foreign_keys if fk.name not in deferred]
        body = ",\n".join("    " + line for line in lines)
        partition = ""
        if t.partitioning:
            partition = f" PARTITION BY {t.partitioning.strategy.upper()} ({self._cols(t.partitioning.columns)})"
        return (f"CREATE {'UNLOGGED ' * t.unlogged}TABLE {qualified(t.schema, t.name)} (\n{body}\n){partition};\n"
                f"ALTER TABLE {qualified(t.schema, t.partition_of)} ATTACH PARTITION {qualified(t.schema, t.name)} "
                f"{t.partition_bound};")

    def index_sql(self, t: Table | View, ix: Index) -> str:
        keys = []
        for e in ix.elements:
            key = q(e.column) if e.column is not None else f"({e.expression})"
            if e.collation:
                key += f" COLLATE {q(e.collation)}"
            if e.opclass:
                key += f" {e.opclass}"
            if e.descending:
                key += " DESC"
            if e.nulls_first is not None and e.nulls_first != e.descending:
                key += " NULLS FIRST" if e.nulls_first else " NULLS LAST"
            keys.append(key)
        using = "" if ix.method == IndexMethod.BTREE else f" USING {ix.method}"
        sql = (f"CREATE {'UNIQUE ' if ix.unique else ''}INDEX {q(ix.name)} ON {qualified(t.schema, t.name)}"
               f"{using} ({', '.join(keys)})")
        if ix.include:
            sql += f" INCLUDE ({self._cols(ix.include)})"
        if ix.nulls_not_distinct:
            sql += " NULLS NOT DISTINCT"
        if ix.storage:
            sql += f" WITH ({storage_sql(ix.storage)})"
        if ix.where is not None:
            sql += f" WHERE {ix.where}"
        return sql + ";"

    def enum_sql(self, e: EnumType) -> str:
        values = ", ".join(quote_literal(v) for v in e.values)
        return f"CREATE TYPE {qualified(e.schema, e.name)} AS ENUM ({values});"

    def sequence_sql(self, s: Sequence, if_not_exists: bool = False) -> str:
        """CREATE SEQUENCE with every option spelled out (OWNED BY is set once its table exists)."""
        return (f"CREATE SEQUENCE {'IF NOT EXISTS ' * if_not_exists}{qualified(s.schema, s.name)} "
                f"{sequence_options(s)};")

    def domain_sql(self, d: DomainType) -> str:
        parts = [f"CREATE DOMAIN {qualified(d.schema, d.name)} AS {d.base_type}"]
        if d.collation:
            parts.append(f"COLLATE {q(d.collation)}")
        if d.default is not None:
            parts.append(f"DEFAULT {d.default}")
        if d.not_null:
            parts.append("NOT NULL")
        parts += [domain_check_sql(c) for c in d.checks]
        return " ".join(parts) + ";"

    def function_sql(self, f: Function) -> str:
        attributes = [f.volatility]
        attributes += ["STRICT"] * f.strict + ["LEAKPROOF"] * f.leakproof + ["SECURITY DEFINER"] * f.security_definer
        if f.parallel.upper() != "UNSAFE":
            attributes.append(f"PARALLEL {f.parallel.upper()}")
        if f.cost is not None:
            attributes.append(f"COST {f.cost:g}")
        if f.rows is not None:
            attributes.append(f"ROWS {f.rows:g}")
        attributes += [setting_sql(s) for s in f.settings]
        # The body can hold names with "$function$" in them: the quote tag is one the body lacks.
        return (f"CREATE FUNCTION {qualified(f.schema, f.name)}({f.arguments}) RETURNS {f.returns}\n"
                f"    LANGUAGE {f.language} {' '.join(attributes)}\nAS {dollar_quote(f.body)};")

    def trigger_sql(self, t: Table, tr: Trigger) -> str:
        kind, defer = "TRIGGER", ""
        if tr.constraint:  # always AFTER ... FOR EACH ROW; checked at commit when initially deferred
            kind = "CONSTRAINT TRIGGER"
            if tr.deferrable:
                defer = "\n    DEFERRABLE INITIALLY " + ("DEFERRED" if tr.initially_deferred else "IMMEDIATE")
        return (f"CREATE {kind} {q(tr.name)} {tr.timing} {trigger_events(tr)} ON {qualified(t.schema, t.name)}"
                f"{defer}\n    FOR EACH {tr.for_each}{trigger_when(tr)} EXECUTE FUNCTION "
                f"{qualified(*trigger_function(t.schema, tr))}"
                f"({trigger_arguments(tr)});")

    def view_sql(self, v: View) -> str:
        kind = "MATERIALIZED VIEW" if v.materialized else "VIEW"
        options = f" WITH ({storage_sql(v.options)})" if v.options and not v.materialized else ""
        sql = f"CREATE {kind} {qualified(v.schema, v.name)}{options} AS\n{v.query};"
        if v.materialized and v.unique_key:  # what REFRESH MATERIALIZED VIEW CONCURRENTLY needs
            sql += (f"\n\nCREATE UNIQUE INDEX {q(uq_name(v.name, v.unique_key))} ON "
                    f"{qualified(v.schema, v.name)} ({', '.join(q(c) for c in v.unique_key)});")
        for ix in v.indexes if v.materialized else ():
            sql += "\n\n" + self.index_sql(v, ix)  # index_sql reads the owner's schema and name only
        if v.materialized and v.cluster_on:
            sql += f"\n\nALTER MATERIALIZED VIEW {qualified(v.schema, v.name)} CLUSTER ON {q(v.cluster_on)};"
        return sql

    def comments_sql(self, schema: Schema) -> list[Statement]:
        out: list[Statement] = []

        def comment(kind: str, name: str, target: str, text: str | None, table: str | None = None) -> None:
            if text:
                out.append(Statement("comment", name, f"COMMENT ON {kind} {target} IS {quote_literal(text)};",
                                     *((table,) if table is not None else ())))

        for n, text in schema.schema_comments.items():
            comment("SCHEMA", n, q(n), text)
        for e in (*schema.enums, *schema.composite_types):
            comment("TYPE", e.name, qualified(e.schema, e.name), e.comment)
        for d in schema.domains:
            comment("DOMAIN", d.name, qualified(d.schema, d.name), d.comment)
        for f in schema.functions:
            comment("FUNCTION", f.name, f"{qualified(f.schema, f.name)}({f.arguments})", f.comment)
        for t in schema.tables:
            name = qualified(t.schema, t.name)
            comment("TABLE", t.name, name, t.comment, t.name)
            for c in t.columns:
                comment("COLUMN", t.name, f"{name}.{q(c.name)}", c.comment, t.name)
            for ck in [*([t.primary_key] if t.primary_key else []), *t.uniques, *t.checks, *t.exclusions,
                       *t.foreign_keys]:
                comment("CONSTRAINT", t.name, f"{q(ck.name)} ON {name}", ck.comment, t.name)
                comment("INDEX", ck.name, qualified(t.schema, ck.name), getattr(ck, "index_comment", None),
                        t.name)  # the key's own index
            for ix in t.indexes:
                comment("INDEX", ix.name, qualified(t.schema, ix.name), ix.comment, t.name)
            for tr in t.triggers:
                comment("TRIGGER", t.name, f"{q(tr.name)} ON {name}", tr.comment, t.name)
        for a in schema.aggregates:
            comment("AGGREGATE", a.name, f"{qualified(a.schema, a.name)}({a.arguments})", a.comment)
        for v in schema.views:
            comment("MATERIALIZED VIEW" if v.materialized else "VIEW", v.name, qualified(v.schema, v.name), v.comment)
            for column, text in v.column_comments.items():
                comment("COLUMN", v.name, f"{qualified(v.schema, v.name)}.{q(column)}", text)
        for sq in schema.sequences:
            comment("SEQUENCE", sq.name, qualified(sq.schema, sq.name), sq.comment)
        return out

    # --- whole schema --------------------------------------------------------------------------------
    def create_statements(self, schema: Schema) -> list[Statement]:
        tables, deferred = table_order(schema)
        deferred_names = {fk.name for _, fk in deferred}
        out: list[Statement] = []
        out += [Statement("extension", e, f"CREATE EXTENSION IF NOT EXISTS {q(e)};") for e in schema.extensions]
        prelude = self.security_prelude(schema)
        at = len(prelude) - 1 if prelude and prelude[-1].kind == "session" else len(prelude)  # before SET ROLE
        out += prelude[:at] + self.namespace_statements(schema) + prelude[at:]
        out += [Statement("type", e.name, self.enum_sql(e)) for e in schema.enums]
        out += [Statement("domain", d.name, self.domain_sql(d)) for d in schema.domains]
        out += [Statement("type", t.name, composite_type_sql(t)) for t in schema.composite_types]
        out += [Statement("sequence", s.name, self.sequence_sql(s)) for s in schema.sequences]
        out += [Statement("server", s.name, f"CREATE SERVER IF NOT EXISTS {q(s.name)} FOREIGN DATA WRAPPER "
                          f"{q(s.wrapper)}{_options_sql(s.options)};") for s in schema.foreign_servers]
        early, late = _functions_by_row_types(schema)
        bodies_off = any(f.language.lower() == "sql" for f in schema.functions)
        if bodies_off:  # a SQL function's body may read tables and views created after it (as pg_dump does)
            out.append(Statement("session", "check_function_bodies", "SET check_function_bodies = off;"))
        out += [Statement("function", f.name, self.function_sql(f)) for f in early]
        out += [Statement("table", t.name, self.table_sql(t, deferred_names, _inherited(schema, t)), t.name)
                for t in tables]
        out += [Statement("function", f.name, self.function_sql(f)) for f in late]  # they return a table's row type
        out += [Statement("aggregate", a.name, f"CREATE AGGREGATE {qualified(a.schema, a.name)}({a.arguments}) "
                          f"({a.options});") for a in schema.aggregates]
        if bodies_off:
            out.append(Statement("session", "check_function_bodies", "RESET check_function_bodies;"))
        out += [Statement("foreign_key", fk.name, f"ALTER TABLE {qualified(t.schema, t.name)} ADD "
                          f"{self.foreign_key_sql(fk)};", t.name) for t, fk in deferred]
        out += [Statement("partitions", t.name, sql, t.name) for t in tables for sql in partition_statements(t)]
        out += [Statement("index", ix.name, self.index_sql(t, ix), t.name) for t in tables for ix in t.indexes]
        out += [Statement("sequence", s.name, owned_by_sql(s)) for s in schema.sequences if s.owned_by]
        out += [Statement("cluster", t.name, f"ALTER TABLE {qualified(t.schema, t.name)} CLUSTER ON {q(t.cluster_on)};",
                          t.name) for t in tables if t.cluster_on]
        out += [Statement("statistics", c.name, f"ALTER TABLE {qualified(t.schema, t.name)} ALTER COLUMN {q(c.name)} "
                          f"SET STATISTICS {c.statistics};", t.name)
                for t in tables for c in t.columns if c.statistics is not None]
        out += [Statement("view", v.name, self.view_sql(v)) for v in _views_in_order(schema)]
        out += [Statement("trigger", tr.name, self.trigger_sql(t, tr), t.name) for t in tables for tr in t.triggers]
        out += [Statement("rule", name, sql if sql.rstrip().endswith(";") else sql + ";", t.name)
                for t in tables for name, sql in t.rules.items()]
        out += self.comments_sql(schema)
        out += self.security_statements(schema)
        return out

    @staticmethod
    def namespaces(schema: Schema) -> list[str]:
        """The schemas (namespaces) other than public that the model's objects live in, in first-seen order."""
        found = list(schema.schemas)
        for group in (schema.enums, schema.domains, schema.composite_types, schema.sequences, schema.functions,
                      schema.tables, schema.views):
            found += [o.schema for o in group if o.schema]
        return [n for n in dict.fromkeys(found) if n not in ("public", "pg_catalog", "information_schema")]

    def namespace_statements(self, schema: Schema) -> list[Statement]:
        """CREATE SCHEMA for each namespace (owned by the project's owner role when the design has one, so that
        the owner creates its objects there)."""
        owner = f" AUTHORIZATION {q(schema.owner)}" if schema.owner else ""
        return [Statement("schema", n, f"CREATE SCHEMA IF NOT EXISTS {q(n)}{owner};") for n in self.namespaces(schema)]

    def drop_statements(self, schema: Schema) -> list[str]:
        tables, deferred = table_order(schema)
        out = [f"DROP {'MATERIALIZED VIEW' if v.materialized else 'VIEW'} IF EXISTS {qualified(v.schema, v.name)};"
               for v in reversed(_views_in_order(schema))]
        out += [f"DROP RULE IF EXISTS {q(name)} ON {qualified(t.schema, t.name)};"  # rules name other tables
                for t in reversed(tables) for name in reversed(list(t.rules))]
        out += [f"ALTER TABLE {qualified(t.schema, t.name)} DROP CONSTRAINT IF EXISTS {q(fk.name)};"
                for t, fk in deferred]
        out += [f"DROP {'FOREIGN ' if t.foreign_server else ''}TABLE IF EXISTS {qualified(t.schema, t.name)};"
                for t in reversed(tables)]
        out += [f"DROP AGGREGATE IF EXISTS {qualified(a.schema, a.name)}({a.arguments});"
                for a in reversed(schema.aggregates)]
        out += [f"DROP FUNCTION IF EXISTS {qualified(f.schema, f.name)}({f.arguments});"
                for f in reversed(schema.functions)]
        out += [f"DROP SERVER IF EXISTS {q(s.name)};" for s in reversed(schema.foreign_servers)]
        out += [f"DROP TYPE IF EXISTS {qualified(t.schema, t.name)};" for t in reversed(schema.composite_types)]
        out += [f"DROP DOMAIN IF EXISTS {qualified(d.schema, d.name)};" for d in reversed(schema.domains)]
        out += [f"DROP TYPE IF EXISTS {qualified(e.schema, e.name)};" for e in reversed(schema.enums)]
        out += [f"DROP EXTENSION IF EXISTS {q(e)};" for e in reversed(schema.extensions)]
        out += [f"DROP SCHEMA IF EXISTS {q(n)};" for n in reversed(self.namespaces(schema))]
        out += self.security_drops(schema)
        return out

    # --- security: roles, privileges, row-level security ---------------------------------------------
    def role_sql(self, r: Role) -> list[Statement]:
        """Create the role unless another database of this project already did (roles are cluster-wide)."""
        login = "LOGIN" if r.login else "NOLOGIN"
        out = [Statement("role", r.name, (
            "DO " + dollar_quote(
                f"\nBEGIN\n    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = {quote_literal(r.name)})"
                f" THEN\n        CREATE ROLE {q(r.name)} {login} NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION "
                "NOBYPASSRLS;\n    END IF;\nEND\n", "") + ";"))]
        if r.comment:
            out.append(Statement("role", r.name, f"COMMENT ON ROLE {q(r.name)} IS {quote_literal(r.comment)};"))
        return out + [Statement("role", r.name, f"GRANT {q(m)} TO {q(r.name)};") for m in r.member_of]

    def grant_sql(self, schema: Schema, g: Grant) -> str:
        return (f"GRANT {', '.join(g.privileges)} ON {self._grant_target(schema, g)} TO {_grantee(g.grantee)}"
                f"{' WITH GRANT OPTION' * g.grant_option};")

    @staticmethod
    def _grant_target(schema: Schema, g: Grant) -> str:
        if g.object_type == "schema":
            return f"SCHEMA {q(g.object_name)}"
        if g.object_type == "function":
            f = schema.function(g.object_name)
            return f"FUNCTION {qualified(f.schema, f.name)}({f.arguments})"
        kind = "SEQUENCE" if g.object_type == "sequence" else "TABLE"
        return f"{kind} {qualified(g.schema, g.object_name)}"

    def policy_sql(self, p: Policy) -> str:
        sql = f"CREATE POLICY {q(p.name)} ON {qualified(p.schema, p.table)}"
        if not p.permissive:
            sql += " AS RESTRICTIVE"
        if p.command != "ALL":
            sql += f" FOR {p.command}"
        if p.roles:
            sql += " TO " + ", ".join(_grantee(r) for r in p.roles)
        if p.using is not None:
            sql += f"\n    USING ({p.using})"
        if p.with_check is not None:
            sql += f"\n    WITH CHECK ({p.with_check})"
        return sql + ";"

    def default_privilege_sql(self, d: DefaultPrivilege, undo: bool = False) -> str:
        scope = f" IN SCHEMA {q(d.schema)}" if d.schema else ""
        what = f"{', '.join(d.privileges)} ON {d.object_type.upper()}"
        action = f"REVOKE {what} FROM" if d.revoke != undo else f"GRANT {what} TO"
        return f"ALTER DEFAULT PRIVILEGES FOR ROLE {q(d.owner)}{scope} {action} {_grantee(d.grantee)};"

    def security_prelude(self, schema: Schema) -> list[Statement]:
        """Roles and schema privileges (as the migrating superuser), then SET ROLE to the owner."""
        if schema.owner is None:
            return []
        out = [s for r in schema.roles for s in self.role_sql(r)]
        out.append(Statement("grant", schema.name, f"REVOKE ALL ON SCHEMA {q(schema.name)} FROM PUBLIC;"))
        out += [Statement("grant", g.object_name, self.grant_sql(schema, g))
                for g in schema.grants if g.object_type == "schema"]
        return out + [Statement("session", schema.owner, f"SET ROLE {q(schema.owner)};")]

    def security_statements(self, schema: Schema) -> list[Statement]:
        """Row-level security, policies and grants (as the owner), then RESET ROLE."""
        out: list[Statement] = []
        for t in schema.tables:
            name = qualified(t.schema, t.name)
            if t.rls_enabled:
                out.append(Statement("rls", t.name, f"ALTER TABLE {name} ENABLE ROW LEVEL SECURITY;", t.name))
            if t.rls_forced:
                out.append(Statement("rls", t.name, f"ALTER TABLE {name} FORCE ROW LEVEL SECURITY;", t.name))
        for p in schema.policies:
            out.append(Statement("policy", p.name, self.policy_sql(p), p.table))
            if p.comment:
                out.append(Statement("policy", p.name, f"COMMENT ON POLICY {q(p.name)} ON "
                                     f"{qualified(p.schema, p.table)} IS {quote_literal(p.comment)};", p.table))
        if schema.owner is None:
            return out
        relations = {t.name for t in schema.tables}
        out += [Statement("grant", g.object_name, self.grant_sql(schema, g),
                          g.object_name if g.object_name in relations else None)
                for g in schema.grants if g.object_type != "schema"]
        out += [Statement("grant", f.name, f"REVOKE ALL ON FUNCTION {qualified(f.schema, f.name)}({f.arguments}) "
                          "FROM PUBLIC;") for f in schema.functions]
        out += [Statement("default_privilege", d.grantee, self.default_privilege_sql(d))
                for d in schema.default_privileges]
        return out + [Statement("session", schema.owner, "RESET ROLE;")]

    def security_drops(self, schema: Schema) -> list[str]:
        """Undo of the prelude and the default privileges. The roles go together, unless another database
        of the server still uses one of them (then all stay: the login role with the group it belongs to)."""
        if schema.owner is None:
            return []
        out = [self.default_privilege_sql(d, undo=True) for d in reversed(schema.default_privileges)]
        grantees = [g.grantee for g in schema.grants if g.object_type == "schema"]
        if grantees:
            out.append(f"REVOKE ALL ON SCHEMA {q(schema.name)} FROM {', '.join(_grantee(g) for g in grantees)};")
        out.append(f"GRANT USAGE ON SCHEMA {q(schema.name)} TO PUBLIC;  -- the PostgreSQL 15+ default")
        roles = [r.name for r in reversed(schema.roles)]
        names = ", ".join(quote_literal(r) for r in roles)
        drops = "".join(f"        DROP ROLE IF EXISTS {q(r)};\n" for r in roles)
        out.append("DO " + dollar_quote(
            "\nBEGIN\n    IF EXISTS (SELECT FROM pg_catalog.pg_shdepend d JOIN pg_catalog.pg_roles r "
            "ON r.oid = d.refobjid\n               WHERE d.refclassid = 'pg_catalog.pg_authid'::regclass "
            f"AND r.rolname IN ({names})\n                 AND d.dbid IS DISTINCT FROM (SELECT oid FROM "
            "pg_catalog.pg_database WHERE datname = current_database())) THEN\n"
            "        RAISE NOTICE 'the roles are kept: another database still uses them';\n    ELSE\n"
            f"{drops}    END IF;\nEND\n", "") + ";")
        return out

    @staticmethod
    def _cols(cols) -> str:
        return ", ".join(q(c) for c in cols)


def _grantee(role: str) -> str:
    return "PUBLIC" if role.upper() == "PUBLIC" else q(role)


def _functions_by_row_types(schema: Schema) -> tuple[list, list]:
    """The functions that can be created before the tables, and those whose result or arguments name a table's
    row type (``RETURNS SETOF customer``): created after the tables."""
    names = {t.name.lower() for t in schema.tables} | {f"{t.schema}.{t.name}".lower() for t in schema.tables}
    early, late = [], []
    for f in schema.functions:
        types = [f.returns] + [a.split(" default ")[0].split("=")[0].split()[-1]
                               for a in f.arguments.lower().split(",") if a.split()]  # an argument's type: its last word
        words = re.findall(r'[\w$."]+', " ".join(types).lower())
        uses = any(w.replace('"', '').strip('.').removesuffix("[]") in names for w in words)
        (late if uses else early).append(f)
    return early, late


def _views_in_order(schema: Schema) -> list[View]:
    names = {v.name for v in schema.views}
    done: list[View] = []
    done_names: set[str] = set()
    pending = list(schema.views)
    while pending:
        ready = [v for v in pending if all(d not in names or d in done_names for d in v.depends_on)]
        if not ready:
            raise ValueError("views depend on each other in a cycle: " + ", ".join(v.name for v in pending))
        done += ready
        done_names.update(v.name for v in ready)
        taken = {id(v) for v in ready}
        pending = [v for v in pending if id(v) not in taken]
    return done
