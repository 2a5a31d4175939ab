from __future__ import annotations

from pglast import ast
from pglast.enums import AlterTableType as AT
from pglast.enums import ConstrType

from schemawright.findings import Severity
from schemawright.lint.migration_rules.base import MigrationRule
from schemawright.lint.pg import SERIAL_TYPES, alter_commands, column_constraints, column_default, display, type_ref


class NotNullColumnWithoutDefault(MigrationRule):
    """Adding a NOT NULL column without a default fails on a table that has rows.

    PostgreSQL fills a new column with NULL in every existing row, so `ADD COLUMN ... NOT NULL` (or
    `PRIMARY KEY`) without a `DEFAULT` fails as soon as the table holds data. Where it does succeed
    (an empty table), application code that is still running and inserts rows without the new column
    starts failing.

    **Bad**

    ```sql
    ALTER TABLE users ADD COLUMN tier text NOT NULL;
    ```

    **Good** (PostgreSQL 11+ stores a constant default without rewriting the table)

    ```sql
    ALTER TABLE users ADD COLUMN tier text NOT NULL DEFAULT 'free';
    ```

    or add the column nullable, backfill it in batches, then make it NOT NULL as SW503 describes.
    """

    code = "SW501"
    name = "not-null-column-without-default"
    severity = Severity.ERROR
    fix = ("Give the column a constant DEFAULT, or add it nullable, backfill it, then add NOT NULL "
           "through a validated CHECK (SW503).")
    targets = (ast.AlterTableStmt,)

    def check(self, node, ctx):
        if ctx.is_new(node.relation):
            return
        for cmd in alter_commands(node, AT.AT_AddColumn):
            col = cmd.def_
            required = col.is_not_null or column_constraints(col, ConstrType.CONSTR_NOTNULL, ConstrType.CONSTR_PRIMARY)
            filled = (column_default(col) is not None or type_ref(col.typeName).base in SERIAL_TYPES
                      or column_constraints(col, ConstrType.CONSTR_GENERATED, ConstrType.CONSTR_IDENTITY))
            if required and not filled:
                yield self.report(ctx, f"Column {col.colname!r} is added NOT NULL without a default to the existing "
                                       f"table {display(node.relation)}: this fails as soon as the table has rows.",
                                  at=col)
