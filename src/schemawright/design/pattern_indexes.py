"""Indexes for the task input's ``query_patterns``: the index advisor's candidate extraction (pglast,
no database) run on each pattern's SQL against the designed tables.

Per table a pattern reads, one index: its equality filters first, then one range column, else its
ORDER BY (else GROUP BY) columns -- seed 004's rule. Columns a pattern only joins on get a single
column index unless a key or a foreign key (indexed later by ``indexes.apply``) leads with them. An
index is skipped when a primary key, unique constraint or index already leads with its columns, or
when the equality filters include a whole key (at most one row matches). ``:column`` and
``:table.column`` parameters (as ``schemawright bench`` reads them) are taken as ``$n``.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field

import pglast
from pglast import ast
from pglast.visitors import Visitor

from schemawright.analysis.queries import TableUse, analyse
from schemawright.analysis.workload import numbered, read_shapes
from schemawright.datagen.plan import DEFAULT_ROWS
from schemawright.design.context import DesignContext, table_name_for
from schemawright.model import names
from schemawright.model.schema import Index, IndexElement, Schema, Table, inferred
from schemawright.model.types import Kind
from schemawright.spec.load import format_path

RULE = "index.query_pattern"
WORKLOAD_RULE = "index.workload_shape"
NO_BTREE = {Kind.JSON, Kind.XML, Kind.TSVECTOR, Kind.OTHER}
_PARAM_RE = re.compile(r"(?<!:):([a-z_][a-z0-9_]*)(?:\.([a-z_][a-z0-9_]*))?", re.IGNORECASE)


def apply(ctx: DesignContext) -> None:
    """Add the indexes the query patterns need; unknown tables/columns or bad SQL are input problems."""
    declared = _declared_keys(ctx)
    for i, pattern in enumerate(ctx.spec.query_patterns):
        if not pattern.sql:
            continue
        path = ("query_patterns", i, "sql")
        text = _numbered(pattern.sql)
        try:
            statements = pglast.parse_sql(text)
        except pglast.parser.ParseError as exc:
            ctx.problem(path, f"query pattern {pattern.name!r} is not valid SQL: {exc}", got=pattern.sql)
            continue
        unknown = _unknown_objects(ctx.schema, statements)
        if unknown:
            ctx.problem(path, f"query pattern {pattern.name!r}: {'; '.join(unknown)}", got=pattern.sql,
                        expected="tables and columns of the design: " + ", ".join(t.name for t in ctx.schema.tables))
            continue
        for use in analyse(text, lambda s, t: _columns(ctx.schema, s, t)):
            table = _table(ctx.schema, use.schema, use.table)
            if table is not None:
                for columns, descending, motive in _wanted(use):
                    _add(ctx, table, columns, descending, motive, pattern.name, i, declared)


def apply_generated(ctx: DesignContext) -> None:
    """Index the read shapes of the workload schemawright generates for this design
    (``analysis.workload``: rows by parent, the newest rows, the 30-day report), at each table's
    estimated rows; the same candidate rule as for declared patterns. Shapes that join two tables need
    what their single-table shapes need, so only those are read. The shapes follow the reasoned
    indexes (a time order only where an index already has one), so this step adds an index only where
    a shape needs one those do not give."""
    if not ctx.enabled("index_workload", "indexes for the generated workload's read shapes"):
        return
    declared = _declared_keys(ctx)

    def rows(table: Table) -> int:
        return table.estimated_rows if table.estimated_rows is not None else DEFAULT_ROWS

    tables: dict[tuple[str, str], Table] = {}
    for t in ctx.schema.tables:  # one lookup table: the linear Schema.table would make this step quadratic
        tables.setdefault((t.schema, t.name), t)
    for t in ctx.schema.tables:  # unqualified names in the shapes' SQL read as public (as _table does)
        tables.setdefault(("public", t.name), t)
    columns = {key: {c.name for c in t.columns} for key, t in tables.items()}
    taken = {ix.name for t in ctx.schema.tables for ix in t.indexes}
    for shape in read_shapes(ctx.schema, rows):
        if not shape.single_table or shape.category == "report":
            continue  # a report's target is seconds: a scan serves it, an index would only cost writes
        for use in analyse(numbered(shape.sql), lambda s, t: columns.get((s, t), set())):
            table = tables.get((use.schema, use.table))
            if table is not None:
                for keys, descending, motive in _wanted(use):
                    if any(fk.columns == tuple(keys) for fk in table.foreign_keys):
                        continue  # the foreign key's own index (conventions.index_foreign_keys)
                    if table.index_leading(tuple(keys)) is not None:
                        continue  # the shape follows an index the design already has a reason for
                    served = _input_index_leading(table, declared, [c for c in use.equality if c in keys])
                    if served:
                        ctx.infer(WORKLOAD_RULE, f"{table.name}.{names.idx_name(table.name, keys)}", "not created",
                                  f"generated workload shape {shape.name!r}: the input's index {served} already "
                                  "leads with its filter columns; the input's access path wins over the "
                                  "workload's guessed sort order")
                        continue
                    _add(ctx, table, keys, descending, motive, shape.name, "generated workload", declared,
                         rule=WORKLOAD_RULE, taken=taken)


def _input_index_leading(table: Table, declared: _Declared, equality: list[str]) -> str | None:
    """The name of an index the input asked for (data_model.indexes, query_patterns) that leads with
    ``equality``, if any."""
    if not equality:
        return None
    key = tuple(equality)
    for ix in table.indexes:
        if ix.origin.rule == RULE and ix.columns[:len(key)] == key:
            return ix.name
    for cols in declared.keys.get(table.name, ()):
        if cols[:len(key)] == key:
            return names.idx_name(table.name, list(cols))
    return None


def _numbered(text: str) -> str:
    """``:name`` parameters -> ``$1``, ``$2``... so pglast can parse the pattern."""
    count = itertools.count(1)
    return _PARAM_RE.sub(lambda m: f"${next(count)}", text)


def _table(schema: Schema, schema_name: str, name: str) -> Table | None:
    tables = [t for t in schema.tables if t.name == name]
    return next((t for t in tables if t.schema == schema_name), tables[0] if tables and schema_name == "public"
                else None)


def _columns(schema: Schema, schema_name: str, name: str) -> set[str]:
    table = _table(schema, schema_name, name)
    return {c.name for c in table.columns} if table else set()


def _wanted(use: TableUse) -> list[tuple[list[str], list[bool], str]]:
    """(columns, descending, why) of the indexes one table's use calls for."""
    filters = [c for c in use.equality if c not in use.join]
    motive = [f"equality on {', '.join(filters)}"] if filters else []
    tail: list[tuple[str, bool]] = []
    if use.range:
        tail, motive = [(use.range[0], False)], motive + [f"range on {use.range[0]}"]
    elif use.order:
        mixed = len({d for _, d in use.order}) > 1  # one direction: a backward scan serves DESC
        tail = [(c, d and mixed) for c, d in use.order]
        motive.append("ORDER BY " + ", ".join(c + (" DESC" if d else "") for c, d in use.order))
    elif use.group:
        tail, motive = [(c, False) for c in use.group], motive + [f"GROUP BY {', '.join(use.group)}"]
    keys = [(c, False) for c in filters] + [(c, d) for c, d in tail if c not in filters]
    columns, flags = [c for c, _ in keys], [d for _, d in keys]
    out = [(columns, flags if any(flags) else [], ", then ".join(motive))] if columns else []
    out += [([c], [], f"a join on {c}") for c in use.join if c not in columns]
    return out


@dataclass
class _Declared:
    """data_model.indexes, which ``indexes.apply`` adds after this step: keys by table, and names."""

    keys: dict[str, list[tuple[str, ...]]] = field(default_factory=dict)
    names: set[str] = field(default_factory=set)


def _declared_keys(ctx: DesignContext) -> _Declared:
    out = _Declared()
    for req in ctx.spec.data_model.indexes:
        keys = list(req.columns) or list(req.equality) + list(req.range) or [k.column for k in req.keys if k.column]
        if req.name:
            out.names.add(req.name)
        if keys and req.where is None and req.type == "btree":
            out.keys.setdefault(table_name_for(req.entity), []).append(tuple(keys))
    return out


def _add(ctx: DesignContext, table: Table, columns: list[str], descending: list[bool], motive: str,
         pattern: str, i: int | str, declared: _Declared, rule: str = RULE, taken: set[str] | None = None) -> None:
    key = tuple(columns)
    if any(table.column(c).type.kind in NO_BTREE for c in columns):
        return  # no btree operator class (json, xml, tsvector) or an unknown type
    if not descending and (table.index_leading(key) is not None
                           or any(d[:len(key)] == key for d in declared.keys.get(table.name, ()))):
        return
    keys = [table.primary_key.columns] if table.primary_key else []
    keys += [u.columns for u in table.uniques]
    if any(k and set(k) <= set(columns[:len(k)]) for k in keys):
        return  # the leading equality columns hold a whole key: at most one row
    if ctx.spec.conventions.index_foreign_keys and any(fk.columns == key for fk in table.foreign_keys):
        return  # the foreign key's index serves it
    name = names.idx_name(table.name, columns)
    if name in declared.names or (name in taken if taken is not None else
                                  any(ix.name == name for t in ctx.schema.tables for ix in t.indexes)):
        return
    if taken is not None:
        taken.add(name)
    what = "query pattern" if rule == RULE else "generated workload shape"
    reason = f"{what} {pattern!r}: {motive}"
    path = format_path(("query_patterns", i)) if isinstance(i, int) else i
    table.indexes.append(Index(name=name, elements=tuple(IndexElement(column=c, descending=d) for c, d in
                                                         zip(columns, descending or [False] * len(columns))),
                               comment=reason[0].upper() + reason[1:], origin=inferred(rule, reason, path=path)))
    labels = [c + (" DESC" if d else "") for c, d in zip(columns, descending or [False] * len(columns))]
    ctx.infer(rule, f"{table.name}.{name}", f"index {name} ({', '.join(labels)})",
              f"{reason} (seed 004: equality columns first, then range/sort columns)")


class _Names(Visitor):
    """Relations, aliases, column references and output names of a statement."""

    def __init__(self) -> None:
        self.relations: list[tuple[str | None, str, str]] = []  # (schema, name, alias)
        self.ctes: set[str] = set()
        self.refs: list[tuple[str, ...]] = []
        self.outputs: set[str] = set()  # output, CTE, subquery and function column names
        self.opaque = False  # a function in FROM: its columns are not known here

    def visit_RangeVar(self, ancestors, node) -> None:
        self.relations.append((node.schemaname, node.relname, node.alias.aliasname if node.alias else node.relname))

    def visit_CommonTableExpr(self, ancestors, node) -> None:
        self.ctes.add(node.ctename)
        self.outputs |= {c.sval for c in node.aliascolnames or ()}

    def visit_RangeFunction(self, ancestors, node) -> None:
        self.opaque = True

    def visit_Alias(self, ancestors, node) -> None:
        self.outputs |= {c.sval for c in node.colnames or ()}

    def visit_ResTarget(self, ancestors, node) -> None:
        if node.name:
            self.outputs.add(node.name)

    def visit_ColumnRef(self, ancestors, node) -> None:
        if all(isinstance(f, ast.String) for f in node.fields):
            self.refs.append(tuple(f.sval for f in node.fields))


def _unknown_objects(schema: Schema, statements) -> list[str]:
    found = _Names()
    found(statements)
    problems, aliases, known, opaque = [], {}, set(found.outputs), found.opaque
    for schema_name, name, alias in found.relations:
        if schema_name is None and name in found.ctes:
            continue
        if any(v.name == name and (schema_name is None or v.schema == schema_name) for v in schema.views):
            opaque = True  # a view's columns are not modelled: unqualified names are not checked
            continue
        table = _table(schema, schema_name or "public", name)
        if table is None:
            problems.append(f"unknown table {name if schema_name is None else schema_name + '.' + name}")
            continue
        aliases[alias] = table
        known |= {c.name for c in table.columns}
    for ref in found.refs:
        table = aliases.get(ref[-2]) if len(ref) >= 2 else None
        if table is not None and not table.has_column(ref[-1]):
            problems.append(f"unknown column {ref[-1]} in {table.name}")
        elif len(ref) == 1 and not opaque and ref[0] not in known:
            problems.append(f"unknown column {ref[0]}")
    return list(dict.fromkeys(problems))
