"""The base class of schema rules and the targets they check.

A schema rule's ``check(target, ctx)`` gets one model object (``Table``, ``View``, ``Function``,
``EnumType``, ``Policy``), a ``Namespace`` (one schema), or a catalog object (``Extension``,
``Sequence``), as listed in ``targets``. ``needs`` says what the rule reads beyond the model:
``"catalog"`` (a database: SQL targets applied to a scratch database, or a DSN) or ``"live"``
(a DSN: activity statistics); the lint skips rules whose needs the target cannot meet.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, ClassVar

from schemawright.findings import Finding
from schemawright.lint.engine import Rule
from schemawright.lint.schema_context import SchemaContext
from schemawright.model.names import quote_ident
from schemawright.model.schema import Column, Table

MONEY_NAME = re.compile(r"(^|_)(price|prices|amount|amounts|cost|costs|total|subtotal|balance|fee|fees|salary|"
                        r"wage|tax|taxes|discount|paid|revenue|charge|payment|refund|budget|debit|credit)(_|$)")


@dataclass(frozen=True)
class Namespace:
    """One linted schema (a target for rules about a schema as a whole)."""

    name: str
    tables: tuple[Table, ...]


class SchemaRule(Rule):
    """A rule over schema objects; ``targets`` lists the object classes it checks."""

    groups: ClassVar[tuple[str, ...]] = ("schema",)
    needs: ClassVar[str] = "model"  # "model" | "catalog" | "live"

    def check(self, target: Any, ctx: SchemaContext) -> Iterator[Finding]:
        raise NotImplementedError


def q(name: str) -> str:
    """An identifier quoted for SQL when it needs it."""
    return quote_ident(name)


def column_list(columns) -> str:
    return ", ".join(q(c) for c in columns)


def key_columns(table: Table) -> set[str]:
    """Columns of the primary key and of every foreign key."""
    found = set(table.primary_key.columns) if table.primary_key else set()
    for fk in table.foreign_keys:
        found |= set(fk.columns)
    return found


def checked_columns(table: Table) -> set[str]:
    return {c for check in table.checks for c in check.columns}


def serial_default(column: Column) -> bool:
    """A ``nextval(...)`` default that is not an identity column: a serial (or hand-made) sequence."""
    return column.identity is None and column.default is not None and \
        str(column.default).lower().startswith("nextval(")
