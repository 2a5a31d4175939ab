from __future__ import annotations

from pglast import ast
from pglast.enums import AlterTableType as AT

from schemawright.findings import Severity
from schemawright.lint.migration_rules.base import MigrationRule
from schemawright.lint.pg import alter_commands, display


class DisableTrigger(MigrationRule):
    """Disabling triggers on a live table lets writes skip what the triggers enforce.

    `DISABLE TRIGGER` is not local to the migration: every session's writes skip the trigger until it
    is enabled again (audit rows, derived columns, sync to other tables are lost), and `DISABLE
    TRIGGER ALL` also switches off the internal triggers that enforce foreign keys. It also takes a
    `SHARE ROW EXCLUSIVE` lock. For a bulk load in the migration, use
    `SET session_replication_role = replica` in that session only, or keep the triggers.

    **Bad**

    ```sql
    ALTER TABLE orders DISABLE TRIGGER ALL;
    UPDATE orders SET ...;
    ALTER TABLE orders ENABLE TRIGGER ALL;
    ```

    **Good**

    ```sql
    SET LOCAL session_replication_role = replica;   -- this transaction only (superuser)
    UPDATE orders SET ...;
    ```
    """

    code = "SW529"
    name = "disable-trigger"
    severity = Severity.WARNING
    fix = "Keep the triggers, or SET LOCAL session_replication_role = replica for this session only."
    targets = (ast.AlterTableStmt,)

    def check(self, node, ctx):
        if ctx.is_new(node.relation):
            return
        for cmd in alter_commands(node, AT.AT_DisableTrig, AT.AT_DisableTrigAll, AT.AT_DisableTrigUser):
            table = display(node.relation)
            if cmd.subtype == AT.AT_DisableTrigAll:
                message = (f"DISABLE TRIGGER ALL on {table} also turns off foreign-key enforcement, for every "
                           "session, until it is enabled again.")
            else:
                message = (f"Disabling trigger {cmd.name or 'USER'} on {table} makes every session's writes skip it "
                           "until it is enabled again.")
            yield self.report(ctx, message)
