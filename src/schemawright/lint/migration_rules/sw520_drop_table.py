from __future__ import annotations

from pglast import ast
from pglast.enums import ObjectType

from schemawright.findings import Severity
from schemawright.lint.migration_rules.base import MigrationRule
from schemawright.lint.pg import object_key


class DropTable(MigrationRule):
    """Dropping a table deletes its data and breaks running code that still uses it.

    The drop waits for an `ACCESS EXCLUSIVE` lock, then removes the table and its data for good;
    queries of the running release that touch it fail. Stop using it in a release first (and keep a
    backup, or rename it to `<name>_deprecated` for a while), then drop it.

    **Bad**

    ```sql
    DROP TABLE user_sessions;
    ```

    **Good**

    ```sql
    -- release N: nothing reads or writes user_sessions any more
    -- release N+1:
    DROP TABLE IF EXISTS user_sessions;
    ```
    """

    code = "SW520"
    name = "drop-table"
    severity = Severity.ERROR
    fix = "Remove every use of the table in a release first (keep a backup), then drop it in a later migration."
    targets = (ast.DropStmt,)

    def check(self, node, ctx):
        if node.removeType != ObjectType.OBJECT_TABLE:
            return
        for names in node.objects:
            key = object_key(names)
            if not ctx.is_new(key):
                yield self.report(ctx, f"Dropping table {key.removeprefix('public.')} deletes its data and breaks "
                                       "running code that still uses it.")
