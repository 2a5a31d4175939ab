from __future__ import annotations

from pglast import ast
from pglast.enums import ObjectType

from schemawright.findings import Severity
from schemawright.lint.migration_rules.base import MigrationRule
from schemawright.lint.pg import display


class RenameTable(MigrationRule):
    """Renaming a table breaks running code that still uses the old name.

    Deployed queries and ORM models that name the old table fail from the moment the rename commits
    until new code is out. Rename in steps: rename the table and leave a view with the old name
    (simple views are updatable), move the code, then drop the view.

    **Bad**

    ```sql
    ALTER TABLE customer RENAME TO customers;
    ```

    **Good**

    ```sql
    BEGIN;
    ALTER TABLE customer RENAME TO customers;
    CREATE VIEW customer AS SELECT * FROM customers;   -- old code keeps working
    COMMIT;
    -- after the code moved: DROP VIEW customer;
    ```
    """

    code = "SW518"
    name = "rename-table"
    severity = Severity.ERROR
    fix = "Rename and create a view with the old name in one transaction; drop the view after the code moved."
    targets = (ast.RenameStmt,)

    def check(self, node, ctx):
        if node.renameType == ObjectType.OBJECT_TABLE and not ctx.is_new(node.relation):
            yield self.report(ctx, f"Renaming table {display(node.relation)} to {node.newname} breaks running code "
                                   "that still uses the old name.")
