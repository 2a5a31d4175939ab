"""The base class of migration rules: ``check(node, ctx)`` gets each statement's pglast node."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pglast import ast
from pglast.enums import AlterTableType as AT

from schemawright.findings import Finding
from schemawright.lint.engine import Rule
from schemawright.lint.migration_state import MigrationContext
from schemawright.lint.pg import TypeRef, alter_commands, type_ref


class MigrationRule(Rule):
    """A rule over migration statements; ``targets`` lists the pglast statement classes it checks."""

    groups = ("migration",)

    def check(self, node: Any, ctx: MigrationContext) -> Iterator[Finding]:
        raise NotImplementedError


def column_type_changes(node: ast.AlterTableStmt, ctx: MigrationContext
                        ) -> Iterator[tuple[ast.AlterTableCmd, TypeRef | None, TypeRef]]:
    """(command, old type, new type) of each ``ALTER COLUMN ... TYPE`` of a table that existed before this
    file (a table the file creates holds no rows to rewrite); the old type is None when it is unknown."""
    if ctx.is_new(node.relation):
        return
    for cmd in alter_commands(node, AT.AT_AlterColumnType):
        yield cmd, ctx.column_type(node.relation, cmd.name), type_ref(cmd.def_.typeName)
