"""PostgreSQL renders the cleanup steps a user asked for (``diff --cleanup FILE``): the data change that makes
the rows satisfy a tightening, placed just before the step that would refuse them (in the same transaction
when that step runs in one; a UNIQUE built CONCURRENTLY runs alone, so its cleanup commits just before it).

Names are quoted, values are literals, expressions are the deparse of PostgreSQL's parse tree.
"""

from __future__ import annotations

from schemawright.dialects.base import Step
from schemawright.dialects.postgres import qualified
from schemawright.model.cleanup import CleanupRule
from schemawright.model.names import quote_ident as q
from schemawright.model.names import quote_literal
from schemawright.model.types import DataType, Kind

_INT_BOUNDS = {Kind.SMALLINT: (-32768, 32767), Kind.INTEGER: (-2147483648, 2147483647),
               Kind.BIGINT: (-9223372036854775808, 9223372036854775807)}
_LENGTHED = (Kind.VARCHAR, Kind.CHAR, Kind.TEXT, Kind.CITEXT)


def misfit_sql(column: str, old: DataType, new: DataType) -> str | None:
    """A predicate, true for the rows whose ``column`` (quoted) the narrower type ``new`` cannot hold as it is,
    that cannot itself fail: a longer text, an integer out of range, a number with more digits or decimals
    than numeric(p, s) keeps. None for another narrowing (the caller compares the cast's text)."""
    if old.array_dims or new.array_dims:
        return None
    if new.kind in (Kind.VARCHAR, Kind.CHAR) and new.length is not None and old.kind in _LENGTHED:
        return f"length({column}) > {new.length}"
    if new.kind in _INT_BOUNDS and old.kind in _INT_BOUNDS:
        low, high = _INT_BOUNDS[new.kind]
        return f"{column} NOT BETWEEN {low} AND {high}"
    if new.kind == Kind.NUMERIC and new.precision is not None and (old.kind in _INT_BOUNDS or old.kind == Kind.NUMERIC):
        scale = new.scale or 0
        rounded = f"round({column}::numeric, {scale})"
        return f"({rounded} <> {column} OR abs({rounded}) >= 1e{new.precision - scale})"
    return None


def cleanup_steps(rule: CleanupRule, tightens: tuple) -> list[Step]:
    kind = tightens[0]
    if kind == "not_null":
        _, schema, table, column = tightens
        name = qualified(schema, table)
        return [Step(f"UPDATE {name} SET {q(column)} = {rule.fill} WHERE {q(column)} IS NULL;",
                     warning=f"cleanup ({rule.where}): existing NULLs of {name}.{q(column)} become {rule.fill}")]
    if kind == "new_not_null":  # replaces the ADD COLUMN: nullable, filled, then NOT NULL
        _, schema, table, column, nullable_sql = tightens
        name = qualified(schema, table)
        return [Step(f"ALTER TABLE {name} ADD COLUMN {nullable_sql};"),
                Step(f"UPDATE {name} SET {q(column)} = {rule.fill};",
                     warning=f"cleanup ({rule.where}): existing rows of {name} get {q(column)} = {rule.fill} (the "
                             "whole table is rewritten under the ADD COLUMN's ACCESS EXCLUSIVE lock)"),
                Step(f"ALTER TABLE {name} ALTER COLUMN {q(column)} SET NOT NULL;")]
    if kind == "check":
        _, schema, table, constraint, columns, expression = tightens
        name = qualified(schema, table)
        if rule.kind == "values":
            return _rewrite_values(rule, name, rule.column)
        if rule.delete:
            return [Step(f"DELETE FROM {name} WHERE NOT ({expression});",
                         warning=f"cleanup ({rule.where}): DELETES the rows of {name} that violate {q(constraint)} "
                                 "(rows referencing them follow their foreign keys' ON DELETE action)")]
        sets = ", ".join(f"{q(c)} = {e}" for c, e in rule.set.items())
        return [Step(f"UPDATE {name} SET {sets} WHERE NOT ({expression});",
                     warning=f"cleanup ({rule.where}): the rows of {name} that violate {q(constraint)} get {sets}")]
    if kind == "unique":
        _, schema, table, constraint, columns, nulls_not_distinct = tightens
        name = qualified(schema, table)
        cols = ", ".join(q(c) for c in columns)
        present = "" if nulls_not_distinct else " WHERE " + " AND ".join(f"{q(c)} IS NOT NULL" for c in columns)
        direction = " DESC NULLS LAST" if rule.keep == "latest" else " ASC NULLS LAST"
        order = ", ".join(f"{e}{direction}" for e in rule.order_by)
        sql = (f"DELETE FROM {name} AS t USING (\n    SELECT tableoid, ctid, row_number() OVER (PARTITION BY {cols} "
               f"ORDER BY {order}) AS n\n    FROM {name}{present}\n) AS d\n"
               "WHERE t.tableoid = d.tableoid AND t.ctid = d.ctid AND d.n > 1;")
        return [Step(sql, warning=f"cleanup ({rule.where}): DELETES the duplicates of {name} ({cols}), keeping the "
                                  f"{rule.keep} of each by {', '.join(rule.order_by)} (rows referencing the deleted "
                                  "ones follow their foreign keys' ON DELETE action)")]
    if kind == "type":
        _, schema, table, column, misfit, target = tightens
        name = qualified(schema, table)
        if rule.delete:
            return [Step(f"DELETE FROM {name} WHERE {misfit};",
                         warning=f"cleanup ({rule.where}): DELETES the rows of {name} whose {q(column)} does not fit "
                                 f"{target} (rows referencing them follow their foreign keys' ON DELETE action)")]
        return [Step(f"UPDATE {name} SET {q(column)} = {rule.fill} WHERE {misfit};",
                     warning=f"cleanup ({rule.where}): the values of {name}.{q(column)} that do not fit {target} "
                             f"become {rule.fill}")]
    if kind == "enum":
        _, schema, enum, uses = tightens
        return [step for s, t, c, _ in uses
                if t == rule.table and c == rule.column and (rule.schema is None or rule.schema == s)
                for step in _rewrite_values(rule, qualified(s, t), c)]
    raise ValueError(f"unknown tightening {kind!r}")


def _rewrite_values(rule: CleanupRule, table: str, column: str) -> list[Step]:
    """One UPDATE per value (a literal takes the column's type, enum or text)."""
    col = q(column)
    return [Step(f"UPDATE {table} SET {col} = {quote_literal(b)} WHERE {col} = {quote_literal(a)};",
                 warning=f"cleanup ({rule.where}): rows of {table} holding {col} = {quote_literal(a)} get "
                         f"{quote_literal(b)}") for a, b in rule.map.items()]
