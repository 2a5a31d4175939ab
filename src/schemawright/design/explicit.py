"""Spelled-out SQL for inputs with ``conventions.strict_expressions: false`` (what ``schemawright import``
writes): any single scalar expression as a default, check, generated column or index key, and any type
PostgreSQL's grammar accepts.

The text is still parsed by PostgreSQL's parser and only its deparse reaches the model: one expression,
no sub-query, no parameter, no aggregate or window call, no other table's columns; a type is one type
name with its modifiers, nothing more.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import pglast
from pglast import ast

from schemawright.model.schema import Expression
from schemawright.model.types import DataType, Kind, UnknownTypeError, parse_type
from schemawright.pg_ast import walk
from schemawright.spec.expressions import (
    ExpressionError,
    SafeLiteralStream,
    single_expression,
)


def parse_expression(text: str, columns: Iterable[str] = ()) -> tuple[Expression, tuple[str, ...]]:
    """Validate ``text`` as one scalar expression reading only ``columns``; returns its canonical text
    and the columns it reads, in order of first use."""
    columns = list(columns)
    node = single_expression(text, columns)
    allowed, used = set(columns), []
    for found in walk(node):
        if isinstance(found, ast.SubLink):
            raise ExpressionError("sub-queries are not allowed")
        if isinstance(found, ast.ParamRef):
            raise ExpressionError("parameters ($1) are not allowed")
        if isinstance(found, ast.FuncCall) and (found.agg_star or found.over or found.agg_filter
                                                 or found.agg_order or found.agg_distinct):
            raise ExpressionError("aggregate and window calls are not allowed")
        if isinstance(found, ast.ColumnRef):
            fields = found.fields
            if len(fields) != 1 or not isinstance(fields[0], ast.String):
                raise ExpressionError("only this table's own columns may be used (no table.column or *)")
            name = fields[0].sval
            if name not in allowed:
                raise ExpressionError(f"unknown column {name!r}" + (
                    f" (columns: {', '.join(sorted(allowed))})" if allowed else " (a default reads no column)"))
            if name not in used:
                used.append(name)
    return Expression(SafeLiteralStream()(node)), tuple(used)


def parse_any_type(text: str) -> DataType:
    """A supported type via ``parse_type``, otherwise any one type name PostgreSQL's grammar accepts
    (``vector(20)``, ``int4range``, ``public.geometry``), carried by its canonical spelling."""
    try:
        return parse_type(text)
    except UnknownTypeError:
        pass
    try:
        stmts = pglast.parse_sql(f"CREATE TABLE t (c {text})")
    except pglast.parser.ParseError:
        raise UnknownTypeError(text) from None
    elements = stmts[0].stmt.tableElts if len(stmts) == 1 and isinstance(stmts[0].stmt, ast.CreateStmt) else None
    column = elements[0] if elements and len(elements) == 1 else None
    if not isinstance(column, ast.ColumnDef) or column.constraints or column.collClause or column.typeName is None:
        raise UnknownTypeError(text)
    # The brackets stay in the name, as in the catalog's format_type() spelling the inspector reads.
    return DataType(Kind.OTHER, name=SafeLiteralStream()(column.typeName))


def _view_indexes(ctx, v, path) -> list:
    """A materialized view's declared indexes: keys and predicates parsed like a table's (any of the view's
    columns: PostgreSQL itself refuses names the view lacks)."""
    from schemawright.model.schema import Index, IndexElement, IndexMethod, given
    from schemawright.spec.load import format_path

    out = []
    for j, req in enumerate(v.indexes):
        where = (*path, "indexes", j)
        try:
            if req.keys:
                elements = tuple(IndexElement(
                    column=k.column, opclass=k.opclass, collation=k.collation, descending=k.order == "desc",
                    nulls_first=None if k.nulls is None else k.nulls == "first",
                    expression=parse_expression(k.expression, _names_in(k.expression))[0] if k.expression else None)
                    for k in req.keys)
            else:
                elements = tuple(IndexElement(column=c) for c in [*req.columns, *req.equality, *req.range])
            predicate = parse_expression(req.where, _names_in(req.where))[0] if req.where else None
        except ExpressionError as exc:
            ctx.problem(where, f"index {req.name} on view {v.name}: {exc}")
            continue
        if not elements:
            ctx.problem(where, f"index {req.name} on view {v.name}: no keys", expected="columns or keys")
            continue
        out.append(Index(name=req.name, elements=elements, unique=req.unique, method=IndexMethod(req.type),
                         where=predicate, include=tuple(req.include), nulls_not_distinct=req.nulls_not_distinct,
                         comment=req.reason, origin=given(format_path(where))))
    return out


def _names_in(text: str) -> list[str]:
    """The plain column names an expression reads (validated by ``parse_expression`` all the same)."""
    try:
        node = single_expression(text)
    except ExpressionError:
        return []
    return [f.fields[0].sval for f in walk(node) if isinstance(f, ast.ColumnRef) and len(f.fields) == 1
            and isinstance(f.fields[0], ast.String)]


def apply_objects(ctx) -> None:
    """data_model.functions, data_model.views and entity triggers: carried into the model as written,
    after the checks above (one SELECT per view; a function's arguments and result parse as a signature)."""
    from schemawright.design.context import table_name_for
    from schemawright.model.schema import Function, Trigger, View, given
    from schemawright.spec.load import format_path

    dm = ctx.spec.data_model
    if not (dm.views or dm.functions or any(e.triggers for e in dm.entities)):
        return
    if ctx.spec.conventions.strict_expressions:
        ctx.problem(("data_model",), "views, functions and triggers need conventions.strict_expressions: false")
        return
    for i, f in enumerate(dm.functions):
        path = ("data_model", "functions", i)
        problem = _signature_problem(f.arguments, f.returns)
        if problem:  # the body may hold any text: the renderer dollar-quotes it with a tag it lacks
            ctx.problem(path, f"function {f.name}: {problem}")
            continue
        ctx.schema.functions.append(Function(
            name=f.name, schema=f.db_schema or "public", arguments=f.arguments, returns=f.returns, body=f.body,
            language=f.language, volatility=f.volatility.upper(), security_definer=f.security_definer,
            strict=f.strict, leakproof=f.leakproof, parallel=f.parallel.upper(), cost=f.cost, rows=f.rows,
            config=tuple(f.settings) if f.settings is not None else None,
            comment=f.description, origin=given(format_path(path))))
    for i, v in enumerate(dm.views):
        path = ("data_model", "views", i)
        try:
            stmts = pglast.parse_sql(v.query)
        except pglast.parser.ParseError as exc:
            ctx.problem(path + ("query",), f"view {v.name}: not valid SQL ({exc.args[0]})")
            continue
        if len(stmts) != 1 or not isinstance(stmts[0].stmt, ast.SelectStmt):
            ctx.problem(path + ("query",), f"view {v.name}: the query must be one SELECT")
            continue
        depends = sorted({n.relname for n in walk(stmts[0].stmt) if isinstance(n, ast.RangeVar)})
        if v.indexes and not v.materialized:
            ctx.problem(path + ("indexes",), f"view {v.name}: only a materialized view has indexes")
            continue
        if v.options and v.materialized:
            ctx.problem(path + ("options",), f"view {v.name}: a materialized view takes no view options")
            continue
        ctx.schema.views.append(View(name=v.name, schema=v.db_schema or "public", query=SafeLiteralStream()(stmts[0].stmt),
                                     materialized=v.materialized, comment=v.description, depends_on=tuple(depends),
                                     origin=given(format_path(path)),
                                     indexes=_view_indexes(ctx, v, path), cluster_on=v.cluster_on,
                                     options=tuple(v.options)))
        if v.cluster_on is not None and v.cluster_on not in {ix.name for ix in ctx.schema.views[-1].indexes}:
            ctx.problem(path + ("cluster_on",), f"view {v.name}: {v.cluster_on!r} is not one of its indexes")
    for i, entity in enumerate(dm.entities):
        table = ctx.table(table_name_for(entity.name))
        for j, t in enumerate(entity.triggers):
            if table is None or not _QUALIFIED_NAME.match(t.function):
                ctx.problem(("data_model", "entities", i, "triggers", j, "function"),
                            f"trigger {t.name}: {t.function!r} is not a function name")
                continue
            when = None
            if t.when:
                try:  # one expression, nothing else, written back as pglast prints it
                    when = Expression(SafeLiteralStream()(single_expression(t.when)))
                except ExpressionError as exc:
                    ctx.problem(("data_model", "entities", i, "triggers", j, "when"), f"trigger {t.name}: {exc}")
                    continue
            table.triggers.append(Trigger(name=t.name, function=t.function, timing=t.timing.upper(),
                                          events=tuple(e.upper() for e in t.events), for_each=t.for_each.upper(),
                                          when=when, columns=tuple(t.columns),
                                          arguments=tuple(t.arguments),
                                          origin=given(format_path(("data_model", "entities", i, "triggers", j)))))


_QUALIFIED_NAME = re.compile(r"^[\w$]+(\.[\w$]+)?\Z")


def _signature_problem(arguments: str, returns: str) -> str | None:
    """Why ``arguments``/``returns`` are not a plain function signature (they are pasted into DDL)."""
    try:
        stmts = pglast.parse_sql(f"CREATE FUNCTION f({arguments}) RETURNS {returns} LANGUAGE sql AS ''")
    except pglast.parser.ParseError as exc:
        return f"arguments or result are not valid ({exc.args[0]})"
    stmt = stmts[0].stmt if len(stmts) == 1 else None
    if not isinstance(stmt, ast.CreateFunctionStmt) or len(stmt.options or ()) != 2 or len(stmt.funcname) != 1:
        return "arguments and result must be a signature only"
    return None
