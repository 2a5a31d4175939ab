"""The base class of migration rules: ``check(node, ctx)`` gets each statement's pglast node."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from schemawright.findings import Finding
from schemawright.lint.engine import Rule
from schemawright.lint.migration_state import MigrationContext


class MigrationRule(Rule):
    """A rule over migration statements; ``targets`` lists the pglast statement classes it checks."""

    groups = ("migration",)

    def check(self, node: Any, ctx: MigrationContext) -> Iterator[Finding]:
        raise NotImplementedError
