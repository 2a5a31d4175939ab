"""Helpers of the type rules: the columns of a given kind and the ALTER that changes a column's type."""

from __future__ import annotations

from collections.abc import Iterator

from schemawright.lint.schema_rules.base import q
from schemawright.model.schema import Column, Table
from schemawright.model.types import Kind


def columns_of(table: Table, *kinds: Kind) -> Iterator[Column]:
    """Columns whose type (or array element type) is one of ``kinds``."""
    return (c for c in table.columns if c.type.kind in kinds)


def retype(ctx, table: Table, column: Column, new_type: str, using: str | None = None) -> str:
    array = "[]" * column.type.array_dims
    clause = f" USING {using}" if using else ""
    return f"ALTER TABLE {ctx.table_sql(table)} ALTER COLUMN {q(column.name)} TYPE {new_type}{array}{clause};"
