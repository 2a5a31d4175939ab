from __future__ import annotations

from pglast import ast
from pglast.enums import AlterTableType as AT

from schemawright.findings import Severity
from schemawright.lint.migration_rules.base import MigrationRule
from schemawright.lint.pg import alter_commands, display


class DropColumn(MigrationRule):
    """Dropping a column breaks running code that still reads or writes it.

    Queries naming the column, and ORMs that list every mapped column in their SELECTs and INSERTs,
    fail from the moment the drop commits. Stop using the column in one release (ORMs: mark it
    ignored), then drop it in a later migration. The data is gone for good, so back it up first if
    it may be needed.

    **Bad**

    ```sql
    ALTER TABLE users DROP COLUMN legacy_flags;   -- while the running release still maps it
    ```

    **Good**

    ```sql
    -- release N: code no longer reads or writes users.legacy_flags
    -- release N+1:
    ALTER TABLE users DROP COLUMN IF EXISTS legacy_flags;
    ```
    """

    code = "SW519"
    name = "drop-column"
    severity = Severity.ERROR
    fix = "Remove every use of the column in a release first, then drop it in a later migration."
    targets = (ast.AlterTableStmt,)

    def check(self, node, ctx):
        if ctx.is_new(node.relation):
            return
        for cmd in alter_commands(node, AT.AT_DropColumn):
            yield self.report(ctx, f"Dropping column {display(node.relation)}.{cmd.name} breaks running code that "
                                   "still reads or writes it, and deletes its data.")
