"""What a table's CHECK constraints say about each column's values, read from the parsed expressions.

Only the top-level AND-ed parts are read: ``col IN (...)``, ``col >= 0``, ``col BETWEEN 1 AND 5``,
``col ~ 'regex'``, ``col_a < col_b`` (an order between two columns) and ``col = a + b`` (a derived
value). Anything else is left to the server: a sample is validated before the bulk load and the
generators of a failing check's columns are repaired from values PostgreSQL accepts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache

import pglast
from pglast import ast
from pglast.enums import A_Expr_Kind, BoolExprType

from schemawright.model.schema import Table

_FLIP = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "=": "="}


@dataclass
class ColumnRules:
    values: list[str] | None = None  # allowed values (IN list)
    lo: Decimal | None = None
    lo_strict: bool = False
    hi: Decimal | None = None
    hi_strict: bool = False
    patterns: list[tuple[str, bool]] = field(default_factory=list)  # (regex, case-insensitive)
    after: list[tuple[str, bool]] = field(default_factory=list)  # (other column, strictly) this must exceed
    derived: ast.Node | None = None  # col = <arithmetic over other columns>
    differs: list[str] = field(default_factory=list)  # other columns this one must differ from (a <> b)


def _column(node) -> str | None:
    if isinstance(node, ast.ColumnRef) and isinstance(node.fields[-1], ast.String):
        return node.fields[-1].sval
    if isinstance(node, ast.TypeCast):
        return _column(node.arg)
    return None


def _const(node):
    if isinstance(node, ast.TypeCast):
        return _const(node.arg)
    if isinstance(node, ast.A_Const) and not node.isnull:
        val = node.val
        if isinstance(val, ast.Integer):
            return Decimal(val.ival)
        if isinstance(val, ast.Float):
            return Decimal(val.fval)
        if isinstance(val, ast.String):
            return val.sval
    if isinstance(node, ast.A_Expr) and node.kind == A_Expr_Kind.AEXPR_OP and node.lexpr is None:
        inner = _const(node.rexpr)  # unary minus
        if isinstance(inner, Decimal) and node.name[0].sval == "-":
            return -inner
    return None


def _conjuncts(node):
    if isinstance(node, ast.BoolExpr) and node.boolop == BoolExprType.AND_EXPR:
        for arg in node.args:
            yield from _conjuncts(arg)
    else:
        yield node


def _bound(rules: ColumnRules, op: str, value: Decimal) -> None:
    if op in (">", ">="):
        if rules.lo is None or value >= rules.lo:
            rules.lo, rules.lo_strict = value, op == ">"
    elif op in ("<", "<="):
        if rules.hi is None or value <= rules.hi:
            rules.hi, rules.hi_strict = value, op == "<"
    elif op == "=":
        rules.lo = rules.hi = value


@lru_cache(maxsize=4096)
def _check_tree(expression: str) -> ast.Node | None:
    """The parsed expression of a check (None if it does not parse), once per distinct text: the
    same checks recur on many tables. The tree is shared: read it, never change it."""
    try:
        return pglast.parse_sql(f"SELECT {expression}")[0].stmt.targetList[0].val
    except pglast.parser.ParseError:
        return None


def table_rules(table: Table) -> dict[str, ColumnRules]:
    """Column name -> what the table's checks require of it."""
    out: dict[str, ColumnRules] = {}

    def rules(col: str) -> ColumnRules:
        return out.setdefault(col, ColumnRules())

    for check in table.checks:
        tree = _check_tree(str(check.expression))
        if tree is None:
            continue
        for part in _conjuncts(tree):
            if not isinstance(part, ast.A_Expr):
                continue
            left, right = _column(part.lexpr), _column(part.rexpr) if not isinstance(part.rexpr, tuple) else None
            if part.kind == A_Expr_Kind.AEXPR_IN and left:
                vals = [_const(v) for v in part.rexpr]
                if all(v is not None for v in vals):
                    rules(left).values = [str(v) for v in vals]
            elif part.kind in (A_Expr_Kind.AEXPR_BETWEEN,) and left:
                lo, hi = (_const(v) for v in part.rexpr)
                if isinstance(lo, Decimal) and isinstance(hi, Decimal):
                    _bound(rules(left), ">=", lo)
                    _bound(rules(left), "<=", hi)
            elif part.kind == A_Expr_Kind.AEXPR_OP:
                op = part.name[-1].sval
                if op in ("~", "~*") and left and isinstance(_const(part.rexpr), str):
                    rules(left).patterns.append((_const(part.rexpr), op == "~*"))
                elif op in _FLIP:
                    _comparison(part, op, left, right, rules)
                elif op in ("<>", "!=") and left and right and left != right:
                    rules(left).differs.append(right)
                    rules(right).differs.append(left)
    return out


def _comparison(part: ast.A_Expr, op: str, left, right, rules) -> None:
    lconst, rconst = _const(part.lexpr), _const(part.rexpr)
    if left and isinstance(rconst, Decimal):
        _bound(rules(left), op, rconst)
    elif right and isinstance(lconst, Decimal):
        _bound(rules(right), _FLIP[op], lconst)
    elif left and right and op != "=":
        big, small = (left, right) if op in (">", ">=") else (right, left)
        rules(big).after.append((small, op in (">", "<")))
    elif op == "=" and left and right is None and lconst is None and rconst is None:
        rules(left).derived = part.rexpr
    elif op == "=" and right and left is None and lconst is None:
        rules(right).derived = part.lexpr


def derived_columns(node) -> list[str]:
    """Columns an arithmetic expression reads."""
    found: list[str] = []

    def walk(n):
        col = _column(n)
        if col:
            found.append(col)
        elif isinstance(n, ast.A_Expr):
            walk(n.lexpr) if n.lexpr is not None else None
            walk(n.rexpr)

    walk(node)
    return found


def evaluate(node, row: dict[str, Decimal]) -> Decimal:
    """Value of an arithmetic expression (+ - * / over columns and constants)."""
    col = _column(node)
    if col:
        return row[col]
    const = _const(node)
    if isinstance(const, Decimal):
        return const
    if isinstance(node, ast.A_Expr) and node.kind == A_Expr_Kind.AEXPR_OP:
        op = node.name[-1].sval
        right = evaluate(node.rexpr, row)
        if node.lexpr is None:
            return -right if op == "-" else right
        left = evaluate(node.lexpr, row)
        return {"+": left + right, "-": left - right, "*": left * right, "/": left / right}[op]
    raise ValueError("not an arithmetic expression")


def admits(bounds: ColumnRules | None, value: Decimal) -> bool:
    """Whether ``value`` is within the bounds a table's checks put on a column (``table_rules``)."""
    if bounds is None:
        return True
    if bounds.values is not None and str(value) not in bounds.values:
        return False
    if bounds.lo is not None and (value < bounds.lo or (bounds.lo_strict and value == bounds.lo)):
        return False
    return not (bounds.hi is not None and (value > bounds.hi or (bounds.hi_strict and value == bounds.hi)))
