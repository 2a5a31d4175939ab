"""Spelled-out SQL for inputs with ``conventions.strict_expressions: false`` (what ``schemawright import``
writes): any single scalar expression as a default, check, generated column or index key, and any type
PostgreSQL's grammar accepts.

The text is still parsed by PostgreSQL's parser and only its deparse reaches the model: one expression,
no sub-query, no parameter, no aggregate or window call, no other table's columns; a type is one type
name with its modifiers, nothing more.
"""

from __future__ import annotations

from collections.abc import Iterable

import pglast
from pglast import ast

from schemawright.model.schema import Expression
from schemawright.model.types import DataType, Kind, UnknownTypeError, parse_type
from schemawright.spec.expressions import MAX_EXPRESSION, ExpressionError, _Stream


_CLAUSES = ("fromClause", "whereClause", "withClause", "groupClause", "havingClause", "sortClause", "limitCount",
            "limitOffset", "intoClause", "distinctClause", "windowClause", "lockingClause", "valuesLists")


def parse_expression(text: str, columns: Iterable[str] = ()) -> tuple[Expression, tuple[str, ...]]:
    """Validate ``text`` as one scalar expression reading only ``columns``; returns its canonical text
    and the columns it reads, in order of first use."""
    if not isinstance(text, str) or not text.strip():
        raise ExpressionError("the expression is empty")
    if len(text) > MAX_EXPRESSION:
        raise ExpressionError(f"the expression is longer than {MAX_EXPRESSION:,} characters")
    try:
        stmts = pglast.parse_sql(f"SELECT (\n{text}\n)")
    except pglast.parser.ParseError as exc:
        raise ExpressionError(f"not a valid SQL expression ({exc.args[0]})") from None
    except RecursionError:
        raise ExpressionError("the expression is nested too deeply") from None
    stmt = stmts[0].stmt if len(stmts) == 1 else None
    if (not isinstance(stmt, ast.SelectStmt) or not stmt.targetList or len(stmt.targetList) != 1
            or stmt.targetList[0].name or any(getattr(stmt, clause, None) for clause in _CLAUSES)):
        raise ExpressionError("only one expression is allowed")
    node = stmt.targetList[0].val
    allowed, used = set(columns), []
    for found in _walk(node):
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
    return Expression(_Stream()(node)), tuple(used)


def _walk(node):
    """Every node below ``node`` (itself included)."""
    if isinstance(node, tuple):
        for item in node:
            yield from _walk(item)
    elif isinstance(node, ast.Node):
        yield node
        for member in node:
            yield from _walk(getattr(node, member))


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
    return DataType(Kind.OTHER, name=_Stream()(column.typeName))
