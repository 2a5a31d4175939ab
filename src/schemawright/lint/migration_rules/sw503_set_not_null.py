from __future__ import annotations

from pglast import ast
from pglast.enums import AlterTableType as AT

from schemawright.findings import Severity
from schemawright.lint.migration_rules.base import MigrationRule
from schemawright.lint.pg import alter_commands, display, relation_key


class SetNotNull(MigrationRule):
    """SET NOT NULL scans the whole table while holding an ACCESS EXCLUSIVE lock.

    `ALTER COLUMN ... SET NOT NULL` checks every row, and reads and writes wait for the whole scan.
    From PostgreSQL 12 on the scan is skipped when a *validated* `CHECK (col IS NOT NULL)` constraint
    already proves it, and such a check can be added `NOT VALID` and validated without blocking writes.
    The rule stays quiet when the migrations validated such a check earlier (or validated a constraint
    of the table whose name contains the column's name).

    **Bad**

    ```sql
    ALTER TABLE users ALTER COLUMN email SET NOT NULL;
    ```

    **Good** (PostgreSQL 12+)

    ```sql
    ALTER TABLE users ADD CONSTRAINT users_email_not_null CHECK (email IS NOT NULL) NOT VALID;
    -- in a separate transaction:
    ALTER TABLE users VALIDATE CONSTRAINT users_email_not_null;   -- SHARE UPDATE EXCLUSIVE: writes go on
    ALTER TABLE users ALTER COLUMN email SET NOT NULL;            -- no scan
    ALTER TABLE users DROP CONSTRAINT users_email_not_null;
    ```
    """

    code = "SW503"
    name = "set-not-null"
    severity = Severity.WARNING
    fix = ("Add CHECK (col IS NOT NULL) NOT VALID, VALIDATE it in a separate transaction, then SET NOT NULL "
           "(PostgreSQL 12+ skips the scan) and drop the check.")
    targets = (ast.AlterTableStmt,)

    def check(self, node, ctx):
        if ctx.is_new(node.relation):
            return
        for cmd in alter_commands(node, AT.AT_SetNotNull):
            if ctx.pg_version >= 12 and _proven_not_null(ctx, relation_key(node.relation), cmd.name):
                continue
            yield self.report(ctx, f"SET NOT NULL on {display(node.relation)}.{cmd.name} scans every row while "
                                   "holding an ACCESS EXCLUSIVE lock that blocks reads and writes.")


def _proven_not_null(ctx, table: str, column: str) -> bool:
    for t, constraint in ctx.catalog.validated:
        if t != table:
            continue
        known = ctx.catalog.not_null_checks.get((t, constraint))
        if known == column or (known is None and column in constraint):
            return True
    return False
