from __future__ import annotations

from pglast import ast
from pglast.enums import AlterTableType as AT

from schemawright.findings import Severity
from schemawright.lint.migration_rules.base import MigrationRule
from schemawright.lint.pg import alter_commands, display


class DropNotNull(MigrationRule):
    """Dropping NOT NULL lets NULLs reach code that assumes there are none.

    The change itself is cheap, but readers of the running release (and reports, exports, ORMs with
    non-optional fields) were written for a column that is never NULL. Make the readers cope with NULL
    in a release before the migration.

    **Bad**

    ```sql
    ALTER TABLE orders ALTER COLUMN shipped_at DROP NOT NULL;
    ```

    **Good**

    ```sql
    -- release N: every reader handles shipped_at IS NULL
    -- release N+1:
    ALTER TABLE orders ALTER COLUMN shipped_at DROP NOT NULL;
    ```
    """

    code = "SW521"
    name = "drop-not-null"
    severity = Severity.WARNING
    fix = "Ship readers that handle NULL first, then drop the constraint."
    targets = (ast.AlterTableStmt,)

    def check(self, node, ctx):
        if ctx.is_new(node.relation):
            return
        for cmd in alter_commands(node, AT.AT_DropNotNull):
            yield self.report(ctx, f"Dropping NOT NULL on {display(node.relation)}.{cmd.name} lets NULLs reach code "
                                   "that assumes there are none.")
