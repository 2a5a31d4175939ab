from __future__ import annotations

from pglast import ast
from pglast.enums import AlterTableType as AT

from schemawright.findings import Severity
from schemawright.lint.migration_rules.base import MigrationRule
from schemawright.lint.pg import alter_commands, display


class DetachPartitionWithoutConcurrently(MigrationRule):
    """DETACH PARTITION without CONCURRENTLY locks the whole partitioned table.

    A plain detach takes an `ACCESS EXCLUSIVE` lock on the parent table, blocking reads and writes
    of every partition. Since PostgreSQL 14, `DETACH PARTITION ... CONCURRENTLY` needs only a
    `SHARE UPDATE EXCLUSIVE` lock on the parent (it cannot run in a transaction block; if interrupted,
    finish it with `... FINALIZE`). Quiet when `pg_version` is below 14.

    **Bad**

    ```sql
    ALTER TABLE events DETACH PARTITION events_2023;
    ```

    **Good**

    ```sql
    ALTER TABLE events DETACH PARTITION events_2023 CONCURRENTLY;
    ```
    """

    code = "SW530"
    name = "detach-partition-without-concurrently"
    severity = Severity.WARNING
    fix = "Use DETACH PARTITION ... CONCURRENTLY (PostgreSQL 14+), outside a transaction block."
    targets = (ast.AlterTableStmt,)

    def check(self, node, ctx):
        if ctx.pg_version < 14 or ctx.is_new(node.relation):
            return
        for cmd in alter_commands(node, AT.AT_DetachPartition):
            if not cmd.def_.concurrent:
                yield self.report(ctx, f"Detaching {display(cmd.def_.name)} takes an ACCESS EXCLUSIVE lock on "
                                       f"{display(node.relation)}, blocking reads and writes of every partition.")
