from __future__ import annotations

from pglast import ast
from pglast.enums import AlterTableType as AT

from schemawright.findings import Severity
from schemawright.lint.migration_rules.base import MigrationRule
from schemawright.lint.pg import alter_commands, display

_REWRITES = {
    AT.AT_SetLogged: "SET LOGGED writes the whole table to the WAL",
    AT.AT_SetUnLogged: "SET UNLOGGED rewrites the whole table",
    AT.AT_SetTableSpace: "SET TABLESPACE copies the whole table",
    AT.AT_SetAccessMethod: "SET ACCESS METHOD rewrites the whole table",
}


class TableRewrite(MigrationRule):
    """SET LOGGED/UNLOGGED, SET TABLESPACE and SET ACCESS METHOD copy the whole table under an exclusive lock.

    Each of these `ALTER TABLE` forms writes a new copy of the table (and, for tablespaces, its
    indexes) while an `ACCESS EXCLUSIVE` lock blocks reads and writes for the whole copy.

    **Bad**

    ```sql
    ALTER TABLE events SET TABLESPACE fast_ssd;
    ```

    **Good**

    ```sql
    -- create the new table in the target tablespace / mode, copy in batches, swap names in a short transaction;
    -- or use pg_repack (--tablespace) which holds the exclusive lock only at the end
    ```
    """

    code = "SW515"
    name = "table-rewrite"
    severity = Severity.WARNING
    fix = "Copy into a new table in batches and swap names, or use pg_repack; otherwise plan a maintenance window."
    targets = (ast.AlterTableStmt,)

    def check(self, node, ctx):
        if ctx.is_new(node.relation):
            return
        for cmd in alter_commands(node, *_REWRITES):
            yield self.report(ctx, f"{_REWRITES[cmd.subtype]} of {display(node.relation)} while an ACCESS EXCLUSIVE "
                                   "lock blocks reads and writes.")
