"""Static type check of an expression against the final column types: the operands of a comparison
or an arithmetic operator must be of compatible families (numbers with numbers, dates and timestamps
with each other, text with text...). Catches ``valid_to > valid_from`` between text and date, or
``commission_rate <= 0.5`` on a text column, before the server would refuse the migration.
Unknown types (``other``, enums) and anything that is not a bare column or literal are left to the
server (the pre-write check).
"""

from __future__ import annotations

from pglast import ast, parse_sql

from schemawright.model.types import DataType, Kind
from schemawright.pg_ast import walk

FAMILIES = {
    "number": {Kind.SMALLINT, Kind.INTEGER, Kind.BIGINT, Kind.NUMERIC, Kind.REAL, Kind.DOUBLE},
    "time": {Kind.DATE, Kind.TIMESTAMP, Kind.TIMESTAMPTZ},
    "text": {Kind.TEXT, Kind.VARCHAR, Kind.CHAR, Kind.CITEXT},
    "money": {Kind.MONEY},  # money compares with money only (money > 0 does not exist; 0::money does)
}
OPERATORS = {"<", ">", "<=", ">=", "=", "<>", "!=", "+", "-", "*", "/"}


def _family(kind: Kind) -> str | None:
    return next((f for f, kinds in FAMILIES.items() if kind in kinds), None)


def _operand(node, columns: dict[str, DataType]) -> tuple[str, str] | None:
    """(family, label) of a bare column or literal; None when unknown."""
    if isinstance(node, ast.ColumnRef) and len(node.fields) == 1 and isinstance(node.fields[0], ast.String):
        dtype = columns.get(node.fields[0].sval)
        if dtype is None or dtype.array_dims:
            return None
        fam = _family(dtype.kind)
        if fam is None and dtype.kind in (Kind.BOOLEAN, Kind.UUID, Kind.JSONB, Kind.JSON, Kind.INET, Kind.BYTEA):
            fam = dtype.kind.value
        return (fam, f"{node.fields[0].sval} ({dtype})") if fam else None
    if isinstance(node, ast.A_Const) and node.val is not None:
        if isinstance(node.val, (ast.Integer, ast.Float)):
            return "number", "a number"
    return None


def mismatch(text: str, columns: dict[str, DataType]) -> str | None:
    """A description of the first ill-typed operator in ``text``, or None."""
    try:
        tree = parse_sql(f"SELECT {text}")
    except Exception:  # noqa: BLE001 - the expression parser reports syntax errors itself
        return None
    for node in walk(tree):
        if not isinstance(node, ast.A_Expr) or not node.name or len(node.name) != 1:
            continue
        op = node.name[0].sval
        if op not in OPERATORS or node.lexpr is None or node.rexpr is None:
            continue
        left, right = _operand(node.lexpr, columns), _operand(node.rexpr, columns)
        if left is None or right is None or left[0] == right[0]:
            continue
        if op in ("+", "-") and {left[0], right[0]} == {"time", "number"}:
            continue  # date + integer
        if op in ("*", "/") and {left[0], right[0]} == {"money", "number"}:
            continue  # money * 2, money / 2
        return f"{left[1]} {op} {right[1]}: no such operator"
    return None
