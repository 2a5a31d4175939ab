"""Turn user-written CHECK / business-rule expressions and defaults into safe model expressions.

An expression is parsed by PostgreSQL's own parser (pglast) and accepted only when it is exactly one
boolean-shaped expression built from an allow-list of node kinds, reading only the table's own
columns and calling only immutable, well-known functions. The SQL that reaches the model is the
deparse of that checked tree, never the user's text, so no input can smuggle in a second statement,
a sub-query, or a comment.
"""

from __future__ import annotations

import json
import math
from decimal import Decimal, InvalidOperation

import pglast
from pglast import ast
from pglast.stream import RawStream

from schemawright.model.names import quote_literal
from schemawright.model.schema import Expression
from schemawright.model.types import DataType, Kind, UnknownTypeError, parse_type


class ExpressionError(ValueError):
    """The expression is not acceptable; the message says why."""


ALLOWED_FUNCTIONS = frozenset({
    "length", "char_length", "character_length", "octet_length", "lower", "upper", "btrim", "ltrim", "rtrim",
    "trim", "abs", "round", "floor", "ceil", "ceiling", "trunc", "mod", "sign", "greatest", "least",
    "jsonb_typeof", "json_typeof", "jsonb_array_length", "array_length", "cardinality", "position",
    "substring", "substr", "left", "right", "strpos", "starts_with", "date_part", "extract", "isfinite",
    "num_nonnulls", "num_nulls", "regexp_like", "array_position",
})

_BOOLEAN_OPS = {"=", "<>", "!=", "<", ">", "<=", ">=", "~", "~*", "!~", "!~*", "~~", "~~*", "!~~", "!~~*",
                "@>", "<@", "?", "?|", "?&", "&&"}
_VALUE_OPS = {"+", "-", "*", "/", "%", "||", "->", "->>", "#>", "#>>", "^"}
_RANGE_OPS = {"BETWEEN", "NOT BETWEEN", "BETWEEN SYMMETRIC", "NOT BETWEEN SYMMETRIC"}

def _kind_name(node: ast.A_Expr) -> str:
    return getattr(node.kind, "name", str(node.kind))


class _Checker:
    def __init__(self, columns: set[str]):
        self.columns = columns
        self.used: list[str] = []

    def check(self, node) -> None:  # noqa: C901 - one branch per allowed node kind
        if node is None:
            return
        if isinstance(node, tuple):
            for item in node:
                self.check(item)
            return
        if isinstance(node, ast.ColumnRef):
            fields = node.fields
            if len(fields) != 1 or not isinstance(fields[0], ast.String):
                raise ExpressionError("only this table's own columns may be used (no table.column or *)")
            name = fields[0].sval
            if name not in self.columns:
                raise ExpressionError(f"unknown column {name!r} (columns: {', '.join(sorted(self.columns))})")
            if name not in self.used:
                self.used.append(name)
        elif isinstance(node, ast.A_Const):
            return
        elif isinstance(node, ast.A_Expr):
            for part in node.name or ():
                if not isinstance(part, ast.String) or part.sval not in _BOOLEAN_OPS | _VALUE_OPS | _RANGE_OPS:
                    raise ExpressionError(f"operator {getattr(part, 'sval', part)!r} is not allowed")
            self.check(node.lexpr)
            self.check(node.rexpr)
        elif isinstance(node, ast.BoolExpr):
            self.check(node.args)
        elif isinstance(node, (ast.NullTest, ast.BooleanTest)):
            self.check(node.arg)
        elif isinstance(node, ast.TypeCast):
            try:
                parse_type(".".join(s.sval for s in node.typeName.names if s.sval != "pg_catalog"))
            except UnknownTypeError:
                raise ExpressionError("cast to an unsupported type") from None
            self.check(node.arg)
        elif isinstance(node, ast.FuncCall):
            name = ".".join(s.sval for s in node.funcname if s.sval != "pg_catalog")
            if name not in ALLOWED_FUNCTIONS:
                raise ExpressionError(f"function {name!r} is not allowed in a check "
                                      f"(allowed: {', '.join(sorted(ALLOWED_FUNCTIONS))})")
            if node.agg_star or node.over or node.agg_filter or node.agg_order:
                raise ExpressionError("aggregate and window calls are not allowed in a check")
            self.check(node.args)
        elif isinstance(node, (ast.CoalesceExpr, ast.MinMaxExpr)):
            self.check(node.args)
        elif isinstance(node, ast.CaseExpr):
            self.check(node.arg)
            for when in node.args:
                self.check(when.expr)
                self.check(when.result)
            self.check(node.defresult)
        elif isinstance(node, ast.A_ArrayExpr):
            self.check(node.elements)
        elif isinstance(node, ast.SQLValueFunction):
            raise ExpressionError("time-dependent values (CURRENT_DATE, now()...) are not allowed in a check: "
                                  "a row valid today would become invalid tomorrow")
        elif isinstance(node, ast.SubLink):
            raise ExpressionError("sub-queries are not allowed in a check")
        else:
            raise ExpressionError(f"{type(node).__name__} is not allowed in a check")


def _is_boolean_shaped(node) -> bool:
    if isinstance(node, (ast.BoolExpr, ast.NullTest, ast.BooleanTest)):
        return True
    if isinstance(node, ast.A_Expr):
        if _kind_name(node) in ("AEXPR_OP",):
            return node.name[0].sval in _BOOLEAN_OPS
        return _kind_name(node) not in ("AEXPR_NULLIF",)
    if isinstance(node, ast.FuncCall):
        return node.funcname[-1].sval in ("starts_with", "isfinite", "regexp_like")
    return isinstance(node, ast.ColumnRef)  # a boolean column; PostgreSQL type-checks on apply


def parse_check(text: str, columns: set[str]) -> tuple[Expression, tuple[str, ...]]:
    """Validate ``text`` as one boolean expression over ``columns``.

    Returns the canonical expression and the columns it reads, in order of first use.
    """
    if not isinstance(text, str) or not text.strip():
        raise ExpressionError("the expression is empty")
    if "\x00" in text:
        raise ExpressionError("the expression contains a NUL character")
    try:
        stmts = pglast.parse_sql(f"SELECT ({text})")
    except pglast.parser.ParseError as exc:
        raise ExpressionError(f"not a valid SQL expression ({exc.args[0]})") from None
    if len(stmts) != 1:
        raise ExpressionError("only one expression is allowed (found several statements)")
    stmt = stmts[0].stmt
    if (not isinstance(stmt, ast.SelectStmt) or stmt.fromClause or stmt.whereClause or stmt.withClause
            or stmt.op != 0 and getattr(stmt.op, "name", "SETOP_NONE") != "SETOP_NONE"
            or not stmt.targetList or len(stmt.targetList) != 1 or stmt.limitCount or stmt.sortClause
            or stmt.groupClause or stmt.havingClause):
        raise ExpressionError("only one expression is allowed")
    node = stmt.targetList[0].val
    checker = _Checker(columns)
    checker.check(node)
    if not _is_boolean_shaped(node):
        raise ExpressionError("the expression must be a condition (true or false), e.g. price >= 0")
    return Expression(RawStream()(node)), tuple(checker.used)


KNOWN_DEFAULT_FUNCTIONS = {
    "now()": "now()", "current_timestamp": "CURRENT_TIMESTAMP", "current_date": "CURRENT_DATE",
    "gen_random_uuid()": "gen_random_uuid()", "uuid": "gen_random_uuid()", "today": "CURRENT_DATE",
}


def literal_default(value: str | int | float | bool, dtype: DataType) -> Expression:
    """A default as a typed SQL literal (or a known function), validated against the column type."""
    if isinstance(value, str) and value.strip().lower() in KNOWN_DEFAULT_FUNCTIONS:
        fn = KNOWN_DEFAULT_FUNCTIONS[value.strip().lower()]
        if fn == "gen_random_uuid()" and dtype.kind != Kind.UUID:
            raise ExpressionError("gen_random_uuid() needs a uuid column")
        if fn != "gen_random_uuid()" and dtype.kind not in (Kind.TIMESTAMPTZ, Kind.TIMESTAMP, Kind.DATE):
            raise ExpressionError(f"{value} needs a date or timestamp column")
        return Expression(fn)
    if dtype.array_dims:
        if value in ("{}", "[]"):
            return Expression("'{}'")
        raise ExpressionError("array columns accept only an empty-array default ('{}')")
    kind = dtype.kind
    if kind == Kind.BOOLEAN:
        if isinstance(value, bool):
            return Expression("true" if value else "false")
        if str(value).lower() in ("true", "false"):
            return Expression(str(value).lower())
        raise ExpressionError("expected true or false")
    if kind in (Kind.SMALLINT, Kind.INTEGER, Kind.BIGINT):
        if isinstance(value, bool) or not str(value).lstrip("-").isdigit():
            raise ExpressionError("expected a whole number")
        return Expression(str(int(value)))
    if kind in (Kind.NUMERIC, Kind.REAL, Kind.DOUBLE):
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            raise ExpressionError("expected a number") from None
        if isinstance(value, bool) or not number.is_finite() or (isinstance(value, float) and not math.isfinite(value)):
            raise ExpressionError("expected a finite number")
        return Expression(str(number))
    if kind in (Kind.JSON, Kind.JSONB):
        text = value if isinstance(value, str) else json.dumps(value)
        try:
            json.loads(text)
        except ValueError:
            raise ExpressionError("expected a JSON document") from None
        return Expression(f"{quote_literal(text)}::{kind}")
    if isinstance(value, bool):
        raise ExpressionError(f"a boolean default does not fit a {dtype} column")
    text = str(value)
    if dtype.length is not None and len(text) > dtype.length:
        raise ExpressionError(f"default is longer than {dtype}")
    try:
        return Expression(quote_literal(text))
    except ValueError as exc:
        raise ExpressionError(str(exc)) from None
