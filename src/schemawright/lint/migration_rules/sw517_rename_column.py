from __future__ import annotations

from pglast import ast
from pglast.enums import ObjectType

from schemawright.findings import Severity
from schemawright.lint.migration_rules.base import MigrationRule
from schemawright.lint.pg import display


class RenameColumn(MigrationRule):
    """Renaming a column breaks running code that still uses the old name.

    The rename is instant, but every deployed query, ORM model and view definition that names the
    old column fails until the new code is out, and a rollback of the code breaks again. Expand and
    contract instead: add the new column, write both, backfill, move readers, drop the old one.

    **Bad**

    ```sql
    ALTER TABLE users RENAME COLUMN mail TO email;
    ```

    **Good**

    ```sql
    ALTER TABLE users ADD COLUMN email text;
    -- deploy code writing both columns; backfill; deploy code reading email; then, later:
    ALTER TABLE users DROP COLUMN mail;
    ```
    """

    code = "SW517"
    name = "rename-column"
    severity = Severity.ERROR
    fix = "Add the new column, write both, backfill, switch readers, and drop the old column in a later release."
    targets = (ast.RenameStmt,)

    def check(self, node, ctx):
        if node.renameType != ObjectType.OBJECT_COLUMN or node.relationType != ObjectType.OBJECT_TABLE:
            return
        if not ctx.is_new(node.relation):
            yield self.report(ctx, f"Renaming {display(node.relation)}.{node.subname} to {node.newname} breaks running "
                                   "code that still uses the old name.")
