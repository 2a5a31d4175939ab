from __future__ import annotations

from pglast import ast
from pglast.enums import DropBehavior

from schemawright.findings import Severity
from schemawright.lint.migration_rules.base import MigrationRule
from schemawright.lint.pg import display


class TruncateCascade(MigrationRule):
    """TRUNCATE ... CASCADE also empties every table that references the truncated ones.

    `CASCADE` follows foreign keys, recursively, and truncates tables the statement does not name,
    under `ACCESS EXCLUSIVE` locks. Name every table you mean to empty instead, so a new foreign key
    cannot silently widen what a migration deletes.

    **Bad**

    ```sql
    TRUNCATE imports CASCADE;
    ```

    **Good**

    ```sql
    TRUNCATE imports, import_rows;
    ```
    """

    code = "SW522"
    name = "truncate-cascade"
    severity = Severity.ERROR
    fix = "List every table to empty explicitly, without CASCADE."
    targets = (ast.TruncateStmt,)

    def check(self, node, ctx):
        if node.behavior == DropBehavior.DROP_CASCADE:
            names = ", ".join(display(r) for r in node.relations)
            yield self.report(ctx, f"TRUNCATE {names} CASCADE also empties every table that references them, "
                                   "recursively.")
