"""Turn user-written CHECK / business-rule expressions and defaults into safe model expressions.

An expression is parsed by PostgreSQL's own parser (pglast) and accepted only when it is exactly one
boolean-shaped expression built from an allow-list of node kinds, reading only the table's own
columns and calling only immutable, well-known functions. The SQL that reaches the model is the
deparse of that checked tree, never the user's text, so no input can smuggle in a second statement,
a sub-query, or a comment.
"""

from __future__ import annotations

import datetime
import ipaddress
import json
import math
import re
import uuid
from collections.abc import Iterable, Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any
from xml.etree import ElementTree

import pglast
from pglast import ast
from pglast.enums import A_Expr_Kind
from pglast.stream import RawStream

from schemawright.model.names import is_reserved, quote_literal
from schemawright.model.schema import Expression
from schemawright.model.types import DataType, Kind, UnknownTypeError, parse_type


class ExpressionError(ValueError):
    """The expression is not acceptable; the message says why."""


MAX_EXPRESSION = 10_000  # characters; a real check is a line or two

ALLOWED_FUNCTIONS = frozenset({
    "length", "char_length", "character_length", "octet_length", "lower", "upper", "btrim", "ltrim", "rtrim",
    "trim", "abs", "round", "floor", "ceil", "ceiling", "trunc", "mod", "sign", "greatest", "least",
    "jsonb_typeof", "json_typeof", "jsonb_array_length", "array_length", "cardinality", "position",
    "substring", "substr", "left", "right", "strpos", "starts_with", "date_part", "extract", "isfinite",
    "num_nonnulls", "num_nulls", "regexp_like", "array_position", "similar_to_escape",
})
_BOOLEAN_FUNCTIONS = frozenset({"starts_with", "isfinite", "regexp_like"})

_BOOLEAN_OPS = {"=", "<>", "!=", "<", ">", "<=", ">=", "~", "~*", "!~", "!~*", "~~", "~~*", "!~~", "!~~*",
                "@>", "<@", "?", "?|", "?&", "&&"}
_VALUE_OPS = {"+", "-", "*", "/", "%", "||", "->", "->>", "#>", "#>>", "^"}
_RANGE_OPS = {"BETWEEN", "NOT BETWEEN", "BETWEEN SYMMETRIC", "NOT BETWEEN SYMMETRIC"}

# What an expression evaluates to, as far as can be told without the database.
BOOL, OTHER, UNKNOWN = "boolean", "other", "unknown"


class SafeLiteralStream(RawStream):
    """pglast's deparser, writing string constants with ``quote_literal``: a constant holding a
    backslash becomes ``E'...'``, which means the same whatever ``standard_conforming_strings`` is."""

    def write_quoted_string(self, s: str) -> None:
        self.write(quote_literal(s))


def _combine(results: list[str]) -> str:
    if not results:
        return UNKNOWN
    if OTHER in results:
        return OTHER
    return BOOL if all(r == BOOL for r in results) else UNKNOWN


class _Checker:
    def __init__(self, columns: set[str] | Mapping[str, DataType]):
        self.columns = set(columns)
        self.types: Mapping[str, DataType] | None = columns if isinstance(columns, Mapping) else None
        self.used: list[str] = []

    def condition(self, node, what: str) -> None:
        """``node`` stands where a condition is needed (AND/OR/NOT operands, WHEN, IS TRUE...)."""
        if self.result(node) == OTHER:
            raise ExpressionError(f"{what} must be a condition (true or false), not a value")

    def result(self, node) -> str:
        """Check ``node`` against the allow-list and say what it evaluates to."""
        if node is None:
            return UNKNOWN
        if isinstance(node, tuple):
            return _combine([self.result(item) for item in node])
        if isinstance(node, ast.ColumnRef):
            fields = node.fields
            if len(fields) != 1 or not isinstance(fields[0], ast.String):
                raise ExpressionError("only this table's own columns may be used (no table.column or *)")
            name = fields[0].sval
            if name not in self.columns:
                raise ExpressionError(f"unknown column {name!r} (columns: {', '.join(sorted(self.columns))})")
            if name not in self.used:
                self.used.append(name)
            if self.types is None:
                return UNKNOWN
            dtype = self.types[name]
            return BOOL if dtype.kind == Kind.BOOLEAN and not dtype.array_dims else OTHER
        if isinstance(node, ast.A_Const):
            if node.isnull:
                return UNKNOWN
            return BOOL if isinstance(node.val, ast.Boolean) else OTHER
        if isinstance(node, ast.A_Expr):
            for part in node.name or ():
                if not isinstance(part, ast.String) or part.sval not in _BOOLEAN_OPS | _VALUE_OPS | _RANGE_OPS:
                    raise ExpressionError(f"operator {getattr(part, 'sval', part)!r} is not allowed")
            self.result(node.lexpr)
            self.result(node.rexpr)
            kind = node.kind
            if kind == A_Expr_Kind.AEXPR_OP:
                if node.lexpr is None or len(node.name) != 1:
                    return OTHER  # a prefix operator (-x)
                return BOOL if node.name[0].sval in _BOOLEAN_OPS else OTHER
            if kind == A_Expr_Kind.AEXPR_NULLIF:
                return UNKNOWN
            return BOOL  # IN, LIKE, SIMILAR TO, BETWEEN, IS DISTINCT FROM, = ANY(...)
        if isinstance(node, ast.BoolExpr):
            word = getattr(node.boolop, "name", "").removesuffix("_EXPR")
            for arg in node.args:
                self.condition(arg, f"each side of {word}")
            return BOOL
        if isinstance(node, ast.NullTest):
            self.result(node.arg)
            return BOOL
        if isinstance(node, ast.BooleanTest):
            self.condition(node.arg, "the operand of IS TRUE / IS FALSE / IS UNKNOWN")
            return BOOL
        if isinstance(node, ast.TypeCast):
            parts = node.typeName.names or ()
            if not all(isinstance(p, ast.String) for p in parts):
                raise ExpressionError("cast to an unsupported type")
            names = [p.sval for p in parts]
            if len(names) == 2 and names[0] == "pg_catalog":
                names = names[1:]
            if len(names) != 1 or node.typeName.setof or node.typeName.pct_type:
                raise ExpressionError(f"cast to an unsupported type {'.'.join(names)!r}")
            try:
                dtype = parse_type(names[0])
            except UnknownTypeError:
                raise ExpressionError(f"cast to an unsupported type {names[0]!r}") from None
            self.result(node.typeName.typmods)
            self.result(node.arg)
            return BOOL if dtype.kind == Kind.BOOLEAN and not node.typeName.arrayBounds else OTHER
        if isinstance(node, ast.FuncCall):
            if not all(isinstance(s, ast.String) for s in node.funcname):
                raise ExpressionError("function names must be plain names")
            name = ".".join(s.sval for s in node.funcname if s.sval != "pg_catalog")
            if name not in ALLOWED_FUNCTIONS:
                raise ExpressionError(f"function {name!r} is not allowed in a check "
                                      f"(allowed: {', '.join(sorted(ALLOWED_FUNCTIONS - {'similar_to_escape'}))})")
            if node.agg_star or node.over or node.agg_filter or node.agg_order or node.agg_distinct \
                    or node.agg_within_group or node.func_variadic:
                raise ExpressionError("aggregate, window and VARIADIC calls are not allowed in a check")
            self.result(node.args)
            return BOOL if name in _BOOLEAN_FUNCTIONS else OTHER
        if isinstance(node, ast.CoalesceExpr):
            return _combine([self.result(arg) for arg in node.args])
        if isinstance(node, ast.MinMaxExpr):
            return _combine([self.result(arg) for arg in node.args])
        if isinstance(node, ast.CaseExpr):
            self.result(node.arg)
            results = []
            for when in node.args:
                if node.arg is None:
                    self.condition(when.expr, "each WHEN of a CASE")
                else:
                    self.result(when.expr)
                results.append(self.result(when.result))
            if node.defresult is not None:
                results.append(self.result(node.defresult))
            return _combine(results)
        if isinstance(node, ast.A_ArrayExpr):
            self.result(node.elements)
            return OTHER
        if isinstance(node, ast.SQLValueFunction):
            raise ExpressionError("time-dependent values (CURRENT_DATE, now()...) are not allowed in a check: "
                                  "a row valid today would become invalid tomorrow")
        if isinstance(node, ast.SubLink):
            raise ExpressionError("sub-queries are not allowed in a check")
        if isinstance(node, ast.ParamRef):
            raise ExpressionError("parameters ($1) are not allowed in a check")
        raise ExpressionError(f"{type(node).__name__} is not allowed in a check")

    def check(self, node) -> None:
        self.result(node)


def _scan_problem(text: str) -> str | None:
    """Refuse what could only be an attempt to break out of the expression: ``;`` or unbalanced ``)``."""
    try:
        tokens = pglast.parser.scan(text)
    except pglast.parser.ParseError as exc:
        return f"not a valid SQL expression ({exc.args[0]})"
    if any(token.name == "ASCII_59" for token in tokens):
        return "only one expression is allowed (';' ends a statement)"
    depth = 0
    for token in tokens:
        if token.name == "ASCII_40":
            depth += 1
        elif token.name == "ASCII_41":
            depth -= 1
            if depth < 0:
                return "unbalanced parentheses: ')' closes a parenthesis that was never opened"
    if depth > 0:
        return "unbalanced parentheses: a '(' is never closed"
    return None


def _reserved_hint(text: str, columns) -> str:
    words = set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", text))
    reserved = sorted(c for c in columns if is_reserved(c) and (c in words or c.upper() in words))
    return f"; write reserved words in double quotes: {', '.join(repr(chr(34) + c + chr(34)) for c in reserved)}" \
        if reserved else ""


_CLAUSES = ("fromClause", "whereClause", "withClause", "groupClause", "havingClause", "sortClause", "limitCount",
            "limitOffset", "intoClause", "distinctClause", "windowClause", "lockingClause", "valuesLists")


def single_expression(text: str, columns: Iterable[str] = ()) -> ast.Node:
    """The parse tree of ``text`` when it is exactly one SQL expression (no statement, clause, comment
    trick or second statement); ExpressionError otherwise. ``columns`` only improve the error hint."""
    if not isinstance(text, str) or not text.strip():
        raise ExpressionError("the expression is empty")
    if "\x00" in text:
        raise ExpressionError("the expression contains a NUL character")
    if len(text) > MAX_EXPRESSION:
        raise ExpressionError(f"the expression is longer than {MAX_EXPRESSION:,} characters")
    problem = _scan_problem(text)
    if problem:
        raise ExpressionError(problem)
    try:
        # The newline keeps a trailing "-- comment" from swallowing the closing parenthesis.
        stmts = pglast.parse_sql(f"SELECT (\n{text}\n)")
    except pglast.parser.ParseError as exc:
        raise ExpressionError(f"not a valid SQL expression ({exc.args[0]}){_reserved_hint(text, columns)}") from None
    except RecursionError:
        raise ExpressionError("the expression is nested too deeply") from None
    if len(stmts) != 1:
        raise ExpressionError("only one expression is allowed (found several statements)")
    stmt = stmts[0].stmt
    if (not isinstance(stmt, ast.SelectStmt) or getattr(stmt.op, "name", stmt.op) not in ("SETOP_NONE", 0)
            or not stmt.targetList or len(stmt.targetList) != 1 or stmt.targetList[0].name
            or any(getattr(stmt, clause, None) for clause in _CLAUSES)):
        raise ExpressionError("only one expression is allowed")
    return stmt.targetList[0].val


def parse_check(text: str, columns: set[str] | Mapping[str, DataType]) -> tuple[Expression, tuple[str, ...]]:
    """Validate ``text`` as one boolean expression over ``columns``.

    ``columns`` is the set of the table's column names, or a mapping of name -> DataType (then a bare
    non-boolean column such as ``price`` is refused as "not a condition" too).
    Returns the canonical expression (pglast's deparse of the checked tree: comments, extra
    parentheses and spacing are gone) and the columns it reads, in order of first use.
    """
    node = single_expression(text, columns)
    checker = _Checker(columns)
    try:
        result = checker.result(node)
        sql = SafeLiteralStream()(node)
    except RecursionError:
        raise ExpressionError("the expression is nested too deeply") from None
    if result == OTHER:
        raise ExpressionError("the expression must be a condition (true or false), e.g. price >= 0")
    return Expression(sql), tuple(checker.used)


KNOWN_DEFAULT_FUNCTIONS = {
    "now()": "now()", "now": "now()", "current_timestamp": "CURRENT_TIMESTAMP", "current_date": "CURRENT_DATE",
    "gen_random_uuid()": "gen_random_uuid()", "uuid": "gen_random_uuid()", "today": "CURRENT_DATE",
}

_INTEGER_RANGES = {Kind.SMALLINT: 2 ** 15, Kind.INTEGER: 2 ** 31, Kind.BIGINT: 2 ** 63}
_WHOLE_RE = re.compile(r"[+-]?[0-9]+")
_NUMBER_RE = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_UUID_RE = re.compile(r"\{?[0-9a-fA-F]{8}-?(?:[0-9a-fA-F]{4}-?){3}[0-9a-fA-F]{12}\}?")
_MAC_RE = re.compile(r"[0-9A-Fa-f]{2}(?:[:-][0-9A-Fa-f]{2}){5}|[0-9A-Fa-f]{4}(?:\.[0-9A-Fa-f]{4}){2}")
_BYTEA_RE = re.compile(r"\\x(?:[0-9a-fA-F]{2})*")
_INTERVAL_UNITS = (r"(?:microseconds?|us|milliseconds?|ms|seconds?|secs?|s|minutes?|mins?|m|hours?|hrs?|h|"
                   r"days?|d|weeks?|w|months?|mons?|years?|yrs?|y|decades?|centur(?:y|ies)|millenni(?:um|a))")
_INTERVAL_RE = re.compile(
    r"@?\s*(?:[+-]?[0-9]+(?:\.[0-9]+)?\s*" + _INTERVAL_UNITS + r"\s*)+(?:ago)?"
    r"|[+-]?[0-9]+:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?"
    r"|P(?:[0-9]+(?:\.[0-9]+)?[YMWD])*(?:T(?:[0-9]+(?:\.[0-9]+)?[HMS])+)?", re.IGNORECASE)
_INFINITIES = ("infinity", "-infinity")


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer() and math.isfinite(value):
        return str(int(value))
    return value.strip() if isinstance(value, str) else str(value)


def _whole(value: Any, dtype: DataType) -> Expression:
    if isinstance(value, bool) or isinstance(value, float) and not (math.isfinite(value) and value.is_integer()):
        raise ExpressionError("expected a whole number")
    text = _text(value)
    if not _WHOLE_RE.fullmatch(text):
        raise ExpressionError("expected a whole number")
    number = int(text)
    limit = _INTEGER_RANGES[dtype.kind]
    if not -limit <= number < limit:
        raise ExpressionError(f"{number} is out of range for {dtype.kind} ({-limit} to {limit - 1})")
    return Expression(str(number))


def _number(value: Any, dtype: DataType) -> Expression:
    if isinstance(value, bool) or isinstance(value, float) and not math.isfinite(value):
        raise ExpressionError("expected a finite number")
    text = repr(value) if isinstance(value, float) else _text(value)
    if not _NUMBER_RE.fullmatch(text):
        raise ExpressionError("expected a number")
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ExpressionError("expected a number") from None
    if dtype.kind in (Kind.REAL, Kind.DOUBLE):
        limit = 3.4028234e38 if dtype.kind == Kind.REAL else 1.7976931348623157e308
        if not math.isfinite(float(number)) or abs(float(number)) > limit:
            raise ExpressionError(f"{text} is out of range for {dtype}")
    if dtype.kind == Kind.NUMERIC and dtype.precision is not None:
        scale = dtype.scale or 0
        rounded = number.quantize(Decimal(1).scaleb(-scale), rounding=ROUND_HALF_UP) if scale >= 0 else number
        if abs(rounded) >= Decimal(10) ** (dtype.precision - scale):
            raise ExpressionError(f"{text} does not fit {dtype} (at most {dtype.precision - scale} digit(s) "
                                  "before the decimal point)")
    if abs(number.adjusted()) > 1000:
        raise ExpressionError(f"{text} is out of range")
    return Expression(format(number, "f"))


def _temporal(text: str, dtype: DataType) -> str:
    kind = dtype.kind
    if kind in (Kind.DATE, Kind.TIMESTAMP, Kind.TIMESTAMPTZ) and text.lower() in _INFINITIES:
        return text.lower()
    try:
        if kind == Kind.DATE:
            return datetime.date.fromisoformat(text).isoformat()
        if kind in (Kind.TIME, Kind.TIMETZ):
            datetime.time.fromisoformat(text)
            return text
        datetime.datetime.fromisoformat(text)
        return text
    except ValueError:
        example = {Kind.DATE: "2024-01-31", Kind.TIME: "13:45:00", Kind.TIMETZ: "13:45:00+00:00"}.get(
            kind, "2024-01-31 13:45:00+00")
        raise ExpressionError(f"expected an ISO 8601 {'date' if kind == Kind.DATE else 'value'} such as "
                              f"{example!r} (or now/today)") from None


def _typed_text(text: str, dtype: DataType) -> str:
    """Validate a literal for the non-text kinds PostgreSQL checks when the table is created."""
    kind = dtype.kind
    if kind in (Kind.DATE, Kind.TIME, Kind.TIMETZ, Kind.TIMESTAMP, Kind.TIMESTAMPTZ):
        return _temporal(text, dtype)
    if kind == Kind.UUID:
        if not _UUID_RE.fullmatch(text):
            raise ExpressionError("expected a UUID such as '123e4567-e89b-12d3-a456-426614174000' (or uuid)")
        return str(uuid.UUID(text.strip("{}")))
    if kind in (Kind.INET, Kind.CIDR):
        try:
            if kind == Kind.CIDR:
                return str(ipaddress.ip_network(text, strict=True))
            ipaddress.ip_interface(text)
            return text
        except ValueError:
            raise ExpressionError(f"expected an IP {'network' if kind == Kind.CIDR else 'address'} such as "
                                  f"{'10.0.0.0/8' if kind == Kind.CIDR else '192.0.2.1'!r}") from None
    if kind == Kind.MACADDR:
        if not _MAC_RE.fullmatch(text):
            raise ExpressionError("expected a MAC address such as '08:00:2b:01:02:03'")
        return text
    if kind == Kind.INTERVAL:
        if not _INTERVAL_RE.fullmatch(text):
            raise ExpressionError("expected an interval such as '30 days', '1 hour 30 minutes' or 'P1Y2M'")
        return text
    if kind == Kind.BYTEA:
        if not _BYTEA_RE.fullmatch(text):
            raise ExpressionError(r"expected bytes in hex form, such as '\x0123ab'")
        return text
    if kind == Kind.XML:
        try:
            ElementTree.fromstring(f"<r>{text}</r>")
        except ElementTree.ParseError:
            raise ExpressionError("expected well-formed XML") from None
        return text
    if kind == Kind.TSVECTOR:
        if text:
            raise ExpressionError("a tsvector is computed from text (to_tsvector); only '' can be a default")
        return text
    if kind == Kind.MONEY:
        return str(_number(text, DataType(Kind.NUMERIC)))
    return text


def literal_default(value: Any, dtype: DataType, allowed: Sequence[str] | None = None) -> Expression:
    """A default as a typed SQL literal (or a known function), validated against the column type.

    ``allowed``: the column's allowed values (an enum's labels, or ``values`` on a text column); a
    default outside them would make every insert that relies on it fail.
    Strings reach the SQL only through ``quote_literal``; numbers and booleans are re-rendered from
    their parsed value, never copied.
    """
    if isinstance(value, str) and "\x00" in value:
        raise ExpressionError("NUL characters cannot be stored in PostgreSQL text")
    if isinstance(value, str) and value.strip().lower() in KNOWN_DEFAULT_FUNCTIONS:
        fn = KNOWN_DEFAULT_FUNCTIONS[value.strip().lower()]
        if fn == "gen_random_uuid()" and dtype.kind != Kind.UUID:
            raise ExpressionError("gen_random_uuid() needs a uuid column")
        if fn != "gen_random_uuid()" and dtype.kind not in (Kind.TIMESTAMPTZ, Kind.TIMESTAMP, Kind.DATE):
            raise ExpressionError(f"{value} needs a date or timestamp column")
        if dtype.array_dims:
            raise ExpressionError(f"{value} does not fit an array column")
        return Expression(fn)
    kind = dtype.kind
    if dtype.array_dims:
        if value in ("{}", "[]") or value == []:
            return Expression("'{}'")
        raise ExpressionError("array columns accept only an empty-array default ('{}' or [])")
    if kind in (Kind.JSON, Kind.JSONB):
        try:
            if isinstance(value, str):
                json.loads(value)
                text = value
            else:
                text = json.dumps(value, ensure_ascii=False, allow_nan=False)
        except (ValueError, TypeError, RecursionError):
            raise ExpressionError("expected a JSON document") from None
        try:
            return Expression(f"{quote_literal(text)}::{kind}")
        except ValueError as exc:
            raise ExpressionError(str(exc)) from None
    if isinstance(value, (dict, list)):
        raise ExpressionError(f"an object or list default needs a json or jsonb column, not {dtype}")
    if kind == Kind.BOOLEAN:
        if isinstance(value, bool):
            return Expression("true" if value else "false")
        if isinstance(value, str) and value.strip().lower() in ("true", "false"):
            return Expression(value.strip().lower())
        raise ExpressionError("expected true or false")
    if isinstance(value, bool):
        raise ExpressionError(f"a boolean default does not fit a {dtype} column")
    if allowed is not None:
        wanted = value if isinstance(value, str) else _text(value)
        if wanted not in allowed:
            raise ExpressionError(f"{wanted!r} is not one of the allowed values ({', '.join(map(repr, allowed))})")
    if kind in _INTEGER_RANGES:
        return _whole(value, dtype)
    if kind in (Kind.NUMERIC, Kind.REAL, Kind.DOUBLE):
        return _number(value, dtype)
    text = value if isinstance(value, str) else _text(value)
    if kind not in (Kind.TEXT, Kind.VARCHAR, Kind.CHAR, Kind.CITEXT, Kind.ENUM, Kind.OTHER):
        text = _typed_text(text.strip(), dtype)
    if dtype.length is not None and len(text) > dtype.length:
        raise ExpressionError(f"default is {len(text)} characters, longer than {dtype}")
    try:
        return Expression(quote_literal(text))
    except ValueError as exc:
        raise ExpressionError(str(exc)) from None
