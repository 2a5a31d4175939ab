"""What the non-PostgreSQL dialects (mysql.py, sqlite.py) share: turning the canonical PostgreSQL design
into the design the target can hold (``adapt``), with every change reported as a ``Degradation``.

The designer always designs for PostgreSQL; a foreign dialect then

- maps each type to the target's closest type (``type_names``), reporting kinds that lose meaning
  (timestamptz without a zone, jsonb as JSON text, uuid as char(36), arrays, inet...);
- translates defaults, CHECK bodies, index predicates and view queries with sqlglot from PostgreSQL's
  deparse into the target's SQL, accepting the result only when every function it calls is one the target
  has (``functions``); what does not translate is removed and reported;
- replaces the ``updated_at`` trigger by the target's equivalent and reports every other PL/pgSQL trigger
  and function (business-rule triggers, audit) as left to the application;
- reports roles, grants, row-level security, policies, extensions, partitioning and comments it cannot keep.

The adapted model is what the target's migrations create and what ``verify`` compares its catalog with.
"""

from __future__ import annotations

import copy
import re
from collections import defaultdict

import sqlglot
from sqlglot import exp

from schemawright.dialects.base import Degradation, Dialect
from schemawright.model.schema import (
    CheckConstraint, Column, Expression, FkAction, ForeignKey, Index, IndexElement, IndexMethod, Schema, Table,
)
from schemawright.model.types import DataType, Kind

UPDATED_AT_FUNCTION = "fn_update_timestamp"  # the convention trigger: NEW.updated_at := CURRENT_TIMESTAMP
NOW = {"current_timestamp", "now()", "clock_timestamp()", "statement_timestamp()", "transaction_timestamp()",
       "localtimestamp", "current_timestamp()"}
_CAST_LITERAL = re.compile(r"^('(?:[^']|'')*')::[a-z_ ]+(\[\])?$", re.IGNORECASE)
_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


class Untranslatable(ValueError):
    """An expression the target cannot state (the message says why)."""


class ForeignDialect(Dialect):
    """A target other than PostgreSQL. Subclasses set ``sqlglot_name``, ``type_names``, ``functions`` and
    the rendering methods; ``adapt`` is shared."""

    sqlglot_name = ""
    functions: frozenset[str] = frozenset()  # upper-case function names the target has
    regex = False  # the target can test regular expressions in CHECKs
    partial_indexes = False
    expression_indexes = False
    key_text_type: DataType | None = None  # unbounded text in a key becomes this (MySQL: varchar(255))
    comments_kept = False
    deferrable_fks = False
    fk_actions = frozenset({FkAction.NO_ACTION, FkAction.RESTRICT, FkAction.CASCADE, FkAction.SET_NULL,
                            FkAction.SET_DEFAULT})

    @staticmethod
    def quote(name: str) -> str:
        """``name`` as the target's quoted identifier."""
        raise NotImplementedError

    def foreign_key_sql(self, fk: ForeignKey) -> str:
        """The constraint clause of ``fk`` (in CREATE TABLE, or after ALTER TABLE ... ADD)."""
        def cols(names) -> str:
            return ", ".join(self.quote(c) for c in names)
        sql = (f"CONSTRAINT {self.quote(fk.name)} FOREIGN KEY ({cols(fk.columns)}) REFERENCES "
               f"{self.quote(fk.ref_table)} ({cols(fk.ref_columns)})")
        if fk.on_delete != FkAction.NO_ACTION:
            sql += f" ON DELETE {fk.on_delete}"
        if fk.on_update != FkAction.NO_ACTION:
            sql += f" ON UPDATE {fk.on_update}"
        if fk.deferrable and self.deferrable_fks:
            sql += " DEFERRABLE INITIALLY " + ("DEFERRED" if fk.initially_deferred else "IMMEDIATE")
        return sql

    # --- expressions ---------------------------------------------------------------------------------
    def now_sql(self, c: Column) -> str:
        return "CURRENT_TIMESTAMP"

    def uuid_default(self) -> str:
        raise Untranslatable("no UUID generator")

    def boolean_sql(self, value: bool) -> str:
        return "1" if value else "0"

    def regex_sql(self, subject: str, pattern: str, case_insensitive: bool) -> str:
        raise Untranslatable("no regular-expression operator")

    def literal(self, text: str) -> str:
        return "'" + text.replace("'", "''") + "'"

    def translate(self, sql: str) -> str:
        """A PostgreSQL boolean or scalar expression in the target's SQL (``Untranslatable`` if impossible)."""
        try:
            tree = sqlglot.parse_one(sql, read="postgres")
        except sqlglot.errors.ParseError as exc:
            raise Untranslatable(f"sqlglot cannot read it: {exc}") from None
        holes: dict[str, str] = {}

        def rewrite(node):
            if isinstance(node, (exp.RegexpLike, exp.RegexpILike)):
                pattern = node.expression
                if not isinstance(pattern, exp.Literal) or not pattern.is_string:
                    raise Untranslatable("a regular expression that is not a literal")
                subject = node.this.sql(dialect=self.sqlglot_name, identify=True)
                key = f"sw_hole_{len(holes)}"
                holes[key] = self.regex_sql(subject, pattern.this, isinstance(node, exp.RegexpILike))
                return exp.column(key)
            if isinstance(node, exp.Cast) and node.to.this in (exp.DataType.Type.TEXT, exp.DataType.Type.VARCHAR):
                return node.this  # ::text on a text column
            if isinstance(node, exp.Boolean):
                return exp.Literal.number(1 if node.this else 0)
            return node

        tree = tree.transform(rewrite)
        for node in tree.walk():
            if isinstance(node, exp.Cast):
                raise Untranslatable(f"a cast to {node.to.sql(dialect='postgres')}")
            if isinstance(node, (exp.Array, exp.Any, exp.All, exp.Subquery, exp.Select)):
                raise Untranslatable(f"{type(node).__name__.lower()} expressions")
        out = tree.sql(dialect=self.sqlglot_name, identify=True)
        self._check_functions(sqlglot.parse_one(out, read=self.sqlglot_name))
        for key, text in holes.items():
            out = re.sub(rf"`?\"?{key}\"?`?", lambda _m, t=text: t, out)
        return out

    def _check_functions(self, tree) -> None:
        for node in tree.walk():
            if isinstance(node, exp.Func) and not isinstance(node, exp.Connector):
                name = (node.name if isinstance(node, exp.Anonymous) else node.sql_name()).upper()
                if name not in self.functions:
                    raise Untranslatable(f"the function {name.lower()}() is not available in {self.name}")

    def translate_default(self, c: Column) -> str:
        text = str(c.default).strip()
        low = text.lower()
        if low in NOW:
            return self.now_sql(c)
        if low == "gen_random_uuid()":
            return self.uuid_default()
        if low in ("true", "false"):
            return self.boolean_sql(low == "true")
        if _NUMBER.match(text) or low == "null":
            return text
        m = _CAST_LITERAL.match(text)
        if m:
            text = m.group(1)
        if text.startswith("'") and text.endswith("'"):
            return self.string_default(c, text)
        return f"({self.translate(text)})"

    def string_default(self, c: Column, literal: str) -> str:
        return literal

    # --- the adaptation --------------------------------------------------------------------------------
    def adapt(self, schema: Schema) -> tuple[Schema, list[Degradation]]:
        s = copy.deepcopy(schema)
        out: list[Degradation] = []
        self._security(s, out)
        self._functions_and_triggers(s, out)
        names = {t.name for t in s.tables}
        for t in s.tables:
            self._table(s, t, out)
        self._types(s, out)
        self._views(s, out, names)
        self._comments(s, out)
        return s, out

    def _security(self, s: Schema, out: list[Degradation]) -> None:
        for e in s.extensions:
            out.append(Degradation("extension", e, f"a PostgreSQL extension; {self.name} has no equivalent"))
        s.extensions = []
        if s.roles:
            out.append(Degradation("role", ", ".join(r.name for r in s.roles),
                                   f"roles, grants and default privileges are not generated for {self.name}",
                                   self.roles_replacement()))
        for t in s.tables:
            if t.rls_enabled:
                out.append(Degradation("rls", t.name, f"{self.name} has no row-level security",
                                       "filter rows in the application (every query by tenant/user)"))
            t.rls_enabled = t.rls_forced = False
        for p in s.policies:
            out.append(Degradation("policy", f"{p.table}.{p.name}", f"{self.name} has no row-level security policies"))
        s.roles, s.grants, s.policies, s.default_privileges, s.owner = [], [], [], [], None
        for e in s.enums:
            out.append(Degradation("type", e.name, f"{self.name} has no named enum types",
                                   "text column with a CHECK of the allowed values"))

    def roles_replacement(self) -> str | None:
        return None

    def updated_at_replacement(self) -> str:
        return "a trigger of the target"

    def _functions_and_triggers(self, s: Schema, out: list[Degradation]) -> None:
        kept_updated = [t.name for t in s.tables for tr in t.triggers
                        if tr.function == UPDATED_AT_FUNCTION and t.has_column("updated_at")]
        if kept_updated:
            out.append(Degradation("trigger", f"{len(kept_updated)} updated_at trigger(s)",
                                   f"{UPDATED_AT_FUNCTION} is PL/pgSQL", self.updated_at_replacement()))
        for t in s.tables:
            kept = []
            for tr in t.triggers:
                if tr.function == UPDATED_AT_FUNCTION and t.has_column("updated_at"):
                    kept.append(tr)
                    continue
                f = s.function(tr.function)
                why = (f.comment or "") if f else ""
                out.append(Degradation("trigger", f"{t.name}.{tr.name}",
                                       f"a PL/pgSQL trigger ({tr.function}) {self.name} cannot run"
                                       + (f": {why}" if why else ""), "enforce it in the application"))
            t.triggers = kept
        for f in s.functions:
            if f.name != UPDATED_AT_FUNCTION:
                out.append(Degradation("function", f.name, f"a {f.language} function; {self.name} has no "
                                       "stored functions in this output"))
        s.functions = []

    def _table(self, s: Schema, t: Table, out: list[Degradation]) -> None:
        if t.schema != "public":
            out.append(Degradation("schema", f"{t.schema}.{t.name}", f"{self.name} output has one namespace",
                                   f"table {t.name} in the main database"))
            t.schema = "public"
        if t.partitioning:
            out.append(Degradation("partitioning", t.name, f"{t.partitioning.strategy} partitioning is not "
                                   f"generated for {self.name}", "one unpartitioned table"))
            t.partitioning = None
        for c in t.columns:
            if c.type.kind == Kind.ENUM:
                e = s.enum(c.type.name)
                values = e.values if e else ()
                c.type = DataType(Kind.VARCHAR, length=max([len(v) for v in values] + [1]))
                if values:
                    body = f"{c.name} IN ({', '.join(self.literal(v) for v in values)})"
                    t.checks.append(CheckConstraint(name=f"ck_{t.name}_{c.name}_enum"[:63], expression=Expression(body),
                                                    columns=(c.name,)))
            if c.generated is not None:
                try:
                    c.generated = Expression(self.translate(str(c.generated)))
                except Untranslatable as exc:
                    out.append(Degradation("generated", f"{t.name}.{c.name}", str(exc), "a plain column"))
                    c.generated = None
            if c.default is not None:
                try:
                    c.default = Expression(self.translate_default(c))
                except Untranslatable as exc:
                    out.append(Degradation("default", f"{t.name}.{c.name}", f"DEFAULT {c.default}: {exc}",
                                           "the application supplies the value"))
                    c.default = None
            if c.identity and not self.identity_ok(t, c):
                out.append(Degradation("identity", f"{t.name}.{c.name}", f"{self.name} generates keys only for "
                                       "a single-column integer primary key", "the application supplies it"))
                c.identity = None
        kept_checks = []
        for ck in t.checks:
            try:
                ck.expression = Expression(self.translate(str(ck.expression)))
                kept_checks.append(ck)
            except Untranslatable as exc:
                out.append(Degradation("check", f"{t.name}.{ck.name}", f"CHECK ({ck.expression}): {exc}",
                                       "validate it in the application"))
        t.checks = kept_checks
        for u in t.uniques:
            if u.nulls_not_distinct:
                out.append(Degradation("unique", f"{t.name}.{u.name}", "NULLS NOT DISTINCT is PostgreSQL only",
                                       "a plain UNIQUE (NULLs do not collide)"))
                u.nulls_not_distinct = False
        for fk in t.foreign_keys:
            fk.ref_schema = None
            if fk.deferrable and not self.deferrable_fks:
                out.append(Degradation("foreign_key", f"{t.name}.{fk.name}", "DEFERRABLE is not supported",
                                       "checked at each statement"))
                fk.deferrable = fk.initially_deferred = False
            for attr in ("on_delete", "on_update"):
                action = getattr(fk, attr)
                if action not in self.fk_actions:
                    out.append(Degradation("foreign_key", f"{t.name}.{fk.name}", f"ON {attr[3:].upper()} {action} "
                                           f"is not supported by {self.name}", "RESTRICT"))
                    setattr(fk, attr, FkAction.RESTRICT)
        t.indexes = [ix for ix in (self._index(t, ix, out) for ix in t.indexes) if ix is not None]

    def identity_ok(self, t: Table, c: Column) -> bool:
        return bool(t.primary_key and t.primary_key.columns == (c.name,))

    def _index(self, t: Table, ix: Index, out: list[Degradation]) -> Index | None:
        name = f"{t.name}.{ix.name}"
        if ix.method != IndexMethod.BTREE:
            if any(e.column is None or (t.column(e.column) and not self.indexable(t.column(e.column)))
                   for e in ix.elements):
                out.append(Degradation("index", name, f"a {ix.method} index on values {self.name} cannot index "
                                       "(JSON, full text, arrays)", "none: searches scan the table"))
                return None
            out.append(Degradation("index", name, f"{ix.method} indexes are PostgreSQL only", "a B-tree index"))
            ix.method = IndexMethod.BTREE
        for e in ix.elements:
            e.opclass = None
            if e.collation is not None:
                out.append(Degradation("index", name, f"a key's collation ({e.collation}) is PostgreSQL's",
                                       "the column's collation"))
                e.collation = None
            if e.expression is not None:
                if not self.expression_indexes:
                    out.append(Degradation("index", name, f"an expression key ({e.expression}) is not supported "
                                           f"by {self.name}", "none"))
                    return None
                try:
                    e.expression = Expression(self.translate(str(e.expression)))
                except Untranslatable as exc:
                    out.append(Degradation("index", name, f"expression key: {exc}", "none"))
                    return None
            if e.nulls_first is not None and e.nulls_first != e.descending:
                out.append(Degradation("index", name, "NULLS FIRST/LAST ordering is not supported",
                                       "the target's default NULL order"))
                e.nulls_first = None
        if ix.where is not None:
            where = None
            if self.partial_indexes:
                try:
                    where = self.translate(str(ix.where))
                except Untranslatable as exc:
                    reason = str(exc)
            else:
                reason = f"{self.name} has no partial indexes"
            if where is None:
                if ix.unique:
                    out.append(Degradation("index", name, f"UNIQUE ... WHERE {ix.where}: {reason}; a full unique "
                                           "index would refuse rows the design allows",
                                           "a non-unique index on the same keys; the application keeps the "
                                           "uniqueness among the rows of the predicate"))
                    ix.unique = False
                else:
                    out.append(Degradation("index", name, f"WHERE {ix.where}: {reason}", "a full index"))
                ix.where = None
            else:
                ix.where = Expression(where)
        if ix.include:
            if ix.unique:
                out.append(Degradation("index", name, "INCLUDE columns are PostgreSQL only", "the keys alone"))
            else:
                out.append(Degradation("index", name, "INCLUDE columns are PostgreSQL only",
                                       "the included columns appended to the keys"))
                ix.elements = ix.elements + tuple(IndexElement(column=c) for c in ix.include)
            ix.include = ()
        if ix.nulls_not_distinct:
            out.append(Degradation("index", name, "NULLS NOT DISTINCT is PostgreSQL only", "NULLs do not collide"))
            ix.nulls_not_distinct = False
        return ix

    def indexable(self, c: Column) -> bool:
        return c.type.array_dims == 0 and c.type.kind not in (Kind.JSON, Kind.JSONB, Kind.TSVECTOR, Kind.XML)

    def _types(self, s: Schema, out: list[Degradation]) -> None:
        lost: dict[str, list[str]] = defaultdict(list)
        for t in s.tables:
            keyed = self.key_columns(t)
            for c in t.columns:
                why = self.type_loss(c.type)
                if c.type.array_dims:
                    lost[f"{c.type}: arrays"].append(f"{t.name}.{c.name}")
                elif why:
                    lost[f"{c.type.kind}: {why}"].append(f"{t.name}.{c.name}")
                if self.key_text_type is not None and c.name in keyed and c.type.kind in (Kind.TEXT, Kind.CITEXT,
                                                                                          Kind.JSON, Kind.JSONB):
                    out.append(Degradation("type", f"{t.name}.{c.name}", f"{c.type} in a key or index: {self.name} "
                                           "indexes only bounded strings", self.type_sql(self.key_text_type)))
                    c.type = self.key_text_type
        for what, cols in lost.items():
            kind, why = what.split(": ", 1)
            out.append(Degradation("type", kind, f"{why} ({len(cols)} column(s): {', '.join(cols[:8])}"
                                   + (", ..." if len(cols) > 8 else "") + ")", self.array_type() if why == "arrays"
                                   else self.type_sql(DataType(Kind(kind))) if kind in Kind._value2member_map_
                                   and Kind(kind) in self.type_names else None))

    def array_type(self) -> str:
        return "JSON text"

    def type_loss(self, t: DataType) -> str | None:
        return None

    def key_columns(self, t: Table) -> set[str]:
        cols: set[str] = set()
        if t.primary_key:
            cols.update(t.primary_key.columns)
        for u in t.uniques:
            cols.update(u.columns)
        for fk in t.foreign_keys:
            cols.update(fk.columns)
        for ix in t.indexes:
            cols.update(e.column for e in ix.elements if e.column)
        return cols

    def _views(self, s: Schema, out: list[Degradation], tables: set[str]) -> None:
        kept, gone = [], set()
        for v in s.views:
            deps = [d for d in v.depends_on if d in gone]
            try:
                if deps:
                    raise Untranslatable(f"it reads {', '.join(deps)}, which is not generated")
                if v.materialized:
                    raise Untranslatable("materialized views are PostgreSQL only")
                v.query = self.translate_query(v.query)
                kept.append(v)
            except Untranslatable as exc:
                gone.add(v.name)
                out.append(Degradation("view", v.name, str(exc), "query the tables in the application"))
        s.views = kept

    def translate_query(self, sql: str) -> str:
        try:
            tree = sqlglot.parse_one(sql, read="postgres")
        except sqlglot.errors.ParseError as exc:
            raise Untranslatable(f"sqlglot cannot read it: {exc}") from None
        for node in tree.walk():
            if isinstance(node, exp.Cast):
                raise Untranslatable(f"it uses {node.sql(dialect='postgres')[:60]}, PostgreSQL only")
        out = tree.sql(dialect=self.sqlglot_name, pretty=True, identify=True)
        self._check_functions(sqlglot.parse_one(out, read=self.sqlglot_name))
        return out

    def _comments(self, s: Schema, out: list[Degradation]) -> None:
        lost = [f"check {t.name}.{c.name}" for t in s.tables for c in t.checks if c.comment]
        lost += [f"index {ix.name}" for t in s.tables for ix in t.indexes if ix.comment]
        lost += [f"view {v.name}" for v in s.views if v.comment]
        if not self.comments_kept:
            lost += [f"table {t.name}" for t in s.tables if t.comment]
        if lost:
            out.append(Degradation("comment", f"{len(lost)} comment(s)", f"{self.name} keeps no comments on "
                                   + ("these objects" if self.comments_kept else "objects"),
                                   "docs/data_dictionary and SQL comments in the DDL"))
